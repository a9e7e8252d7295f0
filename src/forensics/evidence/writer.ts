import { createHash, type Hash } from 'node:crypto';
import { closeSync, writeSync } from 'node:fs';
import type { SectionKind, StreamSink } from '../collectors/stream-parser.js';
import type { TarEntry } from '../collectors/tar.js';
import { containedPath, oneLine, printable } from './paths.js';
import { PackageFiles } from './placement.js';
import type { AcquisitionMethod, ManifestItem } from './types.js';

const maxAnomalies = 200;
/** A container path longer than this is recorded shortened, with the hash of the whole. */
const maxSourceLength = 4096;

type PendingItem = Omit<ManifestItem, 'sha256' | 'size' | 'path'>;

interface OpenFile {
  readonly fd: number;
  readonly hash: Hash;
  readonly item: Omit<ManifestItem, 'sha256' | 'size'>;
  size: number;
  readonly expectedSize?: number;
  /** Why writing stopped early (a full disk, an I/O error): the item is then partial. */
  failed?: string;
}

/**
 * Receives the demultiplexed collector stream and writes it into a package directory, hashing
 * every byte as it arrives. Files are created exclusively (never opened if they exist) under
 * paths from `containedPath`, so nothing the container sends can write outside the package.
 * It never throws on what the container sends: a name that cannot be stored gets a fallback
 * name, a write that fails ends that item as partial, and each is recorded as an anomaly.
 */
export class EvidenceWriter implements StreamSink {
  readonly items: ManifestItem[] = [];
  readonly #method: AcquisitionMethod;
  readonly #log: (line: string) => void;
  readonly #files: PackageFiles;
  #section: { kind: SectionKind; id: string } | undefined;
  #file: OpenFile | undefined;
  #bytes = 0;
  #anomalies = 0;

  constructor(options: { root: string; method: AcquisitionMethod; log: (line: string) => void }) {
    this.#method = options.method;
    this.#log = options.log;
    this.#files = new PackageFiles(options.root);
  }

  get bytesReceived(): number {
    return this.#bytes;
  }

  sectionStart(kind: SectionKind, id: string): void {
    this.#section = { kind, id };
    if (kind === 'hex' || kind === 'raw') {
      this.#open(`live/${id}.out`, {
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
      source: this.#recordedSource(sourcePath),
      artifact,
      method: this.#method,
      mode: Number.isFinite(entry.mode) ? entry.mode : 0,
      uid: entry.uid,
      gid: entry.gid,
      mtime: isoTime(entry.mtime),
    };
    if (entry.type === 'file') {
      this.#open(
        `files/${containedPath(sourcePath)}`,
        { ...base, type: 'file', status: 'collected' },
        entry.size,
      );
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
      ...(entry.linkTarget ? { linkTarget: this.#recordedSource(entry.linkTarget) } : {}),
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

  /**
   * Logged up to a limit: a hostile stream must not turn the log and custody record into a flood.
   * Messages quote container text; each stays on one line so it cannot forge log entries.
   */
  anomaly(message: string): void {
    if (this.#anomalies++ < maxAnomalies) this.#log(`ANOMALY ${oneLine(message, 1000)}`);
  }

  /** Closes whatever is open (after a cut-off stream). */
  finish(): void {
    this.#closeFile();
    if (this.#anomalies > maxAnomalies)
      this.#log(`ANOMALY ${this.#anomalies - maxAnomalies} more anomalies were not logged one by one`);
  }

  /** Over-long container paths are kept in the record shortened, with the hash of the whole. */
  #recordedSource(path: string): string {
    if (path.length <= maxSourceLength) return path;
    const digest = createHash('sha256').update(path).digest('hex');
    this.anomaly(`a path of ${path.length} characters was recorded shortened: ${printable(path, 120)}`);
    return `${path.slice(0, maxSourceLength)}…[${path.length} characters, sha256 ${digest}]`;
  }

  /** The file is recorded before anything is logged, so a failing log cannot orphan it. */
  #open(wanted: string, pending: PendingItem, expectedSize?: number): void {
    this.#closeFile();
    const placement = this.#files.create(wanted);
    const size = expectedSize !== undefined ? { expectedSize } : {};
    const start = (item: OpenFile['item'], fd: number) => {
      this.#file = { fd, hash: createHash('sha256'), item, size: 0, ...size };
    };
    switch (placement.kind) {
      case 'created':
        start({ ...pending, path: placement.path }, placement.fd);
        if (placement.path !== wanted) this.#noteDuplicate(pending, placement.path);
        return;
      case 'renamed': {
        const anomaly = `${placement.reason}; stored as ${placement.path}`;
        start({ ...pending, path: placement.path, anomaly }, placement.fd);
        this.anomaly(`${printable(pending.source, 200)}: ${anomaly}`);
        return;
      }
      case 'failed': {
        const anomaly = `${placement.reason}; its content was dropped`;
        this.items.push({ ...pending, path: '', status: 'unavailable', sha256: '', size: 0, anomaly });
        this.anomaly(`${printable(pending.source, 200)}: ${anomaly}`);
        return;
      }
      default: {
        const unreachable: never = placement;
        throw new Error(`unknown placement ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** The same file from two artifacts is ordinary; the same command section twice is not. */
  #noteDuplicate(pending: PendingItem, path: string): void {
    if (pending.type === 'output') {
      this.anomaly(
        `section ${pending.artifact} was sent again (a forged header, or two artifacts with one id); stored as ${path}`,
      );
    } else {
      this.#log(
        `NOTE ${printable(pending.source)} collected again (by ${pending.artifact}), stored as ${path}`,
      );
    }
  }

  #write(bytes: Buffer): void {
    this.#bytes += bytes.length;
    const file = this.#file;
    if (!file || file.failed) return;
    try {
      writeSync(file.fd, bytes);
    } catch (error) {
      file.failed = `writing it failed after ${file.size} bytes (${(error as NodeJS.ErrnoException).code ?? String(error)}); the rest was dropped`;
      this.anomaly(`${printable(file.item.source, 200)}: ${file.failed}`);
      return;
    }
    file.hash.update(bytes);
    file.size += bytes.length;
  }

  #closeFile(): void {
    const file = this.#file;
    if (!file) return;
    this.#file = undefined;
    try {
      closeSync(file.fd);
    } catch (error) {
      file.failed ??= `closing it failed (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
    const short = file.expectedSize !== undefined && file.size !== file.expectedSize;
    if (short && !file.failed)
      this.#log(`WARN ${printable(file.item.source)}: received ${file.size} of ${file.expectedSize} bytes`);
    const anomaly = [file.item.anomaly, file.failed].filter(Boolean).join('; ');
    this.items.push({
      ...file.item,
      sha256: file.hash.digest('hex'),
      size: file.size,
      ...(short || file.failed ? { status: 'partial' as const } : {}),
      ...(anomaly ? { anomaly } : {}),
    });
  }
}

/** A tar mtime as ISO text; a GNU base-256 field can hold seconds no calendar date has. */
function isoTime(seconds: number): string | undefined {
  const date = new Date(seconds * 1000);
  return Number.isFinite(date.getTime()) ? date.toISOString() : undefined;
}
