/** The filter form and the outcome notices of a reviewer's queue. */
import {
  type DecisionReport,
  type ItemState,
  parseItemState,
  type ReassignReport,
  subjectLabel,
} from '../reviews/index.js';
import type { ConsoleContext } from './http.js';

export interface Filters {
  readonly state?: ItemState;
  readonly namespace?: string;
  readonly severity?: string;
  readonly mine?: boolean;
  /** Only items unused in the review window (from the audit log). */
  readonly candidates?: boolean;
}

export function filtersOf(c: ConsoleContext): Filters {
  const query = c.req.query();
  return {
    ...(query.state ? { state: parseItemState(query.state) } : {}),
    ...(query.namespace ? { namespace: query.namespace.slice(0, 253) } : {}),
    ...(query.severity && ['critical', 'high', 'medium', 'low'].includes(query.severity)
      ? { severity: query.severity }
      : {}),
    ...(query.mine === 'yes' ? { mine: true } : {}),
    ...(query.candidates === 'yes' ? { candidates: true } : {}),
  };
}

export function FilterForm(props: { id: string; filters: Filters; auditor: boolean }) {
  const { filters } = props;
  const option = (value: string, current: string | undefined) => (
    <option value={value} selected={value === current}>
      {value || 'any'}
    </option>
  );
  return (
    <form method="get" action={`/reviews/${props.id}`} class="inline-form" aria-label="Filter items">
      <div class="field">
        <label for="filter-state">State</label>
        <select id="filter-state" name="state">
          {['', 'pending', 'kept', 'revoked', 'revoke-failed', 'left'].map((value) =>
            option(value, filters.state),
          )}
        </select>
      </div>
      <div class="field">
        <label for="filter-severity">Risk</label>
        <select id="filter-severity" name="severity">
          {['', 'critical', 'high', 'medium', 'low'].map((value) => option(value, filters.severity))}
        </select>
      </div>
      <div class="field">
        <label for="filter-namespace">Namespace</label>
        <input
          id="filter-namespace"
          name="namespace"
          value={filters.namespace ?? ''}
          placeholder="e.g. payments"
        />
      </div>
      <div class="field">
        <label>
          <input type="checkbox" name="candidates" value="yes" checked={filters.candidates === true} /> Only
          revoke candidates (unused)
        </label>
      </div>
      {props.auditor ? (
        <div class="field">
          <label>
            <input type="checkbox" name="mine" value="yes" checked={filters.mine === true} /> Only mine
          </label>
        </div>
      ) : null}
      <div class="actions">
        <button type="submit">Filter</button>
      </div>
    </form>
  );
}

function outcomeLines(report: DecisionReport | ReassignReport): { done: string[]; failed: string[] } {
  const done: string[] = [];
  const failed = report.refused.map((entry) => `${entry.id.slice(0, 8)}: ${entry.why}`);
  if (!('decided' in report)) {
    for (const item of report.reassigned)
      done.push(`${subjectLabel(item.subject)}: now reviewed by ${item.reviewer}`);
    return { done, failed };
  }
  for (const plan of report.planned)
    (plan.revocation.error ? failed : done).push(
      `dry run: ${plan.revocation.error ? `would fail: ${plan.revocation.error}` : plan.revocation.changes.join('; ')}`,
    );
  for (const item of report.decided) {
    const proof = item.revocation?.proof;
    if (item.state === 'revoke-failed')
      failed.push(`${subjectLabel(item.subject)}: revocation failed: ${item.revocation?.error ?? ''}`);
    else
      done.push(
        `${subjectLabel(item.subject)}: ${item.state}${proof?.kind === 'gone' ? ' — SubjectAccessReview confirms the permission is gone' : proof?.kind === 'still-granted' ? ` — still granted by ${proof.paths.join('; ')}` : ''}`,
      );
  }
  return { done, failed };
}

export function Outcome(props: { report: DecisionReport | ReassignReport }) {
  const { done, failed } = outcomeLines(props.report);
  return (
    <>
      {done.length > 0 ? (
        <div class="notice ok" role="status">
          <ul>
            {done.map((line) => (
              <li>{line}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {failed.length > 0 ? (
        <div class="notice error" role="alert">
          <p>Not done:</p>
          <ul>
            {failed.map((line) => (
              <li>{line}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}
