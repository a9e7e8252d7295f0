import { AppError } from '../errors.js';
import { readKubeconfig } from '../kube/index.js';

/** Where the cluster a command or server is about is named: an explicit name, else the kubeconfig. */
export interface ClusterSelection {
  /** `--context`, `GATEHOUSE_CONTEXT` or the config file's `context`. */
  readonly context: string | undefined;
  readonly kubeconfig: string | undefined;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The cluster name in force: the one given, else the kubeconfig's current context, as kubectl
 * picks it. Read from the kubeconfig only when no name is given.
 *
 * @example
 * currentClusterName({ context: undefined, kubeconfig: undefined, env: process.env }); // 'kind-dev'
 */
export function currentClusterName(selection: ClusterSelection): string {
  if (selection.context) return selection.context;
  const current = readKubeconfig({
    path: selection.kubeconfig,
    env: selection.env,
  }).config.getCurrentContext();
  if (!current)
    throw new AppError('context.unknown', 'no --context given and the kubeconfig has no current-context', {
      fix: 'Pass --context NAME',
    });
  return current;
}
