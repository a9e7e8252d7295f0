import { decodeHeader, isHeader, isZeroBlock, parsePax, type TarEntry, tarBlock } from './tar.js';

/**
 * The collector's output, demultiplexed. Everything here is hostile input: the container
 * controls every byte. Sections start with a header line `##GH1 <nonce> <kind> <id>`:
 * `hex` (od -An -tx1 output: only hex digits may follow), `raw` (bytes up to the next header, when
 * od is missing), `tar` (a tar stream, parsed block by block), and `end`.
 */
export interface StreamSink {
  sectionStart(kind: SectionKind, id: string): void;
  data(bytes: Buffer): void;
  tarEntry(entry: TarEntry): void;
  tarData(chunk: Buffer): void;
  tarEntryEnd(): void;
  sectionEnd(): void;
  anomaly(message: string): void;
}

export type SectionKind = 'hex' | 'raw' | 'tar' | 'end';

const marker = '##GH1 ';
const idPattern = /^[a-z0-9][a-z0-9._-]{0,120}$/;

interface TarState {
  entry: TarEntry | undefined;
  remaining: number;
  padding: number;
  deliver: boolean;
  meta: 'longname' | 'longlink' | 'pax' | 'global' | undefined;
  metaData: Buffer[];
  overrides: { path?: string; linkTarget?: string; size?: number };
  ended: boolean;
  /** No block at all means tar had nothing to archive (or is missing): empty, not truncated. */
  empty: boolean;
}

export class CollectorStreamParser {
  readonly #nonce: string;
  readonly #sink: StreamSink;
  readonly #maxEntryBytes: number;
  #pending: Buffer = Buffer.alloc(0);
  #mode: 'scan' | SectionKind = 'scan';
  #tar: TarState = freshTar();
  #unframed = 0;
  #finished = false;
  #hexCarry = '';

  constructor(options: { nonce: string; sink: StreamSink; maxEntryBytes: number }) {
    this.#nonce = options.nonce;
    this.#sink = options.sink;
    this.#maxEntryBytes = options.maxEntryBytes;
  }

  get finished(): boolean {
    return this.#finished;
  }

