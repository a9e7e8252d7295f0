import type { AuditEvent } from '../audit/index.js';

/** Audit actions people want to hear about, and how each reads in a chat message. */
const phrases: Readonly<Record<string, (event: AuditEvent) => string>> = {
  'access.request': (event) =>
    `${event.actor} requested ${access(event)} for ${minutes(event.details.durationSeconds)}: "${clip(event.details.reason)}"`,
  'access.approve': (event) => `${event.actor} approved ${access(event)}`,
  'access.deny': (event) => `${event.actor} denied ${access(event)}`,
  'access.auto-approve': (event) => `${access(event)} was approved automatically by its flow`,
  'access.break-glass': (event) =>
    `:rotating_light: BREAK-GLASS: ${event.actor} self-activated ${access(event)} without approval`,
  'access.grant': (event) =>
    event.outcome === 'failed'
      ? `:warning: granting ${access(event)} FAILED: ${clip(event.details.error)}`
      : `${access(event)} is active until ${event.details.expiresAt}`,
  'access.expire': (event) => `${access(event)} expired and was removed`,
  'access.revoke': (event) => `${event.actor} revoked ${access(event)}`,
  'access.cancel': (event) => `${event.actor} cancelled the request for ${access(event)}`,
  'access.extend': (event) => `${event.actor} extended ${access(event)} until ${event.details.expiresAt}`,
  'access.pending-expire': (event) => `the request for ${access(event)} expired before anyone decided`,
};

function access(event: AuditEvent): string {
  const [cluster, namespace, kind, ...name] = event.target.split('/');
  const where = namespace === '*' ? 'cluster-wide' : `in ${namespace}`;
  const id = typeof event.details.id === 'string' ? ` (request ${event.details.id.slice(0, 8)})` : '';
  return `${kind}/${name.join('/')} ${where} on ${cluster}${id}`;
}

function minutes(value: unknown): string {
  const seconds = Number(value);
  return seconds >= 3600 && seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

/** Text that came from users goes to chat: keep it short and free of Slack control sequences. */
function clip(value: unknown): string {
  const text = String(value ?? '').replace(
    /[<>&]/g,
    (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[character]!,
  );
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export function isNotifiable(event: AuditEvent): boolean {
  return event.action in phrases;
}

/** A Slack incoming-webhook payload (text plus one mrkdwn block), also readable by generic receivers. */
export function slackPayload(event: AuditEvent): { text: string; blocks: object[] } {
  const text = `Gatehouse: ${phrases[event.action]!(event)}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `${event.action} · audit #${event.seq} · ${event.at}` }],
      },
    ],
  };
}
