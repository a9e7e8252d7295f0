import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Store } from '../store/index.js';
import { type AuditEvent, entryDomain, genesisHash, hashEvent, listAudit } from './audit-log.js';
import { type Checkpoint, readCheckpointFile } from './checkpoint.js';
import { loadSigner, verifyText } from './keys.js';
import { trustedKeys } from './rotation.js';

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
  /** What could not be checked, said plainly (no checkpoint, entries older than signing). */
  readonly notes: readonly string[];
}

export interface VerifyOptions {
  readonly expectedHead?: string | undefined;
  /** The auditor's public key; by default the public half of the store's own key file. */
  readonly publicKey?: KeyObject | undefined;
  /**
   * Checkpoints kept outside the database, each compared with the chain; by default the data
   * directory's checkpoint file. Callers add the object-store copy when there is one.
   */
  readonly checkpoints?: readonly { readonly where: string; readonly checkpoint: Checkpoint }[] | undefined;
}

interface Walk {
  readonly keys: ReadonlyMap<string, KeyObject>;
  active: string | undefined;
  previous: Pick<AuditEvent, 'seq' | 'hash'>;
  checked: number;
  unsigned: number;
  readonly problems: ChainProblem[];
  /** The hashes of the entries the checkpoints name, as found in the chain. */
  readonly watched: Map<number, string | undefined>;
}

/**
 * Re-hashes the whole chain and checks every signature. An edited entry fails its hash, a
 * rewritten one (hashes recomputed) its signature; a removed entry leaves a gap and a broken
 * link; removing the newest entries shows against the checkpoint kept outside the database.
 */
export async function verifyAudit(store: Store, options: VerifyOptions = {}): Promise<ChainReport> {
  const anchor = options.publicKey ?? localPublicKey(store);
  const checkpoints = options.checkpoints ?? localCheckpoints(store);
  const walk: Walk = {
    keys: anchor ? await trustedKeys(store, anchor) : new Map(),
    active: undefined,
    previous: { seq: 0, hash: genesisHash },
    checked: 0,
    unsigned: 0,
    problems: [],
    watched: new Map(checkpoints.map(({ checkpoint }) => [checkpoint.seq, undefined])),
  };
  for (;;) {
    const batch = await listAudit(store, { afterSeq: walk.previous.seq, limit: 1000 });
    if (batch.length === 0) break;
    for (const event of batch) step(walk, event, anchor !== undefined);
  }
  const notes = finish(walk, { ...options, anchored: anchor !== undefined, checkpoints });
  const problems = walk.problems;
  return { ok: problems.length === 0, checked: walk.checked, head: walk.previous.hash, problems, notes };
}

/** What the end of the walk shows: unchecked signatures, an unsigned chain, a cut-off tail. */
function finish(
  walk: Walk,
  options: VerifyOptions & {
    readonly anchored: boolean;
    readonly checkpoints: readonly { where: string; checkpoint: Checkpoint }[];
  },
): string[] {
  const notes: string[] = [];
  const checkpoints = options.checkpoints;
  if (!options.anchored && walk.checked > 0)
    walk.problems.push({
      seq: walk.previous.seq,
      problem:
        'signatures were NOT checked: no public key given and no key file in the data directory (give --public-key)',
    });
  if (walk.unsigned > 0)
    notes.push(
      `${walk.unsigned} entries predate signing; only the first signed entry's link vouches for them`,
    );
  if (walk.checked > 0 && walk.active === undefined && options.anchored)
    walk.problems.push({
      seq: walk.previous.seq,
      problem: 'no entry is signed: a rewritten chain would look the same',
    });
  if (options.expectedHead && options.expectedHead !== walk.previous.hash) {
    walk.problems.push({
      seq: walk.previous.seq,
      problem: `the chain ends at ${walk.previous.hash}, not at the expected head ${options.expectedHead}`,
    });
  }
  for (const { where, checkpoint } of checkpoints)
    walk.problems.push(
      ...compareCheckpoint(walk, checkpoint).map((p) => ({
        ...p,
        problem: `${p.problem} (checkpoint ${where})`,
      })),
    );
  if (checkpoints.length === 0 && walk.checked > 0)
    notes.push('no checkpoint: removal of the newest entries cannot be detected');
  return notes;
}

function localCheckpoints(store: Store): { where: string; checkpoint: Checkpoint }[] {
  const checkpoint = readCheckpointFile(store.files.auditCheckpoint);
  return checkpoint ? [{ where: store.files.auditCheckpoint, checkpoint }] : [];
}

/** The public half of this data directory's key, if it has one. */
export function localPublicKey(store: Store): KeyObject | undefined {
  return existsSync(store.files.auditKey) ? loadSigner(store.files).publicKey : undefined;
}

function step(walk: Walk, event: AuditEvent, checkSignatures: boolean): void {
  walk.problems.push(...checkLink(walk.previous, event));
  if (checkSignatures) walk.problems.push(...checkSignature(walk, event));
  if (walk.watched.has(event.seq)) walk.watched.set(event.seq, event.hash);
  walk.previous = event;
  walk.checked++;
}

function checkSignature(walk: Walk, event: AuditEvent): ChainProblem[] {
  const problem = (text: string) => [{ seq: event.seq, problem: text }];
  if (!event.signature || !event.keyId) {
    if (walk.active === undefined) {
      walk.unsigned++;
      return [];
    }
    return problem('is not signed, though entries before it are (inserted or stripped)');
  }
  const key = walk.keys.get(event.keyId);
  if (!key) return problem(`is signed by key ${event.keyId}, which the public key given does not vouch for`);
  const found =
    walk.active !== undefined && event.keyId !== walk.active
      ? problem(`is signed by key ${event.keyId}, but key ${walk.active} was the one in use`)
      : [];
  if (!verifyText(key, entryDomain, event.hash, event.signature))
    return [...found, ...problem('signature does not match (the entry was rewritten)')];
  walk.active = nextActiveKey(event) ?? event.keyId;
  return found;
}

function nextActiveKey(event: AuditEvent): string | undefined {
  const named = event.action === 'audit.key-rotated' ? event.details.keyId : undefined;
  return typeof named === 'string' ? named : undefined;
}

function compareCheckpoint(walk: Walk, checkpoint: Checkpoint): ChainProblem[] {
  const key = walk.keys.get(checkpoint.keyId);
  if (walk.keys.size > 0 && (!key || !verifyText(key, entryDomain, checkpoint.hash, checkpoint.signature)))
    return [
      { seq: checkpoint.seq, problem: 'the checkpoint is not signed by a trusted key (it was edited)' },
    ];
  if (checkpoint.seq > walk.previous.seq)
    return [
      {
        seq: checkpoint.seq,
        problem: `the chain ends at entry ${walk.previous.seq}, but the checkpoint of ${checkpoint.at} records entry ${checkpoint.seq}: the newest entries were removed`,
      },
    ];
  if (walk.watched.get(checkpoint.seq) !== checkpoint.hash)
    return [
      { seq: checkpoint.seq, problem: 'differs from the checkpoint taken when it was written (replaced)' },
    ];
  return [];
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
  const { hash, keyId: _keyId, signature: _signature, ...rest } = event;
  if (hashEvent(rest) !== hash) {
    problems.push({ seq: event.seq, problem: 'content does not match its hash (the entry was modified)' });
  }
  return problems;
}
