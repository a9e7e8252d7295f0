import { createHash, type Hash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SectionKind, StreamSink } from '../collectors/stream-parser.js';
import type { TarEntry } from '../collectors/tar.js';
import { containedPath, printable } from './paths.js';
import type { AcquisitionMethod, ManifestItem } from './types.js';

const maxAnomalies = 200;

interface OpenFile {
  readonly fd: number;
  readonly hash: Hash;
  readonly item: Omit<ManifestItem, 'sha256' | 'size'>;
  size: number;
  readonly expectedSize?: number;
}

/**
 * Receives the demultiplexed collector stream and writes it into a package directory, hashing
 * every byte as it arrives. Files are created exclusively (never opened if they exist) under
 * paths from `containedPath`, so nothing the container sends can write outside the package.
 */
export class EvidenceWriter implements StreamSink {
  readonly items: ManifestItem[] = [];
  readonly #root: string;
  readonly #method: AcquisitionMethod;
  readonly #log: (line: string) => void;
  #section: { kind: SectionKind; id: string } | undefined;
  #file: OpenFile | undefined;
  #bytes = 0;
  #anomalies = 0;

  constructor(options: { root: string; method: AcquisitionMethod; log: (line: string) => void }) {
    this.#root = options.root;
    this.#method = options.method;
    this.#log = options.log;
  }

  get bytesReceived(): number {
    return this.#bytes;
  }

  sectionStart(kind: SectionKind, id: string): void {
    this.#section = { kind, id };
    if (kind === 'hex' || kind === 'raw') {
      this.#open(`live/${id}.out`, {
        path: `live/${id}.out`,
        source: `command ${id}`,
        artifact: id,
        type: 'output',
        status: 'collected',
        method: this.#method,
      });
    }
  }

  data(bytes: Buffer): void {
    this.#write(bytes);
  }

  tarEntry(entry: TarEntry): void {
    const artifact = this.#section?.id ?? 'unknown';
    // tar ran from the target's root: `./etc/passwd` (or `etc/passwd`) is `/etc/passwd`.
    const sourcePath = `/${entry.path.replace(/^(\.\/)+/, '').replace(/^\/+/, '')}`;
    const base = {
      source: sourcePath,
      artifact,
      method: this.#method,
      mode: Number.isFinite(entry.mode) ? entry.mode : 0,
      uid: entry.uid,
      gid: entry.gid,
      mtime: Number.isFinite(entry.mtime) ? new Date(entry.mtime * 1000).toISOString() : undefined,
    };
    if (entry.type === 'file') {
      const wanted = `files/${containedPath(sourcePath)}`;
      const path = this.#uniquePath(wanted);
      if (path !== wanted)
        this.#log(`NOTE ${printable(sourcePath)} collected again (by ${artifact}), stored as ${path}`);
      this.#open(path, { ...base, path, type: 'file', status: 'collected' }, entry.size);
      return;
    }
    const type = entry.type === 'other' ? 'unknown' : entry.type;
    this.items.push({
      ...base,
      path: '',
      type,
      status: 'metadata-only',
      sha256: '',
      size: entry.size,
      ...(entry.linkTarget ? { linkTarget: entry.linkTarget } : {}),
    });
    if (entry.type === 'device' || entry.type === 'fifo' || entry.type === 'other')
      this.#log(`NOTE ${printable(entry.path)}: ${entry.type} entry recorded, not copied`);
  }

  tarData(chunk: Buffer): void {
    this.#write(chunk);
  }

  tarEntryEnd(): void {
    this.#closeFile();
  }

  sectionEnd(): void {
    this.#closeFile();
    this.#section = undefined;
  }

  /** Logged up to a limit: a hostile stream must not turn the log and custody record into a flood. */
  anomaly(message: string): void {
    if (this.#anomalies++ < maxAnomalies) this.#log(`ANOMALY ${message}`);
  }

  /** Closes whatever is open (after a cut-off stream). */
  finish(): void {
    this.#closeFile();
    if (this.#anomalies > maxAnomalies)
      this.#log(`ANOMALY ${this.#anomalies - maxAnomalies} more anomalies were not logged one by one`);
  }

  #uniquePath(path: string): string {
    let candidate = path;
    for (let n = 2; existsSync(join(this.#root, candidate)); n++) candidate = `${path}.dup-${n}`;
    return candidate;
  }

  #open(path: string, item: OpenFile['item'], expectedSize?: number): void {
    this.#closeFile();
    const absolute = join(this.#root, path);
    mkdirSync(dirname(absolute), { recursive: true });
    const fd = openSync(absolute, 'wx', 0o600);
    this.#file = {
      fd,
      hash: createHash('sha256'),
      item,
      size: 0,
      ...(expectedSize !== undefined ? { expectedSize } : {}),
    };
  }

  #write(bytes: Buffer): void {
    this.#bytes += bytes.length;
    if (!this.#file) return;
    writeSync(this.#file.fd, bytes);
    this.#file.hash.update(bytes);
    this.#file.size += bytes.length;
  }

  #closeFile(): void {
    const file = this.#file;
    if (!file) return;
    closeSync(file.fd);
    this.#file = undefined;
    const partial = file.expectedSize !== undefined && file.size !== file.expectedSize;
    if (partial) this.#log(`WARN ${file.item.source}: received ${file.size} of ${file.expectedSize} bytes`);
    this.items.push({
      ...file.item,
      sha256: file.hash.digest('hex'),
      size: file.size,
      ...(partial ? { status: 'partial' as const } : {}),
    });
  }
}
