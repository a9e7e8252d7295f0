import type { AuditEvent } from '../audit/index.js';

/**
 * Audit actions people want to hear about, and how each reads in a chat message. Every value that
 * came from outside (names, reasons, errors) goes through `clip`.
 */
const phrases: Readonly<Record<string, (event: AuditEvent) => string>> = {
  'access.request': (event) =>
    `${actor(event)} requested ${access(event)} for ${minutes(event.details.durationSeconds)}: "${clip(event.details.reason)}"`,
  'access.approve': (event) => `${actor(event)} approved ${access(event)}`,
  'access.deny': (event) => `${actor(event)} denied ${access(event)}`,
  'access.auto-approve': (event) => `${access(event)} was approved automatically by its flow`,
  'access.break-glass': (event) =>
    `:rotating_light: BREAK-GLASS: ${actor(event)} self-activated ${access(event)} without approval`,
  'access.grant': (event) =>
    event.outcome === 'failed'
      ? `:warning: granting ${access(event)} FAILED: ${clip(event.details.error)}`
      : `${access(event)} is active until ${clip(event.details.expiresAt)}`,
  'access.fail': (event) =>
    `:warning: ${access(event)} was approved but could not be granted in time; the request ended: ${clip(event.details.error)}`,
  // Expiry is the decision; the removal messages below confirm the cluster no longer grants it.
  'access.expire': (event) => `${access(event)} expired; its removal from the cluster follows`,
  'access.revoke': (event) => `${actor(event)} revoked ${access(event)}`,
  'access.cancel': (event) => `${actor(event)} cancelled the request for ${access(event)}`,
  'access.extend': (event) =>
    `${actor(event)} extended ${access(event)} until ${clip(event.details.expiresAt)}`,
  'access.pending-expire': (event) => `the request for ${access(event)} expired before anyone decided`,
  // The flow changed under a request: it ends, or is shortened, by the flow as it is now.
  'access.refuse': (event) =>
    `:no_entry: the request for ${access(event)} was ended: ${clip(event.details.why)}`,
  'access.clip': (event) =>
    `${access(event)} was shortened to ${minutes(event.details.toSeconds)}: flow ${clip(event.details.flow)} allows no more now`,
  // Policy changes are privileged: who may get access, and who approves it, changed.
  'access.flow-apply': (event) => `${actor(event)} applied access flow ${clip(event.target)}`,
  'access.revoke-binding': (event) => `removed binding ${removed(event)}`,
  'access.revoke-credential': (event) => `removed the request credential ${removed(event)}`,
  'access.revoke-aws-auth': (event) => `removed the aws-auth mapping ${removed(event)}`,
  'access.revoke-access-policy': (event) => `removed ${clip(event.details.policyArn)} from ${removed(event)}`,
  // Access reviews: reviewers are told they have work, and again as the deadline comes.
  'review.create': (event) =>
    `${actor(event)} opened the access review "${clip(event.details.name)}" on ${clip(event.details.cluster)}: ${clip(event.details.items)} grants to review by ${clip(event.details.deadlineAt)}`,
  'review.reminder': (event) =>
    `${event.details.overdue ? ':alarm_clock: OVERDUE: ' : ''}${clip(event.details.reviewer)} has ${clip(event.details.pending)} grants to review in "${clip(event.details.name)}" (due ${clip(event.details.deadlineAt)})`,
  'review.deadline': (event) =>
    `the access review "${clip(event.details.name)}" passed its deadline: default action ${clip(event.details.defaultAction)} on ${clip(event.details.items)} undecided grants`,
  'review.revoke': (event) =>
    event.outcome === 'failed'
      ? `:warning: revoking ${clip(event.details.grant)} of ${clip(event.details.subject)} FAILED: ${clip(event.details.error)}`
      : `${actor(event)} revoked ${clip(event.details.grant)} of ${clip(event.details.subject)}`,
};

function actor(event: AuditEvent): string {
  return clip(event.actor);
}

function access(event: AuditEvent): string {
  const [cluster, namespace, kind, ...name] = event.target.split('/');
  const where = namespace === '*' ? 'cluster-wide' : `in ${clip(namespace)}`;
  const id = typeof event.details.id === 'string' ? ` (request ${clip(event.details.id.slice(0, 8))})` : '';
  return `${clip(kind)}/${clip(name.join('/'))} ${where} on ${clip(cluster)}${id}`;
}

/** Removal targets are cluster/namespace/name paths or IAM ARNs: shown whole. */
function removed(event: AuditEvent): string {
  return clip(event.target);
}

function minutes(value: unknown): string {
  const seconds = Number(value);
  return seconds >= 3600 && seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

/** Text from outside goes to chat: kept short and free of Slack control sequences (<…>, &). */
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

/**
 * The console page of the request an event is about, when the console's address is known: a
 * message then takes the approver straight to the decision. Ids are UUIDs; anything else gets none.
 */
export function requestLink(event: AuditEvent, consoleUrl: string | undefined): string | undefined {
  const id = (event.details as { id?: unknown }).id;
  if (!consoleUrl || typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const page = event.action.startsWith('review.') ? 'reviews' : 'access/requests';
  const link = `${consoleUrl.replace(/\/+$/, '')}/${page}/${id}`;
  // Inside Slack's <url|label> markup: a URL that could close or split it is left out.
  return /^https?:\/\/[^\s<>|]+$/.test(link) ? link : undefined;
}

/** A Slack incoming-webhook payload (text plus one mrkdwn block), also readable by generic receivers. */
export function slackPayload(event: AuditEvent, consoleUrl?: string): { text: string; blocks: object[] } {
  const link = requestLink(event, consoleUrl);
  const text = `Gatehouse: ${phrases[event.action]!(event)}${link ? ` <${link}|Open in Gatehouse>` : ''}`;
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
