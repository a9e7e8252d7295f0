import type { Store } from '../store/index.js';
import { type AuditEvent, genesisHash, hashEvent, listAudit } from './audit-log.js';

export interface ChainProblem {
  readonly seq: number;
  readonly problem: string;
}

export interface ChainReport {
  readonly ok: boolean;
  readonly checked: number;
  /** The hash of the last entry: keep it elsewhere to detect removal of the newest entries. */
  readonly head: string;
  readonly problems: readonly ChainProblem[];
}

/**
 * Re-hashes the whole chain. An edited entry fails its own hash; a removed entry leaves a gap in
 * `seq` and a broken link; removing the newest entries shows only against a head kept elsewhere.
 */
export async function verifyAudit(
  store: Store,
  options: { readonly expectedHead?: string } = {},
): Promise<ChainReport> {
  const problems: ChainProblem[] = [];
  let previous: Pick<AuditEvent, 'seq' | 'hash'> = { seq: 0, hash: genesisHash };
  let checked = 0;
  for (;;) {
    const batch = await listAudit(store, { afterSeq: previous.seq, limit: 1000 });
    if (batch.length === 0) break;
    for (const event of batch) {
      problems.push(...checkLink(previous, event));
      previous = event;
      checked++;
    }
  }
  if (options.expectedHead && options.expectedHead !== previous.hash) {
    problems.push({
      seq: previous.seq,
      problem: `the chain ends at ${previous.hash}, not at the expected head ${options.expectedHead}`,
    });
  }
  return { ok: problems.length === 0, checked, head: previous.hash, problems };
}

function checkLink(previous: Pick<AuditEvent, 'seq' | 'hash'>, event: AuditEvent): ChainProblem[] {
  const problems: ChainProblem[] = [];
  if (event.seq !== previous.seq + 1) {
    problems.push({ seq: event.seq, problem: `entries ${previous.seq + 1}..${event.seq - 1} are missing` });
  }
  if (event.prevHash !== previous.hash) {
    problems.push({
      seq: event.seq,
      problem: 'does not link to the entry before it (an entry was removed or replaced)',
    });
  }
  const { hash, ...rest } = event;
  if (hashEvent(rest) !== hash) {
    problems.push({ seq: event.seq, problem: 'content does not match its hash (the entry was modified)' });
  }
  return problems;
}
