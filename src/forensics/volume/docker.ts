import { AppError, messageOf } from '../../errors.js';
import { kubernetesIdentity } from './containerd.js';
import type { ContainerState, Layers, VolumeContainer, VolumeListing, VolumeProblem } from './types.js';
import { directoryNames, entryAt, linkText, readVolumeFile } from './volume-files.js';

// Where Docker's data root sits for ROOT = a node's /, its /var, its /var/lib, or the root itself.
const candidates = ['var/lib/docker', 'lib/docker', 'docker', ''];
const maxConfigBytes = 16 << 20;
const containerId = /^[0-9a-f]{64}$/;
// `overlay2/l/<short>` links to `../<layer id>/diff`; anything else is not Docker's.
const layerLink = /^\.\.\/([0-9a-f]{64}(?:-init)?)\/diff$/;
const shortLink = /^l\/[A-Z0-9]{26}$/;

const under = (base: string, path: string) => (base === '' ? path : `${base}/${path}`);

function findDockerRoot(root: string, problems: VolumeProblem[]): string | undefined {
  for (const candidate of candidates) {
    const entry = entryAt(root, under(candidate, 'containers'));
    if (entry === 'directory' && entryAt(root, under(candidate, 'image')) === 'directory') return candidate;
    if (entry === 'symlink') {
      problems.push({
        where: candidate || '.',
        message: 'a link on the way to Docker’s data is not followed',
      });
    }
  }
  return undefined;
}

interface ConfigV2 {
  readonly ID?: unknown;
  readonly Name?: unknown;
  readonly Created?: unknown;
  readonly Path?: unknown;
  readonly Args?: unknown;
  readonly Driver?: unknown;
  readonly Image?: unknown;
  readonly Config?: { readonly Image?: unknown; readonly Labels?: unknown };
  readonly State?: {
    readonly Running?: unknown;
    readonly Pid?: unknown;
    readonly ExitCode?: unknown;
    readonly StartedAt?: unknown;
    readonly FinishedAt?: unknown;
  };
}

const string = (value: unknown) => (typeof value === 'string' ? value : undefined);
const isoTime = (value: unknown) => {
  const parsed = Date.parse(string(value) ?? '');
  return Number.isNaN(parsed) || parsed <= 0 ? undefined : new Date(parsed).toISOString();
};

/**
 * Every container in Docker's data root under ROOT (`containers/<id>/config.v2.json`), with its
 * labels (dockershim and cri-dockerd put the Kubernetes ones there), state and overlay2 layers.
 */
export function listDockerContainers(root: string): VolumeListing {
  const problems: VolumeProblem[] = [];
  const base = findDockerRoot(root, problems);
  if (base === undefined) return { containers: [], problems };
  const containers: VolumeContainer[] = [];
  for (const id of directoryNames(root, under(base, 'containers')).sort()) {
    if (!containerId.test(id)) continue;
    try {
      const text = readVolumeFile(root, under(base, `containers/${id}/config.v2.json`), {
        maxBytes: maxConfigBytes,
      });
      const container = fromConfig(id, JSON.parse(text.toString('utf8')) as ConfigV2);
      containers.push({ ...container, layers: dockerLayers(root, base, container, problems) });
    } catch (error) {
      problems.push({ where: `docker ${id}`, message: messageOf(error) });
    }
  }
  return { containers, problems };
}

function fromConfig(id: string, config: ConfigV2): VolumeContainer {
  const labels: Record<string, string> = {};
  const raw = config.Config?.Labels;
  if (raw && typeof raw === 'object') {
    for (const [key, value] of Object.entries(raw)) if (typeof value === 'string') labels[key] = value;
  }
  const args = Array.isArray(config.Args)
    ? config.Args.filter((arg): arg is string => typeof arg === 'string')
    : [];
  const path = string(config.Path);
  return {
    runtime: 'docker',
    namespace: undefined,
    id,
    name: string(config.Name)?.replace(/^\//, ''),
    image: string(config.Config?.Image),
    imageDigest: string(config.Image),
    labels,
    kubernetes: kubernetesIdentity(labels),
    snapshotter: string(config.Driver),
    snapshotKey: undefined,
    createdAt: isoTime(config.Created),
    command: path ? [path, ...args] : args,
    state: stateOf(config.State),
    layers: undefined,
  };
}

function stateOf(state: ConfigV2['State']): ContainerState | undefined {
  if (!state) return undefined;
  return {
    running: state.Running === true,
    pid: typeof state.Pid === 'number' ? state.Pid : 0,
    exitCode: typeof state.ExitCode === 'number' ? state.ExitCode : 0,
    startedAt: isoTime(state.StartedAt),
    finishedAt: isoTime(state.FinishedAt),
  };
}

/** `image/overlay2/layerdb/mounts/<id>/mount-id` names the upper layer; its `lower` file the rest. */
function dockerLayers(
  root: string,
  base: string,
  container: VolumeContainer,
  problems: VolumeProblem[],
): Layers | undefined {
  if (container.snapshotter !== 'overlay2') {
    problems.push({
      where: `docker ${container.id}`,
      message: `storage driver ${container.snapshotter} is not read (only overlay2 is)`,
    });
    return undefined;
  }
  try {
    const mountId = readVolumeFile(
      root,
      under(base, `image/overlay2/layerdb/mounts/${container.id}/mount-id`),
      {
        maxBytes: 256,
      },
    ).toString('utf8');
    if (!/^[0-9a-f]{64}$/.test(mountId))
      throw new AppError('input.invalid', `mount-id ${JSON.stringify(mountId)} is not a layer id`);
    const lowerFile = under(base, `overlay2/${mountId}/lower`);
    const lower =
      entryAt(root, lowerFile) === 'file'
        ? readVolumeFile(root, lowerFile, { maxBytes: 64 << 10 })
            .toString('utf8')
            .trim()
        : '';
    const lowers = lower === '' ? [] : lower.split(':').map((link) => resolveShortLink(root, base, link));
    return { snapshotId: mountId, kind: 'active', upper: under(base, `overlay2/${mountId}/diff`), lowers };
  } catch (error) {
    problems.push({ where: `docker ${container.id}`, message: messageOf(error) });
    return undefined;
  }
}

function resolveShortLink(root: string, base: string, link: string): string {
  const target = shortLink.test(link)
    ? layerLink.exec(linkText(root, under(base, `overlay2/${link}`)))
    : null;
  if (!target) {
    throw new AppError(
      'input.invalid',
      `the overlay2 lower entry ${JSON.stringify(link)} does not lead to a layer`,
      {
        fix: 'The layer links under overlay2/l are damaged or were altered; the layers cannot be stacked safely',
      },
    );
  }
  return under(base, `overlay2/${target[1]}/diff`);
}
