import { ensureBinaries } from './build.js';
import { StepError } from './run.js';

// `npm run cluster:build`: build (or confirm cached) the test cluster's binaries, with progress.
try {
  const start = Date.now();
  await ensureBinaries();
  process.stdout.write(`Test cluster binaries ready (${((Date.now() - start) / 1000).toFixed(1)}s).\n`);
} catch (error) {
  process.stderr.write(
    `cluster:build failed: ${error instanceof StepError ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
