import type { GrantPreview, PermissionLine } from '../access/index.js';

function verbsOf(line: PermissionLine): string {
  return line.verbs.join(', ');
}

/** The engine writes verbs and resources comma-joined; spaced, a long list wraps and reads. */
function readablePath(path: string): string {
  return path.replaceAll(',', ', ');
}

/**
 * What approving would add, from the RBAC engine: the risky permissions first, then every line,
 * each marked when the requester already holds it. What could not be read is said, not hidden.
 */
export function GrantPreviewView(props: { preview: GrantPreview; open?: boolean }) {
  const { preview } = props;
  return (
    <div class="preview">
      <p>
        {`Grants ${preview.subject} ${preview.access}`}
        {preview.aggregated
          ? ' (an aggregated ClusterRole: the rules of the roles it gathers are included)'
          : ''}
        .
      </p>
      {preview.errors.map((error) => (
        <p class="notice error">{error}</p>
      ))}
      {preview.risks.length > 0 ? (
        <ul class="risks">
          {preview.risks.map((risk) => (
            <li>
              <span class={`badge badge-risk badge-${risk.severity}`}>{risk.severity}</span>{' '}
              <strong>{risk.title}</strong> <span class="hint">{readablePath(risk.why)}</span>
            </li>
          ))}
        </ul>
      ) : preview.errors.length === 0 ? (
        <p>No risky permission among them.</p>
      ) : null}
      {preview.permissions.length > 0 ? (
        <details open={props.open}>
          <summary>{`${preview.permissions.length} permission line(s)`}</summary>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Resource</th>
                  <th scope="col">Verbs</th>
                  <th scope="col">Where</th>
                  <th scope="col">Already held</th>
                </tr>
              </thead>
              <tbody>
                {preview.permissions.map((line) => (
                  <tr>
                    <td>
                      <code>{line.resource}</code>
                      {line.resourceNames.length > 0 ? ` (only ${line.resourceNames.join(', ')})` : ''}
                    </td>
                    <td>{verbsOf(line)}</td>
                    <td>{line.namespace ?? 'cluster-wide'}</td>
                    <td>{line.alreadyHeld === undefined ? '?' : line.alreadyHeld ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="hint">
            {preview.alreadyHeld.status === 'computed'
              ? `"Already held" from ${preview.alreadyHeld.source}.`
              : `"Already held" not computed: ${preview.alreadyHeld.reason}.`}
          </p>
        </details>
      ) : null}
    </div>
  );
}