  write(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    for (let progress = true; progress && !this.#finished; ) progress = this.#step();
  }

  /** The stream ended: whatever is open is closed and reported. */
  end(): void {
    if (!this.#finished) {
      if (this.#mode === 'hex' || this.#mode === 'raw') this.#flushText(true);
      if (this.#mode === 'tar' && (this.#tar.entry || (!this.#tar.ended && !this.#tar.empty)))
        this.#sink.anomaly('the stream ended inside a tar archive (truncated)');
      if (this.#mode !== 'scan') this.#close();
      this.#sink.anomaly(
        'the collector stream ended without its end marker (the collector was cut off or killed)',
      );
    }
    this.#finished = true;
  }

  #step(): boolean {
    switch (this.#mode) {
      case 'scan':
        return this.#scan();
      case 'hex':
      case 'raw':
        return this.#flushText(false);
      case 'tar':
        return this.#stepTar();
      case 'end':
        return false;
      default: {
        const unreachable: never = this.#mode;
        return unreachable;
      }
    }
  }

  /** Finds the next valid header line; bytes before it are unframed output, counted and dropped. */
  #scan(): boolean {
    const newline = this.#pending.indexOf(0x0a);
    if (newline === -1) {
      if (this.#pending.length > 4096) {
        this.#dropUnframed(this.#pending.length);
        this.#pending = Buffer.alloc(0);
      }
      return false;
    }
    const line = this.#pending.subarray(0, newline).toString('latin1');
    this.#pending = this.#pending.subarray(newline + 1);
    const header = this.#parseHeader(line);
    if (!header) {
      this.#dropUnframed(line.length + 1);
      return true;
    }
    this.#open(header.kind, header.id);
    return true;
  }

  #dropUnframed(bytes: number): void {
    if (this.#unframed === 0 && bytes > 1) this.#sink.anomaly('output outside any section was ignored');
    this.#unframed += bytes;
  }

  #parseHeader(line: string): { kind: SectionKind; id: string } | undefined {
    if (!line.startsWith(marker)) return undefined;
    const [nonce, kind, id, ...rest] = line.slice(marker.length).split(' ');
    if (nonce !== this.#nonce) {
      this.#sink.anomaly(
        `a section header with a wrong nonce was ignored (forged or corrupted): ${JSON.stringify(line.slice(0, 80))}`,
      );
      return undefined;
    }
    if (rest.length > 0 || !id || !idPattern.test(id) || !['hex', 'raw', 'tar', 'end'].includes(kind ?? '')) {
      this.#sink.anomaly(`a malformed section header was ignored: ${JSON.stringify(line.slice(0, 80))}`);
      return undefined;
    }
    return { kind: kind as SectionKind, id };
  }

  #open(kind: SectionKind, id: string): void {
    if (kind === 'end') {
      this.#finished = true;
      this.#mode = 'end';
      return;
    }
    this.#mode = kind;
    if (kind === 'tar') this.#tar = freshTar();
    this.#sink.sectionStart(kind, id);
  }

  #close(): void {
    if (this.#hexCarry) this.#emitHexLine(this.#hexCarry);
    this.#hexCarry = '';
    this.#sink.sectionEnd();
    this.#mode = 'scan';
  }

  /** hex and raw sections run until a line that starts with the header marker. */
  #flushText(atEnd: boolean): boolean {
    const headerAt = this.#findHeaderStart();
    const limit = headerAt === -1 ? (atEnd ? this.#pending.length : this.#safeLength()) : headerAt;
    if (limit > 0) {
      const body = this.#pending.subarray(0, limit);
      this.#pending = this.#pending.subarray(limit);
      this.#emitText(body);
    }
    if (headerAt === -1) return false;
    this.#close();
    return true;
  }

  /**
   * Index of a real header (`##GH1 <our nonce> `) at a line start. Lines with another nonce are
   * content; a header split across chunks is held back by #safeLength until it is complete.
   */
  #findHeaderStart(): number {
    const expected = `${marker}${this.#nonce} `;
    if (this.#pending.subarray(0, expected.length).toString('latin1') === expected) return 0;
    return this.#pending.indexOf(`\n${expected}`, 0, 'latin1');
  }

  /** Keep back what could be the start of a header split across chunks. */
  #safeLength(): number {
    const keep = Math.min(this.#pending.length, marker.length + this.#nonce.length + 140);
    const tail = this.#pending.subarray(this.#pending.length - keep);
    const newline = tail.lastIndexOf(0x0a);
    return newline === -1 ? this.#pending.length : this.#pending.length - keep + newline;
  }

  #emitText(body: Buffer): void {
    if (this.#mode === 'raw') {
      this.#sink.data(body);
      return;
    }
    // od writes whole lines of byte pairs: decode line by line and drop any line that is not hex.
    const lines = (this.#hexCarry + body.toString('latin1')).split('\n');
    this.#hexCarry = lines.pop() ?? '';
    if (this.#hexCarry.length > 4096) {
      // od lines are 48 characters: an endless line is not od output, and is not kept.
      this.#sink.anomaly('an endless line in a hex section was dropped (not od output)');
      this.#hexCarry = '';
    }
    for (const line of lines) this.#emitHexLine(line);
  }

  #emitHexLine(line: string): void {
    if (!/^[\s0-9a-f]*$/.test(line)) {
      this.#sink.anomaly(
        `a line that is not hex digits was dropped from a hex section (the container's od lied): ${JSON.stringify(line.slice(0, 60))}`,
      );
      return;
    }
    const digits = line.replace(/\s+/g, '');
    if (digits.length % 2 === 1)
      this.#sink.anomaly('a hex line had an odd number of digits; its last digit was dropped');
    if (digits.length >= 2)
      this.#sink.data(Buffer.from(digits.slice(0, digits.length - (digits.length % 2)), 'hex'));
  }

  #stepTar(): boolean {
    const tar = this.#tar;
    if (tar.remaining > 0 || tar.padding > 0) return this.#stepTarData();
    if (this.#pending.length < tarBlock) {
      // A header line may follow a tar stream that ended early (or produced nothing at all).
      if (
        this.#pending
          .subarray(0, marker.length + 1)
          .toString('latin1')
          .startsWith(`\n${marker}`) ||
        this.#pending.subarray(0, marker.length).toString('latin1') === marker
      ) {
        return this.#leaveTar();
      }
      return false;
    }
    const header = this.#pending.subarray(0, tarBlock);
    tar.empty = false;
    if (isZeroBlock(header)) {
      this.#pending = this.#pending.subarray(tarBlock);
      tar.ended = true;
      return true;
    }
    if (!isHeader(header)) return this.#leaveTar();
    this.#pending = this.#pending.subarray(tarBlock);
    tar.ended = false;
    this.#startTarEntry(header);
    return true;
  }

  #leaveTar(): boolean {
    if (!this.#tar.ended && !this.#tar.empty)
      this.#sink.anomaly('a tar stream stopped without its end-of-archive blocks (truncated or not tar)');
    if (this.#pending.length > 0 && this.#pending[0] !== 0x0a && this.#pending[0] !== 0x23) {
      this.#sink.anomaly('bytes after a tar stream that are neither tar nor a section header were skipped');
    }
    this.#close();
    return true;
  }

  #startTarEntry(header: Buffer): void {
    const tar = this.#tar;
    const { kind, entry } = decodeHeader(header, tar.overrides);
    if (!Number.isFinite(entry.size) || entry.size < 0) {
      this.#sink.anomaly(
        `tar entry ${JSON.stringify(entry.path.slice(0, 120))} has an unreadable size; the rest of this archive was skipped`,
      );
      tar.ended = true;
      this.#leaveTar();
      return;
    }
    tar.padding = (tarBlock - (entry.size % tarBlock)) % tarBlock;
    tar.remaining = entry.size;
    if (kind !== 'entry') {
      tar.meta = kind;
      tar.metaData = [];
      tar.deliver = entry.size <= 1 << 20;
      if (!tar.deliver) this.#sink.anomaly('an oversized tar metadata record was skipped');
      return;
    }
    tar.overrides = {};
    tar.meta = undefined;
    tar.entry = entry;
    tar.deliver = entry.type === 'file' && entry.size <= this.#maxEntryBytes;
    if (entry.type === 'file' && !tar.deliver)
      this.#sink.anomaly(`${entry.path}: ${entry.size} bytes is over the size cap; content skipped`);
    this.#sink.tarEntry(entry);
    if (entry.size === 0 || entry.type !== 'file') {
      if (entry.type !== 'file' && entry.size > 0) tar.deliver = false;
      if (entry.size === 0) this.#endTarEntry();
    }
  }

  #stepTarData(): boolean {
    const tar = this.#tar;
    if (this.#pending.length === 0) return false;
    if (tar.remaining > 0) {
      const take = Math.min(tar.remaining, this.#pending.length);
      const chunk = this.#pending.subarray(0, take);
      this.#pending = this.#pending.subarray(take);
      tar.remaining -= take;
      if (tar.deliver && tar.meta) tar.metaData.push(chunk);
      else if (tar.deliver && tar.entry) this.#sink.tarData(chunk);
      if (tar.remaining === 0) this.#finishEntryData();
      return true;
    }
    const skip = Math.min(tar.padding, this.#pending.length);
    this.#pending = this.#pending.subarray(skip);
    tar.padding -= skip;
    return true;
  }

  #finishEntryData(): void {
    const tar = this.#tar;
    if (!tar.meta) {
      this.#endTarEntry();
      return;
    }
    const data = Buffer.concat(tar.metaData);
    if (tar.meta === 'longname') tar.overrides.path = data.toString('utf8').replace(/\0.*$/s, '');
    if (tar.meta === 'longlink') tar.overrides.linkTarget = data.toString('utf8').replace(/\0.*$/s, '');
    if (tar.meta === 'pax') {
      const records = parsePax(data);
      if (records.path !== undefined) tar.overrides.path = records.path;
      if (records.linkpath !== undefined) tar.overrides.linkTarget = records.linkpath;
      if (records.size !== undefined && /^\d+$/.test(records.size)) tar.overrides.size = Number(records.size);
    }
    tar.meta = undefined;
  }

  #endTarEntry(): void {
    if (this.#tar.entry) this.#sink.tarEntryEnd();
    this.#tar.entry = undefined;
  }
}

function freshTar(): TarState {
  return {
    entry: undefined,
    remaining: 0,
    padding: 0,
    deliver: false,
    meta: undefined,
    metaData: [],
    overrides: {},
    ended: false,
    empty: true,
  };
}
