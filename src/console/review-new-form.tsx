import type { Child } from 'hono/jsx';
import type { SyncRun } from '../inventory/index.js';
import { Csrf, When } from './components.js';
import type { CampaignFieldErrors, CampaignFormValues } from './review-new-fields.js';
import { HintAndError, TextField, wiring } from './review-new-inputs.js';
import { DeadlineFields, ReviewerFields, ScopeFields } from './review-new-sections.js';

/** A cluster the form offers: its recent runs, and the run a campaign freezes when none is chosen. */
export interface ClusterChoice {
  readonly name: string;
  readonly runs: readonly SyncRun[];
  readonly latest?: { readonly run: SyncRun; readonly snapshotHash: string };
}

const runLabel = (run: SyncRun) =>
  `${run.cluster}: ${run.finishedAt.slice(0, 16).replace('T', ' ')} UTC, run ${run.id.slice(0, 8)}, ${run.status}`;

function SnapshotFields(props: {
  values: CampaignFormValues;
  errors: CampaignFieldErrors;
  clusters: readonly ClusterChoice[];
}) {
  const { values, errors, clusters } = props;
  const cluster = { name: 'cluster', label: 'Cluster', errors } as const;
  const run = {
    name: 'run',
    label: 'Sync run to freeze',
    errors,
    hint: 'The campaign reviews this snapshot of the cluster’s RBAC and records its SHA-256.',
  } as const;
  return (
    <fieldset>
      <legend>What to review</legend>
      <TextField
        name="name"
        label="Name"
        errors={errors}
        value={values.name}
        placeholder="e.g. Q4 2026 production access"
        required
      />
      <div class="field">
        <label for="field-cluster">{cluster.label}</label>
        <select required {...wiring(cluster)}>
          {clusters.map((choice) => (
            <option value={choice.name} selected={choice.name === values.cluster}>
              {choice.name}
            </option>
          ))}
        </select>
        <HintAndError {...cluster} />
      </div>
      <div class="field">
        <label for="field-run">{run.label}</label>
        <select {...wiring(run)}>
          <option value="">The latest usable sync of the chosen cluster</option>
          {clusters.map((choice) => (
            <optgroup label={choice.name}>
              {choice.runs.map((item) => (
                <option value={item.id} selected={item.id === values.run}>
                  {runLabel(item)}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <HintAndError {...run} />
      </div>
      <LatestRuns clusters={clusters} />
    </fieldset>
  );
}

/** The default run of each cluster, with its time and the hash a campaign would record. */
function LatestRuns(props: { clusters: readonly ClusterChoice[] }) {
  return (
    <ul class="hint latest-runs" aria-label="Latest usable sync of each cluster">
      {props.clusters.map((choice) =>
        choice.latest ? (
          <li>
            {`${choice.name}: latest usable sync ${choice.latest.run.id.slice(0, 8)} finished `}
            <When at={choice.latest.run.finishedAt} />
            {', snapshot sha256 '}
            <code>{choice.latest.snapshotHash.slice(0, 16)}</code>…
          </li>
        ) : (
          <li>{`${choice.name}: no usable sync; sync it from the Governance page first.`}</li>
        ),
      )}
    </ul>
  );
}

/** The campaign form: everything `gatehouse reviews create` takes, posted with the session's CSRF token. */
export function CampaignForm(props: {
  values: CampaignFormValues;
  errors: CampaignFieldErrors;
  clusters: readonly ClusterChoice[];
  csrf: string;
  /** What the preview found, shown beside the buttons so Create is one step away. */
  preview?: Child;
}) {
  const { values, errors } = props;
  const marked = Object.keys(errors).filter((field) => field !== 'form').length;
  return (
    <form method="post" action="/reviews/new" class="stack campaign-form" novalidate>
      <Csrf token={props.csrf} />
      {errors.form || marked > 0 ? (
        <div class="notice error">
          <p>
            {`Nothing was created. ${errors.form ?? ''}${marked > 0 ? ` Change the ${marked === 1 ? 'field' : `${marked} fields`} marked below, then submit again.` : ''}`.trim()}
          </p>
        </div>
      ) : null}
      <SnapshotFields values={values} errors={errors} clusters={props.clusters} />
      <ScopeFields values={values} errors={errors} />
      <ReviewerFields values={values} errors={errors} />
      <DeadlineFields values={values} errors={errors} />
      {props.preview}
      <div class="actions">
        <button type="submit" name="intent" value="create">
          Create campaign
        </button>
        <button type="submit" name="intent" value="preview" class="secondary">
          Preview: count the items first
        </button>
      </div>
    </form>
  );
}
