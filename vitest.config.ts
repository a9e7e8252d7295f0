import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; end-to-end tests in test/e2e share one test cluster per run.
export default defineConfig({
  test: {
    // Unit tests first, then end-to-end files; two workers so a waiting file does not hold the run.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.{ts,tsx}', 'testcluster/**/*.test.ts'],
          globalSetup: ['test/support/unit-setup.ts'],
          testTimeout: 20_000,
          // A guard against hangs, not a measure: on a loaded machine a peer can take seconds to start.
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          // A cold machine builds the control plane in the global setup (about 9 min on 2 cores).
          hookTimeout: 1_800_000,
          // Serial files take a lock (serial.ts); *.parallel.test.ts files run beside them.
          setupFiles: ['test/e2e/serial.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
