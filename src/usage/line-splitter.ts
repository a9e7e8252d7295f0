/** One line of a log, with where it ends so reading can resume after it. */
export type Line =
  | {
      readonly kind: 'line';
      readonly text: string;
      /** 1-based, counted from the start of the file (resumed reads continue the count). */
      readonly number: number;
      /** Byte offset just after the line's newline. */
      readonly end: number;
    }
  /** Longer than the limit: dropped as it streams by, never held in memory. */
  | { readonly kind: 'overlong'; readonly number: number; readonly end: number };

export interface LineSplitterOptions {
  /** Offset of the first byte pushed (a resumed read starts mid-file). */
  readonly offset?: number;
  /** Lines already read before `offset`. */
  readonly linesBefore?: number;
  readonly maxLineBytes?: number;
}

/**
 * Cuts a byte stream into lines without holding more than one line: chunks may end anywhere,
 * including inside a multi-byte character, because a line is decoded only once it is whole.
 */
export class LineSplitter {
  private readonly maxLineBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overlong = false;
  /** Offset of the next byte to be pushed. */
  private streamOffset: number;
  private lineNumber: number;

  constructor(options: LineSplitterOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? 4 << 20;
    this.streamOffset = options.offset ?? 0;
    this.lineNumber = options.linesBefore ?? 0;
  }

  /** Calls `onLine` for every line the chunk completes, in order. */
  push(chunk: Buffer, onLine: (line: Line) => void): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) break;
      this.lineNumber++;
      onLine(this.complete(chunk, start, newline));
      start = newline + 1;
    }
    this.keep(chunk, start);
    this.streamOffset += chunk.length;
  }

  /**
   * What is left after the last newline: a line still being written, or the last line of a file
   * that does not end in a newline. Returned, not consumed: the caller decides.
   */
  rest(): { readonly text: string; readonly number: number; readonly end: number } | undefined {
    if (this.overlong || this.pendingBytes === 0) return undefined;
    const text = Buffer.concat(this.pending, this.pendingBytes).toString('utf8');
    return { text, number: this.lineNumber + 1, end: this.streamOffset };
  }

  private complete(chunk: Buffer, start: number, newline: number): Line {
    const number = this.lineNumber;
    const end = this.streamOffset + newline + 1;
    const bytes = this.pendingBytes + newline - start;
    if (this.overlong || bytes > this.maxLineBytes) {
      this.reset();
      return { kind: 'overlong', number, end };
    }
    let text: string;
    if (this.pendingBytes === 0) {
      text = chunk.toString('utf8', start, newline);
    } else {
      this.pending.push(chunk.subarray(start, newline));
      text = Buffer.concat(this.pending, bytes).toString('utf8');
    }
    this.reset();
    return { kind: 'line', text: text.endsWith('\r') ? text.slice(0, -1) : text, number, end };
  }

  private keep(chunk: Buffer, start: number): void {
    if (start >= chunk.length || this.overlong) return;
    const bytes = chunk.length - start;
    if (this.pendingBytes + bytes > this.maxLineBytes) {
      // Too long already: forget it and drop the rest of it as it streams by.
      this.pending = [];
      this.pendingBytes = 0;
      this.overlong = true;
      return;
    }
    // A copy: the stream may reuse the chunk's memory once we return.
    this.pending.push(Buffer.from(chunk.subarray(start)));
    this.pendingBytes += bytes;
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.overlong = false;
  }
}
