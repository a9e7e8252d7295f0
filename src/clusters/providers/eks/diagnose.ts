import { AppError } from '../../../errors.js';
import type { ClusterRef } from '../../types.js';
import { awsError } from './errors.js';
import { eksMappingInstructions, principalOfCaller } from './mapping.js';
import type { EksProvider } from './provider.js';

/** The ARN the provider's credentials belong to, from STS GetCallerIdentity. */
export async function callerArn(provider: EksProvider, region: string): Promise<string> {
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const sts = new STSClient({
    region,
    credentials: await provider.credentials(),
    ...(provider.options.endpoint ? { endpoint: provider.options.endpoint } : {}),
  });
  try {
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
    return Arn ?? 'unknown';
  } catch (error) {
    throw awsError(error, 'asking STS who Gatehouse is');
  } finally {
    sts.destroy();
  }
}

async function notMapped(provider: EksProvider, ref: ClusterRef, error: AppError): Promise<AppError> {
  const region = ref.location?.region ?? provider.options.regions[0]!;
  const cluster = ref.location?.cluster ?? ref.name;
  const [caller, description] = await Promise.all([
    callerArn(provider, region),
    provider.describe(ref).catch(() => undefined),
  ]);
  const principalArn = principalOfCaller(caller);
  const steps = eksMappingInstructions({
    principalArn,
    cluster,
    region,
    username: 'gatehouse',
    groups: [],
    ...(description?.authMode ? { authenticationMode: description.authMode } : {}),
  });
  return new AppError(
    'auth.unauthorized',
    `EKS cluster ${cluster} refused ${principalArn}: this role is not configured to authorize with this EKS cluster (auth mode ${description?.authMode ?? 'unknown'})`,
    {
      fix: [
        'Map it to the user gatehouse, then grant that user what it needs with `gatehouse setup rbac <capability> | kubectl apply -f -`:',
        ...steps,
      ].join('\n  '),
      cause: error,
      details: { ...error.details, principalArn },
    },
  );
}

/**
 * Explains why a cluster call failed in EKS terms: an unmapped IAM principal (401) gets the exact
 * mapping to add for the cluster's auth mode; a private-only endpoint gets the network answer.
 */
export async function explainEksFailure(
  provider: EksProvider,
  ref: ClusterRef,
  error: AppError,
): Promise<AppError> {
  if (error.code === 'auth.unauthorized') return await notMapped(provider, ref, error).catch(() => error);
  if (error.code !== 'cluster.unreachable' && error.code !== 'cluster.timeout') return error;
  const description = await provider.describe(ref).catch(() => undefined);
  if (!description?.endpointAccess || description.endpointAccess.public) return error;
  return new AppError(
    'cluster.unreachable',
    `the API server of EKS cluster ${ref.location?.cluster} is private (public endpoint access disabled) and this machine cannot reach it`,
    {
      fix: "Run Gatehouse inside the cluster's VPC (or over a VPN or peering), or enable the public endpoint restricted to your CIDRs: aws eks update-cluster-config --resources-vpc-config endpointPublicAccess=true,publicAccessCidrs=YOUR/32",
      cause: error,
    },
  );
}
