import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elapsed, progress, run } from '../../testcluster/run.js';
import { type AssembledImage, assembleImage } from '../image/assemble.js';
import { type Docker, startDocker } from '../image/docker.js';
import { finalStage, runtimeSettings } from '../image/dockerfile.js';
import { user } from '../image/gatehouse.js';
import { mountReadOnly } from '../image/rootfs.js';

// The Dockerfile's runtime stage built for real by Debian's docker.io. Its two FROMs are the parts
// no registry serves here: node:24-bookworm-slim is imported from the assembled Debian + Node
// layers, and the build stage from the dependency layer and the packed CLI.
const settings = runtimeSettings();
const buildStage = 'gatehouse-test/build-stage:latest';
const tag = 'gatehouse-test/gatehouse:latest';
let dir: string;
let image: AssembledImage;
let docker: Docker;

/** `docker import` of layers stacked (first = top) as one layer: tar of their merged view. */
async function importLayers(layers: readonly string[], paths: string, name: string): Promise<void> {
  const view = await mountReadOnly(join(dir, `view-${name.replace(/[^a-z0-9]+/g, '-')}`), layers);
  try {
    const socket = join(dir, 'docker', 'docker.sock');
    await run(
      'sh',
      [
        '-c',
        `tar -C '${view.path}' -c ${paths} | /usr/bin/docker --host 'unix://${socket}' import - '${name}'`,
      ],
      {
        step: `docker import ${name}`,
      },
    );
  } finally {
    await view.unmount();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-image-docker-'));
  image = await assembleImage(dir);
  const start = Date.now();
  docker = await startDocker(join(dir, 'docker'));
  await importLayers([image.node, image.base], '.', settings.from);
  await importLayers([image.top, image.dependencies], 'opt', buildStage);
  const context = join(dir, 'context');
  mkdirSync(context);
  writeFileSync(join(context, 'Dockerfile'), `FROM ${buildStage} AS build\n${finalStage()}`);
  await docker.run(['build', '--network', 'none', '-t', tag, context]);
  progress(`image: docker import + build in ${elapsed(start)}`);
});

afterAll(async () => {
  await docker?.stop();
  await image?.rootfs.unmount();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the Dockerfile's runtime stage, built by docker.io", () => {
  it('makes an image whose config runs gatehouse as uid 10001', async () => {
    const [inspected] = JSON.parse(await docker.run(['image', 'inspect', tag])) as {
      Config: { User: string; Entrypoint: string[]; Cmd: string[]; Env: string[]; WorkingDir: string };
    }[];
    expect(inspected?.Config).toMatchObject({
      User: `${user.uid}:${user.gid}`,
      Entrypoint: ['gatehouse'],
      Cmd: ['serve', '--listen', '0.0.0.0:8080'],
      WorkingDir: user.home,
    });
    expect(inspected?.Config.Env).toContain(`GATEHOUSE_HOME=${user.home}`);
  });

  it('prints the version with a read-only root filesystem and no network', async () => {
    const output = await docker.run(['run', '--rm', '--read-only', '--network', 'none', tag, '--version']);
    expect(output.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('serves /healthz inside, read-only, with only /tmp and the data directory writable', async () => {
    const name = `gatehouse-${process.pid}`;
    await docker.run([
      'run',
      '-d',
      '--name',
      name,
      '--read-only',
      '--network',
      'none',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--tmpfs',
      '/tmp',
      '--tmpfs',
      `${user.home}:uid=${user.uid},gid=${user.gid},mode=0700`,
      tag,
    ]);
    try {
      const probe = `fetch('http://127.0.0.1:8080/healthz').then(async (r) => console.log(r.status, await r.text())).catch(() => process.exit(3))`;
      const deadline = Date.now() + 60_000;
      let answer = '';
      while (Date.now() < deadline && !answer) {
        answer = await docker.run(['exec', name, 'node', '-e', probe]).catch(() => '');
        if (!answer) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(answer, await docker.run(['logs', name]).catch(String)).toMatch(/^200 /);
      expect(JSON.parse(answer.slice(4))).toMatchObject({ ok: true });
      expect((await docker.run(['exec', name, 'id', '-un'])).trim()).toBe(user.name);
      await expect(docker.run(['exec', name, 'touch', '/opt/gatehouse/written'])).rejects.toThrow(
        /Read-only/,
      );
    } finally {
      await docker.run(['rm', '-f', name]).catch(() => '');
    }
  });
});
