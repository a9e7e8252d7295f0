import type { ClusterManagerClient } from '@google-cloud/container';
import { accessToken, type GcpAuthPort } from './auth.js';
import type { GkeCluster } from './cluster.js';

/** The two GKE API calls the provider makes, over the SDK's REST transport. */
export interface GkeApi {
  listClusters(
    project: string,
    location: string,
  ): Promise<{ readonly clusters: readonly GkeCluster[]; readonly missingZones: readonly string[] }>;
  getCluster(project: string, location: string, name: string): Promise<GkeCluster>;
  close(): Promise<void>;
}

export interface GkeApiOptions {
  readonly auth: GcpAuthPort;
  /** `https://container.googleapis.com` by default; a plain `http://127.0.0.1:port` in tests. */
  readonly apiEndpoint?: string;
}

type ClientOptions = NonNullable<ConstructorParameters<typeof ClusterManagerClient>[0]>;

// A CLI should fail in seconds, not after the SDK's ten minutes of retries on UNAVAILABLE.
const callOptions = { maxRetries: 2, timeout: 30_000 };

/**
 * The SDK client is made on first call (`await import`) so the CLI starts without loading it.
 * `fallback: true` selects the REST transport, whose HTTP answers tests can record and replay.
 */
export function gkeApi(options: GkeApiOptions): GkeApi {
  let client: Promise<ClusterManagerClient> | undefined;
  const get = (): Promise<ClusterManagerClient> => {
    client ??= import('@google-cloud/container').then(
      ({ ClusterManagerClient }) => new ClusterManagerClient(clientOptions(options)),
    );
    return client;
  };
  // google-gax 5 retries a failing auth client as UNAVAILABLE and reports DEADLINE_EXCEEDED, which
  // would hide "no credentials" behind a timeout: ask for the token first, outside its retries.
  const ready = async (): Promise<ClusterManagerClient> => {
    await accessToken(options.auth);
    return await get();
  };
  return {
    async listClusters(project, location) {
      const [response] = await (await ready()).listClusters(
        { parent: `projects/${project}/locations/${location}` },
        callOptions,
      );
      return { clusters: response.clusters ?? [], missingZones: response.missingZones ?? [] };
    },
    async getCluster(project, location, name) {
      const [cluster] = await (await ready()).getCluster(
        { name: `projects/${project}/locations/${location}/clusters/${name}` },
        callOptions,
      );
      return cluster;
    },
    async close() {
      if (client) await (await client).close();
    },
  };
}

function clientOptions(options: GkeApiOptions): ClientOptions {
  const url = new URL(options.apiEndpoint ?? 'https://container.googleapis.com');
  const secure = url.protocol === 'https:';
  return {
    fallback: true,
    apiEndpoint: url.hostname,
    port: url.port ? Number(url.port) : secure ? 443 : 80,
    // google-gax's REST stub reads `protocol`, which is how a plain-http recording server is reached.
    protocol: secure ? 'https' : 'http',
    // google-gax only calls `getRequestHeaders` and `fetch` on the auth client (fallbackServiceStub),
    // so a two-method adapter over the port replaces GoogleAuth; the cast is for its class type.
    authClient: bearerAuthClient(options.auth) as unknown as ClientOptions['authClient'],
  };
}

/** Puts a token from the port on each request, so no GoogleAuth is needed when a port is given. */
function bearerAuthClient(auth: GcpAuthPort) {
  const authorize = async (headers: Headers): Promise<Headers> => {
    headers.set('authorization', `Bearer ${(await accessToken(auth)).token}`);
    return headers;
  };
  return {
    getRequestHeaders: async () => await authorize(new Headers()),
    fetch: async (url: string | URL, init: RequestInit = {}) =>
      await fetch(url, { ...init, headers: await authorize(new Headers(init.headers)) }),
  };
}
