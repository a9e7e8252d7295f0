import { messageOf } from '../../errors.js';
import { type BoltBucket, openBolt } from './bbolt.js';
import { goTime, protobufAny } from './go-values.js';
import { overlayLayers } from './overlay-snapshots.js';
import type { KubernetesIdentity, Layers, VolumeContainer, VolumeListing, VolumeProblem } from './types.js';
import { entryAt, readVolumeFile } from './volume-files.js';

const metaDatabase = 'io.containerd.metadata.v1.bolt/meta.db';
const overlayDir = 'io.containerd.snapshotter.v1.overlayfs';
// Where containerd's root sits for ROOT = a node's /, its /var, its /var/lib, or the root itself.
const candidates = ['var/lib/containerd', 'lib/containerd', 'containerd', ''];
// A busy node's meta.db is tens of MiB; far beyond that is not containerd's.
const maxDatabaseBytes = 1 << 30;

const decoder = new TextDecoder();
const text = (bytes: Uint8Array | undefined) => (bytes ? decoder.decode(bytes) : undefined);

/** containerd's root directory under ROOT, relative to it, or undefined when there is none. */
export function findContainerdRoot(root: string, problems: VolumeProblem[]): string | undefined {
  for (const candidate of candidates) {
    const entry = entryAt(root, candidate === '' ? metaDatabase : `${candidate}/${metaDatabase}`);
    if (entry === 'file') return candidate;
    if (entry === 'symlink') {
      problems.push({
        where: candidate || '.',
        message: 'a link on the way to containerd’s meta.db is not followed (it could leave the volume)',
      });
    }
  }
  return undefined;
}

const under = (base: string, path: string) => (base === '' ? path : `${base}/${path}`);

/**
 * Every container in containerd's metadata under ROOT, in every namespace, with its Kubernetes
 * labels and (for the overlayfs snapshotter) its layer directories. A container or snapshot that
 * cannot be read becomes a problem; the others are still listed.
 */
export function listContainerdContainers(root: string): VolumeListing {
  const problems: VolumeProblem[] = [];
  const base = findContainerdRoot(root, problems);
  if (base === undefined) return { containers: [], problems };
  let meta: ReturnType<typeof openBolt>;
  try {
    meta = openBolt(readVolumeFile(root, under(base, metaDatabase), { maxBytes: maxDatabaseBytes }));
  } catch (error) {
    problems.push({ where: under(base, metaDatabase), message: messageOf(error) });
    return { containers: [], problems };
  }
  const overlayDatabase = once(() => {
    const path = under(base, `${overlayDir}/metadata.db`);
    return entryAt(root, path) === 'file'
      ? openBolt(readVolumeFile(root, path, { maxBytes: maxDatabaseBytes })).root
      : undefined;
  });
  const containers: VolumeContainer[] = [];
  for (const namespace of meta.root.bucket('v1')?.entries() ?? []) {
    if (namespace.kind !== 'bucket') continue;
    const name = decoder.decode(namespace.key);
    for (const entry of namespace.bucket.bucket('containers')?.entries() ?? []) {
      if (entry.kind !== 'bucket') continue;
      const where = `containerd ${name}/${decoder.decode(entry.key)}`;
      try {
        const container = readContainer({
          namespace: name,
          id: decoder.decode(entry.key),
          record: entry.bucket,
          namespaceBucket: namespace.bucket,
          lenient: lenientIn(where, problems),
        });
        const layers = resolveLayers({
          container,
          namespace: namespace.bucket,
          overlayDatabase,
          base,
          problems,
        });
        containers.push({ ...container, layers });
      } catch (error) {
        problems.push({ where, message: messageOf(error) });
      }
    }
  }
  return { containers, problems };
}

/** The snapshotter database is opened on first need, and a failure to open it is kept and rethrown. */
function once<T>(open: () => T): () => T {
  let result: { value: T } | { error: unknown } | undefined;
  return () => {
    if (!result) {
      try {
        result = { value: open() };
      } catch (error) {
        result = { error };
      }
    }
    if ('error' in result) throw result.error;
    return result.value;
  };
}

