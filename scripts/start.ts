import { existsSync } from 'node:fs';
import { main } from '../src/cli/index.js';
import { kubeconfigFiles } from '../src/kube/index.js';
import { clusterUp } from '../testcluster/cluster.js';
import { StepError } from '../testcluster/run.js';

/**
 * `npm start`: Gatehouse against the user's kubeconfig, or, when there is none, against the local
 * test cluster (built from source on first use).
 */
async function start(): Promise<number> {
  const args = process.argv.slice(2);
  let kubeconfig: string | undefined;
  if (!kubeconfigFiles().some((file) => existsSync(file))) {
    process.stderr.write(
      'No kubeconfig found: starting the local test cluster (the first run builds Kubernetes from source, 5–20 min).\n',
    );
    kubeconfig = (await clusterUp()).kubeconfig;
    process.stderr.write(`Using the test cluster: --kubeconfig ${kubeconfig}\n\n`);
  }
  const global = kubeconfig ? ['--kubeconfig', kubeconfig] : [];
  const code = await main([...global, ...args, 'clusters', 'list']);
  process.stdout.write(
    [
      '',
      'Next:',
      `  npx gatehouse ${[...global, 'clusters', 'list', '-o', 'json'].join(' ')}`,
      '  npx gatehouse audit verify',
      '  npx gatehouse setup aws --for inventory     # then: npx gatehouse providers add aws …',
      '  npx gatehouse --help',
      '',
    ].join('\n'),
  );
  return code;
}

try {
  process.exitCode = await start();
} catch (error) {
  process.stderr.write(
    `gatehouse start failed: ${error instanceof StepError ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
