import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { AppError, messageOf } from '../errors.js';

/** The signed head of the chain, kept outside the database so that a cut-off tail shows. */
export interface Checkpoint {
  readonly seq: number;
  readonly hash: string;
  readonly keyId: string;
  /** The head entry's own signature: anyone with the public key can check the checkpoint. */
  readonly signature: string;
  readonly at: string;
}

/**
 * Where checkpoints go. The data directory's file is always written; an object store (the S3
 * evidence bucket) can sit beside it for deployments whose data directory is not durable.
 */
export interface CheckpointSink {
  readonly name: string;
  write(checkpoint: Checkpoint): Promise<void>;
  read(): Promise<Checkpoint | undefined>;
}

/** A checkpoint file, replaced atomically and never moved backwards by a slower writer. */
export function fileCheckpoints(file: string): CheckpointSink {
  return {
    name: file,
    write: async (checkpoint) => writeCheckpointFile(file, checkpoint),
    read: async () => readCheckpointFile(file),
  };
}

export function writeCheckpointFile(file: string, checkpoint: Checkpoint): void {
  const current = readCheckpointFile(file);
  if (current && current.seq >= checkpoint.seq) return;
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

export function readCheckpointFile(file: string): Checkpoint | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return parseCheckpoint(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('store.failed', `the audit checkpoint ${file} is unreadable: ${messageOf(error)}`, {
      fix: 'Restore it from a backup; removing it only weakens the check of the newest entries',
      cause: error,
    });
  }
}

export function parseCheckpoint(text: string): Checkpoint {
  const value = JSON.parse(text) as Record<string, unknown>;
  const { seq, hash, keyId, signature, at } = value;
  if (
    typeof seq !== 'number' ||
    typeof hash !== 'string' ||
    typeof keyId !== 'string' ||
    typeof signature !== 'string' ||
    typeof at !== 'string'
  )
    throw new Error('expected {seq, hash, keyId, signature, at}');
  return { seq, hash, keyId, signature, at };
}
