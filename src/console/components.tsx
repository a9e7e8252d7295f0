import type { RequestState } from '../access/index.js';

/** How each state looks: one colour family per kind of outcome. */
function stateTone(state: RequestState): string {
  switch (state) {
    case 'pending':
      return 'pending';
    case 'approved':
      return 'approved';
    case 'active':
      return 'active';
    case 'expired':
    case 'revoked':
    case 'cancelled':
    case 'pending-expired':
      return 'ended';
    case 'denied':
    case 'failed':
    case 'refused':
      return 'refused';
    default: {
      const unknown: never = state;
      return unknown;
    }
  }
}

export function StateBadge(props: { state: RequestState }) {
  return <span class={`badge badge-${stateTone(props.state)}`}>{props.state}</span>;
}

/** The session's CSRF token, which the session middleware requires on every form post. */
export function Csrf(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** `1h 5m`, `45m`, `30s`: a length of time as people read it. */
export function formatSeconds(total: number): string {
  const seconds = Math.max(0, Math.round(total));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const parts = [
    days > 0 ? `${days}d` : '',
    hours > 0 ? `${hours}h` : '',
    minutes > 0 ? `${minutes}m` : '',
    seconds < 60 ? `${seconds}s` : '',
  ];
  return parts.filter(Boolean).join(' ');
}

/** The time left, as the script keeps counting it down (the same words without the script). */
export function TimeLeft(props: { expiresAt: string; now: Date }) {
  const left = Math.round((Date.parse(props.expiresAt) - props.now.getTime()) / 1000);
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const text =
    left <= 0
      ? 'ended'
      : `${hours > 0 ? `${hours}h ` : ''}${hours > 0 || minutes > 0 ? `${minutes}m ` : ''}${left % 60}s left`;
  return (
    <span class="countdown" data-expires-at={props.expiresAt}>
      {text}
    </span>
  );
}

/** A timestamp as `2026-12-01 05:03 UTC`, with the exact instant for machines. */
export function When(props: { at: string | undefined; seconds?: boolean }) {
  if (!props.at) return <span>–</span>;
  const clock = props.at.slice(11, props.seconds ? 19 : 16);
  return <time datetime={props.at}>{`${props.at.slice(0, 10)} ${clock} UTC`}</time>;
}

/** What a request asks for, in the words of Kubernetes: `ClusterRole/edit in payments on prod`. */
export function Target(props: {
  request: { cluster: string; namespace: string | undefined; role: { kind: string; name: string } };
}) {
  const { request } = props;
  return (
    <span>
      <code>{`${request.role.kind}/${request.role.name}`}</code>
      {request.namespace ? (
        <>
          {' in '}
          <code>{request.namespace}</code>
        </>
      ) : (
        ' cluster-wide'
      )}
      {' on '}
      <code>{request.cluster}</code>
    </span>
  );
}

export function Empty(props: { children: string }) {
  return <p class="empty">{props.children}</p>;
}
