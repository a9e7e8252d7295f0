import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ContainerdVolume,
  makeContainerdVolume,
  nodeHostname,
} from '../../../test/volumes/containerd.js';
import { imageName, manifestDigest } from '../../../test/volumes/image.js';
import { ensureVolumeTools } from '../../../test/volumes/tools.js';
import { openBolt } from './bbolt.js';
import { listVolumeContainers } from './list.js';
import { overlayLayers } from './overlay-snapshots.js';

let dir: string;
let volume: ContainerdVolume;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-containerd-'));
  volume = await makeContainerdVolume(dir);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `upperdir=…` and `lowerdir=…` of ctr's mount line, relative to the fake node's root. */
function mountDirs(mount: string, root: string): { upper: string; lowers: string[] } {
  const option = (name: string) => new RegExp(`${name}=([^,\\s]+)`).exec(mount)?.[1] ?? '';
  const relative = (path: string) => path.slice(root.length + 1);
  return { upper: relative(option('upperdir')), lowers: option('lowerdir').split(':').map(relative) };
}

describe('containers read from containerd’s data directory', () => {
  it('lists every container in every namespace with the image, snapshot and creation time containerd reported', () => {
    const listing = listVolumeContainers(volume.root);
    expect(listing.problems).toEqual([]);
    expect(listing.node).toBe(nodeHostname);
    const found = listing.containers.map((container) => `${container.namespace}/${container.id}`).sort();
    expect(found).toEqual(
      volume.containers.map((container) => `${container.namespace}/${container.id}`).sort(),
    );
    for (const made of volume.containers) {
      const container = listing.containers.find((candidate) => candidate.id === made.id)!;
      expect(container.image).toBe(made.says.info.Image);
      expect(container.image).toBe(imageName);
      expect(container.imageDigest).toBe(manifestDigest());
      expect(container.snapshotter).toBe('overlayfs');
      expect(container.snapshotKey).toBe(made.says.info.SnapshotKey);
      expect(Date.parse(container.createdAt!)).toBe(
        Date.parse(made.says.info.CreatedAt.replace(/(\.\d{3})\d*/, '$1')),
      );
      expect(container.labels).toMatchObject(made.labels);
      expect(container.command).toEqual(['sleep', '100000']);
    }
  });

  it('names the pod, namespace and container from the Kubernetes labels, and only for pod containers', () => {
    const { containers } = listVolumeContainers(volume.root);
    const app = containers.find((container) => container.id === 'web-0-app')!;
    expect(app.kubernetes).toEqual({
      pod: 'web-0',
      namespace: 'shop',
      container: 'app',
      podUid: 'uid-web-0',
      kind: 'container',
    });
    expect(containers.find((container) => container.id === 'web-0-sandbox')!.kubernetes?.kind).toBe(
      'sandbox',
    );
    expect(containers.find((container) => container.id === 'plain')!.kubernetes).toBeUndefined();
  });

  it('finds the same upper and lower directories as the overlay mount containerd would make', () => {
    const { containers } = listVolumeContainers(volume.root);
    for (const made of volume.containers) {
      const layers = containers.find((container) => container.id === made.id)!.layers!;
      expect(layers.kind).toBe('active');
      expect({ upper: layers.upper, lowers: layers.lowers }).toEqual(mountDirs(made.says.mount, volume.root));
      expect(layers.lowers).toHaveLength(2);
    }
  });

  it('reads the same containers when ROOT is the node’s /var/lib instead of its /', () => {
    const listing = listVolumeContainers(join(volume.root, 'var', 'lib'));
    expect(listing.node).toBeUndefined();
    expect(listing.containers).toHaveLength(volume.containers.length);
    expect(listing.containers[0]!.layers!.upper).toMatch(
      /^containerd\/io\.containerd\.snapshotter\.v1\.overlayfs\/snapshots\/\d+\/fs$/,
    );
  });

  it('does not follow a link to containerd’s data and says why nothing was listed', () => {
    const outside = join(dir, 'node-with-link');
    rmSync(outside, { recursive: true, force: true });
    symlinkSync(volume.root, outside);
    expect(() => listVolumeContainers(outside)).toThrow(/is not a directory/);
    const root = mkdtempSync(join(dir, 'root-'));
    symlinkSync(join(volume.root, 'var'), join(root, 'var'));
    const listing = listVolumeContainers(root);
    expect(listing.containers).toEqual([]);
    expect(listing.problems).toEqual([
      expect.objectContaining({
        where: 'var/lib/containerd',
        message: expect.stringMatching(/link .* not followed/),
      }),
      expect.objectContaining({
        where: 'var/lib/docker',
        message: expect.stringMatching(/link .* not followed/),
      }),
    ]);
  });
});

