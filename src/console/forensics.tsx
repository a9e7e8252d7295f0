import type { Hono } from 'hono';
import { AppError } from '../errors.js';
import type { Target } from '../forensics/index.js';
import { hasRole } from '../identity/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Csrf } from './components.js';
import { ContainerStep } from './forensics-container.js';
import {
  checkMethods,
  identityOn,
  listNamespaces,
  podsOf,
  probed,
  refuseUnlessForensicsReader,
  targetsIn,
} from './forensics-data.js';
import { mountJobs } from './forensics-job-page.js';
import { JobRegistry } from './forensics-jobs.js';
import { type Place, placeFrom } from './forensics-place.js';
import { ClusterStep, ContainersStep, NamespaceStep, PodStep, Trail } from './forensics-steps.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

function SelectorForm(props: { place: Place & { cluster: string; namespace: string }; csrf: string }) {
  return (
    <section class="card" aria-labelledby="selector-heading">
      <h2 id="selector-heading">Acquire every match of a label selector</h2>
      <form method="post" action="/forensics/acquire" class="inline-form">
        <Csrf token={props.csrf} />
        <input type="hidden" name="cluster" value={props.place.cluster} />
        <input type="hidden" name="namespace" value={props.place.namespace} />
        <input type="hidden" name="method" value="auto" />
        <div class="field">
          <label for="forensics-selector">{`Label selector in ${props.place.namespace}`}</label>
          <input type="text" id="forensics-selector" name="selector" required placeholder="e.g. app=web" />
        </div>
        <button type="submit">Acquire matches</button>
        <p class="hint">
          Every running container of the matching pods, four at a time; exec where the image has a shell, an
          ephemeral debug container where it has none.
        </p>
      </form>
    </section>
  );
}

function notFound(what: string, place: Place): never {
  throw new AppError('not-found', `${what} not found in ${place.namespace} on cluster "${place.cluster}"`, {
    fix: 'It may have been deleted or renamed; pick it again from the list',
  });
}

/** The step the place reaches, with what it needs read from the cluster. */
async function stepFor(options: ConsoleOptions, signed: Signed, place: Place) {
  if (!place.cluster)
    return (
      <ClusterStep place={place} listing={options.listClusters ? await options.listClusters() : undefined} />
    );
  const cluster = place.cluster;
  const client = await options.clientFor(cluster);
  if (!place.namespace)
    return <NamespaceStep place={place} namespaces={await listNamespaces(client, cluster)} />;
  const namespace = place.namespace;
  const inNamespace = await targetsIn(client, { cluster, namespace });
  if (!place.pod)
    return (
      <>
        <PodStep place={place} pods={podsOf(inNamespace)} />
        {hasRole(signed.principal, 'responder') ? (
          <SelectorForm place={{ ...place, cluster, namespace }} csrf={signed.csrf} />
        ) : null}
      </>
    );
  const inPod = inNamespace.filter((target) => target.pod === place.pod);
  if (inPod.length === 0) notFound(`pod ${place.pod}`, place);
  const containers: Target[] = place.probe ? await probed(client, inPod) : inPod;
  if (!place.container) return <ContainersStep place={place} containers={containers} />;
  const target = containers.find((candidate) => candidate.container === place.container);
  if (!target) notFound(`container ${place.container} of pod ${place.pod}`, place);
  const [checks, identity] = await Promise.all([checkMethods(client, target), identityOn(client)]);
  return (
    <ContainerStep
      place={{ ...place, cluster }}
      target={target}
      checks={checks}
      identity={identity}
      canAcquire={hasRole(signed.principal, 'responder')}
      csrf={signed.csrf}
    />
  );
}

async function browse(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  await refuseUnlessForensicsReader(options.store, signed.principal, {
    doing: 'see forensics targets',
    target: 'forensics',
  });
  const place = placeFrom((name) => c.req.query(name));
  const step = await stepFor(options, signed, place);
  return await html(
    c,
    <Layout
      signed={signed}
      path="/forensics"
      title={hasRole(signed.principal, 'responder') ? 'Acquire evidence' : 'Forensics targets'}
    >
      <p class="lead">
        {hasRole(signed.principal, 'responder')
          ? 'Cluster, namespace, pod, container: pick the container, see how Gatehouse can reach it and whether it may, then acquire its volatile state and key files into a sealed package.'
          : 'Cluster, namespace, pod, container: see how Gatehouse can reach each container and whether it may. Acquiring needs the responder role.'}{' '}
        Packages acquired so far are on the <a href="/evidence">Evidence page</a>.
      </p>
      <Trail place={place} />
      {step}
    </Layout>,
  );
}

/** `/forensics`, the acquisition form and its jobs: responders and admins act, auditors look. */
export function mountForensics(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  const jobs = new JobRegistry();
  app.get(
    '/forensics',
    page(options, (c, signed) => browse(c, options, signed)),
  );
  mountJobs(app, options, jobs);
}
