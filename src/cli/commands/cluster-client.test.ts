import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { ClusterProvider, ClusterRef, RunCommandPort } from '../../clusters/index.js';
import { AppError } from '../../errors.js';
import { reachCluster } from './cluster-client.js';

const ref: ClusterRef = {
  name: 'aks/sub/rg/vault',
  provider: 'aks',
  server: 'https://10.0.0.4:443',
  current: false,
};

/** A provider double: connect answers as told; run command records the commands it is given. */
function providerThat(connect: () => Promise<KubeConfig>) {
  const commands: string[] = [];
  const port: RunCommandPort = {
    async run({ command }) {
      commands.push(command);
      return { exitCode: 1, logs: 'refused by the test double' };
    },
  };
  const provider: ClusterProvider = {
    kind: 'aks',
    listClusters: async () => ({ clusters: [ref], errors: [] }),
    connect,
    describe: async () => ({
      cluster: ref,
      endpoint: ref.server,
      endpointAccess: { public: false, private: true },
    }),
    runCommand: () => port,
  };
  return { provider, commands };
}

function directConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'vault', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'vault', token: 'x' }],
    contexts: [{ name: 'vault', cluster: 'vault', user: 'vault' }],
    currentContext: 'vault',
  });
  return config;
}

describe('reaching a private AKS cluster', () => {
  it('connects directly when this machine reaches the API server, even if the cluster is private', async () => {
    const { provider, commands } = providerThat(async () => directConfig());
    const notes: string[] = [];
    const client = await reachCluster(provider, ref, (line) => notes.push(line));
    expect(client.server).toBe('https://127.0.0.1:1');
    expect(notes).toEqual([]);
    expect(commands).toEqual([]);
  });

  it('goes through run command only when the API server is out of reach, and says so', async () => {
    const { provider, commands } = providerThat(async () => {
      throw new AppError('cluster.unreachable', 'the API server of AKS cluster vault is private');
    });
    const notes: string[] = [];
    const client = await reachCluster(provider, ref, (line) => notes.push(line));
    expect(notes[0]).toContain('going through AKS run command');
    await client.request({ path: '/version' }).catch(() => undefined);
    expect(commands[0]).toContain('kubectl');
  });

  it('passes on every other failure: run command is no cure for refused credentials', async () => {
    const { provider, commands } = providerThat(async () => {
      throw new AppError('auth.forbidden', 'AuthorizationFailed');
    });
    await expect(reachCluster(provider, ref, () => undefined)).rejects.toMatchObject({
      code: 'auth.forbidden',
    });
    expect(commands).toEqual([]);
  });
});
