import { grantLabel, type ReviewItem, rulesYaml, type UsageSummary, unusedText } from '../reviews/index.js';
import { When } from './components.js';

function Proof(props: { item: ReviewItem }) {
  const revocation = props.item.revocation;
  if (!revocation) return null;
  const proof = revocation.proof;
  return (
    <div>
      <strong>{revocation.status === 'failed' ? 'Revocation failed' : 'Revoked'}</strong>
      {revocation.error ? <p>{revocation.error}</p> : null}
      <ul>
        {revocation.changes.map((change) => (
          <li>{change}</li>
        ))}
      </ul>
      {proof?.kind === 'gone' ? <p>{`SubjectAccessReview: gone (${proof.checked.join('; ')})`}</p> : null}
      {proof?.kind === 'still-granted' ? (
        <div>
          <p>Still granted through another path:</p>
          <ul>
            {proof.paths.map((path) => (
              <li>
                <code>{path}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {proof?.kind === 'not-checked' ? <p>{`Not checked: ${proof.why}`}</p> : null}
    </div>
  );
}

/** "unused in the last N days — revoke candidate", where usage says so; nothing otherwise. */
export function CandidateBadge(props: { usage: UsageSummary | undefined }) {
  const { usage } = props;
  if (usage?.kind !== 'summary' || !usage.revokeCandidate) return null;
  return <span class="badge badge-refused">{`${unusedText(usage.window)} — revoke candidate`}</span>;
}

function Usage(props: { usage: UsageSummary | undefined }) {
  const { usage } = props;
  if (!usage || usage.kind === 'unknown')
    return (
      <p>{`Usage: unknown${usage?.why ? ` (${usage.why})` : ' until a Kubernetes audit log is ingested for this cluster'}.`}</p>
    );
  return (
    <div class="usage">
      <p>
        {`Usage ${usage.window.from.slice(0, 10)} to ${usage.window.to.slice(0, 10)}: ${usage.lastUsedAt ? `last used ${usage.lastUsedAt}, ${usage.requests} requests` : 'never used'}.`}{' '}
        <CandidateBadge usage={usage} />
      </p>
      {usage.unusedRules?.length ? (
        <div>
          <p>Rules not used in the window:</p>
          <ul>
            {usage.unusedRules.map((rule) => (
              <li>
                <code>{rule}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {usage.smallerRole ? (
        <div>
          <p>A smaller role covers what was used:</p>
          <pre>
            <code>{rulesYaml(usage.smallerRole)}</code>
          </pre>
        </div>
      ) : null}
    </div>
  );
}

/** Everything about one item: the path, the risks, usage, who else has it, the decision and its proof. */
export function ItemDetails(props: { item: ReviewItem; usage?: UsageSummary }) {
  const { item } = props;
  return (
    <details>
      <summary>Details</summary>
      <p>
        <code>{grantLabel(item.grant)}</code>
      </p>
      {item.grant.type === 'binding' && item.grant.roleMissing ? (
        <p>The role does not exist: an orphan grant.</p>
      ) : null}
      {item.risks.length > 0 ? (
        <ul class="risks">
          {item.risks.map((risk) => (
            <li>
              <span class={`badge badge-risk badge-${risk.severity}`}>{risk.severity}</span> {risk.title}:{' '}
              <code>{risk.path}</code>
            </li>
          ))}
        </ul>
      ) : (
        <p>No risk found on this grant.</p>
      )}
      <p>{`${item.holders} other subject(s) hold the same role here.`}</p>
      <Usage usage={props.usage} />
      <p>{`Reviewer: ${item.reviewer} (${item.reviewerRule})`}</p>
      {item.decision ? (
        <p>
          {`${item.decision.kind} by ${item.decision.by} at `}
          <When at={item.decision.at} />
          {`: ${item.decision.reason}`}
        </p>
      ) : null}
      <Proof item={item} />
      {item.notes.map((note) => (
        <p>{`${note.kind} ${note.from} → ${note.to} by ${note.by}: ${note.comment}`}</p>
      ))}
    </details>
  );
}
