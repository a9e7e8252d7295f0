import { clusterUp } from './cluster.js';
import { StepError } from './run.js';

// `npm run cluster:up`: build if needed, start, seed, and say how to use it.
try {
  const { kubeconfig, reused, seconds, auditLog } = await clusterUp();
  const how = reused ? 'already running' : `started in ${seconds.toFixed(1)}s`;
  process.stdout.write(
    [
      `Test cluster ${how}.`,
      `kubeconfig: ${kubeconfig}`,
      `audit log:  ${auditLog} (npx gatehouse usage ingest ${auditLog} --cluster gatehouse-test)`,
      '',
      `  export KUBECONFIG=${kubeconfig}`,
      '  kubectl get pods -A',
      '  kubectl exec -n dev debug-shell -- cat /etc/passwd',
      '  npx gatehouse clusters list',
      '',
      'Stop it with `npm run cluster:down`.',
      '',
    ].join('\n'),
  );
} catch (error) {
  process.stderr.write(`cluster:up failed: ${error instanceof StepError ? error.message : String(error)}\n`);
  process.exit(1);
}
