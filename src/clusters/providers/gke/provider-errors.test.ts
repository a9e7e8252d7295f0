import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gkeRecordings,
  type RecordedApi,
  gkeRef as ref,
  rejection,
  startRecordedApi,
} from './fixtures/recorded-api.js';
import { type GcpAuthPort, GkeProvider } from './index.js';

// Every Google error here is a RECORDED GKE v1 REST response from ./fixtures, served by a local
// HTTP server: no real Google Cloud can run in tests. The SDK parses them as it would Google's.
let api: RecordedApi;
// A static auth port.
const auth: GcpAuthPort = { getAccessToken: async () => ({ token: 'ya29.test' }) };
const provider = (projects: string[], options: { auth?: GcpAuthPort } = {}) =>
  new GkeProvider({ projects, apiEndpoint: api.url, auth: options.auth ?? auth });

beforeAll(async () => {
  api = await startRecordedApi(gkeRecordings);
});
afterAll(async () => {
  await api.close();
});

describe('GKE API failures, each with its fix', () => {
  const failure = async (project: string) => (await provider([project]).listClusters()).errors[0]?.message;

  it('says to enable the Kubernetes Engine API when it is disabled', async () => {
    expect(await failure('acme-disabled')).toMatch(
      /Kubernetes Engine API is not enabled\. Enable it with `gcloud services enable container\.googleapis\.com --project acme-disabled`/,
    );
  });

  it('says a project that does not exist should be checked by its ID', async () => {
    expect(await failure('acme-typo')).toContain('Not found: projects/acme-typo');
    expect(await failure('acme-typo')).toContain('gcloud projects list');
  });

  it('says to log in again when Google rejects the token', async () => {
    expect(await failure('acme-expired')).toContain('gcloud auth application-default login');
  });

  it('names the refused permission from the ErrorInfo of a 403', async () => {
    const error = await rejection(
      provider(['acme-prod']).describe(ref('acme-prod', 'europe-west1', 'ledger')),
    );
    expect(error.code).toBe('auth.forbidden');
    expect(error.details.permission).toBe('container.clusters.get');
  });

  it('says how to get Application Default Credentials when there are none', async () => {
    const noAdc = {
      getAccessToken: () =>
        Promise.reject(
          new Error(
            'Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.',
          ),
        ),
    };
    const gke = provider(['acme-prod'], { auth: noAdc });
    const error = await rejection(gke.describe(ref('acme-prod', 'europe-west1', 'payments')));
    expect(error.code).toBe('auth.unauthorized');
    expect(error.message).toContain('no Google Application Default Credentials found');
    expect(error.fix).toContain('GOOGLE_APPLICATION_CREDENTIALS');
  });
});
