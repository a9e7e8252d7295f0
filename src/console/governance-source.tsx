import { AppError } from '../errors.js';
import { listSyncedClusters, type RbacSource, syncSource } from '../inventory/index.js';
import type { Store } from '../store/index.js';
import type { ConsoleContext } from './http.js';

/** Names and rules come from the cluster: shown whole up to this length, then cut with an ellipsis. */
const clipAt = 120;

export function clip(text: string, max = clipAt): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Which stored sync a page answers from: `?cluster=` (else the only synced one) and `?run=` (else the latest). */
export interface SyncChoice {
  readonly cluster: string;
  readonly run?: string;
}

export async function chooseSync(
  c: ConsoleContext,
  store: Store,
  options: { readonly firstOfSeveral?: boolean } = {},
): Promise<SyncChoice> {
  const run = c.req.query('run')?.trim().slice(0, 64) || undefined;
  const asked = c.req.query('cluster')?.trim().slice(0, 253) || undefined;
  if (asked) return { cluster: asked, ...(run ? { run } : {}) };
  const clusters = await listSyncedClusters(store);
  // Pages with a cluster picker open on the first; the picker says there are others.
  if (clusters.length === 1 || (options.firstOfSeveral && clusters.length > 1))
    return { cluster: clusters[0]!, ...(run ? { run } : {}) };
  throw new AppError(
    'input.invalid',
    clusters.length === 0
      ? 'no cluster has a stored RBAC sync yet'
      : 'several clusters have syncs: say which',
    {
      fix:
        clusters.length === 0
          ? 'Run `gatehouse rbac sync --context NAME`, then come back'
          : `Pick one on the Governance page (clusters: ${clusters.map((name) => clip(name, 40)).join(', ')})`,
    },
  );
}

/** The stored sync chosen, loaded as the CLI loads it (`gatehouse rbac … --context C --run R`). */
export async function openSync(store: Store, choice: SyncChoice): Promise<RbacSource> {
  return await syncSource(store, choice.cluster, choice.run);
}

/** The query string that keeps a page on the same sync. */
export function syncQuery(choice: SyncChoice): string {
  const params = new URLSearchParams({ cluster: choice.cluster, ...(choice.run ? { run: choice.run } : {}) });
  return params.toString();
}

/** What the answer is missing: parts of the cluster the sync could not read, aws-auth problems. */
export function SourceNotice(props: {
  source: { readonly label: string; readonly warnings: readonly string[] };
}) {
  const { warnings } = props.source;
  return (
    <>
      <p class="lead">{`Answered from ${clip(props.source.label)}.`}</p>
      {warnings.length > 0 ? (
        <div class="notice error" role="alert">
          <p>
            <strong>This sync is incomplete: the answer may miss grants.</strong>
          </p>
          {warnings.slice(0, 20).map((warning) => (
            <p>{clip(warning, 300)}</p>
          ))}
          {warnings.length > 20 ? <p>{`… and ${warnings.length - 20} more`}</p> : null}
        </div>
      ) : null}
    </>
  );
}
