import { AppError, isAppError, messageOf, withContext } from '../../../errors.js';

interface AwsFailure {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly hostname?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const expired = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const invalid = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
]);
const denied = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
const missing = new Set(['ResourceNotFoundException', 'NoSuchEntity', 'NotFoundException']);
const unreachable = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']);

/** `... is not authorized to perform: eks:ListClusters on resource: ...` → `eks:ListClusters`. */
export function deniedAction(message: string): string | undefined {
  return /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1];
}

/**
 * `calling` names the IAM action of the failed call (e.g. `eks:ListClusters`).
 * An AWS SDK failure in the error vocabulary, with what to do about it: renew or configure
 * credentials, grant the named IAM action, check the region, or reach the endpoint.
 */
export function awsError(error: unknown, doing: string, calling?: string): AppError {
  if (isAppError(error)) return withContext(error, doing);
  const failure = (error ?? {}) as AwsFailure;
  const name = failure.name ?? '';
  const message = failure.message ?? messageOf(error);
  const base = { cause: error, details: { aws: name } };
  if (expired.has(name))
    return new AppError('auth.unauthorized', `${doing}: the AWS credentials have expired`, {
      ...base,
      fix: 'Renew them (aws sso login, or refresh the session), then run the command again',
    });
  if (invalid.has(name) || name === 'CredentialsProviderError')
    return new AppError('auth.unauthorized', `${doing}: no valid AWS credentials (${message})`, {
      ...base,
      fix: 'Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run on a machine with an instance role',
    });
  if (denied.has(name) || failure.$metadata?.httpStatusCode === 403) {
    // AWS names the refused action in its message; when a proxy or emulator does not, name the one we called.
    const action = deniedAction(message) ?? calling;
    return new AppError('auth.forbidden', `${doing}: AWS refused${action ? ` ${action}` : ''}: ${message}`, {
      ...base,
      details: { aws: name, ...(action ? { action } : {}) },
      fix:
        action === 'sts:AssumeRole'
          ? "The role's trust policy does not let the caller assume it, or the external ID differs: update the trust policy to the one `gatehouse setup aws --for <capability>` prints (it names the trusted principal and the external ID), and give the same --external-id to `gatehouse providers add aws`"
          : action === 'eks:AssociateAccessPolicy'
            ? 'The role may associate only the access policies it was set up with: rerun `gatehouse setup aws --for access --access-policy ARN` for each policy your flows offer, and update the role'
            : `Attach the policy printed by \`gatehouse setup aws\`${action ? `, which allows ${action},` : ''} to the role Gatehouse uses`,
    });
  }
  if (missing.has(name) || failure.$metadata?.httpStatusCode === 404)
    return new AppError('not-found', `${doing}: ${message}`, {
      ...base,
      fix: 'Check the cluster name, account and region (gatehouse clusters list shows what Gatehouse can see)',
    });
  if (unreachable.has(failure.code ?? '') || name === 'TimeoutError')
    return new AppError(
      'cluster.unreachable',
      `${doing}: cannot reach AWS (${failure.code ?? name} ${failure.hostname ?? ''})`.trim(),
      {
        ...base,
        fix: 'Check the region name (e.g. eu-west-1) and that this machine can reach the AWS endpoints (proxy, VPC endpoints)',
      },
    );
  return new AppError('internal', `${doing}: ${name ? `${name}: ` : ''}${message}`, base);
}