function lenientIn(where: string, problems: VolumeProblem[]) {
  return <T>(what: string, read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      problems.push({ where, message: `${what}: ${messageOf(error)}` });
      return fallback;
    }
  };
}

interface ContainerRecord {
  readonly namespace: string;
  readonly id: string;
  readonly record: BoltBucket;
  readonly namespaceBucket: BoltBucket;
  /** Reads a field whose damage should cost only that field (a problem), not the container. */
  readonly lenient: <T>(what: string, read: () => T, fallback: T) => T;
}

function readContainer({
  namespace,
  id,
  record,
  namespaceBucket,
  lenient,
}: ContainerRecord): VolumeContainer {
  const labels: Record<string, string> = {};
  for (const label of record.bucket('labels')?.entries() ?? []) {
    if (label.kind === 'value') labels[decoder.decode(label.key)] = decoder.decode(label.value);
  }
  const created = record.get('createdat');
  const image = text(record.get('image'));
  return {
    runtime: 'containerd',
    namespace,
    id,
    name: undefined,
    image,
    imageDigest: image
      ? text(namespaceBucket.bucket('images')?.bucket(image)?.bucket('target')?.get('digest'))
      : undefined,
    labels,
    kubernetes: kubernetesIdentity(labels),
    snapshotter: text(record.get('snapshotter')),
    snapshotKey: text(record.get('snapshotKey')),
    createdAt: created ? lenient('createdat', () => goTime(created), undefined) : undefined,
    command: lenient('spec', () => commandOf(record.get('spec')), []),
    state: undefined,
    layers: undefined,
  };
}

/** The pod identity from the labels the CRI plugin (or dockershim) puts on every container. */
export function kubernetesIdentity(labels: Readonly<Record<string, string>>): KubernetesIdentity | undefined {
  const pod = labels['io.kubernetes.pod.name'];
  const namespace = labels['io.kubernetes.pod.namespace'];
  if (pod === undefined && namespace === undefined) return undefined;
  return {
    pod,
    namespace,
    container: labels['io.kubernetes.container.name'],
    podUid: labels['io.kubernetes.pod.uid'],
    kind: labels['io.cri-containerd.kind'],
  };
}

/** `process.args` of the OCI runtime spec, stored as a protobuf Any around JSON. */
function commandOf(spec: Uint8Array | undefined): string[] {
  if (!spec) return [];
  const any = protobufAny(spec);
  if (!any.typeUrl.endsWith('opencontainers/runtime-spec/1/Spec')) return [];
  const parsed = JSON.parse(decoder.decode(any.value)) as { process?: { args?: unknown } };
  const args = parsed.process?.args;
  return Array.isArray(args) ? args.filter((arg): arg is string => typeof arg === 'string') : [];
}

interface LayerLookup {
  readonly container: VolumeContainer;
  readonly namespace: BoltBucket;
  readonly overlayDatabase: () => BoltBucket | undefined;
  readonly base: string;
  readonly problems: VolumeProblem[];
}

/** meta.db's `snapshots/<snapshotter>/<key>/name` is the snapshotter's own key for the snapshot. */
function resolveLayers(lookup: LayerLookup): Layers | undefined {
  const { container, problems } = lookup;
  const where = `containerd ${container.namespace}/${container.id}`;
  if (!container.snapshotKey || !container.snapshotter) return undefined;
  if (container.snapshotter !== 'overlayfs') {
    problems.push({ where, message: `snapshotter ${container.snapshotter} is not read (only overlayfs is)` });
    return undefined;
  }
  try {
    const name = text(
      lookup.namespace.bucket('snapshots')?.bucket('overlayfs')?.bucket(container.snapshotKey)?.get('name'),
    );
    const database = lookup.overlayDatabase();
    if (!name || !database) {
      const missing = database
        ? 'is not in meta.db'
        : 'cannot be resolved: the overlayfs metadata.db is missing';
      problems.push({ where, message: `snapshot ${JSON.stringify(container.snapshotKey)} ${missing}` });
      return undefined;
    }
    return overlayLayers(database, name, under(lookup.base, `${overlayDir}/snapshots`));
  } catch (error) {
    problems.push({ where, message: messageOf(error) });
    return undefined;
  }
}
