import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { freshStore } from '../../test/support/stores.js';
import { AppError } from '../errors.js';
import { ClusterConnections, reachCluster } from './connections.js';
import { addProvider, providerFactories } from './registry.js';
import type { ClusterProvider, ClusterRef, RunCommandPort } from './types.js';

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

describe('one cached connection per cluster', () => {
  /** A cloud account double registered under the gcp kind: it counts how often it lists. */
  async function cloudAccount() {
    const refs = ['gke/p/l/a', 'gke/p/l/b'].map(
      (name): ClusterRef => ({ name, provider: 'gke', server: 'https://127.0.0.1:1', current: false }),
    );
    const counts = { lists: 0, stores: 0 };
    const provider: ClusterProvider = {
      kind: 'gke',
      listClusters: async () => {
        counts.lists++;
        return { clusters: refs, errors: [] };
      },
      connect: async () => directConfig(),
      describe: async (cluster) => ({ cluster, endpoint: cluster.server }),
    };
    const real = providerFactories.get('gcp')!;
    providerFactories.set('gcp', async () => provider);
    const fresh = await freshStore('sqlite');
    await addProvider(fresh.store, { name: 'acme', settings: { kind: 'gcp', projects: ['p'] } }, 'test');
    const clusters = new ClusterConnections({
      kubeconfig: undefined,
      env: {},
      store: async () => {
        counts.stores++;
        return fresh.store;
      },
    });
    const cleanup = async () => {
      providerFactories.set('gcp', real);
      await fresh.cleanup();
    };
    return { clusters, counts, cleanup };
  }

  it('lists the cloud accounts once for every cluster and every call, and asks for the store once', async () => {
    const { clusters, counts, cleanup } = await cloudAccount();
    try {
      const first = await clusters.client('gke/p/l/a');
      expect(await clusters.client('gke/p/l/a')).toBe(first);
      await clusters.client('gke/p/l/b');
      expect(await clusters.accessEntries('gke/p/l/a')).toBeUndefined();
      expect(counts).toEqual({ lists: 1, stores: 1 });
    } finally {
      await cleanup();
    }
  });

  it('lists again after a name no account lists, so an account added meanwhile is found', async () => {
    const { clusters, counts, cleanup } = await cloudAccount();
    try {
      await expect(clusters.client('gke/p/l/gone')).rejects.toMatchObject({ code: 'context.unknown' });
      await clusters.client('gke/p/l/a');
      expect(counts.lists).toBe(2);
    } finally {
      await cleanup();
    }
  });

  it('reaches any other name as a kubeconfig context, without opening the store', async () => {
    const clusters = new ClusterConnections({
      kubeconfig: '/nonexistent/kubeconfig',
      env: {},
      store: async () => {
        throw new Error('the store must not be opened for a kubeconfig context');
      },
    });
    await expect(clusters.client('kind-dev')).rejects.toMatchObject({ code: 'kubeconfig.missing' });
  });
});
