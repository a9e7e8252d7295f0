import type { TokenCredential } from '@azure/identity';
import type { KubeConfig, User } from '@kubernetes/client-node';
import { AppError, messageOf } from '../../../errors.js';
import { type BearerToken, bearerKubeConfig, clientNode } from '../../../kube/index.js';
import { azureError } from './errors.js';

/** The Entra ID application of the AKS API server; the same ID in every Azure cloud. */
export const aksServerAppId = '6dae42f8-4368-4678-94ff-3960e28e3630';

/**
 * The Entra ID application an AAD kubeconfig user gets tokens for, or undefined for a local
 * account. AKS writes either a `kubelogin get-token --server-id <app>` exec user (format=exec)
 * or the legacy `azure` auth provider with `apiserver-id`.
 */
export function entraServerApp(user: User | null | undefined): string | undefined {
  const exec = user?.exec as { command?: string; args?: string[] } | undefined;
  if (exec && (/(^|[/\\])kubelogin(\.exe)?$/.test(exec.command ?? '') || exec.args?.includes('get-token'))) {
    const args = exec.args ?? [];
    const index = args.indexOf('--server-id');
    return (index >= 0 ? args[index + 1] : undefined) ?? aksServerAppId;
  }
  const provider = user?.authProvider as { name?: string; config?: Record<string, string> } | undefined;
  if (provider?.name === 'azure') return provider.config?.['apiserver-id'] ?? aksServerAppId;
  return undefined;
}

/** An Entra ID access token for the AKS server app, which the API server accepts as a bearer token. */
export async function entraToken(credential: TokenCredential, serverApp: string): Promise<BearerToken> {
  let token: Awaited<ReturnType<TokenCredential['getToken']>>;
  try {
    token = await credential.getToken(`${serverApp}/.default`);
  } catch (error) {
    throw azureError(error, 'getting an Entra ID token for the AKS API server');
  }
  if (!token)
    throw new AppError('auth.unauthorized', 'the Azure credential returned no Entra ID token for AKS', {
      fix: 'Run `az login` again, or check the identity Gatehouse uses',
    });
  return { token: token.token, expiresAt: new Date(token.expiresOnTimestamp) };
}

/**
 * A KubeConfig from the kubeconfig AKS returned for a cluster. Local-account kubeconfigs
 * (client certificate, token) are used as they are; an Entra ID user's kubelogin exec plugin is
 * replaced by tokens from the provider's credential, so no kubelogin binary is needed. Those
 * tokens last about an hour and are fetched again shortly before they expire.
 */
export function aksKubeConfig(options: {
  readonly name: string;
  readonly kubeconfig: Uint8Array;
  readonly credential: () => Promise<TokenCredential>;
}): KubeConfig {
  const config = new (clientNode().KubeConfig)();
  try {
    config.loadFromString(Buffer.from(options.kubeconfig).toString('utf8'));
  } catch (error) {
    throw new AppError(
      'kubeconfig.malformed',
      `AKS returned a kubeconfig that cannot be read: ${messageOf(error)}`,
      {
        fix: 'Check it with `az aks get-credentials --file -` and report the problem if it persists',
        cause: error,
      },
    );
  }
  const cluster = config.getCurrentCluster();
  if (!cluster)
    throw new AppError('kubeconfig.malformed', 'AKS returned a kubeconfig without a current cluster', {
      fix: 'Check it with `az aks get-credentials --file -`',
    });
  const serverApp = entraServerApp(config.getCurrentUser());
  if (!serverApp) return config;
  return bearerKubeConfig({
    name: options.name,
    server: cluster.server,
    ...(cluster.caData ? { caData: cluster.caData } : {}),
    tokens: async () => entraToken(await options.credential(), serverApp),
  });
}
