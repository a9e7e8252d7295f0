import { describePermission, type MethodName, type Permission, type Target } from '../forensics/index.js';
import { Csrf } from './components.js';
import { describeHidden, hiddenReasonOf, type MethodCheck } from './forensics-data.js';
import type { Place } from './forensics-place.js';
import { HiddenSwitch } from './forensics-steps.js';

/** What each method does to the pod, said before the responder picks it. */
export function describeMethod(method: MethodName): { title: string; effect: string } {
  switch (method) {
    case 'exec':
      return {
        title: 'exec',
        effect: "runs the collector with the container's own shell; nothing is added to the pod",
      };
    case 'ephemeral':
      return {
        title: 'ephemeral debug container',
        effect:
          "adds a busybox container that shares the pod's processes and reads the target's files through /proc; it stays in the pod spec (Kubernetes cannot remove ephemeral containers)",
      };
    default: {
      const unknown: never = method;
      return unknown;
    }
  }
}

function permissionList(permissions: readonly Permission[]) {
  return (
    <ul>
      {permissions.map((permission) => (
        <li>
          <code>{describePermission(permission)}</code> ({permission.why})
        </li>
      ))}
    </ul>
  );
}

/** One method with its preflight: ready, or the exact missing permission and how to grant it. */
function MethodResult(props: { check: MethodCheck; identity: string | undefined }) {
  const { check } = props;
  const who = props.identity ? `Gatehouse (${props.identity})` : "Gatehouse's identity on this cluster";
  const { title, effect } = describeMethod(check.method);
  return (
    <li class="method" data-method={check.method}>
      <p>
        <strong>{title}</strong>: {effect}.
      </p>
      {check.missing.length === 0 ? (
        <p class="ready">
          <span class="badge badge-active">ready</span> {`${who} holds every permission this method needs.`}
        </p>
      ) : (
        <div class="notice error">
          <p>
            <span class="badge badge-refused">blocked</span> {`${who} lacks:`}
          </p>
          {permissionList(check.missing)}
          <p>
            Fix: bind the role printed by <code>gatehouse setup rbac forensics</code> to that identity, in
            this namespace or cluster-wide.
          </p>
        </div>
      )}
      {check.degraded.length > 0 ? (
        <div class="notice">
          <p>Without these the package will be partial (the acquisition still runs):</p>
          {permissionList(check.degraded)}
        </div>
      ) : null}
    </li>
  );
}

function Facts(props: { target: Target; identity: string | undefined }) {
  const { target } = props;
  const rows: [string, string][] = [
    ['Image', target.image],
    ['Image digest', target.imageDigest || 'unknown'],
    ['State', target.startedAt ? `${target.state} since ${target.startedAt}` : target.state],
    ['Node', target.node || 'not scheduled'],
    ['Service account', target.serviceAccount],
    ['Container ID', target.containerId || 'none yet'],
    ['Gatehouse acts as', props.identity ?? 'unknown (the cluster has no SelfSubjectReview)'],
  ];
  return (
    <dl class="facts">
      {rows.map(([name, value]) => (
        <>
          <dt>{name}</dt>
          <dd>
            <code>{value}</code>
          </dd>
        </>
      ))}
    </dl>
  );
}

interface ContainerProps {
  readonly place: Place & { cluster: string };
  readonly target: Target;
  readonly checks: readonly MethodCheck[];
  readonly identity: string | undefined;
  readonly canAcquire: boolean;
  readonly csrf: string;
}

/** The last step: the container's facts, its methods with their preflight, and the acquire form. */
export function ContainerStep(props: ContainerProps) {
  const { target, place } = props;
  const reason = hiddenReasonOf(target);
  return (
    <>
      <section class="card" aria-labelledby="container-heading">
        <h2 id="container-heading">{`Container ${target.container}`}</h2>
        <Facts target={target} identity={props.identity} />
      </section>
      <section class="card" aria-labelledby="methods-heading">
        <h2 id="methods-heading">Methods that reach it</h2>
        {reason && !place.showHidden ? (
          <>
            <p>{`This container is hidden: ${describeHidden(reason)}.`}</p>
            <HiddenSwitch place={place} />
          </>
        ) : target.methods.length === 0 ? (
          <p>
            {`Not running (${target.state}): volatile state can only be acquired from a running container. Its logs: kubectl logs --previous.`}
          </p>
        ) : (
          <>
            <p class="hint">
              Checked with the apiserver just now (SelfSubjectAccessReview); nothing ran in the pod.
            </p>
            <ul class="methods">
              {props.checks.map((check) => (
                <MethodResult check={check} identity={props.identity} />
              ))}
            </ul>
            <AcquireForm {...props} />
          </>
        )}
      </section>
    </>
  );
}

function AcquireForm(props: ContainerProps) {
  const { target, place } = props;
  if (!props.canAcquire)
    return (
      <p class="hint">
        Acquiring needs the responder role. You can read, verify and download packages on the{' '}
        <a href="/evidence">Evidence</a> page.
      </p>
    );
  const ready = props.checks.filter((check) => check.missing.length === 0).map((check) => check.method);
  if (ready.length === 0)
    return <p>No method is ready: grant the missing permissions above, then reload this page.</p>;
  return (
    <form method="post" action="/forensics/acquire" class="stack" aria-label="Acquire this container">
      <Csrf token={props.csrf} />
      <input type="hidden" name="cluster" value={place.cluster} />
      <input type="hidden" name="namespace" value={target.namespace} />
      <input type="hidden" name="pod" value={target.pod} />
      <input type="hidden" name="container" value={target.container} />
      <fieldset>
        <legend>Method</legend>
        {props.checks.map((check) => (
          <div>
            <input
              type="radio"
              name="method"
              id={`method-${check.method}`}
              value={check.method}
              disabled={check.missing.length > 0}
              checked={check.method === ready[0]}
            />{' '}
            <label for={`method-${check.method}`}>{describeMethod(check.method).title}</label>
          </div>
        ))}
      </fieldset>
      <div>
        <button type="submit">Acquire</button>
      </div>
    </form>
  );
}
