import { describe, expect, it } from 'vitest';
import type { KubeRequest, KubeTransport } from '../kube/index.js';
import type { Agent } from './records.js';
import { AgentRegistry, type AgentSession, agentLost } from './registry.js';
import { answerTunnel } from './tunnel-answer.js';
import { type FrameSocket, TunnelClient } from './tunnel-client.js';

const agent = { id: 'a1', name: 'edge', cluster: 'agent/edge' } as Agent;

/** A session whose agent end answers with `target`, joined in memory. */
function session(target: KubeTransport): AgentSession {
  let answer: ReturnType<typeof answerTunnel> | undefined;
  const toAgent: FrameSocket = {
    send: (data) => setImmediate(() => answer?.receive(Buffer.from(data), typeof data !== 'string')),
    close: () => undefined,
  };
  const tunnel = new TunnelClient({ socket: toAgent, name: 'agent "edge"' });
  answer = answerTunnel({
    socket: {
      send: (data) => setImmediate(() => tunnel.receive(Buffer.from(data), typeof data !== 'string')),
      close: () => undefined,
    },
    target,
  });
  return { agent, tunnel, socket: toAgent, connectedAt: new Date() };
}

/** An API server that never answers: the call is in flight when the connection drops. */
const hanging: KubeTransport = {
  name: 'hanging',
  request: () => new Promise(() => undefined),
  exec: () => new Promise(() => undefined),
};
const answering = (calls: KubeRequest[]): KubeTransport => ({
  name: 'answering',
  request: async (request) => {
    calls.push(request);
    return '{"kind":"Pod"}';
  },
  exec: async () => ({ exitCode: 0, status: 'Success', message: '' }),
});

describe('the agent registry', () => {
  it('asks a read again once when the agent reconnects after dropping it, and never repeats a write', async () => {
    const registry = new AgentRegistry({ reconnectWaitMs: 2_000 });
    const transport = registry.transport('edge');
    const first = session(hanging);
    registry.add(first);
    const read = transport.request({ path: '/api/v1/namespaces/a/pods/p' });
    const write = transport.request({ method: 'POST', path: '/api/v1/namespaces/a/pods', body: {} });
    await new Promise((resolve) => setTimeout(resolve, 20));
    registry.remove(first, agentLost(agent, 'connection reset'));
    await expect(write).rejects.toMatchObject({
      code: 'cluster.unreachable',
      message: 'the agent of cluster "agent/edge" disconnected (connection reset)',
    });
    const calls: KubeRequest[] = [];
    registry.add(session(answering(calls)));
    expect(JSON.parse(await read)).toEqual({ kind: 'Pod' });
    expect(calls.map((call) => call.method ?? 'GET')).toEqual(['GET']);
  });

  it('fails a dropped read when the agent does not come back in time, with the disconnect as the reason', async () => {
    const registry = new AgentRegistry({ reconnectWaitMs: 100 });
    const first = session(hanging);
    registry.add(first);
    const read = registry.transport('edge').request({ path: '/api/v1/namespaces' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    registry.remove(first, agentLost(agent, 'pod evicted'));
    await expect(read).rejects.toMatchObject({ message: expect.stringContaining('pod evicted') });
  });

  it('keeps a newer connection when the one it replaced closes late', async () => {
    const registry = new AgentRegistry();
    const older = session(hanging);
    registry.add(older);
    const newer = session(answering([]));
    expect(registry.add(newer)).toBe(older);
    registry.remove(older, agentLost(agent, 'replaced'));
    expect(registry.session('edge')).toBe(newer);
    expect(JSON.parse(await registry.transport('edge').request({ path: '/api' }))).toEqual({ kind: 'Pod' });
  });
});
