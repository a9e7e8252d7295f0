import type { Child } from 'hono/jsx';
import type { AccessFlow } from '../access/index.js';
import { Csrf, formatSeconds } from './components.js';
import { durationChoices, type FieldErrors, type RequestFormValues } from './request-fields.js';

/** A labelled field with its hint and, when the server refused it, the reason beside it. */
function Field(props: {
  name: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  children: Child;
}) {
  return (
    <div class="field">
      <label for={`field-${props.name}`}>{props.label}</label>
      {props.children}
      {props.hint ? (
        <span class="hint" id={`${props.name}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="error" id={`${props.name}-error`} role="alert">
          {props.error}
        </span>
      ) : null}
    </div>
  );
}

/** The attributes that tie an input to its label, hint and error. */
function wiring(name: string, errors: FieldErrors, hint: boolean) {
  const error = errors[name as keyof FieldErrors];
  const described = [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ');
  return {
    id: `field-${name}`,
    name,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': described || undefined,
  };
}

/** Step one, a plain GET: choosing the flow shows what it offers (works without any script). */
export function FlowChoice(props: { flows: readonly AccessFlow[]; chosen: string | undefined }) {
  return (
    <form method="get" action="/access/requests" class="inline-form">
      <div class="field">
        <label for="choose-flow">Access flow</label>
        <select id="choose-flow" name="flow">
          {props.flows.map((flow) => (
            <option value={flow.name} selected={flow.name === props.chosen}>
              {`${flow.name} (${flow.mode}, up to ${formatSeconds(flow.maxDurationSeconds)})`}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="secondary">
        {props.chosen ? 'Change flow' : 'Continue'}
      </button>
      {props.chosen ? null : (
        <p class="hint">Choose the flow to request through; its clusters, roles and durations come next.</p>
      )}
    </form>
  );
}

function ClusterField(props: {
  flow: AccessFlow;
  values: RequestFormValues;
  errors: FieldErrors;
  known: readonly string[];
}) {
  const { flow, values, errors } = props;
  const anyCluster = flow.clusters.includes('*');
  return (
    <Field
      name="cluster"
      label="Cluster"
      error={errors.cluster}
      hint={anyCluster ? 'Any cluster Gatehouse knows' : undefined}
    >
      {anyCluster ? (
        <>
          <input
            type="text"
            list="known-clusters"
            value={values.cluster ?? ''}
            required
            {...wiring('cluster', errors, true)}
          />
          <datalist id="known-clusters">
            {props.known.map((name) => (
              <option value={name} />
            ))}
          </datalist>
        </>
      ) : (
        <select required {...wiring('cluster', errors, false)}>
          {flow.clusters.map((name) => (
            <option value={name} selected={name === values.cluster}>
              {name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function NamespaceField(props: { flow: AccessFlow; values: RequestFormValues; errors: FieldErrors }) {
  const { flow, values, errors } = props;
  if (!flow.roles.some((role) => role.scope === 'namespace')) return null;
  const exact = flow.namespaces.filter((name) => !name.endsWith('*'));
  const open = exact.length < flow.namespaces.length || flow.namespaceSelector !== undefined;
  const clusterWide = flow.roles.some((role) => role.scope === 'cluster');
  const allowed = `Allowed: ${[...flow.namespaces, ...(flow.namespaceSelector ? ['namespaces the flow selects by label'] : [])].join(', ')}.`;
  const hint = [
    open ? allowed : '',
    clusterWide
      ? open
        ? 'Leave empty for a cluster-wide role.'
        : 'Choose (cluster-wide) for a cluster-wide role.'
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <Field name="namespace" label="Namespace" error={errors.namespace} hint={hint || undefined}>
      {open ? (
        <>
          <input
            type="text"
            list="flow-namespaces"
            value={values.namespace ?? ''}
            {...wiring('namespace', errors, hint !== '')}
          />
          <datalist id="flow-namespaces">
            {exact.map((name) => (
              <option value={name} />
            ))}
          </datalist>
        </>
      ) : (
        <select {...wiring('namespace', errors, hint !== '')}>
          {flow.roles.some((role) => role.scope === 'cluster') ? (
            <option value="">(cluster-wide)</option>
          ) : null}
          {exact.map((name) => (
            <option value={name} selected={name === values.namespace}>
              {name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function RoleField(props: { flow: AccessFlow; values: RequestFormValues; errors: FieldErrors }) {
  const { flow, values, errors } = props;
  return (
    <Field name="role" label="Role" error={errors.role}>
      <select required {...wiring('role', errors, false)}>
        {flow.roles.map((role) => {
          const value = `${role.kind}/${role.name}`;
          return (
            <option value={value} selected={value === values.role}>
              {`${value} (${role.scope === 'cluster' ? 'cluster-wide' : 'per namespace'})`}
            </option>
          );
        })}
      </select>
    </Field>
  );
}

/** Step two: the fields of a request under the chosen flow, each offering only what the flow allows. */
export function RequestForm(props: {
  flow: AccessFlow;
  values: RequestFormValues;
  errors: FieldErrors;
  csrf: string;
  knownClusters: readonly string[];
  breakGlass: boolean;
}) {
  const { flow, values, errors } = props;
  const durations = durationChoices(flow);
  return (
    <form method="post" action="/access/requests" class="stack" novalidate>
      <Csrf token={props.csrf} />
      <input type="hidden" name="flow" value={flow.name} />
      {errors.form || errors.flow ? (
        <div class="notice error" role="alert">
          <p>{errors.form ?? errors.flow}</p>
        </div>
      ) : null}
      <ClusterField flow={flow} values={values} errors={errors} known={props.knownClusters} />
      <NamespaceField flow={flow} values={values} errors={errors} />
      <RoleField flow={flow} values={values} errors={errors} />
      <Field
        name="duration"
        label="Duration"
        error={errors.duration}
        hint={`At most ${formatSeconds(flow.maxDurationSeconds)}`}
      >
        <select required {...wiring('duration', errors, true)}>
          {durations.map((duration) => (
            <option
              value={duration.value}
              selected={duration.value === (values.duration ?? durations[0]?.value)}
            >
              {formatSeconds(duration.seconds)}
            </option>
          ))}
        </select>
      </Field>
      <Field
        name="reason"
        label={flow.justificationRequired ? 'Reason (required)' : 'Reason'}
        error={errors.reason}
        hint="What you need to do and why; approvers and the audit log see it."
      >
        <textarea required={flow.justificationRequired} maxlength={2000} {...wiring('reason', errors, true)}>
          {values.reason ?? ''}
        </textarea>
      </Field>
      {props.breakGlass ? (
        <div class="field">
          <label>
            <input type="checkbox" name="breakGlass" value="yes" checked={values.breakGlass === 'yes'} />{' '}
            Break glass: activate at once without approval (audited and announced)
          </label>
        </div>
      ) : null}
      <div>
        <button type="submit">Request access</button>
      </div>
    </form>
  );
}
