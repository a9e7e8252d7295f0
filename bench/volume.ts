/**
 * `npm run bench:volume` (root, with containerd and runc): makes a containerd data directory with
 * 250 labelled containers and an image layer of 10,000 files, then times `listVolumeContainers`
 * the filesystem view plus change list of one container, and sealed acquisitions of it (the default
 * profile; a profile collecting the 10,000 files), median of N. Prints figures; asserts nothing.
 * Issue targets: list 250 containers < 1 s; reconstruct and collect 10,000 files < 2 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProfile, type Profile } from '../src/forensics/index.js';
import {
  acquireFromVolume,
  containerFilesystem,
  listVolumeContainers,
} from '../src/forensics/volume/index.js';
import { localPrincipal } from '../src/identity/index.js';
import { makeContainerdVolume } from '../test/volumes/containerd.js';

const runs = Number(process.env.BENCH_RUNS ?? 7);
const median = (samples: readonly number[]) =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

function timed<T>(work: () => T): { result: T; seconds: number[] } {
  const seconds: number[] = [];
  let result: T | undefined;
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    result = work();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { result: result!, seconds };
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-volume-'));
try {
  const made = Date.now();
  const volume = await makeContainerdVolume(dir, { extraContainers: 247, manyFiles: 10_000 });
  console.log(`made the volume in ${((Date.now() - made) / 1000).toFixed(1)} s`);
  const list = timed(() => listVolumeContainers(volume.root));
  console.log(
    `list: ${list.result.containers.length} containers, ${list.result.problems.length} problems, median ${median(list.seconds).toFixed(3)} s`,
  );
  const layers = list.result.containers.find((container) => container.id === 'web-0-app')!.layers!;
  const view = timed(() => containerFilesystem(volume.root, layers));
  console.log(
    `view + changes: ${view.result.view.size} entries, ${view.result.changes.length} changes, median ${median(view.seconds).toFixed(3)} s`,
  );
  const container = list.result.containers.find((candidate) => candidate.id === 'web-0-app')!;
  const many: Profile = {
    name: 'bench-many',
    artifacts: [
      {
        id: 'bench.many',
        description: 'every file of the big layer',
        collector: 'files',
        paths: ['/usr/share'],
      },
    ],
  };
  for (const profile of [defaultProfile, many]) {
    const acquire = timed(() =>
      acquireFromVolume({
        root: volume.root,
        node: list.result.node,
        container,
        evidenceRoot: join(dir, 'evidence'),
        profile,
        operator: localPrincipal({ subject: 'bench' }),
        gatehouseVersion: 'bench',
      }),
    );
    console.log(
      `acquire (${profile.name} profile, view rebuilt, sealed package): ${acquire.result.items} items, median ${median(acquire.seconds).toFixed(3)} s`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
