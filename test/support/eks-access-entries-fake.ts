import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * FAKE of the EKS access entries API. moto has no access entries, so this server answers those
 * routes itself, in the shapes of the EKS API reference (CreateAccessEntry, ListAccessEntries,
 * DescribeAccessEntry, DeleteAccessEntry, AssociateAccessPolicy, ListAssociatedAccessPolicies,
 * DisassociateAccessPolicy), and passes every other request through to moto unchanged.
 */
export interface AccessEntriesFake {
  readonly endpoint: string;
  /** Entries by cluster, then principal ARN; the EKS authenticator stand-in reads them. */
  readonly entries: Map<string, Map<string, FakeEntry>>;
  close(): Promise<void>;
}

export interface FakeEntry {
  readonly principalArn: string;
  readonly username: string;
  readonly kubernetesGroups: string[];
  readonly type: string;
  readonly policies: Map<string, { policyArn: string; accessScope: { type: string; namespaces?: string[] } }>;
}

const route = /^\/clusters\/([^/]+)\/access-entries(?:\/([^/]+)(?:\/access-policies(?:\/([^/]+))?)?)?$/;

function reply(response: ServerResponse, status: number, body: object, errorType?: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json');
  if (errorType) response.setHeader('x-amzn-errortype', errorType);
  response.end(JSON.stringify(body));
}

async function body(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
}

function entryShape(cluster: string, entry: FakeEntry): object {
  return {
    clusterName: cluster,
    principalArn: entry.principalArn,
    kubernetesGroups: entry.kubernetesGroups,
    accessEntryArn: `arn:aws:eks:us-east-1:123456789012:access-entry/${cluster}/${encodeURIComponent(entry.principalArn)}`,
    username: entry.username,
    type: entry.type,
  };
}

type Answer = readonly [number, object, string?];
const answer = (status: number, payload: object, errorType?: string): Answer =>
  errorType ? [status, payload, errorType] : [status, payload];

function handle(
  entries: AccessEntriesFake['entries'],
  method: string,
  match: RegExpExecArray,
  input: Record<string, unknown>,
): Answer {
  const cluster = decodeURIComponent(match[1]!);
  const principal = match[2] ? decodeURIComponent(match[2]) : undefined;
  const policy = match[3] ? decodeURIComponent(match[3]) : undefined;
  const ofCluster = entries.get(cluster) ?? new Map<string, FakeEntry>();
  entries.set(cluster, ofCluster);
  if (!principal && method === 'GET') return answer(200, { accessEntries: [...ofCluster.keys()] });
  if (!principal && method === 'POST') {
    const arn = String(input.principalArn);
    if (ofCluster.has(arn))
      return answer(
        409,
        { message: `The specified access entry resource is already in use on this cluster.` },
        'ResourceInUseException',
      );
    const entry: FakeEntry = {
      principalArn: arn,
      username: String(input.username ?? arn),
      kubernetesGroups: (input.kubernetesGroups as string[] | undefined) ?? [],
      type: String(input.type ?? 'STANDARD'),
      policies: new Map(),
    };
    ofCluster.set(arn, entry);
    return answer(200, { accessEntry: entryShape(cluster, entry) });
  }
  const entry = principal ? ofCluster.get(principal) : undefined;
  if (!entry)
    return answer(
      404,
      { message: `The specified principalArn could not be found.` },
      'ResourceNotFoundException',
    );
  if (match[0].endsWith('/access-policies') && method === 'GET')
    return answer(200, {
      clusterName: cluster,
      principalArn: entry.principalArn,
      associatedAccessPolicies: [...entry.policies.values()],
    });
  if (match[0].endsWith('/access-policies') && method === 'POST') {
    const association = {
      policyArn: String(input.policyArn),
      accessScope: input.accessScope as { type: string; namespaces?: string[] },
    };
    entry.policies.set(association.policyArn, association);
    return answer(200, {
      clusterName: cluster,
      principalArn: entry.principalArn,
      associatedAccessPolicy: association,
    });
  }
  if (policy && method === 'DELETE') {
    entry.policies.delete(policy);
    return answer(200, {});
  }
  if (method === 'DELETE') {
    ofCluster.delete(entry.principalArn);
    return answer(200, {});
  }
  return answer(200, { accessEntry: entryShape(cluster, entry) });
}

async function passThrough(request: IncomingMessage, response: ServerResponse, moto: string): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([key]) => key !== 'host' && key !== 'content-length'),
  ) as Record<string, string>;
  const answer = await fetch(`${moto}${request.url}`, {
    method: request.method ?? 'GET',
    headers,
    ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
  });
  response.statusCode = answer.status;
  answer.headers.forEach((value, key) => {
    if (key !== 'content-length' && key !== 'transfer-encoding' && key !== 'content-encoding')
      response.setHeader(key, value);
  });
  response.end(Buffer.from(await answer.arrayBuffer()));
}

/** Starts the fake on a free port in front of moto. */
export async function startAccessEntriesFake(moto: string): Promise<AccessEntriesFake> {
  const entries: AccessEntriesFake['entries'] = new Map();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const match = route.exec(path);
    const work = match
      ? body(request).then((input) =>
          reply(response, ...handle(entries, request.method ?? 'GET', match, input)),
        )
      : passThrough(request, response, moto);
    work.catch((error: unknown) => reply(response, 500, { message: String(error) }, 'ServerException'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    entries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
