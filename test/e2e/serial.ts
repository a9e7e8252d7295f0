import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, inject } from 'vitest';

// End-to-end files share one cluster and assert latencies, so they run one at a time. Files named
// *.parallel.test.ts mostly wait on the clock (the API server's 10-minute token minimum) and run
// beside the others instead of adding their wait to the run.
const file = expect.getState().testPath ?? '';
if (!file.endsWith('.parallel.test.ts')) {
  const lock = join(tmpdir(), `gatehouse-e2e-lock-${inject('runId')}`);
  beforeAll(async () => {
    for (;;) {
      try {
        mkdirSync(lock);
        return;
      } catch {
        await sleep(100);
      }
    }
  });
  afterAll(() => rmSync(lock, { recursive: true, force: true }));
}
