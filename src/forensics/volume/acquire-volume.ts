import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, messageOf } from '../../errors.js';
import { type Principal, requireRole } from '../../identity/index.js';
import type { Acquisition } from '../acquire.js';
import { createPackageDir, sealPackage, sha256, writeManifest } from '../evidence/package.js';
import type { VolumeCustodyRecord } from '../evidence/types.js';
import { EvidenceWriter } from '../evidence/writer.js';
import type { Artifact, Profile } from '../profile.js';
import { type ContainerFilesystem, containerFilesystem } from './container-view.js';
import type { Layers, VolumeContainer } from './types.js';
import { readViewFile } from './view-files.js';
import { selectInView } from './view-select.js';
import { statLines } from './view-stat.js';

export interface VolumeAcquireOptions {
  /** The volume root as `listVolumeContainers` returned it (absolute, checked). */
  readonly root: string;
  readonly node: string | undefined;
  readonly container: VolumeContainer;
  readonly evidenceRoot: string;
  readonly profile: Profile;
  readonly operator: Principal;
  readonly gatehouseVersion: string;
}

// The container's own changed files are copied whole up to this size (intruder tools are small).
const maxChangedFileBytes = 64 << 20;

interface Collection {
  readonly writer: EvidenceWriter;
  readonly read: (path: string, maxBytes: number) => Buffer;
  readonly filesystem: ContainerFilesystem;
}

/**
 * Acquires a container from a node's disk: the profile's files and listings from its rebuilt
 * filesystem view, plus its own changes since its image (the list, and the changed files), into
 * the same sealed package format as a live acquisition. Commands cannot run on a volume; each
 * command artifact is recorded as unavailable, with the reason.
 *
 * @example
 * const acquisition = acquireFromVolume({ root, node, container, evidenceRoot, profile: defaultProfile, operator, gatehouseVersion });
 */
