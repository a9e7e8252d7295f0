import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { attachContainers } from '../../testcluster/cluster.js';
import { hostilePayloadAnnotation } from '../../testcluster/seed/seed.js';
import { unstorableNames } from '../../testcluster/seed/unstorable.js';
import { cli } from '../support/cli.js';

const kubeconfig = inject('kubeconfig');
const home = join(tmpdir(), `gatehouse-hostile-names-${process.pid}`);
const env = { GATEHOUSE_HOME: home, GATEHOUSE_OPERATOR: 'e2e-responder' };
const gatehouse = (...args: string[]) => cli(['--kubeconfig', kubeconfig, ...args], env);
const namespace = 'hostile-names';
const selector = 'app=names-test';

/** Creates an object, or leaves the one a previous run made. */
async function ensure(client: KubeClient, path: string, body: Record<string, unknown>): Promise<void> {
  // A new namespace gets its default ServiceAccount from the controller manager a moment later.
  for (let attempt = 0; ; attempt++) {
    try {
      await client.request({ method: 'POST', path, body });
      return;
    } catch (error) {
      if (isAppError(error) && error.code === 'conflict') return;
      if (attempt > 40) throw error;
      await sleep(250);
    }
  }
}

function pod(name: string, profile: string, payload?: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: { app: 'names-test' },
      annotations: {
        'testcluster.gatehouse.dev/profiles': `main=${profile}`,
        ...(payload ? { [hostilePayloadAnnotation]: payload } : {}),
      },
    },
    spec: { containers: [{ name: 'main', image: 'docker.io/library/busybox:1.36.1' }] },
  };
}

/** A responder's profile that reaches deep: /srv without a depth limit. */
function deepProfile(): string {
  mkdirSync(home, { recursive: true });
  const path = join(home, 'deep-profile.yaml');
  writeFileSync(
    path,
    [
      'name: deep',
      'artifacts:',
      '  - { id: live.date, description: clock, collector: command, command: date -u }',
      '  - { id: files.etc, description: etc, collector: files, paths: [/etc], maxDepth: 2 }',
      '  - { id: files.srv, description: everything under /srv, collector: files, paths: [/srv] }',
      '',
    ].join('\n'),
  );
  return path;
}

interface Row {
  target: string;
  package: string;
  packageHash: string;
  root: string;
}

describe('acquisition of containers whose names cannot be stored as sent', () => {
  beforeAll(async () => {
    const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
    await ensure(admin, '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
    const pods = `/api/v1/namespaces/${namespace}/pods`;
    // Answers like a compromised container that read the collector's nonce from /proc.
    await ensure(admin, pods, pod('forged-names', 'shell', 'unstorable-names'));
    // Real files, read by the container's own busybox tar.
    await ensure(admin, pods, pod('deep-names', 'deep-names'));
    await ensure(admin, pods, pod('bystander', 'shell'));
    await attachContainers(namespace, selector);
  });

  it('seals every package of a parallel run with the unstorable names renamed and recorded, and ends every audit session', async () => {
    const run = await gatehouse(
      'acquire',
      '-l',
      selector,
      '-n',
      namespace,
      '--method',
      'exec',
      '--profile',
      deepProfile(),
      '--max-bytes',
      '3000000',
      '-o',
      'json',
    );
    expect(run.stderr).not.toContain('error:');
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout).items as Row[];
    const row = (pod: string) => rows.find((candidate) => candidate.target === `${namespace}/${pod}/main`)!;
    expect(rows.map((candidate) => candidate.target.split('/')[1]).sort()).toEqual([
      'bystander',
      'deep-names',
      'forged-names',
    ]);
    for (const each of rows) expect((await gatehouse('evidence', 'verify', each.package)).code).toBe(0);

    const forged = packageOf(row('forged-names'));
    expect(forged.read(forged.storedAs('/tmp/x')?.path)).toBe('a file named x\n');
    for (const source of ['/tmp/x/y', unstorableNames.longPath, unstorableNames.deepPath])
      expect(forged.storedAs(source), source.slice(0, 40)).toMatchObject({
        path: expect.stringMatching(/^renamed\/[0-9a-f]{32}-/),
        anomaly: expect.stringMatching(/already stored as a file|caps: 1024 bytes/),
      });
    expect(forged.read(forged.storedAs('/tmp/x/y')?.path)).toBe('a file inside x\n');
    expect(forged.storedAs(unstorableNames.longComponent)?.path).toMatch(/^files\/tmp\/c+~[0-9a-f]{16}$/);
    expect(forged.read('live/live.date.out.dup-2')).toBe('forged\n');
    expect(forged.log).toContain('section live.date was sent again');
    expect(forged.log).toMatch(/ANOMALY \/tmp\/x\/y: a directory on its path .* stored as renamed\//);

    const deep = packageOf(row('deep-names'));
    const report = deep.storedAs(unstorableNames.encodedPastPathMax);
    expect(report?.path).toMatch(/^renamed\/[0-9a-f]{32}-report\.txt$/);
    expect(deep.read(report?.path)).toBe('quarterly report\n');
    expect(deep.storedAs(unstorableNames.pastDepthCap)?.anomaly).toContain('153 levels deep');

    expect(packageOf(row('bystander')).read('files/etc/passwd')).toContain('root:x:0:0');

    const events = (await cli(['audit', 'export'], env)).stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { target: string; outcome: string; details: { packageHash?: string } },
      );
    for (const each of rows) {
      const session = events.filter((event) => event.target === each.target);
      expect(session.map((event) => event.outcome)).toEqual(['started', 'succeeded']);
      expect(session[1]?.details.packageHash).toBe(each.packageHash);
    }
  });
});

function packageOf(row: Row) {
  const manifest = JSON.parse(readFileSync(join(row.root, 'manifest.json'), 'utf8')).items as {
    path: string;
    source: string;
    anomaly?: string;
  }[];
  return {
    storedAs: (source: string) => manifest.find((item) => item.source === source),
    read: (path: string | undefined) => readFileSync(join(row.root, path ?? 'missing'), 'utf8'),
    log: readFileSync(join(row.root, 'acquisition.log'), 'utf8'),
  };
}
