import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startExecPeer } from '../../test/support/exec-peer.js';
import { freshStore } from '../../test/support/stores.js';
import {
  AgentRegistry,
  createAgent,
  dialRelay,
  listAgents,
  revokeAgent,
  rotateAgentToken,
  runAgent,
} from '../agent/index.js';
import { ClusterConnections } from '../clusters/index.js';
import { defaultSessionSettings } from '../config/index.js';
import { createSession, createToken } from '../identity/index.js';
import { execInContainer, KubeClient, loadKubeconfig } from '../kube/index.js';
import { startServer } from './serve.js';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const output = Buffer.alloc(5 * 1024 * 1024, 'a');

/** A server with an agent registry, an agent token, and an API server peer for the agent to serve. */
async function setup(options: { heartbeatMs?: number } = {}) {
  const fresh = await freshStore('sqlite');
  closers.push(fresh.cleanup);
  const peer = await startExecPeer([
    { namespace: 'ns', name: 'web', container: 'app', labels: {}, stdout: () => output },
  ]);
  closers.push(peer.close);
  const registry = new AgentRegistry({ reconnectWaitMs: 2_000, ...options });
  const clusters = new ClusterConnections({
    kubeconfig: undefined,
    env: {},
    store: async () => fresh.store,
    agents: async (cluster) => registry.transport(cluster.slice('agent/'.length)),
  });
  const server = await startServer({
    gatehouse: { store: async () => fresh.store, clusters },
    host: '127.0.0.1',
    port: 0,
    intervalMs: 1000,
    webhooks: [],
    log: () => undefined,
    agents: registry,
  });
  closers.push(server.close);
  const { token } = await createAgent(fresh.store, { name: 'peer', actor: 'test' });
  const client = new KubeClient(
    loadKubeconfig({ path: peer.kubeconfig(mkdtempSync(join(tmpdir(), 'gh-agent-'))) }).config,
  );
  return { store: fresh.store, registry, clusters, server, token, client };
}

