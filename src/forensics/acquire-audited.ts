import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { audited } from '../audit/index.js';
import { isAppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { type AcquireOptions, type Acquisition, acquireContainer } from './acquire.js';
import { signSealedPackage } from './evidence/attestation.js';

/** One container to acquire, named for the audit log as `namespace/pod[/container]`. */
export interface AuditedAcquireOptions extends AcquireOptions {
  readonly store: Store;
}

/** How the audit log names a target: `namespace/pod`, with `/container` when one was picked. */
export function targetLabel(target: {
  namespace: string;
  pod: string;
  container?: string | undefined;
}): string {
  return `${target.namespace}/${target.pod}${target.container ? `/${target.container}` : ''}`;
}

/**
 * Acquires one container as every door does it: a `forensics.acquire` entry when it starts and
 * when it ends (carrying the package hash, signed in the chain), then package.sig beside the
 * sealed package. A failure after something arrived leaves a package sealed with what arrived:
 * its failed entry records the hash and it is signed too, so it can be proven untouched later
 * (its custody record says it is partial). The CLI and the console both come through here, so an acquisition
 * reads the same in the audit log whoever started it and wherever.
 *
 * @example
 * const done = await acquireAudited({ store, client, evidenceRoot, namespace: 'prod', pod: 'web-1', method: 'auto', profile: defaultProfile, operator, gatehouseVersion: '0.1.0' });
 */
export async function acquireAudited(options: AuditedAcquireOptions): Promise<Acquisition> {
  const { store, ...acquire } = options;
  try {
    const acquisition = await audited(store, {
      actor: options.operator.subject,
      action: 'forensics.acquire',
      target: targetLabel(options),
      succeeded: (done: Acquisition) => ({
        package: done.id,
        packageHash: done.packageHash,
        method: done.custody.method,
      }),
      work: () => acquireContainer(acquire),
    });
    signSealedPackage(store, acquisition);
    return acquisition;
  } catch (error) {
    signPartialPackage(store, options.evidenceRoot, error);
    throw error;
  }
}

/** The package a failed acquisition sealed with what arrived (named in the error), signed like any other. */
function signPartialPackage(store: Store, evidenceRoot: string, error: unknown): void {
  if (!isAppError(error)) return;
  const { package: id, packageHash } = error.details;
  if (typeof id !== 'string' || typeof packageHash !== 'string' || !/^[0-9TZ]+-[0-9a-f]{8}$/.test(id)) return;
  const root = join(evidenceRoot, id);
  if (existsSync(root)) signSealedPackage(store, { id, root, packageHash });
}
