import type { KubeClient } from './client.js';

export interface ServerVersion {
  readonly gitVersion: string;
  readonly major: string;
  readonly minor: string;
  readonly platform?: string;
}

/** Asks the API server for its version; `/version` is readable by every authenticated user. */
export async function getServerVersion(client: KubeClient, timeoutMs?: number): Promise<ServerVersion> {
  return await client.request<ServerVersion>({ path: '/version', ...(timeoutMs ? { timeoutMs } : {}) });
}
