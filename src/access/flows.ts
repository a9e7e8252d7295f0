import { parseAllDocuments } from 'yaml';
import { AppError } from '../errors.js';
import { type LabelSelector, selectorMatches } from '../rbac/index.js';

/** Who may do something: users and groups (a caller matches by name or any group). */
export interface Principals {
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

export interface FlowRole {
  /** AccessPolicy: an EKS access policy (e.g. AmazonEKSEditPolicy), access-entry mode only. */
  readonly kind: 'Role' | 'ClusterRole' | 'AccessPolicy';
  readonly name: string;
  /** `namespace` (a RoleBinding in each chosen namespace) or `cluster` (a ClusterRoleBinding). */
  readonly scope: 'namespace' | 'cluster';
}

/** An access flow: the policy a request is checked against. */
export interface AccessFlow {
  readonly name: string;
  readonly requesters: Principals;
  /** Cluster (context) names; `*` for any. */
  readonly clusters: readonly string[];
  /** Namespace names; a trailing `*` matches a prefix. */
  readonly namespaces: readonly string[];
  /** Namespaces whose labels match (beside `namespaces`), read from the cluster at request time. */
  readonly namespaceSelector: LabelSelector | undefined;
  readonly roles: readonly FlowRole[];
  readonly approvers: Principals & { readonly required: number };
  /** Requesters in these groups get approval without review (still audited). */
  readonly autoApprove: Principals;
  readonly maxDurationSeconds: number;
  readonly justificationRequired: boolean;
  /** Who may self-activate without approval, audited and announced loudly. */
  readonly breakGlass: Principals;
  /**
   * `binding`: the requester's own identity is bound to the role. `credential`: a per-request
   * ServiceAccount is bound and the requester gets a kubeconfig with a token that expires with
   * the grant, so the API server refuses it even if Gatehouse is down.
   */
  readonly mode: AccessMode;
  /** Where credential-mode ServiceAccounts live. */
  readonly credentialNamespace: string;
  /**
   * EKS modes: the requester's IAM principal, `{user}` standing for the authenticated user name
   * (e.g. `arn:aws:iam::111122223333:role/oncall-{user}`), so nobody can name someone else's.
   */
  readonly principalArnTemplate: string | undefined;
}

/**
 * How a grant is made. `binding` and `credential` work on any cluster; on EKS, `aws-auth` maps the
 * requester's IAM principal in aws-auth (and binds the role to it) for the grant's length, and
 * `access-entry` gives the principal an access entry with an EKS access policy.
 */
export type AccessMode = 'binding' | 'credential' | 'aws-auth' | 'access-entry';
const modes: readonly AccessMode[] = ['binding', 'credential', 'aws-auth', 'access-entry'];

/** `ClusterRole/NAME`, `Role/NAME`, `AccessPolicy/NAME` (EKS) or `NAME` (a ClusterRole). */
export function parseRoleReference(text: string): { kind: FlowRole['kind']; name: string } {
  const slash = text.indexOf('/');
  // Only the first slash separates: an access policy may be named by its full ARN.
  const [kind, name] = slash >= 0 ? [text.slice(0, slash), text.slice(slash + 1)] : ['ClusterRole', text];
  if ((kind !== 'Role' && kind !== 'ClusterRole' && kind !== 'AccessPolicy') || !name)
    throw new AppError('input.invalid', `"${text}" is not a role`, {
      fix: 'Write ClusterRole/NAME, Role/NAME, AccessPolicy/NAME (EKS) or NAME (a ClusterRole)',
    });
  return { kind, name };
}

/** The ARN of an EKS access policy named in a flow. */
export function accessPolicyArn(name: string): string {
  return name.startsWith('arn:') ? name : `arn:aws:eks::aws:cluster-access-policy/${name}`;
}

/** The requester's IAM principal in an EKS mode, from the flow's template and the authenticated user. */
export function principalArnFor(flow: AccessFlow, user: string): string | undefined {
  if (!flow.principalArnTemplate) return undefined;
  // A slash would turn the name into an IAM path, naming another principal.
  if (!/^[\w+=,.@-]+$/.test(user))
    throw new AppError('input.invalid', `user name "${user}" cannot be part of an IAM principal name`, {
      fix: `Flow ${flow.name} maps users to IAM principals; IAM names allow only letters, digits and +=,.@_-`,
    });
  const arn = flow.principalArnTemplate.replaceAll('{user}', user);
  if (!iamPrincipalPattern.test(arn))
    throw new AppError('input.invalid', `user ${user} gives "${arn}", which is not an IAM role or user ARN`, {
      fix: `Fix eks.principalArn of flow ${flow.name}, or use a user name IAM allows ([A-Za-z0-9+=,.@_-])`,
    });
  return arn;
}

const iamPrincipalPattern = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/**
 * The API server issues no token shorter than 10 minutes and accepts one up to 60 s after its
 * `exp` (JWT leeway) plus 10 s of authentication cache; a credential-mode token is issued to end
 * that much before the grant, so a grant must be long enough to leave 10 minutes.
 */
export const credentialMarginSeconds = 70;
export const minimumTokenSeconds = 600;
export const minimumCredentialGrantSeconds = minimumTokenSeconds + credentialMarginSeconds + 10;

const durationPattern = /^(\d{1,12})(s|m|h|d)$/;

/**
 * The longest duration Gatehouse accepts anywhere (grants, flow maximums, token lifetimes): a
 * year and a day. Far inside the Date range, so no expiry computed from it can overflow.
 */
export const maximumDurationSeconds = 366 * 86_400;

/** `90m`, `2h`, `1d` → seconds, from 1 s up to `maximumDurationSeconds`. */
export function parseDuration(text: string, where: string): number {
  const match = durationPattern.exec(text.trim());
  if (!match)
    throw new AppError('input.invalid', `${where}: "${text.slice(0, 40)}" is not a duration`, {
      fix: 'Write a number and a unit: 30m, 2h, 1d',
    });
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  if (seconds <= 0)
    throw new AppError('input.invalid', `${where}: a duration must be positive`, { fix: 'Give at least 1m' });
  if (seconds > maximumDurationSeconds)
    throw new AppError('input.invalid', `${where}: ${text.trim()} is longer than Gatehouse allows`, {
      fix: 'Give at most 366d',
    });
  return seconds;
}

function fail(where: string, message: string, fix = 'Fix the flow file'): never {
  throw new AppError('input.invalid', `${where}: ${message}`, { fix });
}

function strings(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === ''))
    fail(where, 'must be a list of non-empty strings');
  return value as string[];
}

