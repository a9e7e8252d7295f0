import { describeError, isAppError } from '../errors.js';
import { grantKey } from '../provisioning/index.js';
import { judgeOne } from './activation-check.js';
import type { KeyedLock } from './keyed-lock.js';
import { activate, grantFailed, grantOf, lockKey, putInPlace, type ReconcileOptions } from './reconciler.js';
import { type AccessRequest, getRequest, listRequests } from './requests.js';

/** What the approval path did with a request. */
export type GrantNowOutcome =
  /** Its access is in place and its clock runs. */
  | { readonly kind: 'granted' }
  /** Not for this path (not approved, or a mode the periodic pass handles): run a pass. */
  | { readonly kind: 'pass' }
  /** Refused, shortened or failed: the pass and the request's record say the rest. */
  | { readonly kind: 'held'; readonly why: string };

// aws-auth edits one ConfigMap and access entries go through the AWS API: those stay with the pass.
const modesHandledAtOnce = new Set(['binding', 'credential']);

/**
 * The event path of an approval: puts one approved request's access in place at once, instead of
 * waiting for the next pass. It does what a pass does for that one grant (judged against the flow
 * as it is now, written under the grant's lock, activated conditionally), so the periodic pass,
 * which stays the safety net for crashes and missed events, finds nothing left to do.
 */
export async function grantNow(
  options: ReconcileOptions & { readonly locks: KeyedLock; readonly requestId: string },
): Promise<GrantNowOutcome> {
  const now = (options.now ?? (() => new Date()))();
  const { store } = options;
  const request = await getRequest(store, options.requestId).catch((error: unknown) => {
    if (isAppError(error) && error.code === 'not-found') return undefined;
    throw error;
  });
  if (request?.state !== 'approved' || !modesHandledAtOnce.has(request.mode)) return { kind: 'pass' };
  const report = { activated: [], applied: [], removed: [], refused: [], errors: [] };
  const cluster = request.cluster;
  try {
    const check = { store, clientFor: options.clientFor, now, report };
    const verdict = await judgeOne(check, request);
    if (verdict !== 'allowed') return { kind: 'held', why: `the flow ${verdict} it` };
    const client = await options.clientFor(cluster);
    const key = grantKey(grantOf(request));
    await options.locks.run(lockKey(cluster, key), async () => {
      // Everyone sharing this binding, read under the lock: the binding names them all.
      const sharing = (await listRequests(store, ['approved', 'active'])).filter((candidate) =>
        sharesGrant(candidate, request, key),
      );
      // Nobody active shares it: the binding is most likely absent, so it is created straight away.
      const likelyNew = sharing.every((candidate) => candidate.state === 'approved');
      await putInPlace({ client, cluster, now, report, store }, key, grantOf(request), sharing, {
        likelyNew,
      });
      await activate(store, sharing, now, report);
    });
  } catch (error) {
    await grantFailed({ cluster, report, store }, [request], error).catch(() => undefined);
    return { kind: 'held', why: describeError(error) };
  }
  return { kind: 'granted' };
}

function sharesGrant(candidate: AccessRequest, request: AccessRequest, key: string): boolean {
  if (candidate.cluster !== request.cluster || !modesHandledAtOnce.has(candidate.mode)) return false;
  try {
    return grantKey(grantOf(candidate)) === key;
  } catch {
    // A record that names no binding shares none; the pass reports it on that request.
    return false;
  }
}
