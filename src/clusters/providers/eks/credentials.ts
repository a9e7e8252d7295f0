import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { isAppError } from '../../../errors.js';
import { awsError } from './errors.js';

/** How Gatehouse reaches one AWS account: the default chain, then optionally a chain of roles. */
export interface AwsAccountOptions {
  /** Roles assumed in order (each from the previous one's credentials), e.g. hub → spoke. */
  readonly roleArns?: readonly string[];
  /** Sent with the last AssumeRole, as the trust policy requires (confused-deputy guard). */
  readonly externalId?: string;
  readonly sessionName?: string;
  /** The region STS is called in (regional endpoints keep working when us-east-1 does not). */
  readonly stsRegion?: string;
  /** Without stsRegion: regions to try in turn, the first that answers being used (default us-east-1). */
  readonly stsRegions?: readonly string[];
  /** A local AWS endpoint (moto in tests). */
  readonly endpoint?: string;
  /** Base credentials; default: the AWS SDK default chain (env, profile, SSO, IMDS, web identity). */
  readonly base?: AwsCredentialIdentityProvider;
}

/** Renew assumed credentials this long before they expire: longer than an EKS token lives, so a token never outlives its signer. */
const renewMarginMs = 16 * 60_000;

/** The AWS SDK default credential chain, loaded only when a cloud command needs it. */
export async function defaultCredentials(): Promise<AwsCredentialIdentityProvider> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider();
}

function memoize(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    const fresh =
      current && (!current.expiration || current.expiration.getTime() - Date.now() > renewMarginMs);
    if (fresh && current) return current;
    pending ??= provider().finally(() => {
      pending = undefined;
    });
    current = await pending;
    return current;
  };
}

/**
 * Runs `attempt` in each region in turn until one answers. A refusal (AccessDenied: the trust
 * policy or external ID) is the same in every region and ends the search at once; anything else
 * (a region not enabled for the account, an unreachable endpoint) moves on to the next region.
 * When all fail, the first region's error is the one reported.
 */
export async function inFirstRegionThatAnswers<T>(
  regions: readonly string[],
  attempt: (region: string) => Promise<T>,
): Promise<T> {
  let first: unknown;
  for (const region of regions) {
    try {
      return await attempt(region);
    } catch (error) {
      if (isAppError(error) && error.code === 'auth.forbidden') throw error;
      first ??= error;
    }
  }
  throw first;
}

/** Where STS is called: the configured region, else AWS_REGION, then the account's regions in order. */
export function stsRegionsOf(options: AwsAccountOptions, env: NodeJS.ProcessEnv = process.env): string[] {
  if (options.stsRegion) return [options.stsRegion];
  const regions = [env.AWS_REGION, ...(options.stsRegions ?? [])].filter(
    (region): region is string => typeof region === 'string' && region !== '',
  );
  return regions.length > 0 ? [...new Set(regions)] : ['us-east-1'];
}

async function assumeRole(
  from: AwsCredentialIdentityProvider,
  roleArn: string,
  options: AwsAccountOptions & { readonly externalId: string | undefined },
): Promise<AwsCredentialIdentity> {
  return await inFirstRegionThatAnswers(stsRegionsOf(options), (region) =>
    assumeRoleIn(region, from, roleArn, options),
  );
}

async function assumeRoleIn(
  region: string,
  from: AwsCredentialIdentityProvider,
  roleArn: string,
  options: AwsAccountOptions & { readonly externalId: string | undefined },
): Promise<AwsCredentialIdentity> {
  const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  const sts = new STSClient({
    region,
    credentials: from,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  try {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: options.sessionName ?? 'gatehouse',
        ...(options.externalId ? { ExternalId: options.externalId } : {}),
        DurationSeconds: 3600,
      }),
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey)
      throw new Error('STS returned no credentials');
    return {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      ...(Credentials.SessionToken ? { sessionToken: Credentials.SessionToken } : {}),
      ...(Credentials.Expiration ? { expiration: Credentials.Expiration } : {}),
    };
  } catch (error) {
    throw awsError(error, `assuming role ${roleArn} (STS in ${region})`, 'sts:AssumeRole');
  } finally {
    sts.destroy();
  }
}

/**
 * Credentials for one account: the base chain, then each role in turn (the external ID goes with
 * the last hop, the one the customer's trust policy guards). Renewed 16 minutes before expiry, so
 * an EKS token (valid 15 minutes) is never signed with credentials about to lapse.
 */
export async function accountCredentials(options: AwsAccountOptions): Promise<AwsCredentialIdentityProvider> {
  let provider = options.base ?? (await defaultCredentials());
  const roles = options.roleArns ?? [];
  roles.forEach((roleArn, index) => {
    const from = provider;
    const externalId = index === roles.length - 1 ? options.externalId : undefined;
    provider = memoize(() => assumeRole(from, roleArn, { ...options, externalId }));
  });
  return provider;
}
