import { Csrf } from './components.js';

/**
 * Approve or deny one request, with an optional reason the requester reads in the request's
 * history (a denial without one leaves them guessing). One form, two buttons: deny posts the same
 * fields to its own action.
 */
export function DecisionForm(props: { requestId: string; requester: string; csrf: string }) {
  const base = `/access/requests/${props.requestId}`;
  const field = `decision-reason-${props.requestId}`;
  return (
    <form method="post" action={`${base}/approve`} class="stack decision">
      <Csrf token={props.csrf} />
      <div class="field">
        <label for={field}>Reason (optional; the requester sees it, the audit log keeps it)</label>
        <textarea id={field} name="reason" rows={2} maxlength={2000} />
      </div>
      <div class="actions">
        <button type="submit" aria-label={`Approve the request of ${props.requester}`}>
          Approve
        </button>
        <button
          type="submit"
          formaction={`${base}/deny`}
          class="danger"
          aria-label={`Deny the request of ${props.requester}`}
        >
          Deny
        </button>
      </div>
    </form>
  );
}
