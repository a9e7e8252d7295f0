import type { Child } from 'hono/jsx';
import type { FlowOption } from '../access/index.js';
import { Csrf, formatSeconds } from './components.js';
import type { FieldErrors, RequestFormValues } from './request-fields.js';

/** A labelled field with its hint and, when the server refused it, the reason beside it. */
function Field(props: {
  name: string;
  label: string;
  hint?: string | undefined;
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

/** A duration as the form posts it, in the largest whole unit: `4h`, `90m`, `1d`, `700s`. */
export function durationValue(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

/** Step one, a plain GET: choosing the flow shows what it offers (works without any script). */
export function FlowChoice(props: { flows: readonly FlowOption[]; chosen: string | undefined }) {
  return (
    <form method="get" action="/access/requests" class="inline-form">
      <div class="field">
        <label for="choose-flow">Access flow</label>
        <select id="choose-flow" name="flow">
          {props.flows.map((option) => (
            <option value={option.flow} selected={option.flow === props.chosen}>
              {`${option.flow} (${option.mode}, up to ${formatSeconds(option.durations.maximumSeconds)})`}
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
  option: FlowOption;
  values: RequestFormValues;
  errors: FieldErrors;
  known: readonly string[];
}) {
  const { option, values, errors } = props;
  const { clusters } = option;
  if (clusters.kind === 'any')
    return (
      <Field name="cluster" label="Cluster" error={errors.cluster} hint="Any cluster Gatehouse knows">
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
      </Field>
    );
  return (
    <Field name="cluster" label="Cluster" error={errors.cluster}>
      <select required {...wiring('cluster', errors, false)}>
        {clusters.names.map((name) => (
          <option value={name} selected={name === values.cluster}>
            {name}
          </option>
        ))}
      </select>
    </Field>
  );
}

function NamespaceField(props: { option: FlowOption; values: RequestFormValues; errors: FieldErrors }) {
  const { option, values, errors } = props;
  if (!option.roles.some((role) => role.namespaceRequired)) return null;
  const { names, prefixes, selector } = option.namespaces;
  const open = prefixes.length > 0 || selector !== undefined;
  const clusterWide = option.roles.some((role) => !role.namespaceRequired);
  const allowed = [
    ...names,
    ...prefixes.map((prefix) => `${prefix}…`),
    ...(selector ? ['namespaces the flow selects by label (checked on the cluster)'] : []),
  ];
  const hint = [
    open ? `Allowed: ${allowed.join(', ')}.` : '',
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
            {names.map((name) => (
              <option value={name} />
            ))}
          </datalist>
        </>
      ) : (
        <select {...wiring('namespace', errors, hint !== '')}>
          {clusterWide ? <option value="">(cluster-wide)</option> : null}
          {names.map((name) => (
            <option value={name} selected={name === values.namespace}>
              {name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function RoleField(props: { option: FlowOption; values: RequestFormValues; errors: FieldErrors }) {
  const { option, values, errors } = props;
  return (
    <Field name="role" label="Role" error={errors.role}>
      <select required {...wiring('role', errors, false)}>
        {option.roles.map((role) => {
          const value = `${role.kind}/${role.name}`;
          return (
            <option value={value} selected={value === values.role}>
              {`${value} (${role.namespaceRequired ? 'per namespace' : 'cluster-wide'})`}
            </option>
          );
        })}
      </select>
    </Field>
  );
}

function DurationField(props: { option: FlowOption; values: RequestFormValues; errors: FieldErrors }) {
  const { option, values, errors } = props;
  const choices = option.durations.suggestedSeconds.map((seconds) => ({
    value: durationValue(seconds),
    seconds,
  }));
  const chosen = values.duration ?? choices[0]?.value;
  return (
    <Field
      name="duration"
      label="Duration"
      error={errors.duration}
      hint={`From ${formatSeconds(option.durations.minimumSeconds)} to ${formatSeconds(option.durations.maximumSeconds)}`}
    >
      <select required {...wiring('duration', errors, true)}>
        {choices.map((choice) => (
          <option value={choice.value} selected={choice.value === chosen}>
            {formatSeconds(choice.seconds)}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** What happens after the request: who approves, and which IAM principal an EKS grant goes to. */
function approvalText(option: FlowOption): string {
  const approval =
    option.approval.kind === 'automatic'
      ? 'Approved automatically for you (still audited).'
      : `Needs ${option.approval.required} approval${option.approval.required === 1 ? '' : 's'} before it starts.`;
  return option.principalArn
    ? `${approval} The grant goes to your IAM principal ${option.principalArn}.`
    : approval;
}

/** Step two: the fields of a request under the chosen flow, each offering only what the flow allows. */
export function RequestForm(props: {
  option: FlowOption;
  values: RequestFormValues;
  errors: FieldErrors;
  csrf: string;
  knownClusters: readonly string[];
}) {
  const { option, values, errors } = props;
  return (
    <form method="post" action="/access/requests" class="stack" novalidate>
      <Csrf token={props.csrf} />
      <input type="hidden" name="flow" value={option.flow} />
      {errors.form || errors.flow ? (
        <div class="notice error" role="alert">
          <p>{errors.form ?? errors.flow}</p>
        </div>
      ) : null}
      <ClusterField option={option} values={values} errors={errors} known={props.knownClusters} />
      <NamespaceField option={option} values={values} errors={errors} />
      <RoleField option={option} values={values} errors={errors} />
      <DurationField option={option} values={values} errors={errors} />
      <Field
        name="reason"
        label={option.reason.required ? 'Reason (required)' : 'Reason'}
        error={errors.reason}
        hint={`What you need to do and why${option.reason.required ? ` (at least ${option.reason.minimumLength} characters)` : ''}; approvers and the audit log see it.`}
      >
        <textarea
          required={option.reason.required}
          maxlength={option.reason.maximumLength}
          {...wiring('reason', errors, true)}
        >
          {values.reason ?? ''}
        </textarea>
      </Field>
      {option.breakGlass ? (
        option.requestable ? (
          <div class="field">
            <label>
              <input type="checkbox" name="breakGlass" value="yes" checked={values.breakGlass === 'yes'} />{' '}
              Break glass: activate at once without approval (audited and announced)
            </label>
          </div>
        ) : (
          <>
            <input type="hidden" name="breakGlass" value="yes" />
            <p class="notice">
              You may use this flow only to break glass: the access starts at once, audited and announced.
            </p>
          </>
        )
      ) : null}
      <p class="hint">{approvalText(option)}</p>
      <div>
        <button type="submit">Request access</button>
      </div>
    </form>
  );
}
