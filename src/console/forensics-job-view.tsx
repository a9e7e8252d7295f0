import type { IndicatorSeverity } from '../forensics/index.js';
import { When } from './components.js';
import { severities } from './evidence-data.js';
import type { Job, JobRow } from './forensics-jobs.js';
import { forensicsHref } from './forensics-place.js';

/** `1.2 MB`, `340 kB`, `12 B`: what the script writes too, so a reload reads the same. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  if (bytes >= 1000) return `${Math.round(bytes / 1000)} kB`;
  return `${bytes} B`;
}

function statusText(row: JobRow): string {
  switch (row.status) {
    case 'queued':
      return 'waiting';
    case 'running':
      return 'running';
    case 'sealed':
      return row.completeness === 'complete' ? 'sealed, complete' : 'sealed, partial';
    case 'failed':
      return 'failed';
    default: {
      const unknown: never = row;
      return unknown;
    }
  }
}

function Progress(props: { job: Job }) {
  const { job } = props;
  return (
    <div
      class="table-wrap"
      id="progress"
      data-job-events={job.finishedAt ? undefined : `/forensics/jobs/${job.id}/events`}
    >
      <table aria-label="Progress per container">
        <thead>
          <tr>
            <th scope="col">Container</th>
            <th scope="col">Stage</th>
            <th scope="col">Received</th>
            <th scope="col">Items</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {job.rows.map((row, index) => (
            <tr data-row={String(index)} data-status={row.status}>
              <td class="wrap">
                <code>{row.label}</code>
              </td>
              <td data-cell="stage">{row.stage}</td>
              <td data-cell="bytes">{formatBytes(row.bytes)}</td>
              <td data-cell="items">{String(row.items)}</td>
              <td data-cell="status">{statusText(row)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Counts(props: { counts: Readonly<Record<IndicatorSeverity, number>> }) {
  const found = severities.filter((severity) => props.counts[severity] > 0);
  if (found.length === 0) return <span>no indicators</span>;
  return (
    <span class="counts">
      {found.map((severity) => (
        <span class={`badge badge-${severity}`}>{`${props.counts[severity]} ${severity}`}</span>
      ))}
    </span>
  );
}

function Result(props: { row: JobRow }) {
  const { row } = props;
  if (row.status === 'failed')
    return (
      <section class="card result" aria-label={`Result for ${row.label}`}>
        <h2>
          <code>{row.label}</code> <span class="badge badge-refused">failed</span>
        </h2>
        <div class="notice error">
          <p>{row.error}</p>
          {row.fix ? <p>{row.fix}</p> : null}
        </div>
        {row.packageId ? (
          <p>
            What arrived before the failure is sealed in{' '}
            <a href={`/evidence/${row.packageId}`}>{row.packageId}</a>.
          </p>
        ) : null}
      </section>
    );
  if (row.status !== 'sealed') return null;
  return (
    <section class="card result" aria-label={`Result for ${row.label}`}>
      <h2>
        <code>{row.label}</code>{' '}
        <span class={`badge ${row.completeness === 'complete' ? 'badge-active' : 'badge-pending'}`}>
          {row.completeness}
        </span>
      </h2>
      <dl class="facts">
        <dt>Package</dt>
        <dd>
          <a href={`/evidence/${row.packageId}`}>{row.packageId}</a> (indicators, timeline, verify, download)
        </dd>
        <dt>Package hash</dt>
        <dd>
          <code>{row.packageHash}</code>
        </dd>
        <dt>Method</dt>
        <dd>{row.method}</dd>
        <dt>Items</dt>
        <dd>{`${row.items} (${formatBytes(row.bytes)} from the container)`}</dd>
        <dt>Indicators</dt>
        <dd>
          <Counts counts={row.counts} />
        </dd>
      </dl>
      {row.reasons.length > 0 ? (
        <details>
          <summary>{`Why it is partial (${row.reasons.length})`}</summary>
          <ul>
            {row.reasons.slice(0, 50).map((reason) => (
              <li>
                <code>{reason.slice(0, 400)}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

/** One job: who started what, the live progress table, and each container's result as it ends. */
export function JobView(props: { job: Job }) {
  const { job } = props;
  const single = job.selector === undefined && job.rows.length === 1;
  const [pod, container] = single ? job.rows[0]!.label.split('/').slice(1) : [];
  return (
    <>
      <dl class="facts">
        <dt>Started by</dt>
        <dd>{job.operator}</dd>
        <dt>Where</dt>
        <dd>{`${job.namespace} on ${job.cluster}`}</dd>
        {job.selector ? (
          <>
            <dt>Selector</dt>
            <dd>
              <code>{job.selector}</code>
            </dd>
          </>
        ) : null}
        <dt>Method</dt>
        <dd>{job.method}</dd>
        <dt>Started</dt>
        <dd>
          <When at={job.startedAt} seconds />
        </dd>
        <dt>Finished</dt>
        <dd>{job.finishedAt ? <When at={job.finishedAt} seconds /> : 'not yet'}</dd>
      </dl>
      <h2>Progress</h2>
      <Progress job={job} />
      <p class="hint">
        This page follows the acquisition live and shows each result when it ends; reloading it is safe.
        Progress is kept in this server's memory: after a restart the packages remain on the{' '}
        <a href="/evidence">Evidence</a> page.
      </p>
      {job.rows.map((row) => (
        <Result row={row} />
      ))}
      <p>
        {single ? (
          <a href={forensicsHref({ cluster: job.cluster, namespace: job.namespace, pod, container })}>
            Back to the container
          </a>
        ) : (
          <a href={forensicsHref({ cluster: job.cluster, namespace: job.namespace })}>
            Back to the namespace
          </a>
        )}
      </p>
    </>
  );
}
