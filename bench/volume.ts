/**
 * `npm run bench:volume` (root, with containerd and runc): makes a containerd data directory with
 * 250 labelled containers and an image layer of 10,000 files, then times `listVolumeContainers`
 * and the filesystem view plus change list of one container, median of N. Prints figures;
 * asserts nothing. Issue targets: list 250 containers < 1 s; 10,000 files < 2 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerFilesystem, listVolumeContainers } from '../src/forensics/volume/index.js';
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
} finally {
  rmSync(dir, { recursive: true, force: true });
}
