import { parseAuditLine } from './audit-event.js';
import { defaultMaxLineBytes } from './block-splitter.js';
import type { Tally } from './tally.js';
import type { UsageBatch } from './usage-batch.js';

/** Where a block's lines go: what they were, and the uses summed. */
export interface BlockTarget {
  readonly tally: Tally;
  readonly batch: UsageBatch;
}

/** Parses every line of a block of whole lines (it ends with a newline); returns the next line's number. */
export function parseBlock(
  bytes: Uint8Array,
  block: { readonly firstLine: number; readonly file: string },
  target: BlockTarget,
  maxLineBytes = defaultMaxLineBytes,
): number {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let line = block.firstLine;
  for (let start = 0; start < buffer.length; line++) {
    let newline = buffer.indexOf(10, start);
    if (newline === -1) newline = buffer.length;
    if (newline - start > maxLineBytes) {
      target.tally.observe(
        { kind: 'malformed', reason: 'line longer than 4 MiB' },
        block.file,
        line,
        target.batch,
      );
    } else {
      const end = newline > start && buffer[newline - 1] === 13 ? newline - 1 : newline;
      const text = buffer.toString('utf8', start, end);
      if (text.length > 0 && !(text.charCodeAt(0) <= 32 && text.trim() === ''))
        target.tally.observe(parseAuditLine(text), block.file, line, target.batch);
    }
    start = newline + 1;
  }
  return line;
}
