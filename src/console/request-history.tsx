import type { ActivityItem } from '../access/index.js';
import { Empty, StateBadge, When } from './components.js';

/** A request's state history, oldest first, as the access capability reads it from the audit log. */
export function History(props: { items: readonly ActivityItem[] }) {
  if (props.items.length === 0) return <Empty>No audit entries for this request.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What happened</th>
            <th scope="col">State after</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((item) => (
            <tr>
              <td>
                <When at={item.at} seconds={true} />
              </td>
              <td class="wrap">
                {item.summary}
                {item.outcome === 'succeeded' ? '' : ` (${item.outcome})`}
                {item.note ? <div class="hint">{item.note}</div> : null}
              </td>
              <td>{item.state ? <StateBadge state={item.state} /> : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
