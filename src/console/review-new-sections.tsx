import { type DefaultAction, defaultActions, reviewSubjectKinds } from '../reviews/index.js';
import type { CampaignFieldErrors, CampaignFormValues } from './review-new-fields.js';
import { Check, HintAndError, TextField, wiring } from './review-new-inputs.js';

/** Kinds of subject as checkboxes: none ticked means every kind, as in the CLI. */
function SubjectKinds(props: { values: CampaignFormValues; errors: CampaignFieldErrors }) {
  const { values, errors } = props;
  const kinds = {
    name: 'subjectKinds',
    label: 'Kinds of subject',
    errors,
    hint: 'None ticked: all kinds.',
  } as const;
  return (
    <fieldset class="field choices" aria-describedby={wiring(kinds)['aria-describedby']}>
      <legend>{kinds.label}</legend>
      <div class="checks">
        {reviewSubjectKinds.map((kind) => (
          <Check name="subjectKind" value={kind} checked={values.subjectKinds.includes(kind)}>
            {kind === 'IamPrincipal' ? 'IAM principals (aws-auth, access entries)' : `${kind}s`}
          </Check>
        ))}
      </div>
      <HintAndError {...kinds} />
    </fieldset>
  );
}

/** What the campaign covers; every field left empty means all. */
export function ScopeFields(props: { values: CampaignFormValues; errors: CampaignFieldErrors }) {
  const { values, errors } = props;
  return (
    <fieldset aria-describedby={errors.scope ? 'scope-error' : 'scope-hint'}>
      <legend>Scope</legend>
      <p class="hint" id="scope-hint">
        Every field left empty means “all”. Cluster-wide grants are left out when namespaces or a selector are
        given.
      </p>
      {errors.scope ? (
        <p class="notice error" id="scope-error" role="alert">
          {errors.scope}
        </p>
      ) : null}
      <TextField
        name="namespaces"
        label="Namespaces"
        errors={errors}
        value={values.namespaces}
        placeholder="e.g. payments, billing"
        hint="Separated by commas or spaces."
      />
      <TextField
        name="selector"
        label="Namespace label selector"
        errors={errors}
        value={values.selector}
        placeholder="e.g. env=prod"
        hint="As kubectl writes one: env=prod, tier in (web,api), !legacy."
      />
      <TextField
        name="roles"
        label="Roles"
        errors={errors}
        value={values.roles}
        placeholder="e.g. edit, ClusterRole/admin, Role/payments/secret-reader"
        hint="NAME, ClusterRole/NAME or Role/NAMESPACE/NAME; commas between."
      />
      <Check name="clusterAdmin" checked={values.clusterAdmin}>
        Only grants equivalent to cluster-admin
      </Check>
      <SubjectKinds values={values} errors={errors} />
      <Check name="includeSystem" checked={values.includeSystem}>
        Include Kubernetes’ own bindings and system: subjects
      </Check>
    </fieldset>
  );
}

export function ReviewerFields(props: { values: CampaignFormValues; errors: CampaignFieldErrors }) {
  const { values, errors } = props;
  return (
    <fieldset>
      <legend>Reviewers</legend>
      <Check name="owners" checked={values.owners}>
        Namespaced items go to the owners named in the namespace annotation <code>gatehouse.dev/owners</code>
      </Check>
      <TextField
        name="reviewer"
        label="Reviewer of items without owners"
        errors={errors}
        value={values.reviewer}
        placeholder="e.g. group:platform-leads"
        hint="user:NAME or group:NAME; optional."
      />
      <TextField
        name="fallback"
        label="Fallback reviewer (required)"
        errors={errors}
        value={values.fallback}
        placeholder="e.g. group:security"
        hint="Reviews everything else, and every item about a reviewer’s own access."
        required
      />
    </fieldset>
  );
}

const actionWords: Record<DefaultAction, string> = {
  leave: 'Leave: undecided items stay as they are (recorded as left)',
  revoke: 'Revoke: undecided items are revoked and the revocation proven',
  escalate: 'Escalate: undecided items go to the fallback reviewer',
};

/** What happens to undecided items at the deadline, each choice in words. */
function DefaultActionChoice(props: { values: CampaignFormValues; errors: CampaignFieldErrors }) {
  const action = { name: 'defaultAction', label: 'At the deadline', errors: props.errors } as const;
  return (
    <fieldset class="field choices" aria-describedby={wiring(action)['aria-describedby']}>
      <legend>{action.label}</legend>
      {defaultActions.map((choice) => (
        <label class="check">
          <input
            type="radio"
            name="defaultAction"
            value={choice}
            checked={props.values.defaultAction === choice}
          />
          {actionWords[choice]}
        </label>
      ))}
      <HintAndError {...action} />
    </fieldset>
  );
}

export function DeadlineFields(props: { values: CampaignFormValues; errors: CampaignFieldErrors }) {
  const { values, errors } = props;
  return (
    <fieldset>
      <legend>Deadline and reminders</legend>
      <TextField
        name="deadline"
        label="Deadline"
        errors={errors}
        value={values.deadline}
        hint="A duration from now (14d, 36h) or a time (2026-12-31T17:00:00Z)."
        required
      />
      <DefaultActionChoice values={values} errors={errors} />
      <TextField
        name="reminders"
        label="Reminders before the deadline"
        errors={errors}
        value={values.reminders}
        hint="Durations separated by commas, e.g. 7d,3d,1d; daily once overdue."
      />
      <TextField
        name="every"
        label="Repeat every (optional)"
        errors={errors}
        value={values.every}
        placeholder="e.g. 90d"
        hint="A recurring campaign: the next one opens this long after this one (90d for quarterly)."
      />
    </fieldset>
  );
}
