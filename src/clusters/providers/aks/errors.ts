import { AppError, isAppError, messageOf, withContext } from '../../../errors.js';

/** The fields an Azure SDK failure carries: a RestError (ARM answered) or an identity error (no token). */
interface AzureFailure {
  readonly name?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly message?: string;
}

/** @azure/identity's ways of saying "no usable token": nothing is logged in, or the login was refused. */
const credentialFailures = new Set([
  'CredentialUnavailableError',
  'AggregateAuthenticationError',
  'AuthenticationError',
  'AuthenticationRequiredError',
]);
const networkFailures = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'REQUEST_SEND_ERROR',
]);

/** What to do when Azure has no valid credentials for Gatehouse. */
export const azureLoginFix =
  'Run `az login` (add --tenant for another tenant), or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal; a managed or workload identity also works';

/**
 * ARM names the refused action in its AuthorizationFailed message:
 * `... does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/read' over scope ...`.
 */
export function deniedAction(message: string): string | undefined {
  return /perform action '([^']+)'/i.exec(message)?.[1];
}

function forbiddenFix(action: string | undefined): string {
  const allows = action ? `, which allows ${action},` : '';
  return `Run \`gatehouse setup azure --for <capability> --subscription <subscription id>\` and follow its steps: it prints Gatehouse's custom role${allows} and the az commands that create it and assign it to the identity Gatehouse uses`;
}

/**
 * `answer` is ARM's error body when the SDK dropped it (its pager reports only the status code).
 * An Azure SDK failure in the error vocabulary, with what to do about it: log in, grant the named
 * action through the Gatehouse role, check the names, or reach Azure Resource Manager.
 *
 * @example
 * throw azureError(error, 'listing AKS clusters in subscription 0b1f…');
 */
export function azureError(error: unknown, doing: string, answer?: unknown): AppError {
  if (isAppError(error)) return withContext(error, doing);
  const failure = (error ?? {}) as AzureFailure;
  const name = failure.name ?? '';
  const code = failure.code ?? '';
  const armMessage = (answer as { error?: { message?: unknown } } | undefined)?.error?.message;
  // Identity errors list every credential they tried, one per line; the first line says what failed.
  const message = (typeof armMessage === 'string' ? armMessage : (failure.message ?? messageOf(error)))
    .split('\n')[0]!
    .trim();
  const base = { cause: error, details: { azure: code || name } };
  if (credentialFailures.has(name) || failure.statusCode === 401)
    return new AppError(
      'auth.unauthorized',
      `${doing}: Azure did not accept the credentials (${code || name}: ${message})`,
      {
        ...base,
        fix: azureLoginFix,
      },
    );
  if (failure.statusCode === 403) {
    const action = deniedAction(message);
    return new AppError(
      'auth.forbidden',
      `${doing}: Azure refused${action ? ` ${action}` : ''} (${code}: ${message})`,
      {
        cause: error,
        details: { azure: code, ...(action ? { action } : {}) },
        fix: forbiddenFix(action),
      },
    );
  }
  if (failure.statusCode === 404)
    return new AppError('not-found', `${doing}: ${code ? `${code}: ` : ''}${message}`, {
      ...base,
      fix: 'Check the subscription ID, resource group and cluster name (gatehouse clusters list shows what Gatehouse can see)',
    });
  if (name === 'AbortError' || name === 'TimeoutError')
    return new AppError('cluster.timeout', `${doing}: Azure did not finish in time`, {
      ...base,
      fix: 'Try again; an AKS run command keeps running in namespace aks-command, so give it a longer timeout',
    });
  if (networkFailures.has(code))
    return new AppError(
      'cluster.unreachable',
      `${doing}: cannot reach Azure Resource Manager (${code}: ${message})`,
      {
        ...base,
        fix: 'Check that this machine reaches management.azure.com (proxy: HTTPS_PROXY) and that the provider endpoint is right',
      },
    );
  return new AppError('internal', `${doing}: ${code ? `${code}: ` : ''}${message}`, base);
}
