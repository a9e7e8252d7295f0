import { createServer, request, type Server } from 'node:http';
import { parse } from 'yaml';
import type { KubeClient } from '../../src/kube/index.js';
import { eksWebhookPort } from '../../testcluster/cluster.js';

/**
 * A stand-in for aws-iam-authenticator, the token webhook EKS runs beside its API server. The
 * real one replays tokens to AWS STS, which this machine cannot reach, so this one follows its
 * documented rules against moto's STS: check the token's shape (prefix, STS host, action, signed
 * x-k8s-aws-id, expiry ≤ 15 min), replay the presigned GetCallerIdentity with the cluster id
 * header, and map the returned ARN through kube-system/aws-auth (the ConfigMap backend).
 * moto does not check SigV4 signatures; the cluster binding of the signature is unit-tested.
 */
export interface EksAuthenticator {
  readonly calls: { readonly arn?: string; readonly authenticated: boolean; readonly reason?: string }[];
  close(): Promise<void>;
}

const allowed = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);

function tokenUrl(token: string): URL {
  if (!token.startsWith('k8s-aws-v1.')) throw new Error('not an EKS token');
  const url = new URL(Buffer.from(token.slice(11), 'base64url').toString('utf8'));
  if (!/^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(url.hostname)) throw new Error('not an STS host');
  if (url.pathname !== '/' || url.searchParams.get('Action') !== 'GetCallerIdentity')
    throw new Error('not GetCallerIdentity');
  for (const key of url.searchParams.keys())
    if (!allowed.has(key.toLowerCase())) throw new Error(`unexpected parameter ${key}`);
  if (!url.searchParams.get('X-Amz-SignedHeaders')?.split(';').includes('x-k8s-aws-id'))
    throw new Error('x-k8s-aws-id is not signed');
  if (Number(url.searchParams.get('X-Amz-Expires')) > 900)
    throw new Error('expires more than 15 minutes out');
  const date = url.searchParams.get('X-Amz-Date') ?? '';
  const signedAt = Date.parse(
    date.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (!(Date.now() - signedAt < 15 * 60_000)) throw new Error('token expired');
  return url;
}

async function callerArn(url: URL, moto: string, clusterId: string): Promise<string> {
  // moto's server picks the service from the Authorization header's credential scope, so the
  // presigned query signature is replayed as the equivalent header signature.
  const target = new URL(moto);
  const query = url.searchParams;
  const authorization = `AWS4-HMAC-SHA256 Credential=${query.get('X-Amz-Credential')}, SignedHeaders=${query.get('X-Amz-SignedHeaders')}, Signature=${query.get('X-Amz-Signature')}`;
  const text = await new Promise<string>((resolve, reject) => {
    const call = request(
      {
        host: target.hostname,
        port: target.port,
        path: `/${url.search}`,
        headers: {
          host: url.hostname,
          'x-k8s-aws-id': clusterId,
          authorization,
          'x-amz-date': query.get('X-Amz-Date') ?? '',
          ...(query.get('X-Amz-Security-Token')
            ? { 'x-amz-security-token': query.get('X-Amz-Security-Token')! }
            : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(Buffer.concat(chunks).toString())
            : reject(new Error(`STS refused the token: ${response.statusCode}`)),
        );
      },
    );
    call.on('error', reject);
    call.end();
  });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!arn) throw new Error('STS answered without an ARN');
  return arn;
}

type Mapping = { rolearn?: string; userarn?: string; username: string; groups?: string[] };

type Identity = { username: string; groups: string[] };

async function mapArn(
  admin: KubeClient,
  arn: string,
  accessEntry: ((principal: string) => Identity | undefined) | undefined,
): Promise<Identity | undefined> {
  const assumed = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  const principal = assumed ? `arn:aws:iam::${assumed[1]}:role/${assumed[2]}` : arn;
  // As on EKS in API_AND_CONFIG_MAP mode: an access entry wins over aws-auth.
  const entered = accessEntry?.(principal);
  if (entered) return entered;
  const configMap = await admin.request<{ data?: Record<string, string> }>({
    path: '/api/v1/namespaces/kube-system/configmaps/aws-auth',
  });
  const entries = [
    ...((parse(configMap.data?.mapRoles ?? '[]') ?? []) as Mapping[]),
    ...((parse(configMap.data?.mapUsers ?? '[]') ?? []) as Mapping[]),
  ];
  const entry = entries.find((candidate) => (candidate.rolearn ?? candidate.userarn) === principal);
  if (!entry) return undefined;
  const username = entry.username
    .replace('{{SessionName}}', assumed?.[3] ?? '')
    .replace('{{AccountID}}', assumed?.[1] ?? arn.split(':')[4] ?? '');
  return { username, groups: entry.groups ?? [] };
}

/** Starts the webhook on the port the test cluster's API server calls. */
export async function startEksAuthenticator(options: {
  readonly admin: KubeClient;
  readonly moto: string;
  readonly clusterId: string;
  /** Access entries of the cluster (the access entries fake), consulted before aws-auth. */
  readonly accessEntry?: (principalArn: string) => Identity | undefined;
}): Promise<EksAuthenticator> {
  const calls: EksAuthenticator['calls'][number][] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const review = JSON.parse(Buffer.concat(chunks).toString()) as { spec: { token: string } };
    let status: object = { authenticated: false };
    try {
      const arn = await callerArn(tokenUrl(review.spec.token), options.moto, options.clusterId);
      const user = await mapArn(options.admin, arn, options.accessEntry);
      calls.push({ arn, authenticated: Boolean(user), ...(user ? {} : { reason: 'not in aws-auth' }) });
      if (user) status = { authenticated: true, user: { ...user, uid: `aws-iam-authenticator:${arn}` } };
    } catch (error) {
      calls.push({ authenticated: false, reason: String(error) });
    }
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', status }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(eksWebhookPort, '127.0.0.1', resolve);
  });
  return { calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
