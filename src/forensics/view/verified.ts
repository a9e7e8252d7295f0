import { AppError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { openPackage } from '../processing/triage.js';
import { buildView, saveView } from './build.js';
import { fingerprintOf } from './fingerprint.js';
import { readView } from './read.js';
import type { EvidenceView, VerifiedView, VerifyOutcome } from './types.js';

export interface ViewRequest {
  readonly store: Store;
  readonly id: string;
  readonly root: string;
  /** The full verification: every file re-hashed, the hash checked against its signed records. */
  readonly verify: () => Promise<VerifyOutcome>;
  /** Verify in full even when a verification holds for the files as they are (the Verify button). */
  readonly reverify?: boolean;
  readonly now?: () => Date;
}

interface Verification {
  readonly outcome: VerifyOutcome;
  readonly verifiedAt: string;
}

async function recordedVerification(
  store: Store,
  id: string,
  fingerprint: string,
): Promise<Verification | undefined> {
  const row = await store.db
    .selectFrom('evidence_verifications')
    .select(['outcome', 'verified_at'])
    .where('package_id', '=', id)
    .where('fingerprint', '=', fingerprint)
    .executeTakeFirst();
  return row ? { outcome: JSON.parse(row.outcome) as VerifyOutcome, verifiedAt: row.verified_at } : undefined;
}

async function verifyAndRecord(request: ViewRequest, fingerprint: string): Promise<Verification> {
  const outcome = await request.verify();
  const verifiedAt = (request.now?.() ?? new Date()).toISOString();
  const row = {
    package_id: request.id,
    fingerprint,
    package_hash: outcome.packageHash,
    ok: outcome.ok ? 1 : 0,
    outcome: JSON.stringify(outcome),
    verified_at: verifiedAt,
  };
  await request.store.db
    .insertInto('evidence_verifications')
    .values(row)
    .onConflict((conflict) =>
      conflict.columns(['package_id', 'fingerprint']).doUpdateSet({
        package_hash: row.package_hash,
        ok: row.ok,
        outcome: row.outcome,
        verified_at: row.verified_at,
      }),
    )
    .execute();
  return { outcome, verifiedAt };
}

/**
 * The package's view, shown only under a full verification that holds for its files as they
 * are on disk now (same fingerprint). A package changed since is verified again, in full; one
 * that fails shows its failure and nothing else. The view is built from the files once per
 * verified hash, and only kept when the files did not change while they were verified and read.
 */
async function openView(request: ViewRequest): Promise<VerifiedView> {
  const { store, id, root } = request;
  const before = fingerprintOf(root);
  const recorded = request.reverify ? undefined : await recordedVerification(store, id, before);
  const { outcome, verifiedAt } = recorded ?? (await verifyAndRecord(request, before));
  if (!outcome.ok) return { kind: 'failed', outcome, verifiedAt };
  const built = await readView(store, outcome.packageHash);
  if (built) return { kind: 'verified', view: built, outcome, verifiedAt };
  const contents = buildView(openPackage(root));
  if (fingerprintOf(root) !== before)
    throw new AppError('conflict', `package ${id} changed on disk while it was verified and read`, {
      fix: 'Open the page again: the package is verified again as it now is',
    });
  const builtAt = (request.now?.() ?? new Date()).toISOString();
  await saveView(store, { packageId: id, packageHash: outcome.packageHash, builtAt }, contents);
  const saved = await readView(store, outcome.packageHash);
  if (!saved)
    throw new AppError('store.failed', `the view of package ${id} was not kept`, {
      fix: 'Open the page again',
    });
  return { kind: 'verified', view: saved, outcome, verifiedAt };
}

/**
 * The package's stored view when a successful full verification holds for its files as they are
 * now; undefined otherwise (never verified, changed since, or failed). Nothing is re-hashed.
 */
export async function heldView(store: Store, id: string, root: string): Promise<EvidenceView | undefined> {
  const recorded = await recordedVerification(store, id, fingerprintOf(root));
  return recorded?.outcome.ok ? await readView(store, recorded.outcome.packageHash) : undefined;
}

/** Requests for the same package in this process share one verification and build. */
const opening = new Map<string, Promise<VerifiedView>>();

/** See `openView`; a request that asks to re-verify never joins another's. */
export async function verifiedView(request: ViewRequest): Promise<VerifiedView> {
  if (request.reverify) return await openView(request);
  const key = `${request.store.location}\n${request.root}`;
  const running = opening.get(key);
  if (running) return await running;
  const started = openView(request).finally(() => opening.delete(key));
  opening.set(key, started);
  return await started;
}
