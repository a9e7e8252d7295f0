import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { appendAudit } from '../audit/index.js';
import { deliver, parseWebhook } from './webhooks.js';

/** A real HTTP receiver that records bodies and answers with the status it is told to. */
async function receiver(): Promise<{
  url: string;
  bodies: unknown[];
  status: { code: number };
  server: Server;
}> {
  const bodies: unknown[] = [];
  const status = { code: 200 };
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      if (status.code === 200) bodies.push(JSON.parse(text));
      response.writeHead(status.code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/T000/B000/secretpart`, bodies, status, server };
}

const event = (action: string, details: Record<string, unknown> = {}) => ({
  actor: 'alice',
  action,
  target: 'prod/payments/ClusterRole/edit',
  outcome: 'succeeded' as const,
  details: { id: '1234567890abcdef', ...details },
});

describe.each(dialects)('webhook notifications on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('sends access events in order, skips other audit events, and resends after a failure', async () => {
    const fresh = await freshStore(dialect);
    const hook = await receiver();
    cleanup = async () => {
      hook.server.close();
      await fresh.cleanup();
    };
    const { store } = fresh;
    await appendAudit(store, event('access.request', { durationSeconds: 7200, reason: 'old' }));
    const sink = parseWebhook(hook.url, 'slack');
    expect(await deliver(store, sink)).toEqual({ delivered: 0 });
    await appendAudit(
      store,
      event('access.request', { durationSeconds: 7200, reason: 'incident <!channel>' }),
    );
    await appendAudit(store, { ...event('rbac.sync'), action: 'rbac.sync' });
    await appendAudit(store, { ...event('access.break-glass'), actor: 'bob' });
    hook.status.code = 500;
    const failed = await deliver(store, sink);
    expect(failed.delivered).toBe(0);
    expect(failed.error).toContain('HTTP 500');
    expect(failed.error).not.toContain('secretpart');
    hook.status.code = 200;
    expect(await deliver(store, sink)).toEqual({ delivered: 2 });
    const texts = hook.bodies.map((body) => (body as { text: string }).text);
    expect(texts[0]).toContain(
      'alice requested ClusterRole/edit in payments on prod (request 12345678) for 2 h',
    );
    expect(texts[0]).toContain('&lt;!channel&gt;');
    expect(texts[1]).toContain('BREAK-GLASS: bob self-activated');
    expect(hook.bodies[0]).toHaveProperty('blocks');
    const cursors = await store.db.selectFrom('notification_cursors').selectAll().execute();
    expect(JSON.stringify(cursors)).not.toContain('secretpart');
    expect(await deliver(store, sink)).toEqual({ delivered: 0 });
  });

  it('sends the audit event itself in json format', async () => {
    const fresh = await freshStore(dialect);
    const hook = await receiver();
    cleanup = async () => {
      hook.server.close();
      await fresh.cleanup();
    };
    const sink = parseWebhook(hook.url, 'json');
    await deliver(fresh.store, sink);
    await appendAudit(fresh.store, event('access.expire'));
    await deliver(fresh.store, sink);
    expect(hook.bodies).toEqual([
      expect.objectContaining({ action: 'access.expire', seq: 1, hash: expect.any(String) }),
    ]);
  });
});

describe('webhook URLs', () => {
  it('rejects what is not an http(s) URL', () => {
    expect(() => parseWebhook('file:///etc/passwd', 'slack')).toThrow('not http(s)');
    expect(() => parseWebhook('hooks.slack.com', 'slack')).toThrow('not a URL');
  });
});
