import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { ExecOptions, KubeRequest, KubeTransport } from '../kube/index.js';
import { admitKubernetesCall } from './api-guard.js';
import { encodeData, encodeFrame, execWindowBytes, maxFrameBytes } from './protocol.js';
import { answerTunnel } from './tunnel-answer.js';
import { type FrameSocket, TunnelClient } from './tunnel-client.js';

/** Two tunnel ends joined in memory, each message delivered on a later tick as a socket would. */
function joined(target: KubeTransport, options: { guard?: boolean } = {}) {
  const toAgent: { data: Buffer; binary: boolean }[] = [];
  const closed: string[] = [];
  const log: string[] = [];
  const deliver = (receive: (data: Buffer, binary: boolean) => void, data: string | Buffer) =>
    setImmediate(() =>
      receive(typeof data === 'string' ? Buffer.from(data) : data, typeof data !== 'string'),
    );
  let answerer: ReturnType<typeof answerTunnel> | undefined;
  const serverSide: FrameSocket = {
    send: (data) => {
      toAgent.push({ data: Buffer.from(data), binary: typeof data !== 'string' });
      deliver((bytes, binary) => answerer?.receive(bytes, binary), data);
    },
    close: (_code, reason) => closed.push(reason),
  };
  const client = new TunnelClient({
    socket: serverSide,
    name: 'agent "test"',
    onViolation: (r) => log.push(r),
  });
  const agentSide: FrameSocket = {
    send: (data) => deliver((bytes, binary) => client.receive(bytes, binary), data),
    close: () => undefined,
  };
  answerer = answerTunnel({
    socket: agentSide,
    target,
    ...(options.guard ? { admit: admitKubernetesCall } : {}),
    log: (line) => log.push(line),
  });
  return { client, answerer, toAgent, closed, log, agentSide };
}

const collecting = () => {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8'), bytes: () => Buffer.concat(chunks) };
};

const echo: KubeTransport = {
  name: 'echo',
  request: async (request: KubeRequest) => {
    if (request.path.endsWith('/missing')) throw new AppError('not-found', 'pods "missing" not found');
    await new Promise((resolve) => setTimeout(resolve, request.path.endsWith('/slow') ? 50 : 1));
    return JSON.stringify({ path: request.path, method: request.method ?? 'GET' });
  },
  exec: async (options: ExecOptions) => {
    const size = Number(options.command[1] ?? 0);
    const block = Buffer.alloc(64 * 1024, 'x');
    for (let sent = 0; sent < size; sent += block.length)
      options.stdout.write(block.subarray(0, Math.min(block.length, size - sent)));
    options.stderr.write('done\n');
    return { exitCode: 0, status: 'Success', message: '' };
  },
};

