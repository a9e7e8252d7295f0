/** Whole lines cut from a byte stream, parsed together (in this thread or a worker). */
export interface Block {
  /** Each part holds whole lines: the line completed from earlier chunks, then the chunk's own. */
  readonly parts: readonly Buffer[];
  /** 1-based number of its first line, counted from the start of the file. */
  readonly firstLine: number;
  readonly lines: number;
  /** Byte offset just after its last newline. */
  readonly end: number;
}

export interface BlockSplitterOptions {
  /** Offset of the first byte pushed (a resumed read starts mid-file). */
  readonly offset?: number;
  /** Lines already read before `offset`. */
  readonly linesBefore?: number;
  readonly maxLineBytes?: number;
}

/** A line longer than the limit, dropped as it streamed by. */
export interface Overlong {
  readonly number: number;
  readonly end: number;
}

export const defaultMaxLineBytes = 4 << 20;

/**
 * Cuts a byte stream into blocks of whole lines without holding more than one partial line:
 * chunks may end anywhere, including inside a multi-byte character, because bytes are decoded
 * only once their line is whole. A line that outgrows the limit is dropped as it streams by.
 */
export class BlockSplitter {
  private readonly maxLineBytes: number;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private overlong = false;
  /** Offset of the next byte to be pushed. */
  private streamOffset: number;
  private lineNumber: number;

  constructor(options: BlockSplitterOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
    this.streamOffset = options.offset ?? 0;
    this.lineNumber = options.linesBefore ?? 0;
  }

  /** The whole lines this chunk completes (with the partial line before it), if any. */
  push(chunk: Buffer, onOverlong: (line: Overlong) => void): Block | undefined {
    const chunkStart = this.streamOffset;
    this.streamOffset += chunk.length;
    let start = 0;
    if (this.overlong) {
      const newline = chunk.indexOf(10);
      if (newline === -1) return undefined;
      onOverlong({ number: ++this.lineNumber, end: chunkStart + newline + 1 });
      this.overlong = false;
      start = newline + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last < start) {
      this.keep(chunk.subarray(start));
      return undefined;
    }
    const parts: Buffer[] = [];
    if (this.carryBytes > 0) {
      // Only the line that spans chunks is copied; the chunk's own lines are used in place.
      const first = chunk.indexOf(10, start);
      parts.push(Buffer.concat([...this.carry, chunk.subarray(start, first + 1)]));
      start = first + 1;
    }
    if (start <= last) parts.push(chunk.subarray(start, last + 1));
    this.carry = [];
    this.carryBytes = 0;
    this.keep(chunk.subarray(last + 1));
    const lines = parts.reduce((sum, part) => sum + countNewlines(part), 0);
    const block = { parts, firstLine: this.lineNumber + 1, lines, end: chunkStart + last + 1 };
    this.lineNumber += lines;
    return block;
  }

  /**
   * What is left after the last newline: a line still being written, or the last line of a file
   * that does not end in a newline. Returned, not consumed: the caller decides.
   */
  rest(): { readonly text: string; readonly number: number; readonly end: number } | undefined {
    if (this.overlong || this.carryBytes === 0) return undefined;
    const text = Buffer.concat(this.carry, this.carryBytes).toString('utf8');
    return { text, number: this.lineNumber + 1, end: this.streamOffset };
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    if (this.carryBytes + part.length > this.maxLineBytes) {
      this.carry = [];
      this.carryBytes = 0;
      this.overlong = true;
      return;
    }
    // A copy: the stream may reuse the chunk's memory once we return.
    this.carry.push(Buffer.from(part));
    this.carryBytes += part.length;
  }
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}
