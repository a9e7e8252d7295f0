import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DockerVolume, dockerImageName, makeDockerVolume } from '../../../test/volumes/docker.js';
import { localPrincipal } from '../../identity/index.js';
import { verifyPackage } from '../evidence/package.js';
import { defaultProfile } from '../profile.js';
import { acquireFromVolume } from './acquire-volume.js';
import { listVolumeContainers } from './list.js';

let dir: string;
let volume: DockerVolume;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-docker-'));
  volume = await makeDockerVolume(dir);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const relative = (path: string) => path.slice(volume.root.length + 1);

describe('containers read from Docker’s data root', () => {
  it('lists each container with the name, labels, image, creation time and layers docker inspect reported', () => {
    const listing = listVolumeContainers(volume.root);
    expect(listing.problems).toEqual([]);
    expect(listing.containers.map((container) => container.id).sort()).toEqual(
      volume.inspected.map((inspect) => inspect.Id).sort(),
    );
    for (const inspect of volume.inspected) {
      const container = listing.containers.find((candidate) => candidate.id === inspect.Id)!;
      expect(container.runtime).toBe('docker');
      expect(container.name).toBe(inspect.Name.slice(1));
      expect(container.image).toBe(dockerImageName);
      expect(container.imageDigest).toBe(inspect.Image);
      expect(container.labels).toEqual(inspect.Config.Labels);
      expect(Date.parse(container.createdAt!)).toBe(
        Date.parse(inspect.Created.replace(/(\.\d{3})\d*/, '$1')),
      );
      expect(container.layers!.upper).toBe(relative(inspect.GraphDriver.Data.UpperDir));
      expect(container.layers!.lowers).toEqual(inspect.GraphDriver.Data.LowerDir.split(':').map(relative));
      expect(container.state).toMatchObject({ running: false, exitCode: 137 });
      expect(container.command).toEqual(['sleep', '100000']);
    }
  });

  it('names the pod from the dockershim-style labels and leaves plain containers without one', () => {
    const { containers } = listVolumeContainers(volume.root);
    expect(containers.find((container) => container.name === 'k8s_api_api-1')!.kubernetes).toEqual({
      pod: 'api-1',
      namespace: 'billing',
      container: 'api',
      podUid: 'uid-api-1',
      kind: undefined,
    });
    expect(containers.find((container) => container.name === 'plain')!.kubernetes).toBeUndefined();
  });

  it('refuses a layer link that leads out of the volume, and still lists the container', () => {
    const copy = join(dir, 'altered');
    execFileSync('cp', ['-a', volume.root, copy]);
    const inspect = volume.inspected[0]!;
    const mountId = inspect.GraphDriver.Data.UpperDir.split('/').at(-2)!;
    const overlay = join(copy, 'var', 'lib', 'docker', 'overlay2');
    const first = readFileSync(join(overlay, mountId, 'lower'), 'utf8').split(':')[0]!;
    unlinkSync(join(overlay, first));
    symlinkSync('/etc', join(overlay, first));
    const listing = listVolumeContainers(copy);
    const altered = listing.containers.find((container) => container.id === inspect.Id)!;
    expect(altered.layers).toBeUndefined();
    expect(altered.labels).toEqual(inspect.Config.Labels);
    expect(listing.problems).toEqual([
      { where: `docker ${inspect.Id}`, message: expect.stringMatching(/does not lead to a layer/) },
    ]);
  });

  it('reports a malformed config.v2.json as a problem and lists the other containers', () => {
    const copy = join(dir, 'malformed');
    execFileSync('cp', ['-a', volume.root, copy]);
    const [broken, intact] = volume.inspected;
    writeFileSync(
      join(copy, 'var', 'lib', 'docker', 'containers', broken!.Id, 'config.v2.json'),
      '{"ID": "trunc',
    );
    const listing = listVolumeContainers(copy);
    expect(listing.containers.map((container) => container.id)).toEqual([intact!.Id]);
    expect(listing.problems).toEqual([
      { where: `docker ${broken!.Id}`, message: expect.stringMatching(/JSON/) },
    ]);
  });

  it('acquires a Docker container into a package that verifies, with its changes and its files as it saw them', () => {
    const listing = listVolumeContainers(volume.root);
    const container = listing.containers.find((candidate) => candidate.name === 'k8s_api_api-1')!;
    const acquisition = acquireFromVolume({
      root: listing.root,
      node: listing.node,
      container,
      evidenceRoot: join(dir, 'evidence'),
      profile: defaultProfile,
      operator: localPrincipal({ subject: 'rita' }),
      gatehouseVersion: 'test',
    });
    expect(verifyPackage(acquisition.root)).toMatchObject({ ok: true, problems: [] });
    expect(acquisition.custody).toMatchObject({
      method: 'volume',
      target: { namespace: 'billing', pod: 'api-1', container: 'api', containerId: container.id },
      volume: {
        runtime: 'docker',
        runtimeNamespace: '',
        snapshotter: 'overlay2',
        snapshotId: container.layers!.snapshotId,
      },
    });
    const changes = JSON.parse(
      readFileSync(join(acquisition.root, 'live', 'volume.changes.out'), 'utf8'),
    ) as { path: string; kind: string; runtime: boolean }[];
    expect(
      changes.filter((change) => !change.runtime).map((change) => `${change.kind} ${change.path}`),
    ).toEqual(['deleted bin/wget', 'modified etc/passwd', 'added tmp/dropper.sh']);
    expect(readFileSync(join(acquisition.root, 'files', 'etc', 'passwd'), 'utf8')).toMatch(/^toor:x:0:0:/m);
  });
});
