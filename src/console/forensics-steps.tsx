import type { Child } from 'hono/jsx';
import type { ClusterListing } from '../clusters/index.js';
import type { Target } from '../forensics/index.js';
import { Empty } from './components.js';
import {
  describeHidden,
  type HiddenReason,
  hiddenReasonOf,
  type NamespaceRow,
  type PodRow,
} from './forensics-data.js';
import { forensicsHref, type Place } from './forensics-place.js';

/** The way so far, each step a link back to it; the current step is marked. */
export function Trail(props: { place: Place }) {
  const { place } = props;
  const steps: { label: string; href: string }[] = [
    { label: 'Clusters', href: forensicsHref({ ...place, cluster: '' }) },
  ];
  if (place.cluster) steps.push({ label: place.cluster, href: forensicsHref({ ...place, namespace: '' }) });
  if (place.namespace) steps.push({ label: place.namespace, href: forensicsHref({ ...place, pod: '' }) });
  if (place.pod) steps.push({ label: place.pod, href: forensicsHref({ ...place, container: '' }) });
  if (place.container) steps.push({ label: place.container, href: forensicsHref(place) });
  return (
    <nav aria-label="Where you are" class="trail">
      <ol>
        {steps.map((step, index) => (
          <li>
            <a href={step.href} aria-current={index === steps.length - 1 ? 'page' : undefined}>
              {step.label}
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** The switch: a link that turns the listing of hidden namespaces and containers on or off. */
export function HiddenSwitch(props: { place: Place }) {
  const { place } = props;
  return (
    <p class="switch">
      {/* A plain link, not role=switch: following it loads another page, it toggles nothing in place. */}
      <a href={forensicsHref({ ...place, showHidden: !place.showHidden })} data-switch="hidden">
        {place.showHidden
          ? 'Hide system namespaces and shell-less containers'
          : 'Show hidden namespaces and containers'}
      </a>
    </p>
  );
}

export function HiddenBadge(props: { reason: HiddenReason | undefined }) {
  if (!props.reason) return null;
  return (
    <>
      <span class="badge badge-ended">hidden</span> <span class="hint">{describeHidden(props.reason)}</span>
    </>
  );
}

/** What the switch keeps out of the list, by name and reason, so nothing is hidden silently. */
export function HiddenList(props: {
  place: Place;
  what: string;
  rows: readonly { name: string; reason: HiddenReason }[];
}) {
  if (props.place.showHidden || props.rows.length === 0) return null;
  return (
    <section class="card hidden-list" aria-label={`Hidden ${props.what}`}>
      <h2>{`Hidden ${props.what} (${props.rows.length})`}</h2>
      <ul>
        {props.rows.map((row) => (
          <li>
            <code>{row.name}</code>: {describeHidden(row.reason)}
          </li>
        ))}
      </ul>
      <HiddenSwitch place={props.place} />
    </section>
  );
}

export function ClusterStep(props: { place: Place; listing: ClusterListing | undefined }) {
  const { listing, place } = props;
  const typed = (
    <form method="get" action="/forensics" class="inline-form" aria-label="Open a cluster by name">
      <div class="field">
        <label for="forensics-cluster">Cluster (kubeconfig context or cloud cluster name)</label>
        <input type="text" id="forensics-cluster" name="cluster" required />
      </div>
      <button type="submit" class="secondary">
        Open
      </button>
    </form>
  );
  // A listing that is missing, empty or incomplete may not name the cluster: then it can be typed.
  const canType = !listing || listing.errors.length > 0 || listing.clusters.length === 0;
  if (!listing) return typed;
  return (
    <>
      {listing.errors.map((error) => (
        <div class="notice error" role="alert">
          <p>{`${error.source}: ${error.message}`}</p>
        </div>
      ))}
      {listing.clusters.length === 0 ? (
        <Empty>Gatehouse knows no cluster: add a kubeconfig context or a cloud account.</Empty>
      ) : (
        <Rows
          headers={['Cluster', 'Provider', 'API server']}
          rows={listing.clusters.map((cluster) => [
            <a href={forensicsHref({ ...place, cluster: cluster.name })}>{cluster.name}</a>,
            cluster.provider,
            <code>{cluster.server}</code>,
          ])}
        />
      )}
      {canType ? typed : null}
    </>
  );
}

/** A plain table: one header row, one row per item. */
export function Rows(props: {
  headers: readonly string[];
  rows: readonly (readonly Child[])[];
  label?: string;
}) {
  return (
    <div class="table-wrap">
      <table aria-label={props.label}>
        <thead>
          <tr>
            {props.headers.map((header) => (
              <th scope="col">{header}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((cells) => (
            <tr>
              {cells.map((cell) => (
                <td class="wrap">{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function NamespaceStep(props: { place: Place; namespaces: readonly NamespaceRow[] }) {
  const { place } = props;
  const shown = props.namespaces.filter((row) => place.showHidden || !row.hidden);
  const hidden = props.namespaces.flatMap((row) =>
    row.hidden ? [{ name: row.name, reason: row.hidden }] : [],
  );
  return (
    <>
      <h2>Namespaces</h2>
      {shown.length === 0 ? (
        <Empty>No namespace to show.</Empty>
      ) : (
        <Rows
          label="Namespaces"
          headers={place.showHidden ? ['Namespace', 'Hidden because'] : ['Namespace']}
          rows={shown.map((row) => [
            <a href={forensicsHref({ ...place, namespace: row.name })}>{row.name}</a>,
            ...(place.showHidden ? [<HiddenBadge reason={row.hidden} />] : []),
          ])}
        />
      )}
      <HiddenList place={place} what="namespaces" rows={hidden} />
      {place.showHidden ? <HiddenSwitch place={place} /> : null}
    </>
  );
}

function stateOf(containers: readonly Target[]): string {
  const states = [...new Set(containers.map((target) => target.state))];
  return states.join(', ');
}

export function PodStep(props: { place: Place; pods: readonly PodRow[] }) {
  const { place } = props;
  const shown = props.pods.filter((pod) => place.showHidden || !pod.hidden);
  const hidden = props.pods.flatMap((pod) => (pod.hidden ? [{ name: pod.name, reason: pod.hidden }] : []));
  return (
    <>
      <h2>Pods</h2>
      {shown.length === 0 ? (
        <Empty>No pod to show in this namespace.</Empty>
      ) : (
        <Rows
          label="Pods"
          headers={['Pod', 'Containers', 'State', 'Node', 'Service account']}
          rows={shown.map((pod) => [
            <>
              <a href={forensicsHref({ ...place, pod: pod.name })}>{pod.name}</a>
              {pod.hidden ? (
                <>
                  {' '}
                  <HiddenBadge reason={pod.hidden} />
                </>
              ) : null}
            </>,
            pod.containers.map((target) => target.container).join(', '),
            stateOf(pod.containers),
            pod.node,
            pod.serviceAccount,
          ])}
        />
      )}
      <HiddenList place={place} what="pods" rows={hidden} />
      {place.showHidden ? <HiddenSwitch place={place} /> : null}
    </>
  );
}

export function ContainersStep(props: { place: Place; containers: readonly Target[] }) {
  const { place } = props;
  const shown = props.containers.filter((target) => place.showHidden || !target.hidden);
  const hidden = props.containers.flatMap((target) => {
    const reason = hiddenReasonOf(target);
    return reason ? [{ name: target.container, reason }] : [];
  });
  return (
    <>
      <h2>Containers</h2>
      {shown.length === 0 ? (
        <Empty>Every container of this pod is hidden; the list below says why.</Empty>
      ) : (
        <Rows
          label="Containers"
          headers={[
            'Container',
            'Image',
            'State',
            'Methods',
            ...(place.showHidden ? ['Hidden because'] : []),
          ]}
          rows={shown.map((target) => [
            <a href={forensicsHref({ ...place, container: target.container })}>{target.container}</a>,
            <code>{target.image}</code>,
            target.state,
            target.methods.length > 0 ? target.methods.join(', ') : 'none (not running)',
            ...(place.showHidden ? [<HiddenBadge reason={hiddenReasonOf(target)} />] : []),
          ])}
        />
      )}
      <HiddenList place={place} what="containers" rows={hidden} />
      {place.showHidden ? <HiddenSwitch place={place} /> : null}
      <p class="hint">
        An image can lack a shell without saying so in its name.{' '}
        {place.probe ? (
          'Each container of this pod was probed for a shell (one exec each).'
        ) : (
          <a href={forensicsHref({ ...place, probe: true })}>Probe each container for a shell</a>
        )}
      </p>
    </>
  );
}
