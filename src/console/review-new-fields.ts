import { parseDuration } from '../access/index.js';
import { isAppError } from '../errors.js';
import {
  type DefaultAction,
  defaultActions,
  type NewCampaign,
  parseDeadline,
  parseLabelSelector,
  parseReminderOffsets,
  parseReviewer,
  parseSubjectKind,
  type ReviewerRules,
  type ReviewScope,
} from '../reviews/index.js';
import { errorText } from './request-fields.js';

/** What the person typed into the campaign form, kept to show the form again with their values. */
export interface CampaignFormValues {
  readonly name?: string;
  readonly cluster?: string;
  readonly run?: string;
  readonly namespaces?: string;
  readonly selector?: string;
  readonly roles?: string;
  readonly clusterAdmin?: boolean;
  readonly subjectKinds: readonly string[];
  readonly includeSystem?: boolean;
  readonly owners?: boolean;
  readonly reviewer?: string;
  readonly fallback?: string;
  readonly deadline?: string;
  readonly defaultAction?: string;
  readonly reminders?: string;
  readonly every?: string;
}

export type CampaignField =
  | 'name'
  | 'cluster'
  | 'run'
  | 'namespaces'
  | 'selector'
  | 'roles'
  | 'subjectKinds'
  | 'reviewer'
  | 'fallback'
  | 'deadline'
  | 'defaultAction'
  | 'reminders'
  | 'every'
  | 'scope'
  | 'form';

/** Problems by field; `scope` for the scope as a whole, `form` for those that belong to no field. */
export type CampaignFieldErrors = Partial<Record<CampaignField, string>>;

/** What a fresh form starts with: the CLI's defaults, so both doors open the same campaign. */
export const campaignFormDefaults: CampaignFormValues = {
  subjectKinds: [],
  deadline: '14d',
  defaultAction: 'leave',
  reminders: '7d,3d,1d',
};

type Body = Record<string, string | File | (string | File)[]>;

const text = (body: Body, name: string): string | undefined => {
  const value = body[name];
  const single = Array.isArray(value) ? value[0] : value;
  return typeof single === 'string' && single.trim() !== '' ? single.trim().slice(0, 2000) : undefined;
};

/** The posted form as values (a body parsed with `all: true`, so repeated checkboxes stay lists). */
export function campaignFormValues(body: Body): CampaignFormValues {
  const kinds = body.subjectKind === undefined ? [] : [body.subjectKind].flat();
  const on = (name: string) => text(body, name) === 'yes';
  const optional = <T>(name: string, value: T | undefined) => (value === undefined ? {} : { [name]: value });
  return {
    ...optional('name', text(body, 'name')),
    ...optional('cluster', text(body, 'cluster')),
    ...optional('run', text(body, 'run')),
    ...optional('namespaces', text(body, 'namespaces')),
    ...optional('selector', text(body, 'selector')),
    ...optional('roles', text(body, 'roles')),
    clusterAdmin: on('clusterAdmin'),
    subjectKinds: kinds.filter((kind): kind is string => typeof kind === 'string').slice(0, 8),
    includeSystem: on('includeSystem'),
    owners: on('owners'),
    ...optional('reviewer', text(body, 'reviewer')),
    ...optional('fallback', text(body, 'fallback')),
    ...optional('deadline', text(body, 'deadline')),
    ...optional('defaultAction', text(body, 'defaultAction')),
    ...optional('reminders', text(body, 'reminders')),
    ...optional('every', text(body, 'every')),
  };
}

/** Runs one field's parser; a refusal is kept beside that field and the rest are still checked. */
function attempt<T>(errors: CampaignFieldErrors, field: CampaignField, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!isAppError(error) || error.code !== 'input.invalid') throw error;
    errors[field] = errorText(error);
    return undefined;
  }
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter(Boolean);

function scopeOf(values: CampaignFormValues, errors: CampaignFieldErrors): ReviewScope {
  const namespaces = list(values.namespaces);
  const roles = list(values.roles);
  const selector = values.selector
    ? attempt(errors, 'selector', () => parseLabelSelector(values.selector ?? ''))
    : undefined;
  const kinds = attempt(errors, 'subjectKinds', () => values.subjectKinds.map(parseSubjectKind));
  return {
    ...(namespaces.length ? { namespaces } : {}),
    ...(selector ? { namespaceSelector: selector } : {}),
    ...(roles.length ? { roles } : {}),
    ...(values.clusterAdmin ? { clusterAdminEquivalent: true } : {}),
    ...(kinds?.length ? { subjectKinds: kinds } : {}),
    ...(values.includeSystem ? { includeSystem: true } : {}),
  };
}

