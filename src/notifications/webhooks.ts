import { createHash } from 'node:crypto';
import { type AuditEvent, listAudit } from '../audit/index.js';
import { AppError, messageOf } from '../errors.js';
import type { Store } from '../store/index.js';
import { isNotifiable, requestLink, slackPayload } from './messages.js';

/** A webhook that receives access events. Its URL is a secret (Slack's are): never stored or logged. */
export interface WebhookSink {
  readonly url: string;
  /** `slack`: Slack-compatible text + blocks; `json`: the audit event itself. */
  readonly format: 'slack' | 'json';
}

export interface DeliveryReport {
  readonly delivered: number;
  /** Why delivery stopped; the same events are retried on the next pass. */
  readonly error?: string;
}

/** The cursor's name: a hash of the URL, so the store never holds the secret. */
export function sinkName(sink: WebhookSink): string {
  return `webhook:${createHash('sha256').update(sink.url).digest('hex').slice(0, 24)}`;
}

/** A safe label for logs: scheme and host only. */
export function sinkLabel(sink: WebhookSink): string {
  try {
    const url = new URL(sink.url);
    return `${url.protocol}//${url.host}`;
  } catch {
    return 'webhook (unparsable URL)';
  }
}

export function parseWebhook(text: string, format: WebhookSink['format']): WebhookSink {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('input.invalid', 'webhook URL is not a URL', { fix: 'Give an http(s) URL' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new AppError('input.invalid', `webhook URL scheme ${url.protocol} is not http(s)`, {
      fix: 'Give an https:// URL',
    });
  return { url: text, format };
}

async function cursorOf(store: Store, name: string, now: Date): Promise<number> {
  const row = await store.db
    .selectFrom('notification_cursors')
    .select('seq')
    .where('name', '=', name)
    .executeTakeFirst();
  if (row) return Number(row.seq);
  // A new webhook starts at the present: it is not flooded with history.
  const head = await store.db
    .selectFrom('audit_events')
    .select(({ fn }) => fn.max('seq').as('seq'))
    .executeTakeFirst();
  const seq = Number(head?.seq ?? 0);
  await store.db
    .insertInto('notification_cursors')
    .values({ name, seq, updated_at: now.toISOString() })
    .execute();
  return seq;
}

function payload(sink: WebhookSink, event: AuditEvent, consoleUrl: string | undefined): object {
  if (sink.format === 'slack') return slackPayload(event, consoleUrl);
  const link = requestLink(event, consoleUrl);
  return link ? { ...event, links: { request: link } } : event;
}

async function post(
  sink: WebhookSink,
  event: AuditEvent,
  options: { readonly timeoutMs: number; readonly consoleUrl: string | undefined },
): Promise<void> {
  const response = await fetch(sink.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload(sink, event, options.consoleUrl)),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
}

/**
 * Sends every notifiable audit event after the sink's cursor, in order, moving the cursor after
 * each one. Delivery is at least once: a failure stops the pass and the event is sent again.
 */
export async function deliver(
  store: Store,
  sink: WebhookSink,
  options: {
    readonly now?: Date;
    readonly timeoutMs?: number;
    readonly batch?: number;
    /** Where people reach the console: messages about a request link to its page. */
    readonly consoleUrl?: string;
  } = {},
): Promise<DeliveryReport> {
  const now = options.now ?? new Date();
  const name = sinkName(sink);
  const start = await cursorOf(store, name, now);
  let seq = start;
  let delivered = 0;
  const save = async () => {
    if (seq === start && delivered === 0) return;
    await store.db
      .updateTable('notification_cursors')
      .set({ seq, updated_at: now.toISOString() })
      .where('name', '=', name)
      .execute();
  };
  for (const event of await listAudit(store, { afterSeq: start, limit: options.batch ?? 200 })) {
    if (isNotifiable(event)) {
      try {
        await post(sink, event, { timeoutMs: options.timeoutMs ?? 5000, consoleUrl: options.consoleUrl });
      } catch (error) {
        await save();
        return {
          delivered,
          error: `${sinkLabel(sink)}: audit #${event.seq} not delivered: ${messageOf(error)}`,
        };
      }
      delivered++;
    }
    seq = event.seq;
    // Saved after each delivery, so a crash re-sends at most one message.
    if (isNotifiable(event)) await save();
  }
  await save();
  return { delivered };
}