function agentFor(
  context: Awaited<ReturnType<typeof setup>>,
  options: { token?: string; env?: NodeJS.ProcessEnv } = {},
): { log: string[]; stop: () => Promise<void> } {
  const log: string[] = [];
  const stop = new AbortController();
  const running = runAgent({
    server: context.server.url,
    token: () => options.token ?? context.token,
    client: context.client,
    version: 'test',
    env: options.env ?? {},
    log: (line) => log.push(line),
    signal: stop.signal,
    backoffMs: { initial: 50, max: 200 },
  });
  const stopAgent = async () => {
    stop.abort();
    await running;
  };
  closers.push(stopAgent);
  return { log, stop: stopAgent };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sink = () => {
  let bytes = 0;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  return { stream, bytes: () => bytes };
};

describe('agents dialling in to the server', () => {
  it('makes a connected agent its cluster’s transport: API reads and a 5 MiB exec come back through it', async () => {
    const context = await setup();
    agentFor(context);
    await until(() => context.registry.session('peer') !== undefined, 'the agent to connect');
    const client = await context.clusters.client('agent/peer');
    const pod = await client.request<{ metadata: { name: string } }>({
      path: '/api/v1/namespaces/ns/pods/web',
    });
    expect(pod.metadata.name).toBe('web');
    const stdout = sink();
    const result = await execInContainer(client, {
      namespace: 'ns',
      pod: 'web',
      container: 'app',
      command: ['sh', '-c', 'collect'],
      stdout: stdout.stream,
      stderr: sink().stream,
    });
    expect(result.status).toBe('Success');
    expect(stdout.bytes()).toBe(output.length);
    const [agent] = await listAgents(context.store);
    expect(agent).toMatchObject({ agentVersion: 'test', connectedAt: expect.any(String) });
  });

  it('refuses an unknown token before any socket opens, and the agent logs the server’s reason and keeps retrying', async () => {
    const context = await setup();
    const agent = agentFor(context, { token: 'gha_not-a-real-token' });
    await until(() => agent.log.filter((line) => line.includes('HTTP 401')).length >= 2, 'two refusals');
    expect(agent.log[0]).toContain('unknown agent token');
    expect(context.registry.sessions).toHaveLength(0);
  });

  it('survives callers that reset their connection while the server is still deciding, or while it refuses them', async () => {
    const context = await setup();
    const { port } = new URL(context.server.url);
    const resets = Array.from({ length: 20 }, (_, index) =>
      resetMidUpgrade(Number(port), index % 2 === 0 ? 'gha_not-a-real-token' : context.token, index * 2),
    );
    await Promise.all(resets);
    // Given time to answer them all, the server would have crashed on an unheard socket error.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const health = await fetch(`${context.server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('refuses an upgrade to a path no URL can be read from, and keeps serving', async () => {
    const context = await setup();
    const { port } = new URL(context.server.url);
    for (const target of ['//', '//a:99999/', '//[/']) {
      const answer = await rawUpgrade(Number(port), target);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"code":"input.invalid"');
    }
    const health = await fetch(`${context.server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('fails calls at once while the agent is offline, naming the cluster and the fix', async () => {
    const context = await setup();
    const client = await context.clusters.client('agent/peer');
    await expect(client.request({ path: '/api/v1/namespaces/ns/pods/web' })).rejects.toMatchObject({
      code: 'cluster.unreachable',
      message: 'cluster "agent/peer" is offline: its agent is not connected to this server',
    });
  });

  it('dials out through the HTTP proxy in HTTP_PROXY with CONNECT, and nothing else', async () => {
    const context = await setup();
    const proxy = await connectProxy();
    closers.push(proxy.close);
    agentFor(context, { env: { HTTP_PROXY: proxy.url } });
    await until(
      () => context.registry.session('peer') !== undefined,
      'the agent to connect through the proxy',
    );
    expect(proxy.connects).toEqual([new URL(context.server.url).host]);
  });

  it('drops a connected agent within a heartbeat of its revocation or rotation, and refuses it when it tries again', async () => {
    const context = await setup({ heartbeatMs: 200 });
    const agent = agentFor(context);
    await until(() => context.registry.session('peer') !== undefined, 'the agent to connect');
    await rotateAgentToken(context.store, { name: 'peer', actor: 'test' });
    await until(
      () => agent.log.some((line) => line.includes('revoked or rotated')),
      'the rotated agent to be dropped',
    );
    await until(() => agent.log.some((line) => line.includes('HTTP 401')), 'the old token to be refused');
    await revokeAgent(context.store, { name: 'peer', actor: 'test' });
    expect(context.registry.session('peer')).toBeUndefined();
    const [row] = await listAgents(context.store);
    expect(row).toMatchObject({
      connectedAt: undefined,
      lastError: expect.stringContaining('revoked or rotated'),
    });
  });

  it('relays a CLI signed in as an admin to the agent cluster, and refuses a token without the role', async () => {
    const context = await setup();
    agentFor(context);
    await until(() => context.registry.session('peer') !== undefined, 'the agent to connect');
    const admin = await createToken(context.store, { user: 'root', admin: true, createdBy: 'test' });
    const relay = await dialRelay({
      server: context.server.url,
      token: admin.token,
      cluster: 'agent/peer',
      env: {},
    });
    closers.push(relay.close);
    const text = await relay.transport.request({ path: '/api/v1/namespaces/ns/pods/web' });
    expect(JSON.parse(text).metadata.name).toBe('web');
    const plain = await createToken(context.store, { user: 'alice', createdBy: 'test' });
    await expect(
      dialRelay({ server: context.server.url, token: plain.token, cluster: 'agent/peer', env: {} }),
    ).rejects.toMatchObject({
      code: 'auth.forbidden',
      message: expect.stringContaining('alice may not reach cluster agent/peer'),
    });
  });
});

describe('several replicas', () => {
  it('reaches an agent connected to another replica through that replica, and only it', async () => {
    const context = await setup();
    // A second replica over the same store, with its own registry and no agent of its own.
    const registry = new AgentRegistry();
    const clusters = new ClusterConnections({
      kubeconfig: undefined,
      env: {},
      store: async () => context.store,
      agents: async (cluster) => registry.transport(cluster.slice('agent/'.length)),
    });
    const other = await startServer({
      gatehouse: { store: async () => context.store, clusters },
      host: '127.0.0.1',
      port: 0,
      intervalMs: 1000,
      webhooks: [],
      log: () => undefined,
      agents: registry,
      replicaId: 'replica-b',
    });
    closers.push(other.close);
    agentFor(context);
    await until(
      () => context.registry.session('peer') !== undefined,
      'the agent to connect to the first replica',
    );
    const client = await clusters.client('agent/peer');
    const pod = await client.request<{ metadata: { name: string } }>({
      path: '/api/v1/namespaces/ns/pods/web',
    });
    expect(pod.metadata.name).toBe('web');
    const stdout = sink();
    const result = await execInContainer(client, {
      namespace: 'ns',
      pod: 'web',
      container: 'app',
      command: ['sh'],
      stdout: stdout.stream,
      stderr: sink().stream,
    });
    expect(result.status).toBe('Success');
    expect(stdout.bytes()).toBe(output.length);
    expect(registry.session('peer')).toBeUndefined();
    const relays = await context.store.db
      .selectFrom('audit_events')
      .select('actor')
      .where('action', '=', 'agent.relay')
      .execute();
    expect(relays.map((row) => row.actor)).toEqual(['replica:replica-b']);
  });
});

describe('what a relay lets through', () => {
  it('gives a responder reads, exec and debug containers through the agent, and refuses them writes', async () => {
    const context = await setup();
    agentFor(context);
    await until(() => context.registry.session('peer') !== undefined, 'the agent to connect');
    const { id } = await createSession(context.store, defaultSessionSettings, {
      kind: 'cli',
      method: 'oidc',
      subject: 'oidc:rita',
      groups: [],
      roles: ['responder'],
    });
    const relay = await dialRelay({ server: context.server.url, token: id, cluster: 'agent/peer', env: {} });
    closers.push(relay.close);
    const { transport } = relay;
    expect(
      JSON.parse(await transport.request({ path: '/api/v1/namespaces/ns/pods/web' })).metadata.name,
    ).toBe('web');
    const stdout = sink();
    const exec = await transport.exec({
      namespace: 'ns',
      pod: 'web',
      container: 'app',
      command: ['sh'],
      stdout: stdout.stream,
      stderr: sink().stream,
    });
    expect(exec.status).toBe('Success');
    // Past the policy, the API server answers (the peer has no ephemeral containers: 404).
    await expect(
      transport.request({
        method: 'PATCH',
        path: '/api/v1/namespaces/ns/pods/web/ephemeralcontainers',
        body: {},
      }),
    ).rejects.toMatchObject({ code: 'not-found' });
    await expect(
      transport.request({
        method: 'POST',
        path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
        body: { metadata: { name: 'me-admin' } },
      }),
    ).rejects.toMatchObject({
      code: 'auth.forbidden',
      message: expect.stringContaining('oidc:rita may not POST'),
    });
  });
});

/** Sends a WebSocket upgrade to /v1/agents/connect and resets the TCP connection after `afterMs`. */
async function resetMidUpgrade(port: number, token: string, afterMs: number): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    [
      'GET /v1/agents/connect HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      `Authorization: Bearer ${token}`,
      '',
      '',
    ].join('\r\n'),
  );
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  socket.resetAndDestroy();
}

/** Sends a WebSocket upgrade for `target` and returns all the server answered before it closed. */
async function rawUpgrade(port: number, target: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.on('error', () => undefined);
  socket.write(
    [
      `GET ${target} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      '',
      '',
    ].join('\r\n'),
  );
  await closed;
  return Buffer.concat(chunks).toString();
}

/** A forward proxy that only tunnels (CONNECT), recording where to. */
async function connectProxy(): Promise<{ url: string; connects: string[]; close: () => Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_request, response) => {
    response.writeHead(405).end();
  });
  server.on('connect', (request, client: Socket) => {
    connects.push(request.url ?? '');
    const [host, port] = (request.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connects,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