function principals(value: unknown, where: string): Principals {
  if (value === undefined) return { users: [], groups: [] };
  if (typeof value !== 'object' || value === null) fail(where, 'must be a mapping with users and/or groups');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record))
    if (!['users', 'groups', 'required'].includes(key)) fail(`${where}.${key}`, 'unknown field');
  return {
    users: strings(record.users, `${where}.users`),
    groups: strings(record.groups, `${where}.groups`),
  };
}

/** Parses and checks one flow document; every problem names its field. */
export function parseFlow(document: unknown, origin: string): AccessFlow {
  const object = document as {
    kind?: unknown;
    metadata?: { name?: unknown };
    spec?: Record<string, unknown>;
  };
  if (object?.kind !== 'AccessFlow') fail(origin, 'kind must be AccessFlow');
  const name = object.metadata?.name;
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(name))
    fail(`${origin}: metadata.name`, 'must be a lowercase name (letters, digits, -)');
  const where = `${origin}: flow ${name}: spec`;
  const spec = object.spec;
  if (!spec || typeof spec !== 'object') fail(where, 'is missing');
  const known = [
    'requesters',
    'clusters',
    'namespaces',
    'roles',
    'approvers',
    'autoApprove',
    'maxDuration',
    'justificationRequired',
    'breakGlass',
    'namespaceSelector',
    'mode',
    'credentialNamespace',
    'eks',
  ];
  for (const key of Object.keys(spec))
    if (!known.includes(key)) fail(`${where}.${key}`, 'unknown field', `Known fields: ${known.join(', ')}`);
  const requesters = principals(spec.requesters, `${where}.requesters`);
  if (requesters.users.length + requesters.groups.length === 0)
    fail(`${where}.requesters`, 'names nobody: no one could request this');
  const roles = (
    Array.isArray(spec.roles) ? spec.roles : fail(`${where}.roles`, 'must be a non-empty list')
  ).map((role: Record<string, unknown>, index: number) => {
    const at = `${where}.roles[${index}]`;
    if (role?.kind !== 'Role' && role?.kind !== 'ClusterRole' && role?.kind !== 'AccessPolicy')
      fail(`${at}.kind`, 'must be Role, ClusterRole or AccessPolicy');
    if ((role.kind === 'AccessPolicy') !== (spec.mode === 'access-entry'))
      fail(`${at}.kind`, 'AccessPolicy roles go with mode access-entry, and that mode offers only them');
    if (typeof role.name !== 'string' || role.name === '') fail(`${at}.name`, 'is required');
    const scope = role.scope ?? 'namespace';
    if (scope !== 'namespace' && scope !== 'cluster') fail(`${at}.scope`, 'must be namespace or cluster');
    if (role.kind === 'Role' && scope === 'cluster')
      fail(`${at}.scope`, 'a Role can only be granted in a namespace');
    return { kind: role.kind, name: role.name, scope } as FlowRole;
  });
  if (roles.length === 0) fail(`${where}.roles`, 'must be a non-empty list');
  const approversValue = (spec.approvers ?? {}) as Record<string, unknown>;
  const approvers = principals(approversValue, `${where}.approvers`);
  const required = approversValue.required ?? 1;
  if (!Number.isInteger(required) || (required as number) < 1)
    fail(`${where}.approvers.required`, 'must be a whole number ≥ 1');
  if (approvers.users.length + approvers.groups.length === 0 && spec.autoApprove === undefined) {
    fail(`${where}.approvers`, 'names nobody and there is no autoApprove: requests could never be approved');
  }
  const namespaces = strings(spec.namespaces, `${where}.namespaces`);
  const namespaceSelector = selector(spec.namespaceSelector, `${where}.namespaceSelector`);
  if (roles.some((role) => role.scope === 'namespace') && namespaces.length === 0 && !namespaceSelector)
    fail(`${where}.namespaces`, 'namespaces or namespaceSelector is required for namespace-scoped roles');
  const mode = (spec.mode ?? 'binding') as AccessMode;
  if (!modes.includes(mode)) fail(`${where}.mode`, `must be one of ${modes.join(', ')}`);
  const principalArnTemplate = eksPrincipal(spec.eks, mode, `${where}.eks`);
  const credentialNamespace = spec.credentialNamespace ?? 'gatehouse-access';
  if (
    typeof credentialNamespace !== 'string' ||
    !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(credentialNamespace)
  )
    fail(`${where}.credentialNamespace`, 'must be a namespace name');
  if (typeof spec.maxDuration !== 'string') fail(`${where}.maxDuration`, 'is required (e.g. 4h)');
  return {
    name,
    requesters,
    clusters:
      strings(spec.clusters, `${where}.clusters`).length > 0
        ? strings(spec.clusters, `${where}.clusters`)
        : ['*'],
    namespaces,
    namespaceSelector,
    roles,
    approvers: { ...approvers, required: required as number },
    autoApprove: principals(spec.autoApprove, `${where}.autoApprove`),
    maxDurationSeconds: parseDuration(spec.maxDuration, `${where}.maxDuration`),
    justificationRequired: spec.justificationRequired !== false,
    breakGlass: principals(spec.breakGlass, `${where}.breakGlass`),
    mode,
    credentialNamespace,
    principalArnTemplate,
  };
}

