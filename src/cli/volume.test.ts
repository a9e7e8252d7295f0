import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cli } from '../../test/support/cli.js';
import { type ContainerdVolume, makeContainerdVolume, nodeHostname } from '../../test/volumes/containerd.js';
import { imageName } from '../../test/volumes/image.js';

let dir: string;
let volume: ContainerdVolume;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-volume-cli-'));
  volume = await makeContainerdVolume(dir);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gatehouse volume list', () => {
  it('prints a table with the pod, container, image and snapshot of each container on the volume', async () => {
    const run = await cli(['volume', 'list', volume.root]);
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^RUNTIME\s+ID\s+POD\s+CONTAINER\s+IMAGE\s+SNAPSHOT\s+CREATED$/);
    expect(rows).toHaveLength(3);
    const app = rows.find((row) => row.includes('web-0-app'))!;
    expect(app).toMatch(
      new RegExp(
        `^containerd/k8s\\.io\\s+web-0-app\\s+shop/web-0\\s+app\\s+${imageName.replace(/\./g, '\\.')}\\s+overlayfs:\\d+\\s+20\\d\\d-`,
      ),
    );
    expect(run.stderr).toBe('');
  });

  it('gives the full records and the problems as JSON and YAML', async () => {
    const json = await cli(['volume', 'list', volume.root, '-o', 'json']);
    const document = JSON.parse(json.stdout) as {
      root: string;
      containers: { id: string; layers: { upper: string } }[];
      problems: unknown[];
    };
    expect(document.root).toBe(volume.root);
    expect(document.problems).toEqual([]);
    expect(document.containers.map((container) => container.id).sort()).toEqual([
      'plain',
      'web-0-app',
      'web-0-sandbox',
    ]);
    const yaml = await cli(['volume', 'list', volume.root, '-o', 'yaml']);
    expect(parseYaml(yaml.stdout)).toEqual(document);
  });

  it('exits with 2 and names the fix when ROOT is not a directory', async () => {
    const run = await cli(['volume', 'list', join(dir, 'no-such-mount')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot be read.*Pass the directory where the node’s disk/);
  });

  it('warns when the volume holds no container metadata', async () => {
    const run = await cli(['volume', 'list', dir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: .*no container metadata/);
  });
});

describe('gatehouse volume changes', () => {
  it('prints the intruder’s footprint for the container a Kubernetes name points at', async () => {
    const run = await cli(['volume', 'changes', volume.root, 'shop/web-0/app']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const rows = run.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^CHANGE\s+TYPE\s+SIZE\s+MODIFIED\s+PATH$/);
    const own = rows.slice(1).filter((row) => !row.includes('runtime mount point'));
    const kindAndPath = (row: string) => {
      const cells = row.split(/\s+/);
      return `${cells[0]} ${cells.at(-1)}`;
    };
    expect(own.map(kindAndPath)).toEqual([
      'deleted /bin/wget',
      'modified /etc/passwd',
      'added /tmp/dropper.sh',
    ]);
  });

  it('gives the same changes with the layers and anomalies as JSON, selecting by id', async () => {
    const run = await cli(['volume', 'changes', volume.root, 'web-0-app', '-o', 'json']);
    const document = JSON.parse(run.stdout) as {
      container: string;
      changes: { path: string; kind: string; runtime: boolean }[];
      anomalies: unknown[];
    };
    expect(document.container).toBe('web-0-app');
    expect(document.anomalies).toEqual([]);
    expect(document.changes.filter((change) => !change.runtime).map((change) => change.path)).toEqual([
      'bin/wget',
      'etc/passwd',
      'tmp/dropper.sh',
    ]);
  });

  it('refuses a reference that matches no container or several, naming them', async () => {
    const missing = await cli(['volume', 'changes', volume.root, 'shop/web-9/app']);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/no container on the volume matches "shop\/web-9\/app"/);
    const ambiguous = await cli(['volume', 'changes', volume.root, 'web-0']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(
      /matches 2 containers: containerd k8s.io\/web-0-app, containerd k8s.io\/web-0-sandbox/,
    );
  });
});

describe('gatehouse volume acquire', () => {
  it('seals a verifiable package with the container’s files and changes, which evidence commands read like any other', async () => {
    const env = { GATEHOUSE_HOME: join(dir, 'home'), GATEHOUSE_OPERATOR: 'rita' };
    const run = await cli(['volume', 'acquire', volume.root, 'shop/web-0/app', '-o', 'json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const done = JSON.parse(run.stdout) as {
      package: string;
      root: string;
      custody: Record<string, unknown>;
    };
    expect(done.custody).toMatchObject({
      method: 'volume',
      operator: 'rita',
      target: {
        namespace: 'shop',
        pod: 'web-0',
        container: 'app',
        containerId: 'web-0-app',
        node: nodeHostname,
      },
      volume: { runtime: 'containerd', runtimeNamespace: 'k8s.io', snapshotter: 'overlayfs' },
    });
    expect(readFileSync(join(done.root, 'files', 'etc', 'passwd'), 'utf8')).toMatch(/^toor:x:0:0:/m);
    expect(readFileSync(join(done.root, 'files', 'tmp', 'dropper.sh'), 'utf8')).toContain('203.0.113.9');
    const changes = JSON.parse(readFileSync(join(done.root, 'live', 'volume.changes.out'), 'utf8')) as {
      path: string;
      kind: string;
    }[];
    expect(
      changes
        .filter((change) => ['bin/wget', 'etc/passwd', 'tmp/dropper.sh'].includes(change.path))
        .map((change) => change.kind),
    ).toEqual(['deleted', 'modified', 'added']);
    const manifest = JSON.parse(readFileSync(join(done.root, 'manifest.json'), 'utf8')) as {
      items: { artifact: string; status: string; method: string }[];
    };
    expect(manifest.items.find((item) => item.artifact === 'live.date')).toMatchObject({
      status: 'unavailable',
      method: 'volume',
    });
    const verify = await cli(['evidence', 'verify', done.package], env);
    expect(verify.code).toBe(0);
    const list = await cli(['evidence', 'list'], env);
    expect(list.stdout).toContain('shop/web-0/app');
    const timeline = await cli(['evidence', 'timeline', done.package], env);
    expect(timeline.stdout).toMatch(/Content Modification Time\s+bodyfile\s+\/tmp\/dropper\.sh/);
    const indicators = await cli(['evidence', 'indicators', done.package], env);
    expect(indicators.stdout).toContain('toor');
    expect(indicators.stdout).not.toContain('SUID');
  });
});
