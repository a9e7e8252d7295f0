import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { getVisibleRequest } from '../access/index.js';
import { messageOf } from '../errors.js';
import type { ConsoleEnv } from '../server/env.js';
import { page } from './http.js';
import type { ConsoleOptions } from './options.js';
import { versionOf } from './request-rights.js';

/** How long one stream stays open; the browser's EventSource reconnects by itself after that. */
const streamMs = 10 * 60_000;

/**
 * `/access/requests/ID/events`: server-sent `change` events carrying the request's version, sent
 * at once and then whenever it changes, so an open page reloads when the request moves on. The
 * request is read again on each look, through the same visibility check as the page.
 */
export function mountEvents(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/access/requests/:id/events',
    page(options, async (c, signed) => {
      const id = c.req.param('id') ?? '';
      const read = async () => versionOf(await getVisibleRequest(options.store, signed.principal, id));
      let last = await read();
      c.header('cache-control', 'no-store');
      return streamSSE(
        c,
        async (stream) => {
          let open = true;
          stream.onAbort(() => {
            open = false;
          });
          await stream.writeSSE({ event: 'change', data: last, retry: 3000 });
          const until = Date.now() + streamMs;
          while (open && Date.now() < until) {
            await stream.sleep(options.eventPollMs ?? 1000);
            const now = await read();
            if (now !== last) {
              last = now;
              await stream.writeSSE({ event: 'change', data: now });
            }
          }
        },
        async (error) => {
          // The request became invisible or the store failed: the stream ends; the page still works.
          options.log?.(`console: event stream of request ${id.slice(0, 64)} ended: ${messageOf(error)}`);
        },
      );
    }),
  );
}