function reviewersOf(values: CampaignFormValues, errors: CampaignFieldErrors): ReviewerRules | undefined {
  const reviewer = values.reviewer
    ? attempt(errors, 'reviewer', () => parseReviewer(values.reviewer ?? ''))
    : undefined;
  if (!values.fallback) {
    errors.fallback =
      'Name a fallback reviewer (user:NAME or group:NAME): it reviews what no other rule gives anyone, and reviewers’ own access.';
    return undefined;
  }
  const fallback = attempt(errors, 'fallback', () => parseReviewer(values.fallback ?? ''));
  if (!fallback) return undefined;
  return { ...(values.owners ? { namespaceOwners: true } : {}), ...(reviewer ? { reviewer } : {}), fallback };
}

function deadlineOf(values: CampaignFormValues, errors: CampaignFieldErrors, now: Date): string | undefined {
  const deadline = attempt(errors, 'deadline', () => parseDeadline(values.deadline ?? '', now));
  if (deadline && Date.parse(deadline) <= now.getTime()) {
    errors.deadline = `The deadline ${deadline.slice(0, 16).replace('T', ' ')} UTC has passed. Give a later time, or a duration from now such as 14d.`;
    return undefined;
  }
  if (!deadline && !errors.deadline)
    errors.deadline = 'Give a deadline: a duration from now (14d) or a time.';
  return deadline;
}

function actionOf(values: CampaignFormValues, errors: CampaignFieldErrors): DefaultAction | undefined {
  const action = defaultActions.find((candidate) => candidate === values.defaultAction);
  if (!action) errors.defaultAction = `Choose what happens at the deadline: ${defaultActions.join(', ')}.`;
  return action;
}

/**
 * The form as the input of `createCampaign`, parsed with the same parsers as the CLI and the API;
 * every problem is named beside its field, so one submission shows them all.
 */
export function campaignInput(
  values: CampaignFormValues,
  now: Date,
): { readonly input?: NewCampaign; readonly errors: CampaignFieldErrors } {
  const errors: CampaignFieldErrors = {};
  if (!values.name) errors.name = 'Give the campaign a name, e.g. “Q4 2026 production access”.';
  else if (values.name.length > 200) errors.name = 'The name is longer than 200 characters; shorten it.';
  if (!values.cluster) errors.cluster = 'Choose the cluster to review.';
  const scope = scopeOf(values, errors);
  const reviewers = reviewersOf(values, errors);
  const deadlineAt = deadlineOf(values, errors, now);
  const defaultAction = actionOf(values, errors);
  const reminderOffsets = values.reminders
    ? attempt(errors, 'reminders', () => parseReminderOffsets(values.reminders ?? ''))
    : undefined;
  const every = values.every
    ? attempt(errors, 'every', () => parseDuration(values.every ?? '', 'repeat every'))
    : undefined;
  if (Object.keys(errors).length > 0 || !reviewers || !deadlineAt || !defaultAction || !values.name)
    return { errors };
  const input: NewCampaign = {
    name: values.name,
    cluster: values.cluster ?? '',
    ...(values.run ? { runId: values.run } : {}),
    scope,
    reviewers,
    deadlineAt,
    defaultAction,
    ...(reminderOffsets?.length ? { reminderOffsets } : {}),
    ...(every ? { recurEverySeconds: every } : {}),
  };
  return { input, errors };
}

/** A refusal from `createCampaign` (or the preview) placed on the field it is about, in words for the form. */
export function placeCampaignError(error: unknown): CampaignFieldErrors {
  if (!isAppError(error) || !['input.invalid', 'not-found'].includes(error.code)) throw error;
  const message = error.message;
  if (/scope selects no grants/.test(message))
    return {
      scope: `${message}. Widen the scope (namespaces, roles, kinds of subject); nothing was created.`,
    };
  if (/sync run|usable sync/.test(message))
    return {
      run: `${message}. Choose another sync run of this cluster, or sync it again from the Governance page.`,
    };
  if (/deadline/.test(message)) return { deadline: errorText(error) };
  if (/reminder/.test(message)) return { reminders: errorText(error) };
  if (/name/.test(message)) return { name: errorText(error) };
  return { form: errorText(error) };
}
