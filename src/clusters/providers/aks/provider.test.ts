// No Azure subscription can be used here, so these tests run the real Azure SDK against RECORDED
// Azure Resource Manager responses: fixtures/*.json hold one request and its answer each, written
// in the shapes of the AKS REST API (api-version 2026-04-01) after its published examples and ARM's
// error bodies, not captured from a live subscription. A local HTTPS server plays them back; the
// SDK sends bearer tokens over https only, hence TLS with a test-only certificate (fixtures/tls-*.pem).
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CredentialUnavailableError, type TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import type { ClusterRef } from '../../types.js';
import { AksProvider, type AksProviderOptions } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url);
const subscriptionA = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const subscriptionB = '7d2a9c4e-58b1-4f3a-9e6d-2c8b1a0f4e73';
const subscriptionC = 'c3e5a7b9-1d2f-4a6b-8c0e-9f1a2b3c4d5e';
const aksServerApp = '6dae42f8-4368-4678-94ff-3960e28e3630';

interface Recording {
  readonly request: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}
interface Received {
  readonly line: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** The recordings by request line; several for one request are played in file-name order. */
function loadRecordings(): Map<string, Recording[]> {
  const answers = new Map<string, Recording[]>();
  const files = readdirSync(fixtures).filter((name) => name.endsWith('.json'));
  for (const file of files.sort()) {
    const recording = JSON.parse(readFileSync(new URL(file, fixtures), 'utf8')) as Recording;
    const key = recording.request.toLowerCase();
    answers.set(key, [...(answers.get(key) ?? []), recording]);
  }
  return answers;
}

/** The next recording for a request line; the last one repeats, as a finished operation stays finished. */
function next(answers: Map<string, Recording[]>, line: string): Recording {
  const queue = answers.get(line.toLowerCase());
  const recording = queue && queue.length > 1 ? queue.shift() : queue?.[0];
  // A request nothing was recorded for gets an ARM-shaped 404 that names it, so the test fails plainly.
  return (
    recording ?? {
      request: line,
      status: 404,
      body: { error: { code: 'NoRecordedResponse', message: `nothing recorded for ${line}` } },
    }
  );
}

/** A local HTTPS server that plays the recordings and keeps what it received. */
function recordedArm(): { server: Server; received: Received[]; origin: () => string } {
  const answers = loadRecordings();
  const received: Received[] = [];
  const origin = () => `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tls = {
    cert: readFileSync(new URL('tls-cert.pem', fixtures)),
    key: readFileSync(new URL('tls-key.pem', fixtures)),
  };
  const server = createServer(tls, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const line = `${request.method} ${new URL(request.url ?? '/', origin()).pathname}`;
      const body = Buffer.concat(chunks).toString();
      received.push({ line, authorization: request.headers.authorization, body });
      const recording = next(answers, line);
      const headers = Object.entries(recording.headers ?? {}).map(([name, value]) => [
        name,
        value.replace('{origin}', origin()),
      ]);
      response.writeHead(recording.status, {
        'content-type': 'application/json',
        ...Object.fromEntries(headers),
      });
      response.end(recording.body === undefined ? '' : JSON.stringify(recording.body));
    });
  });
  return { server, received, origin };
}

/** A credential that mints a token naming its scope, so tests see which audience each call asked for. */
const credential: TokenCredential = {
  getToken: async (scopes) => ({
    token: `recorded-token.${[scopes].flat().join(' ')}`,
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

const arm = recordedArm();
const ca = readFileSync(new URL('tls-cert.pem', fixtures), 'utf8');
beforeAll(() => new Promise<void>((resolve) => arm.server.listen(0, '127.0.0.1', resolve)));
afterAll(() => new Promise<void>((resolve) => arm.server.close(() => resolve())));

function provider(options: Partial<AksProviderOptions> = {}): AksProvider {
  return new AksProvider({
    subscriptions: [subscriptionA],
    credential,
    endpoint: arm.origin(),
    endpointCa: ca,
    pollIntervalMs: 10,
    ...options,
  });
}

function ref(subscription: string, resourceGroup: string, cluster: string): ClusterRef {
  return {
    name: `aks/${subscription}/${resourceGroup}/${cluster}`,
    provider: 'aks',
    server: '',
    current: false,
  };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('AKS provider against recorded ARM responses', () => {
  it('lists the clusters of every subscription and reports a refused subscription as an error entry', async () => {
    const listing = await provider({ subscriptions: [subscriptionA, subscriptionB] }).listClusters();
    expect(listing.clusters.map((cluster) => cluster.name)).toEqual([
      `aks/${subscriptionA}/rg-web/web`,
      `aks/${subscriptionA}/rg-secure/vault`,
      `aks/${subscriptionA}/rg-prod/prod`,
    ]);
    expect(listing.clusters[0]).toEqual({
      name: `aks/${subscriptionA}/rg-web/web`,
      provider: 'aks',
      server: 'https://web-rg-web-0b1f64-8c2d1e4f.hcp.westeurope.azmk8s.io',
      current: false,
      location: { subscription: subscriptionA, resourceGroup: 'rg-web', region: 'westeurope' },
    });
    expect(listing.clusters[1]?.server).toMatch(/^https:\/\/vault-.*\.privatelink\.northeurope\.azmk8s\.io$/);
    expect(listing.errors).toHaveLength(1);
    expect(listing.errors[0]?.source).toBe(`aks ${subscriptionB}`);
    expect(listing.errors[0]?.message).toMatch(
      /Azure refused Microsoft\.ContainerService\/managedClusters\/read/,
    );
    const list = arm.received.find((request) =>
      request.line.startsWith(`GET /subscriptions/${subscriptionA}/`),
    );
    // ARM calls carry a token for the endpoint's own audience (management.azure.com/.default in Azure).
    expect(list?.authorization).toBe(`Bearer recorded-token.${arm.origin()}/.default`);
  });

  it('lists only the given resource group', async () => {
    const listing = await provider({ resourceGroup: 'rg-web' }).listClusters();
    expect(listing).toEqual({
      clusters: [expect.objectContaining({ name: `aks/${subscriptionA}/rg-web/web` })],
      errors: [],
    });
  });

  it('lists every subscription the credential sees when none is given, and says which it skipped', async () => {
    const listing = await provider({ subscriptions: [] }).listClusters();
    expect(listing.clusters.map((cluster) => cluster.name)).toEqual([
      `aks/${subscriptionA}/rg-web/web`,
      `aks/${subscriptionA}/rg-secure/vault`,
      `aks/${subscriptionA}/rg-prod/prod`,
    ]);
    expect(listing.errors.map((error) => error.source)).toEqual([
      'aks subscriptions',
      `aks ${subscriptionB}`,
    ]);
    expect(listing.errors[0]?.message).toBe(
      'skipped disabled or deleted subscription(s) 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    );
    const discovery = arm.received.find((request) => request.line === 'GET /subscriptions');
    expect(discovery?.authorization).toBe(`Bearer recorded-token.${arm.origin()}/.default`);
  });

  it('describes a private Entra ID cluster with Azure RBAC', async () => {
    const description = await provider().describe(ref(subscriptionA, 'rg-secure', 'vault'));
    expect(description).toMatchObject({
      version: '1.30.6',
      endpoint: expect.stringMatching(/^https:\/\/vault-.*\.privatelink\.northeurope\.azmk8s\.io$/),
      endpointAccess: { public: false, private: true },
      authMode: 'azure-rbac',
      status: 'Running',
    });
    expect((await provider().describe(ref(subscriptionA, 'rg-prod', 'prod'))).status).toBe(
      'Running (Updating)',
    );
  });

  it('connects to an Entra ID cluster with an in-process token for the AKS server app instead of kubelogin', async () => {
    const config = await provider().connect(ref(subscriptionA, 'rg-web', 'web'));
    const recorded = JSON.parse(readFileSync(new URL('credentials-web-user.json', fixtures), 'utf8'));
    const kubeconfig = Buffer.from(recorded.body.kubeconfigs[0].value, 'base64').toString();
    expect(config.getCurrentCluster()?.server).toBe(
      'https://web-rg-web-0b1f64-8c2d1e4f.hcp.westeurope.azmk8s.io:443',
    );
    expect(kubeconfig).toContain(`certificate-authority-data: ${config.getCurrentCluster()?.caData}`);
    expect(config.getCurrentUser()?.exec).toBeUndefined();
    const options: { headers?: Record<string, string> } = {};
    await config.applyToHTTPSOptions(options);
    expect(options.headers?.Authorization).toBe(`Bearer recorded-token.${aksServerApp}/.default`);
    expect(arm.received.at(-1)?.line).toMatch(/\/web\/listClusterUserCredential$/);
  });

  it('connects to a local-account cluster with its admin client certificate when admin is set', async () => {
    const config = await provider({ admin: true }).connect(ref(subscriptionA, 'rg-prod', 'prod'));
    expect(config.getCurrentUser()?.certData).toMatch(/^LS0tLS1CRUdJTi/);
    expect(config.getCurrentUser()?.token).toHaveLength(64);
  });

  it('refuses a private cluster this machine cannot reach and points at runCommand', async () => {
    const error = await failure(provider().connect(ref(subscriptionA, 'rg-secure', 'vault')));
    expect(error.code).toBe('cluster.unreachable');
    expect(error.message).toMatch(/AKS cluster vault is private/);
    expect(error.fix).toContain('gatehouse setup azure --for <capability> --subscription <id> --private');
    const explained = await provider().explainFailure(
      ref(subscriptionA, 'rg-secure', 'vault'),
      new AppError('cluster.timeout', 'GET /version timed out'),
    );
    expect(explained.fix).toMatch(/aks-command/);
  });

  it('runs a command through AKS run command with the files zipped and the caller token for Entra ID', async () => {
    const run = provider().runCommand(ref(subscriptionA, 'rg-secure', 'vault'));
    const result = await run.run({
      command: 'sh collect.sh shop',
      files: { 'collect.sh': Buffer.from('echo hi\n') },
    });
    expect(result).toEqual({
      exitCode: 3,
      logs: expect.stringContaining('pod shop/cart-7d9f is not running'),
    });
    const posted = arm.received.find((request) => request.line.endsWith('/vault/runCommand'));
    const body = JSON.parse(posted?.body ?? '{}') as {
      command: string;
      context: string;
      clusterToken: string;
    };
    expect(body.command).toBe('sh collect.sh shop');
    expect(body.clusterToken).toBe(`recorded-token.${aksServerApp}/.default`);
    const zip = Buffer.from(body.context, 'base64');
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.subarray(30, 40).toString()).toBe('collect.sh');
    expect(zip.subarray(40, 48).toString()).toBe('echo hi\n');
    const polls = arm.received.filter((request) => request.line.includes('/commandResults/'));
    expect(polls.length).toBeGreaterThanOrEqual(2);
  });
});

describe('AKS provider errors', () => {
  it('says how to log in when Azure rejects an expired token', async () => {
    const error = await failure(
      provider({ subscriptions: [subscriptionC] }).describe(ref(subscriptionC, 'rg-web', 'web')),
    );
    expect(error.code).toBe('auth.unauthorized');
    expect(error.message).toMatch(/ExpiredAuthenticationToken/);
    expect(error.fix).toMatch(/az login.*AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET/);
  });

  it('says how to log in when no credential is available', async () => {
    const unavailable: TokenCredential = {
      getToken: async () => {
        throw new CredentialUnavailableError(
          'EnvironmentCredential is unavailable. No underlying credential could be used.',
        );
      },
    };
    const error = await failure(
      provider({ credential: unavailable }).describe(ref(subscriptionA, 'rg-web', 'web')),
    );
    expect(error.code).toBe('auth.unauthorized');
    expect(error.fix).toMatch(/az login/);
  });

  it('names the action a missing permission refused and the role that grants it', async () => {
    const error = await failure(provider().connect(ref(subscriptionA, 'rg-prod', 'prod')));
    expect(error.code).toBe('auth.forbidden');
    expect(error.details.action).toBe(
      'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
    );
    expect(error.fix).toContain('gatehouse setup azure --for <capability> --subscription <subscription id>');
    expect(error.fix).toContain(
      'which allows Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
    );
  });

  it('reports a cluster ARM does not know as not found', async () => {
    const error = await failure(provider().describe(ref(subscriptionA, 'rg-web', 'gone')));
    expect(error.code).toBe('not-found');
    expect(error.message).toMatch(/ResourceNotFound/);
    expect(error.fix).toMatch(/gatehouse clusters list/);
  });

  it('refuses admin credentials on a cluster with local accounts disabled', async () => {
    const error = await failure(provider({ admin: true }).connect(ref(subscriptionA, 'rg-secure', 'vault')));
    expect(error.code).toBe('auth.forbidden');
    expect(error.fix).toMatch(/drop admin/);
  });

  it('refuses refs that are not AKS cluster names', async () => {
    const error = await failure(provider().describe({ ...ref(subscriptionA, 'rg', 'x'), name: 'eks/1/2/3' }));
    expect(error.code).toBe('input.invalid');
  });
});
