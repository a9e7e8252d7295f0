import { readFileSync } from 'node:fs';
import type https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { gkeRecordings, type RecordedApi, gkeRef as ref, startRecordedApi } from './fixtures/recorded-api.js';
import { GkeProvider } from './index.js';

// Every Google answer here is a RECORDED GKE v1 REST response from ./fixtures, served by a local
// HTTP server: no real Google Cloud can run in tests. The SDK's REST transport runs unchanged.
let api: RecordedApi;
let minted = 0;
// A static auth port: each call mints a new, recognisable token.
const auth = { getAccessToken: async () => ({ token: `ya29.test-${++minted}` }) };
const provider = (projects: string[]) => new GkeProvider({ projects, apiEndpoint: api.url, auth });

beforeAll(async () => {
  api = await startRecordedApi(gkeRecordings);
});
afterAll(async () => {
  await api.close();
});

describe('GKE provider against recorded GKE API responses', () => {
  it('lists two projects in parallel and reports the one that fails as an error with its fix', async () => {
    const listing = await provider(['acme-prod', 'acme-staging']).listClusters();
    expect(listing.clusters.map((cluster) => cluster.name)).toEqual([
      'gke/acme-prod/europe-west1-b/web',
      'gke/acme-prod/europe-west1/payments',
    ]);
    expect(listing.clusters[1]).toEqual({
      name: 'gke/acme-prod/europe-west1/payments',
      provider: 'gke',
      server: 'https://172.16.0.2',
      current: false,
      location: { project: 'acme-prod', location: 'europe-west1' },
    });
    const staging = listing.errors.find((error) => error.source === 'gke acme-staging');
    expect(staging?.message).toContain('Google refused container.clusters.list');
    expect(staging?.message).toContain('roles/container.clusterViewer');
    expect(api.requests.every((request) => request.authorization?.startsWith('Bearer ya29.test-'))).toBe(
      true,
    );
  });

  it('reports the zones GKE could not read instead of dropping them silently', async () => {
    const listing = await provider(['acme-prod']).listClusters();
    expect(listing.errors).toEqual([
      {
        source: 'gke acme-prod asia-east1-c',
        message: 'GKE could not read zone asia-east1-c; clusters there are missing from this list',
      },
    ]);
  });

  it('describes a private cluster: private endpoint only, DNS endpoint, IAM auth, version and status', async () => {
    const description = await provider(['acme-prod']).describe(ref('acme-prod', 'europe-west1', 'payments'));
    expect(description).toMatchObject({
      version: '1.31.1-gke.1678000',
      endpoint: 'https://172.16.0.2',
      endpointAccess: { public: false, private: true },
      authMode: 'iam',
      status: 'RUNNING',
      endpoints: {
        private: '172.16.0.2',
        dns: 'gke-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b-123456789012.europe-west1.gke.goog',
        authorizedNetworks: true,
      },
    });
    expect(description.endpoints.public).toBeUndefined();
  });

  it('names legacy ABAC and an issued client certificate beside IAM', async () => {
    const description = await provider(['acme-prod']).describe(ref('acme-prod', 'europe-west1-b', 'web'));
    expect(description.authMode).toBe('iam+legacy-abac+client-certificate');
    expect(description.endpointAccess).toEqual({ public: true, private: true });
  });

  it('connects with the cluster endpoint, its CA and a fresh bearer token from the auth port', async () => {
    const gke = provider(['acme-prod']);
    const config = await gke.connect(ref('acme-prod', 'europe-west1-b', 'web'));
    const recorded = JSON.parse(
      readFileSync(new URL('./fixtures/get-cluster.web.json', import.meta.url), 'utf8'),
    );
    expect(config.getCurrentCluster()?.server).toBe('https://34.76.120.15');
    expect(config.getCurrentCluster()?.caData).toBe(recorded.masterAuth.clusterCaCertificate);
    const before = minted;
    const options: https.RequestOptions = {};
    await config.applyToHTTPSOptions(options);
    expect((options.headers as Record<string, string>).Authorization).toBe(`Bearer ya29.test-${before + 1}`);
    expect(String(options.ca)).toContain('BEGIN CERTIFICATE');
  });

  it('turns an unreachable private endpoint into an error that names the network path to fix', async () => {
    const gke = provider(['acme-prod']);
    const timeout = new AppError('cluster.timeout', 'GET https://172.16.0.2/version timed out after 3s');
    const explained = await gke.explainFailure(ref('acme-prod', 'europe-west1', 'payments'), timeout);
    expect(explained.code).toBe('cluster.unreachable');
    expect(explained.message).toContain('only a private control plane endpoint (172.16.0.2)');
    expect(explained.fix).toContain("reaches the cluster's VPC");
  });
});