describe('hostile snapshot metadata', () => {
  it('stops on a parent chain that loops instead of listing layers forever', () => {
    const tools = ensureVolumeTools();
    const file = join(dir, 'loop.db');
    execFileSync(tools.fixture, [file, 'snapshot-loop']);
    const database = openBolt(readFileSync(file)).root;
    expect(() => overlayLayers(database, 'k8s.io/1/a', 'snapshots')).toThrow(/loops or is longer than 256/);
    expect(() => overlayLayers(database, 'k8s.io/9/none', 'snapshots')).toThrow(
      /no snapshot "k8s.io\/9\/none"/,
    );
  });
});

describe('damaged containerd metadata on the volume', () => {
  const copyOf = (name: string) => {
    const copy = join(dir, name);
    execFileSync('cp', ['-a', volume.root, copy]);
    return { copy, data: join(copy, 'var', 'lib', 'containerd') };
  };

  it('reports a truncated meta.db as a problem naming the file, not a crash', () => {
    const { copy, data } = copyOf('truncated');
    truncateSync(join(data, 'io.containerd.metadata.v1.bolt', 'meta.db'), 20_000);
    const listing = listVolumeContainers(copy);
    expect(listing.containers).toEqual([]);
    expect(listing.problems).toEqual([
      {
        where: 'var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db',
        message: expect.stringMatching(/the bbolt database is damaged or not bbolt: .*truncated copy/),
      },
    ]);
  });

  it('still lists every container when the snapshotter database is destroyed, each with the reason its layers are missing', () => {
    const { copy, data } = copyOf('wiped');
    const file = join(data, 'io.containerd.snapshotter.v1.overlayfs', 'metadata.db');
    writeFileSync(file, Buffer.alloc(readFileSync(file).length));
    const listing = listVolumeContainers(copy);
    expect(listing.containers).toHaveLength(3);
    expect(listing.containers.every((container) => container.layers === undefined)).toBe(true);
    expect(listing.problems).toHaveLength(3);
    expect(listing.problems[0]!.message).toMatch(/no valid meta page/);
  });

  it('keeps a container whose runtime spec is damaged, with the spec named as the problem', () => {
    const { copy, data } = copyOf('bad-spec');
    const file = join(data, 'io.containerd.metadata.v1.bolt', 'meta.db');
    const bytes = readFileSync(file);
    const marker = Buffer.from('{"ociVersion"');
    let damaged = 0;
    for (let at = bytes.indexOf(marker); at !== -1; at = bytes.indexOf(marker, at + 1), damaged++)
      bytes[at] = 0x23;
    writeFileSync(file, bytes);
    expect(damaged).toBeGreaterThanOrEqual(3);
    const listing = listVolumeContainers(copy);
    expect(listing.containers).toHaveLength(3);
    expect(
      listing.containers.every(
        (container) => container.command.length === 0 && container.layers !== undefined,
      ),
    ).toBe(true);
    expect(listing.problems.map((problem) => problem.where).sort()).toEqual([
      'containerd default/plain',
      'containerd k8s.io/web-0-app',
      'containerd k8s.io/web-0-sandbox',
    ]);
    expect(listing.problems[0]!.message).toMatch(/^spec: .*JSON/);
  });
});
