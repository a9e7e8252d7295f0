import type { ContainerServiceClient, RunCommandResult } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/identity';
import { AppError } from '../../../errors.js';
import type { RunCommandPort } from '../../types.js';
import { azureError } from './errors.js';
import { aksServerAppId, entraToken } from './kubeconfig.js';
import type { AksLocation } from './mapping.js';
import { zipFiles } from './zip.js';

/** As long as `az aks command invoke` waits for a result. */
const defaultTimeoutMs = 300_000;

export interface AksRunCommandOptions {
  readonly location: AksLocation;
  readonly client: () => Promise<ContainerServiceClient>;
  readonly credential: () => Promise<TokenCredential>;
  /** How often ARM is asked for the result (default 5 s, as az does). */
  readonly pollIntervalMs?: number;
}

/**
 * Runs a command inside an AKS cluster through Azure Resource Manager (AKS command invoke), for
 * clusters whose API server is private and out of this machine's reach. AKS starts a pod in
 * namespace `aks-command` (with kubectl and helm), unpacks the given files in its working
 * directory, runs the command there and reports its exit code and output. Each call takes tens of
 * seconds, and the cluster needs room for that pod. On an Entra ID cluster the command runs with
 * the caller's Kubernetes identity: its token goes along as `clusterToken`.
 *
 * @example
 * const { exitCode, logs } = await provider.runCommand(ref).run({ command: 'kubectl get pods -A' });
 */
export class AksRunCommand implements RunCommandPort {
  readonly #options: AksRunCommandOptions;

  constructor(options: AksRunCommandOptions) {
    this.#options = options;
  }

  async run(input: Parameters<RunCommandPort['run']>[0]): Promise<{ exitCode: number; logs: string }> {
    const { resourceGroup, cluster } = this.#options.location;
    const doing = `running a command in AKS cluster ${cluster} (resource group ${resourceGroup})`;
    const context = input.files && Object.keys(input.files).length > 0 ? zipFiles(input.files) : undefined;
    const client = await this.#options.client();
    let result: RunCommandResult;
    try {
      const clusterToken = await this.#clusterToken(client);
      result = await client.managedClusters.beginRunCommandAndWait(
        resourceGroup,
        cluster,
        {
          command: input.command,
          ...(context ? { context: context.toString('base64') } : {}),
          ...(clusterToken ? { clusterToken } : {}),
        },
        {
          updateIntervalInMs: this.#options.pollIntervalMs ?? 5000,
          abortSignal: AbortSignal.timeout(input.timeoutMs ?? defaultTimeoutMs),
        },
      );
    } catch (error) {
      throw azureError(error, doing);
    }
    if (result.provisioningState?.toLowerCase() === 'failed')
      throw new AppError(
        'internal',
        `${doing}: AKS could not run it: ${result.reason ?? 'no reason given'}`,
        {
          fix: 'Check that a node has room for the command pod (kubectl get events -n aks-command) and try again',
        },
      );
    return { exitCode: result.exitCode ?? -1, logs: result.logs ?? '' };
  }

  /** The caller's Entra token for AKS when the cluster uses Entra ID; also refuses clusters with run command off. */
  async #clusterToken(client: ContainerServiceClient): Promise<string | undefined> {
    const { resourceGroup, cluster } = this.#options.location;
    const managed = await client.managedClusters.get(resourceGroup, cluster);
    if (managed.apiServerAccessProfile?.disableRunCommand)
      throw new AppError('cluster.unreachable', `run command is disabled on AKS cluster ${cluster}`, {
        fix: `Enable it (az aks update --resource-group ${resourceGroup} --name ${cluster} --enable-run-command) or run Gatehouse inside the cluster's virtual network`,
      });
    if (!managed.aadProfile?.managed) return undefined;
    return (await entraToken(await this.#options.credential(), aksServerAppId)).token;
  }
}