function eksPrincipal(value: unknown, mode: AccessMode, where: string): string | undefined {
  const eksMode = mode === 'aws-auth' || mode === 'access-entry';
  if (value === undefined) {
    if (eksMode)
      fail(
        `${where}.principalArn`,
        `is required in mode ${mode} (e.g. arn:aws:iam::111122223333:role/oncall-{user})`,
      );
    return undefined;
  }
  if (!eksMode) fail(where, 'applies only to modes aws-auth and access-entry');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (key !== 'principalArn') fail(`${where}.${key}`, 'unknown field');
  const template = record.principalArn;
  if (typeof template !== 'string' || !template.includes('{user}'))
    fail(
      `${where}.principalArn`,
      'must be an IAM ARN containing {user}, so each requester gets only their own principal',
    );
  if (!iamPrincipalPattern.test(template.replaceAll('{user}', 'user')))
    fail(`${where}.principalArn`, 'is not an IAM role or user ARN');
  // aws-auth matches roles without their path (the authenticator drops it), so a path could never match.
  if (mode === 'aws-auth' && /:role\/.*\//.test(template))
    fail(`${where}.principalArn`, 'aws-auth maps roles without a path: write arn:aws:iam::ACCOUNT:role/NAME');
  return template;
}

/** All AccessFlow documents of a YAML file. */
export function parseFlowFile(text: string, origin: string): AccessFlow[] {
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  return list.map((document, index) => {
    if (document.errors.length > 0)
      fail(
        `${origin} (document ${index + 1})`,
        `not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`,
      );
    return parseFlow(document.toJSON(), origin);
  });
}

export function matches(principals: Principals, user: string, groups: readonly string[]): boolean {
  return principals.users.includes(user) || principals.groups.some((group) => groups.includes(group));
}

/**
 * Whether a namespace is in the flow: by name or prefix, or by its labels when the flow has a
 * selector (labels undefined = not read, which never matches a selector).
 */
export function namespaceAllowed(
  flow: AccessFlow,
  namespace: string,
  labels?: Readonly<Record<string, string>>,
): boolean {
  const named = flow.namespaces.some((pattern) =>
    pattern.endsWith('*') ? namespace.startsWith(pattern.slice(0, -1)) : pattern === namespace,
  );
  return (
    named ||
    (flow.namespaceSelector !== undefined &&
      labels !== undefined &&
      selectorMatches(flow.namespaceSelector, labels))
  );
}

const operators = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

function selector(value: unknown, where: string): LabelSelector | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(where, 'must be a mapping with matchLabels and/or matchExpressions');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record))
    if (key !== 'matchLabels' && key !== 'matchExpressions') fail(`${where}.${key}`, 'unknown field');
  const matchLabels = (record.matchLabels ?? {}) as Record<string, unknown>;
  if (
    typeof matchLabels !== 'object' ||
    Object.values(matchLabels).some((label) => typeof label !== 'string')
  )
    fail(`${where}.matchLabels`, 'must map label keys to string values');
  const expressions = record.matchExpressions ?? [];
  if (!Array.isArray(expressions)) fail(`${where}.matchExpressions`, 'must be a list');
  expressions.forEach((expression: Record<string, unknown>, index: number) => {
    const at = `${where}.matchExpressions[${index}]`;
    if (typeof expression?.key !== 'string') fail(`${at}.key`, 'is required');
    if (!operators.includes(expression.operator as string))
      fail(`${at}.operator`, `must be one of ${operators.join(', ')}`);
    const values = strings(expression.values, `${at}.values`);
    if ((expression.operator === 'In' || expression.operator === 'NotIn') && values.length === 0)
      fail(`${at}.values`, `is required for ${expression.operator}`);
  });
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0)
    fail(where, 'is empty: it would match every namespace; list them or drop the selector');
  return record as LabelSelector;
}
