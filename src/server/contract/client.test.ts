import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freshStore } from '../../../test/support/stores.js';
import { AppError } from '../../errors.js';
import { createToken } from '../../identity/index.js';
import { startServer } from '../serve.js';
import { createClient } from './index.js';

/** A real HTTP server that answers every request with the same status, content type and body. */
async function answering(status: number, type: string, body: string): Promise<Server> {
  const server = createServer((_, response) =>
    response.writeHead(status, { 'content-type': type }).end(body),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('the API client', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function running() {
    const fresh = await freshStore('sqlite');
    cleanups.push(fresh.cleanup);
    const server = await startServer({
      gatehouse: {
        store: async () => fresh.store,
        clusters: {
          client: async (cluster) => {
            throw new AppError('cluster.unreachable', `${cluster} is not reachable in this test`);
          },
          accessEntries: async () => undefined,
        },
      },
      host: '127.0.0.1',
      port: 0,
      intervalMs: 60_000,
      webhooks: [],
      log: () => undefined,
    });
    cleanups.push(() => server.close());
    const token = async (user: string) => (await createToken(fresh.store, { user, createdBy: 'test' })).token;
    return { url: server.url, token };
  }

  it('calls a running server with typed inputs and returns its checked answers', async () => {
    const { url, token } = await running();
    const client = createClient({ baseUrl: `${url}/`, token: await token('rita') });
    expect(await client.whoami()).toEqual({ user: 'rita', groups: [], admin: false });
    expect(await client.listRequests({ query: { state: 'pending' } })).toEqual({ items: [] });
    expect((await client.health()).ok).toBe(true);
  });

  it('turns refusals into AppErrors with the server code, message and fix', async () => {
    const { url, token } = await running();
    const client = createClient({ baseUrl: url, token: await token('rita') });
    const refused = await client.listAudit().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({
      code: 'auth.forbidden',
      message: 'Gatehouse server: rita may not read the audit log',
      fix: 'Use a token created with gatehouse tokens create --admin',
    });
    await expect(client.getRequest({ params: { id: 'no-such-request' } })).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('says how to sign in when the server does not accept the token', async () => {
    const { url } = await running();
    const stranger = createClient({ baseUrl: url, token: 'gth_not-a-token' });
    await expect(stranger.whoami()).rejects.toMatchObject({
      code: 'auth.unauthorized',
      fix: expect.stringMatching(/gatehouse login --server .*GATEHOUSE_TOKEN/),
    });
  });

  it('refuses invalid input before sending anything, naming the field', async () => {
    const sent: string[] = [];
    const client = createClient({
      baseUrl: 'http://127.0.0.1:1',
      token: 't',
      fetch: async (url) => {
        sent.push(url);
        return new Response('{}');
      },
    });
    const ask = { flow: 'oncall', cluster: 'prod', role: 'edit', duration: '1h' };
    await expect(client.createRequest({ body: { ...ask, reason: 'x'.repeat(2001) } })).rejects.toMatchObject({
      code: 'input.invalid',
      message: 'field reason is longer than 2000 characters',
    });
    expect(sent).toEqual([]);
  });

  it('names the address and the fix when nothing answers there', async () => {
    const closed = await answering(200, 'application/json', '{}');
    const url = urlOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const error = await createClient({ baseUrl: url, token: 't' })
      .whoami()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'cluster.unreachable',
      message: expect.stringContaining(`cannot reach the Gatehouse server ${url}`),
      fix: expect.stringContaining('gatehouse serve'),
    });
    expect((error as AppError).message).toContain('ECONNREFUSED');
  });

  it('says so when the address answers something that is not the API: a page, or JSON outside the contract', async () => {
    const page = await answering(502, 'text/html', '<html>Bad gateway</html>');
    cleanups.push(() => new Promise((resolve) => page.close(resolve)));
    await expect(createClient({ baseUrl: urlOf(page), token: 't' }).whoami()).rejects.toMatchObject({
      code: 'internal',
      message: `Gatehouse server ${urlOf(page)} answered HTTP 502 with text/html, not JSON`,
      fix: expect.stringContaining('not a proxy'),
    });
    const other = await answering(200, 'application/json', '{"items":[{"id":7}]}');
    cleanups.push(() => new Promise((resolve) => other.close(resolve)));
    await expect(createClient({ baseUrl: urlOf(other), token: 't' }).listRequests()).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('GET /v1/requests with HTTP 200 outside the API contract: items.0.id'),
    });
  });
});
