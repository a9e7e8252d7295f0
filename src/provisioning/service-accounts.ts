import { readFileSync } from 'node:fs';
import { stringify as toYaml } from 'yaml';
import { AppError, isAppError } from '../errors.js';
import { type KubeClient, listAll } from '../kube/index.js';
import { managedBy } from './bindings.js';

/** A ServiceAccount that exists for one access request (credential-bound mode). */
export interface AccessServiceAccount {
  readonly namespace: string;
  readonly name: string;
  readonly requestId: string;
}

interface ServiceAccountObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
}

const requestAnnotation = 'gatehouse.dev/request-id';

const saPath = (namespace: string, name?: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts${name ? `/${encodeURIComponent(name)}` : ''}`;

/** Creates the request's ServiceAccount if it is missing; one Gatehouse does not own is an error. */
export async function ensureServiceAccount(
  client: KubeClient,
  account: AccessServiceAccount,
): Promise<'created' | 'unchanged'> {
  try {
    const existing = await client.request<ServiceAccountObject>({
      path: saPath(account.namespace, account.name),
    });
    if (
      existing.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'gatehouse' ||
      existing.metadata.annotations?.[requestAnnotation] !== account.requestId
    ) {
      throw new AppError(
        'conflict',
        `ServiceAccount ${account.namespace}/${account.name} exists but is not Gatehouse's for request ${account.requestId}`,
        { fix: 'Gatehouse never edits objects it does not own; remove or rename that ServiceAccount' },
      );
    }
    return 'unchanged';
  } catch (error) {
    if (!(isAppError(error) && error.code === 'not-found')) throw error;
  }
  try {
    await client.request({
      method: 'POST',
      path: saPath(account.namespace),
      body: {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: account.name,
          namespace: account.namespace,
          labels: { ...managedBy },
          annotations: { [requestAnnotation]: account.requestId },
        },
        // The account only ever authenticates with tokens Gatehouse requests for the requester.
        automountServiceAccountToken: false,
      },
    });
  } catch (error) {
    if (isAppError(error) && error.code === 'not-found')
      throw new AppError('not-found', `namespace ${account.namespace} does not exist`, {
        fix: `Create it once: kubectl create namespace ${account.namespace}`,
        cause: error,
      });
    throw error;
  }
  return 'created';
}

/** Every ServiceAccount Gatehouse created for a request. */
export async function listOwnedServiceAccounts(
  client: KubeClient,
  namespaces: readonly string[],
): Promise<AccessServiceAccount[]> {
  // Per namespace: Gatehouse's role covers ServiceAccounts only in its credential namespaces.
  const items: ServiceAccountObject[] = [];
  for (const namespace of namespaces)
    items.push(
      ...(
        await listAll<ServiceAccountObject>(client, {
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts`,
          labelSelector: 'app.kubernetes.io/managed-by=gatehouse',
        })
      ).items,
    );
  return items
    .filter((item) => item.metadata.annotations?.[requestAnnotation] && item.metadata.namespace)
    .map((item) => ({
      namespace: item.metadata.namespace!,
      name: item.metadata.name,
      requestId: item.metadata.annotations![requestAnnotation]!,
    }));
}

/** Deleting the ServiceAccount invalidates every token issued for it at once. */
export async function removeServiceAccount(client: KubeClient, account: AccessServiceAccount): Promise<void> {
  await client
    .request({ method: 'DELETE', path: saPath(account.namespace, account.name) })
    .catch((error: unknown) => {
      if (!(isAppError(error) && error.code === 'not-found')) throw error;
    });
}

export interface IssuedToken {
  readonly token: string;
  readonly expirationTimestamp: string;
}

/** A token for the account from the TokenRequest API; the API server refuses it after expiry. */
export async function requestToken(
  client: KubeClient,
  account: Pick<AccessServiceAccount, 'namespace' | 'name'>,
  expirationSeconds: number,
): Promise<IssuedToken> {
  const answer = await client.request<{ status: { token: string; expirationTimestamp: string } }>({
    method: 'POST',
    path: `${saPath(account.namespace, account.name)}/token`,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds },
    },
  });
  return answer.status;
}

/** A kubeconfig that reaches the same API server as `client` with only the given token. */
export function tokenKubeconfig(
  client: KubeClient,
  input: { readonly name: string; readonly token: string; readonly namespace?: string },
): string {
  const cluster = client.kubeConfig.getCurrentCluster()!;
  const ca = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: input.name,
        cluster: {
          server: cluster.server,
          // Inlined, so the kubeconfig works on the requester's machine.
          ...(ca ? { 'certificate-authority-data': ca } : {}),
          ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name: input.name, user: { token: input.token } }],
    contexts: [
      {
        name: input.name,
        context: {
          cluster: input.name,
          user: input.name,
          ...(input.namespace ? { namespace: input.namespace } : {}),
        },
      },
    ],
    'current-context': input.name,
  });
}
