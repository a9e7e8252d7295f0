import { audited } from '../audit/index.js';
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
 * when it ends (the succeeded one carries the package hash, signed in the chain), then package.sig
 * beside the sealed package. The CLI and the console both come through here, so an acquisition
 * reads the same in the audit log whoever started it and wherever.
 *
 * @example
 * const done = await acquireAudited({ store, client, evidenceRoot, namespace: 'prod', pod: 'web-1', method: 'auto', profile: defaultProfile, operator, gatehouseVersion: '0.1.0' });
 */
export async function acquireAudited(options: AuditedAcquireOptions): Promise<Acquisition> {
  const { store, ...acquire } = options;
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
}
