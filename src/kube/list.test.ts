import { createServer, type Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from './client.js';
import { listAll } from './list.js';

let server: Server | undefined;
afterEach(() => server?.close());

/** A real HTTP server playing an apiserver that pages and sometimes sheds load. */
async function apiserver(
  handler: (url: URL, call: number) => { status: number; body: unknown },
): Promise<KubeClient> {
  let calls = 0;
  server = createServer((request, response) => {
    const { status, body } = handler(new URL(request.url ?? '/', 'http://x'), ++calls);
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server!.address() as { port: number }).port;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return new KubeClient(config, { timeoutMs: 2000 });
}

describe('listAll', () => {
  it('follows continue tokens and keeps the last resourceVersion', async () => {
    const client = await apiserver((url) =>
      url.searchParams.get('continue') === 'page2'
        ? { status: 200, body: { items: [{ n: 2 }], metadata: { resourceVersion: '20' } } }
        : {
            status: 200,
            body: { items: [{ n: 1 }], metadata: { continue: 'page2', resourceVersion: '10' } },
          },
    );
    expect(await listAll(client, { path: '/api/v1/pods', pageSize: 1 })).toEqual({
      items: [{ n: 1 }, { n: 2 }],
      resourceVersion: '20',
    });
  });

  it('retries 429 and 5xx answers, then succeeds', async () => {
    const slept: number[] = [];
    const client = await apiserver((_url, call) =>
      call <= 2
        ? { status: call === 1 ? 429 : 503, body: { message: 'slow down' } }
        : { status: 200, body: { items: [1] } },
    );
    const result = await listAll(client, { path: '/api/v1/pods', sleep: async (ms) => void slept.push(ms) });
    expect(result.items).toEqual([1]);
    expect(slept).toEqual([200, 400]);
  });

  it('does not retry a refusal, and names it', async () => {
    const client = await apiserver(() => ({
      status: 403,
      body: {
        message:
          'pods is forbidden: User "u" cannot list resource "pods" in API group "" at the cluster scope',
      },
    }));
    await expect(
      listAll(client, { path: '/api/v1/pods', sleep: async () => undefined }),
    ).rejects.toMatchObject({
      code: 'auth.forbidden',
      message: 'forbidden: u may not list pods cluster-wide in context "ctx"',
    });
  });
});
