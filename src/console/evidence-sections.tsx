import {
  type CustodyRecord,
  type Indicator,
  type ManifestItem,
  type TimelineEvent,
  viewFileLimit,
} from '../forensics/index.js';
import { Empty, When } from './components.js';
import { type PackageSummary, severities, type VerifyOutcome } from './evidence-data.js';

/** Quoted container data is hostile: escaped by JSX, and clipped so one line cannot fill the page. */
export const clip = (text: string, length = 400): string =>
  text.length > length ? `${text.slice(0, length)}… (${text.length - length} more characters)` : text;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

export function targetLine(custody: CustodyRecord): string {
  const cluster = custody.method === 'volume' ? 'volume' : custody.cluster.context;
  const { namespace, pod, container } = custody.target;
  return `${cluster} / ${namespace} / ${pod} / ${container}`;
}

export function Custody(props: { custody: CustodyRecord }) {
  const { custody } = props;
  const rows: [string, string][] = [
    ['Target', targetLine(custody)],
    ['Method', custody.method],
    ['Operator', custody.operator],
    ['Node', custody.target.node],
    ['Image', `${custody.target.image} ${custody.target.imageDigest}`],
    ['Container id', custody.target.containerId],
    ['Collector', `${custody.collector.profile} (sha256 ${custody.collector.sha256})`],
    ['Gatehouse', custody.gatehouseVersion],
    ['Bytes received', formatBytes(custody.bytesReceived)],
  ];
  return (
    <section class="card" aria-labelledby="custody-heading">
      <h2 id="custody-heading">Chain of custody</h2>
      <dl class="facts">
        <dt>Started</dt>
        <dd>
          <When at={custody.startedAt} seconds={true} />
        </dd>
        <dt>Finished</dt>
        <dd>
          <When at={custody.finishedAt} seconds={true} />
        </dd>
        {rows.map(([term, value]) => (
          <>
            <dt>{term}</dt>
            <dd class="wrap">{clip(value, 200)}</dd>
          </>
        ))}
      </dl>
      {custody.errors.length > 0 ? (
        <div class="notice error">
          <p>
            <strong>{`${custody.errors.length} problems during acquisition:`}</strong>
          </p>
          <ul>
            {custody.errors.slice(0, 50).map((error) => (
              <li>{clip(error, 300)}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

export function VerifyResult(props: { outcome: VerifyOutcome }) {
  const { outcome } = props;
  const anchored = outcome.anchors.some((anchor) => anchor.ok);
  const verdict = !outcome.ok
    ? 'The package does NOT verify.'
    : anchored
      ? 'The package verifies.'
      : 'The package is self-consistent only.';
  return (
    <div class={`notice ${outcome.ok ? 'ok' : 'error'}`} role="status">
      <p>
        <strong>{verdict}</strong>
        {` ${outcome.checked} files re-hashed; package hash ${outcome.packageHash}`}
      </p>
      {outcome.problems.map((problem) => (
        <p>{`${clip(problem.path, 200)}: ${problem.problem}`}</p>
      ))}
      {outcome.anchors
        .filter((anchor) => anchor.ok)
        .map((anchor) => (
          <p>{`Checked against ${anchor.detail}.`}</p>
        ))}
      {outcome.notes.map((note) => (
        <p>{`Not proven: ${note}.`}</p>
      ))}
      {anchored ? null : (
        <p>
          To prove it, check it against the hash recorded at hand-over: gatehouse evidence verify ID
          --expected-hash HASH, or --public-key with the audit key.
        </p>
      )}
    </div>
  );
}

export function Indicators(props: { indicators: readonly Indicator[] }) {
  if (props.indicators.length === 0) return <Empty>No indicators of compromise were found.</Empty>;
  return (
    <>
      {severities.map((severity) => {
        const found = props.indicators.filter((indicator) => indicator.severity === severity);
        if (found.length === 0) return null;
        return (
          <>
            <h3>{`${severity} (${found.length})`}</h3>
            <ul class="indicators">
              {found.map((indicator) => (
                <li>
                  <span class={`badge badge-${severity}`}>{severity}</span> <strong>{indicator.title}</strong>
                  {' at '}
                  <code>{clip(indicator.where, 200)}</code>
                  <blockquote>
                    <code>{clip(indicator.reason)}</code>
                  </blockquote>
                  <p class="hint">{indicator.why}</p>
                </li>
              ))}
            </ul>
          </>
        );
      })}
    </>
  );
}

/** One page of the matching events; `first` is the position of its first row (from 1). */
export function Timeline(props: { events: readonly TimelineEvent[]; total: number; first: number }) {
  if (props.events.length === 0) return <Empty>No timeline events match.</Empty>;
  const last = props.first + props.events.length - 1;
  return (
    <>
      <p class="lead">
        {props.events.length < props.total
          ? `Events ${props.first} to ${last} of ${props.total} matching events.`
          : `${props.total} matching events.`}
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">What</th>
              <th scope="col">Source</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {props.events.map((event) => (
              <tr>
                <td>
                  <When at={event.datetime} seconds={true} />
                </td>
                <td>{event.timestamp_desc}</td>
                <td>{event.source}</td>
                <td class="wrap">{clip(event.message, 300)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The most files listed: the manifest is container data, and may claim any number. */
export const fileListLimit = viewFileLimit;

/** The collected files (those with a path); `total` counts them all when fewer are given. */
export function FileList(props: { items: readonly ManifestItem[]; total?: number }) {
  const all = props.items.filter((item) => item.path);
  const total = props.total ?? all.length;
  if (total === 0) return <Empty>The package holds no collected files.</Empty>;
  const items = all.slice(0, fileListLimit);
  return (
    <div class="table-wrap">
      {total > items.length ? (
        <p class="lead">{`The first ${items.length} of ${total} files; the downloaded package has them all.`}</p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Status</th>
            <th scope="col">Size</th>
            <th scope="col">SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr>
              <td class="wrap">
                <code>{clip(item.source, 200)}</code>
              </td>
              <td>{item.status}</td>
              <td class="nowrap">{formatBytes(item.size)}</td>
              <td class="wrap">
                <code>{item.sha256}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PackageRows(props: { packages: readonly PackageSummary[] }) {
  if (props.packages.length === 0) return <Empty>No evidence packages yet.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Package</th>
            <th scope="col">Target (cluster / namespace / pod / container)</th>
            <th scope="col">Finished</th>
            <th scope="col">Operator</th>
            <th scope="col">Size</th>
            <th scope="col">Indicators</th>
          </tr>
        </thead>
        <tbody>
          {props.packages.map((row) => (
            <tr>
              <td class="nowrap">
                <a href={`/evidence/${row.id}`}>{row.id}</a>
              </td>
              <td class="wrap">{row.custody ? targetLine(row.custody) : (row.problem ?? '(not sealed)')}</td>
              <td>
                <When at={row.custody?.finishedAt} />
              </td>
              <td>{row.custody?.operator ?? '–'}</td>
              <td class="nowrap">{formatBytes(row.bytes)}</td>
              <td>
                {row.counts
                  ? severities
                      .filter((severity) => row.counts![severity] > 0)
                      .map((severity) => (
                        <span
                          class={`badge badge-${severity}`}
                        >{`${row.counts![severity]} ${severity}`}</span>
                      ))
                  : '–'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