export function acquireFromVolume(options: VolumeAcquireOptions): Acquisition {
  const { container } = options;
  requireRole(options.operator, 'responder', `acquire evidence from container ${container.id} on a volume`);
  const layers = container.layers;
  if (!layers) {
    throw new AppError(
      'input.invalid',
      `the layers of container ${container.id} are not known, so it cannot be read`,
      {
        fix: 'Run `gatehouse volume list ROOT` to see why its snapshot could not be resolved',
      },
    );
  }
  const startedAt = new Date();
  const { id, root } = createPackageDir(options.evidenceRoot, startedAt);
  const errors: string[] = [];
  writeFileSync(join(root, 'acquisition.log'), '', { mode: 0o600 });
  const log = (line: string) => {
    appendFileSync(join(root, 'acquisition.log'), `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
    if (/^(ANOMALY|WARN|ERROR|UNAVAILABLE)/.test(line)) errors.push(line);
  };
  log(
    `START volume acquisition of ${container.runtime} ${container.id} from ${options.root} by ${options.operator.subject}`,
  );
  const filesystem = containerFilesystem(options.root, layers);
  const writer = new EvidenceWriter({ root, method: 'volume', log });
  for (const anomaly of filesystem.anomalies) writer.anomaly(`${anomaly.dir}: ${anomaly.message}`);
  const directories = new Set<string>();
  const read = (path: string, maxBytes: number) =>
    readViewFile({ root: options.root, layers, view: filesystem.view, path, maxBytes, directories });
  const collection: Collection = { writer, read, filesystem };
  for (const artifact of options.profile.artifacts) collectArtifact(collection, artifact);
  collectChanges(collection);
  writer.finish();
  writeManifest(root, writer.items);
  log(`END ${writer.items.length} items`);
  const custody = custodyRecord({ options, layers, id, startedAt, writer, errors });
  const packageHash = sealPackage(root, custody);
  const anomalies = writer.items.filter((item) => item.anomaly).length;
  return { id, root, packageHash, custody, items: writer.items.length, anomalies };
}

/**
 * Command artifacts whose output a volume can give without running anything: the file
 * metadata listing, in the exact format the live command prints, so timelines work the same.
 */
const fromDisk: Readonly<Record<string, (filesystem: ContainerFilesystem) => string>> = {
  'fs.bodyfile': (filesystem) => statLines(filesystem.view),
};

function collectArtifact({ writer, read, filesystem }: Collection, artifact: Artifact): void {
  if (artifact.collector === 'command' && artifact.id in fromDisk) {
    writer.sectionStart('raw', artifact.id);
    writer.data(Buffer.from(fromDisk[artifact.id]!(filesystem)));
    writer.sectionEnd();
    return;
  }
  if (artifact.collector === 'command') {
    writer.items.push({
      path: '',
      source: `command ${artifact.id}`,
      artifact: artifact.id,
      method: 'volume',
      type: 'output',
      status: 'unavailable',
      sha256: '',
      size: 0,
      anomaly: 'a command needs a running container; a volume has none',
    });
    return;
  }
  const selection = selectInView(filesystem.view, artifact);
  for (const anomaly of selection.anomalies) writer.anomaly(`${artifact.id}: ${anomaly}`);
  if (artifact.collector === 'list') {
    writer.sectionStart('raw', artifact.id);
    writer.data(Buffer.from(selection.entries.map((entry) => `.${entry.containerPath}\n`).join('')));
    writer.sectionEnd();
    return;
  }
  writer.sectionStart('tar', artifact.id);
  for (const entry of selection.entries)
    copyFile(writer, read, entry.containerPath, entry, Number.MAX_SAFE_INTEGER);
  writer.sectionEnd();
  if (selection.oversize.length > 0) {
    writer.sectionStart('raw', `${artifact.id}.over-cap`);
    writer.data(
      Buffer.from(selection.oversize.map((entry) => `${entry.size}\t.${entry.containerPath}\n`).join('')),
    );
    writer.sectionEnd();
  }
}

function copyFile(
  writer: EvidenceWriter,
  read: Collection['read'],
  containerPath: string,
  entry: {
    readonly mode: number;
    readonly uid: number;
    readonly gid: number;
    readonly mtime: string | undefined;
  },
  maxBytes: number,
): void {
  let bytes: Buffer;
  try {
    bytes = read(containerPath, maxBytes);
  } catch (error) {
    writer.anomaly(`${containerPath}: not copied (${messageOf(error)})`);
    return;
  }
  const mtime = entry.mtime ? Date.parse(entry.mtime) / 1000 : 0;
  writer.tarEntry({
    path: `.${containerPath}`,
    type: 'file',
    size: bytes.length,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtime,
    linkTarget: '',
  });
  writer.tarData(bytes);
  writer.tarEntryEnd();
}

/** The change list as JSON, then every added or modified regular file the container wrote. */
function collectChanges({ writer, read, filesystem }: Collection): void {
  writer.sectionStart('raw', 'volume.changes');
  writer.data(Buffer.from(`${JSON.stringify(filesystem.changes, null, 2)}\n`));
  writer.sectionEnd();
  writer.sectionStart('tar', 'volume.changed-files');
  for (const change of filesystem.changes) {
    if (change.type !== 'file' || change.kind === 'deleted') continue;
    const entry = filesystem.view.get(change.path);
    if (entry) copyFile(writer, read, `/${change.path}`, entry, maxChangedFileBytes);
  }
  writer.sectionEnd();
}

interface CustodyInput {
  readonly options: VolumeAcquireOptions;
  readonly layers: Layers;
  readonly id: string;
  readonly startedAt: Date;
  readonly writer: EvidenceWriter;
  readonly errors: readonly string[];
}

function custodyRecord({
  options,
  layers,
  id,
  startedAt,
  writer,
  errors,
}: CustodyInput): VolumeCustodyRecord {
  const { container } = options;
  const pod = container.kubernetes;
  return {
    packageId: id,
    operator: options.operator.subject,
    method: 'volume',
    target: {
      namespace: pod?.namespace ?? '',
      pod: pod?.pod ?? '',
      podUid: pod?.podUid ?? '',
      container: pod?.container ?? container.name ?? '',
      containerId: container.id,
      node: options.node ?? '',
      image: container.image ?? '',
      imageDigest: container.imageDigest ?? '',
    },
    volume: {
      root: options.root,
      runtime: container.runtime,
      runtimeNamespace: container.namespace ?? '',
      snapshotter: container.snapshotter ?? '',
      snapshotId: layers.snapshotId,
      upper: layers.upper,
      lowers: layers.lowers,
    },
    gatehouseVersion: options.gatehouseVersion,
    collector: { profile: options.profile.name, sha256: sha256(JSON.stringify(options.profile)) },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    bytesReceived: writer.bytesReceived,
    errors,
    partialItems: writer.items.filter((item) => item.status === 'partial').map((item) => item.source),
  };
}
