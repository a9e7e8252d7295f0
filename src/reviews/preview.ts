import { listSyncRuns, loadSyncSnapshot, type SyncRun } from '../inventory/index.js';
import type { Store } from '../store/index.js';
import { chosenRun, snapshotHashOf } from './campaigns.js';
import { buildItems, subjectLabel } from './items.js';
import type { ReviewScope } from './types.js';

/** What a campaign would cover if opened now: the run it would freeze and what its scope selects. */
export interface CampaignPreview {
  readonly run: SyncRun;
  /** The hash the campaign would record for the snapshot. */
  readonly snapshotHash: string;
  readonly items: number;
  readonly subjects: number;
}

/**
 * Previews a campaign without creating it: the same run choice and item building as
 * `createCampaign`, so the numbers are the ones a campaign opened from the same input would have.
 * Reads only; nothing is stored or audited.
 *
 * @example
 * const { items, subjects } = await previewCampaign(store, { cluster: 'prod', scope: { clusterAdminEquivalent: true } });
 */
export async function previewCampaign(
  store: Store,
  input: { readonly cluster: string; readonly runId?: string; readonly scope: ReviewScope },
): Promise<CampaignPreview> {
  const run = await chosenRun(store, input.cluster, input.runId);
  const read = await loadSyncSnapshot(store, run.id);
  const drafts = buildItems(read, input.scope);
  return {
    run,
    snapshotHash: snapshotHashOf(read),
    items: drafts.length,
    subjects: new Set(drafts.map((draft) => subjectLabel(draft.subject))).size,
  };
}

/** The run a cluster's campaign freezes by default, with its hash; undefined when it has none. */
export async function latestUsableRun(
  store: Store,
  cluster: string,
): Promise<{ run: SyncRun; snapshotHash: string } | undefined> {
  const [run] = await listSyncRuns(store, cluster, 1, { usableOnly: true });
  if (!run) return undefined;
  return { run, snapshotHash: snapshotHashOf(await loadSyncSnapshot(store, run.id)) };
}
