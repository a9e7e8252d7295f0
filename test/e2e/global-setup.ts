import { randomUUID } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { clusterDown, clusterUp } from '../../testcluster/cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    /** False on GATEHOUSE_TEST_KUBECONFIG clusters, which do not carry the seeded pods. */
    seeded: boolean;
    /** Unique per run: names the lock that keeps serial e2e files one at a time. */
    runId: string;
    /** The test apiserver's audit log directory; empty on GATEHOUSE_TEST_KUBECONFIG clusters (GATEHOUSE_TEST_AUDIT_LOG names theirs). */
    auditLog: string;
  }
}

/**
 * Starts the test cluster once per run (reusing one that `npm run cluster:up` left running) and
 * stops it at the end if this run started it. GATEHOUSE_TEST_KUBECONFIG uses another cluster.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  project.provide('runId', randomUUID());
  const external = process.env.GATEHOUSE_TEST_KUBECONFIG;
  if (external) {
    project.provide('kubeconfig', external);
    project.provide('seeded', false);
    project.provide('auditLog', process.env.GATEHOUSE_TEST_AUDIT_LOG ?? '');
    return undefined;
  }
  const cluster = await clusterUp();
  process.stderr.write(
    `[e2e] test cluster ${cluster.reused ? 'reused' : `started in ${cluster.seconds.toFixed(1)}s`}\n`,
  );
  project.provide('kubeconfig', cluster.kubeconfig);
  project.provide('seeded', true);
  project.provide('auditLog', cluster.auditLog);
  return async () => {
    if (!cluster.reused) await clusterDown();
  };
}
