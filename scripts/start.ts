import { existsSync } from 'node:fs';
import { main } from '../src/cli/index.js';
import { kubeconfigFiles } from '../src/kube/index.js';
import { clusterUp } from '../testcluster/cluster.js';
import { StepError } from '../testcluster/run.js';
import { type Demo, demoPeople, startDemo } from './demo.js';

/**
 * `npm start`: `gatehouse serve` with the console, against the user's kubeconfig; when there is
 * none, against the local test cluster (built from source on first use) with the local OpenID
 * Provider and demo people, so a person can sign in, request and approve access at once.
 * `gatehouse serve` itself prints the URL and, on a store nobody has signed in to, the one-time
 * link for the first administrator.
 */
async function start(): Promise<number> {
  const args = process.argv.slice(2);
  let demo: Demo | undefined;
  if (!kubeconfigFiles().some((file) => existsSync(file))) {
    process.stderr.write(
      'No kubeconfig found: starting the local test cluster (the first run builds Kubernetes from source, 5–20 min).\n',
    );
    const { kubeconfig } = await clusterUp();
    demo = await startDemo(kubeconfig);
    Object.assign(process.env, demo.env);
    process.stderr.write(
      [
        `Using the test cluster (${kubeconfig}) and the test OpenID Provider at ${demo.provider.issuer}.`,
        'Sign in with any of these people (any password); a flow lets alice ask for view or edit in dev,',
        'storefront or payments for up to an hour, and bob approve it:',
        ...demoPeople(),
        `The demo keeps its store in ${demo.env.GATEHOUSE_HOME}; for the CLI on it: export GATEHOUSE_HOME=${demo.env.GATEHOUSE_HOME}`,
        '',
      ].join('\n'),
    );
  }
  try {
    return await main([...args, 'serve']);
  } finally {
    await demo?.provider.close();
  }
}

try {
  process.exitCode = await start();
} catch (error) {
  process.stderr.write(
    `gatehouse start failed: ${error instanceof StepError ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
