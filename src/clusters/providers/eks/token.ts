import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, SourceData } from '@smithy/types';

/** A bearer token for an EKS cluster and the moment Gatehouse stops using it. */
export interface EksToken {
  readonly token: string;
  /** When to stop using it: 14 of its 15 minutes, as the AWS tools do, so clocks may drift a little. */
  readonly expiresAt: Date;
}

export interface EksTokenOptions {
  /** The cluster name, signed into the token so it cannot be replayed against another cluster. */
  readonly cluster: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly now?: Date;
}

const tokenPrefix = 'k8s-aws-v1.';
const usableMs = 14 * 60_000;

function bytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256 and HMAC-SHA-256 from node:crypto, in the shape the SigV4 signer expects. */
class NodeSha256 {
  readonly #secret: Buffer | undefined;
  #chunks: Buffer[] = [];
  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : bytes(secret);
  }
  update(data: SourceData): void {
    this.#chunks.push(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    const hash = this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
    for (const chunk of this.#chunks) hash.update(chunk);
    return new Uint8Array(hash.digest());
  }
  reset(): void {
    this.#chunks = [];
  }
}

/** The regional STS host the token names; aws-iam-authenticator accepts only STS hosts. */
export function stsHost(region: string): string {
  return region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

/**
 * Builds the token EKS accepts, in process (no aws CLI): a presigned STS GetCallerIdentity URL
 * whose signed headers include `x-k8s-aws-id: <cluster>`, base64url without padding, after
 * `k8s-aws-v1.`. The API server's authenticator replays the URL to STS to learn who signed it.
 *
 * @example
 * const { token } = await eksToken({ cluster: 'prod', region: 'eu-west-1', credentials });
 */
export async function eksToken(options: EksTokenOptions): Promise<EksToken> {
  const now = options.now ?? new Date();
  const credentials =
    typeof options.credentials === 'function' ? await options.credentials() : options.credentials;
  const signer = new SignatureV4({
    service: 'sts',
    region: options.region,
    credentials,
    sha256: NodeSha256,
  });
  const hostname = stsHost(options.region);
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, 'x-k8s-aws-id': options.cluster },
    },
    // STS ignores the value; the authenticator refuses more than 15 minutes.
    { expiresIn: 60, signingDate: now },
  );
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(signed.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== null) query.append(key, item);
  }
  const url = `https://${hostname}/?${query.toString()}`;
  // STS refuses a URL signed by credentials that have expired: the token cannot outlive its signer.
  const signerEnds = credentials.expiration
    ? credentials.expiration.getTime() - 60_000
    : Number.POSITIVE_INFINITY;
  return {
    token: tokenPrefix + Buffer.from(url).toString('base64url'),
    expiresAt: new Date(Math.min(now.getTime() + usableMs, signerEnds)),
  };
}