describe('the agent tunnel', () => {
  it('answers many requests at once, each to its own caller, in whatever order they finish', async () => {
    const { client } = joined(echo);
    const answers = await Promise.all(
      ['/api/v1/slow', '/api/v1/a', '/apis/rbac.authorization.k8s.io/v1/roles'].map((path) =>
        client.request({ path }),
      ),
    );
    expect(answers.map((text) => JSON.parse(text).path)).toEqual([
      '/api/v1/slow',
      '/api/v1/a',
      '/apis/rbac.authorization.k8s.io/v1/roles',
    ]);
    expect(client.pending).toBe(0);
  });

  it('brings an API error back in the error vocabulary, with its code and the tunnel it came through', async () => {
    const { client } = joined(echo);
    const error = await client
      .request({ path: '/api/v1/namespaces/x/pods/missing' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'not-found',
      message: 'pods "missing" not found',
      details: { through: 'agent "test"' },
    });
  });

  it('streams 20 MiB of exec output in order through a 4 MiB window, with the exit status after the last byte', async () => {
    const { client } = joined(echo);
    const stdout = collecting();
    const stderr = collecting();
    const size = 20 * 1024 * 1024;
    const result = await client.exec({
      namespace: 'ns',
      pod: 'p',
      container: 'c',
      command: ['size', String(size)],
      stdout: stdout.stream,
      stderr: stderr.stream,
    });
    expect(result).toEqual({ exitCode: 0, status: 'Success', message: '' });
    expect(stdout.bytes().length).toBe(size);
    expect(stderr.text()).toBe('done\n');
  });

  it('holds the agent back while the caller has not written what it received', async () => {
    const { client, answerer } = joined(echo);
    // A reader that never drains: the agent may send one window, then must wait.
    let received = 0;
    const slow = new Writable({
      write(chunk: Buffer, _encoding, _done) {
        received += chunk.length;
      },
    });
    const stopped = new AbortController();
    const exec = client.exec({
      namespace: 'ns',
      pod: 'p',
      container: 'c',
      command: ['size', String(64 * 1024 * 1024)],
      stdout: slow,
      stderr: collecting().stream,
      signal: stopped.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toBeLessThanOrEqual(execWindowBytes);
    expect(received).toBeGreaterThan(0);
    stopped.abort();
    expect(await exec).toMatchObject({
      status: 'Failure',
      message: 'closed by Gatehouse before the command finished',
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answerer.active).toBe(0);
  });

  it('fails every call in flight with the reason when the connection is lost, and every later call at once', async () => {
    const { client } = joined(echo);
    const inFlight = client.request({ path: '/api/v1/slow' });
    const lost = new AppError('cluster.unreachable', 'the agent of cluster "test" disconnected', {
      fix: 'Check the agent pod',
    });
    client.close(lost);
    await expect(inFlight).rejects.toBe(lost);
    await expect(client.request({ path: '/api/v1/a' })).rejects.toBe(lost);
  });

  it('gives up on a request the agent never answers after its timeout, and says through which agent', async () => {
    const silent: KubeTransport = {
      name: 'silent',
      request: () => new Promise(() => undefined),
      exec: echo.exec,
    };
    const { client, toAgent } = joined(silent);
    const started = Date.now();
    const error = await client.request({ path: '/api/v1/a', timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'cluster.timeout' });
    expect(String((error as Error).message)).toContain('agent "test"');
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(toAgent.some((frame) => frame.data.toString().includes('"cancel"'))).toBe(true);
  });
});

describe('hostile frames', () => {
  it('closes the tunnel on bad JSON, an unknown frame type or an oversize binary chunk from the agent, failing the calls in flight', async () => {
    for (const bad of [
      Buffer.from('{not json'),
      Buffer.from(encodeFrame({ type: 'hello', hello: { version: '1' } })),
      Buffer.from('{"type":"surprise","id":1}'),
    ]) {
      const { client, closed } = joined({ ...echo, request: () => new Promise(() => undefined) });
      const inFlight = client.request({ path: '/api/v1/a' }).catch((e: unknown) => e);
      client.receive(bad, false);
      expect(await inFlight).toMatchObject({
        code: 'internal',
        message: expect.stringContaining('broke the tunnel protocol'),
      });
      expect(closed).toEqual(['protocol error']);
    }
    const { client, closed } = joined({ ...echo, exec: () => new Promise(() => undefined) });
    const exec = client
      .exec({
        namespace: 'n',
        pod: 'p',
        container: 'c',
        command: ['x'],
        stdout: collecting().stream,
        stderr: collecting().stream,
      })
      .catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 10));
    client.receive(encodeData({ id: 1, stream: 'stdout', bytes: Buffer.alloc(execWindowBytes + 1) }), true);
    expect(await exec).toMatchObject({ message: expect.stringContaining('beyond the window') });
    expect(closed).toEqual(['protocol error']);
  });

  it('ignores answers and output for ids nobody waits for (late answers to cancelled calls)', async () => {
    const { client, closed } = joined(echo);
    client.receive(Buffer.from(encodeFrame({ type: 'response', id: 999, text: 'late' })), false);
    client.receive(encodeData({ id: 4242, stream: 'stdout', bytes: Buffer.from('late output') }), true);
    expect(closed).toEqual([]);
    expect(JSON.parse(await client.request({ path: '/api/v1/a' })).path).toBe('/api/v1/a');
  });

  it('refuses malformed and oversize frames on the agent side one by one, and keeps answering good ones', async () => {
    const { client, answerer, log } = joined(echo);
    answerer.receive(Buffer.from('[1,2,3]'), false);
    answerer.receive(Buffer.from('{"type":"request","id":-4,"request":{"path":"/api"}}'), false);
    answerer.receive(
      Buffer.from('{"type":"request","id":7,"request":{"path":"/api","method":"TRACE"}}'),
      false,
    );
    answerer.receive(Buffer.alloc(maxFrameBytes + 1, 0x20), false);
    answerer.receive(Buffer.from([9, 0, 0, 0, 1]), true);
    expect(log).toHaveLength(5);
    expect(log.every((line) => line.startsWith('refused a frame'))).toBe(true);
    expect(JSON.parse(await client.request({ path: '/api/v1/a' })).path).toBe('/api/v1/a');
  });
});

describe('what the agent carries', () => {
  it('passes Kubernetes API paths and exec by object names, and refuses other paths, proxies and path tricks', async () => {
    const { client } = joined(echo, { guard: true });
    expect(
      JSON.parse(await client.request({ path: '/apis/rbac.authorization.k8s.io/v1/clusterroles' })).path,
    ).toContain('clusterroles');
    expect(JSON.parse(await client.request({ path: '/version' })).path).toBe('/version');
    for (const path of [
      '/metrics',
      '/api/v1/namespaces/default/services/web:80/proxy/admin',
      '/api/v1/nodes/n1/proxy/pods',
      '/api/v1/../../metrics',
      '/api/v1/namespaces/%2e%2e/pods',
      '/api//v1',
      '/api/v1/namespaces/default/pods/p/portforward',
      'http://169.254.169.254/latest',
    ]) {
      await expect(client.request({ path }), path).rejects.toMatchObject({ code: 'auth.forbidden' });
    }
    const refused = client.exec({
      namespace: '../etc',
      pod: 'p',
      container: 'c',
      command: ['id'],
      stdout: collecting().stream,
      stderr: collecting().stream,
    });
    await expect(refused).rejects.toMatchObject({ code: 'auth.forbidden' });
  });
});
