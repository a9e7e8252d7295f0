import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elapsed, progress, run } from '../../testcluster/run.js';
import { type AssembledImage, assembleImage } from '../image/assemble.js';
import { imageCache } from '../image/cache.js';
import { type Docker, startDocker } from '../image/docker.js';
import { dockerfileForTest, runtimeSettings } from '../image/dockerfile.js';
import { repositoryRoot, user } from '../image/gatehouse.js';
import { mountReadOnly } from '../image/rootfs.js';

// The repository's Dockerfile built by Debian's docker.io. What no registry serves here is
// imported instead: node:24-bookworm-slim from the assembled Debian + Node layers, and the build
// stage's base from those plus the dependency layer. Both imports are kept in a cached data root.
const settings = runtimeSettings();
const buildBase = 'gatehouse-test/build-base:latest';
const tag = 'gatehouse-test/gatehouse:latest';
let dir: string;
let image: AssembledImage;
let docker: Docker;

/** `docker import` of layers stacked (first = top), unless the cached data root has it already. */
async function importLayers(layers: readonly string[], name: string): Promise<void> {
  if (
    await docker.run(['image', 'inspect', name]).then(
      () => true,
      () => false,
    )
  )
    return;
  const view = await mountReadOnly(join(dir, `view-${basename(name).replace(/[^a-z0-9]+/g, '-')}`), layers);
  try {
    const start = Date.now();
    await run(
      'sh',
      [
        '-c',
        `tar -C '${view.path}' -c . | /usr/bin/docker --host 'unix://${docker.socket}' import - '${name}'`,
      ],
      {
        step: `docker import ${name}`,
      },
    );
    progress(`image: docker import ${name} in ${elapsed(start)}`);
  } finally {
    await view.unmount();
  }
}

/** The data root of the private dockerd, kept between runs, keyed by the layers it imports. */
function dataRoot(): string {
  return join(
    imageCache(),
    `docker-${basename(image.base)}-${basename(image.node)}-${basename(image.dependencies)}`,
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-image-docker-'));
  image = await assembleImage(dir);
  docker = await startDocker({ dataRoot: dataRoot(), runDir: join(dir, 'docker') });
  await importLayers([image.node, image.base], settings.from);
  await importLayers([image.dependencies, image.node, image.base], buildBase);
  // The build context the README's `npm pack && docker build .` gives (see .dockerignore).
  const context = join(dir, 'context');
  mkdirSync(context);
  for (const file of ['package.json', 'package-lock.json'])
    copyFileSync(join(repositoryRoot, file), join(context, file));
  copyFileSync(image.tarball, join(context, basename(image.tarball)));
  writeFileSync(join(context, 'Dockerfile'), dockerfileForTest(buildBase));
  const start = Date.now();
  await docker.run(['build', '--network', 'none', '-t', tag, context]);
  progress(`image: docker build in ${elapsed(start)}`);
});

afterAll(async () => {
  if (docker) {
    // The imported bases and the last build stay (the next build reuses its unchanged layers).
    await docker.run(['image', 'prune', '-f']).catch(() => '');
    await docker.stop();
  }
  await image?.rootfs.unmount();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the Dockerfile, built by docker.io', () => {
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
    expect(output.trim()).toBe(image.version);
  });

  it('serves /healthz inside, read-only, capabilities dropped, only /tmp and the data directory writable', async () => {
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
