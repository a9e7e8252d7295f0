import type { AwsAuth } from './aws-auth.js';

/** An AWS principal as `iam:ARN` names it, with what the token would carry. */
export interface IamPrincipal {
  /** IAM user, IAM role or STS assumed-role ARN. */
  readonly arn: string;
  readonly sessionName?: string;
  readonly accessKeyId?: string;
  readonly ec2PrivateDnsName?: string;
}

export type AuthenticationMode = 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API';

export interface AccessPolicyAssociation {
  readonly policyArn: string;
  readonly accessScope: { readonly type: 'cluster' | 'namespace'; readonly namespaces?: readonly string[] };
}

/** An EKS access entry, as the cloud provider port returns it. */
export interface AccessEntry {
  readonly principalArn: string;
  readonly type: 'STANDARD' | 'EC2_LINUX' | 'EC2_WINDOWS' | 'FARGATE_LINUX' | 'HYBRID_LINUX';
  readonly username?: string;
  readonly kubernetesGroups: readonly string[];
  readonly policies: readonly AccessPolicyAssociation[];
}

/** The Kubernetes identity an AWS principal authenticates as, and where that came from. */
export interface MappedIdentity {
  readonly principal: string;
  readonly canonicalArn: string;
  readonly username: string;
  readonly groups: readonly string[];
  readonly source: 'access entry' | 'aws-auth mapRoles' | 'aws-auth mapUsers' | 'aws-auth mapAccounts';
  /** Access policies associated with the access entry (access entries only). */
  readonly policies: readonly AccessPolicyAssociation[];
  /** Template variables that could not be filled (e.g. EC2PrivateDNSName needs an EC2 lookup). */
  readonly unresolved: readonly string[];
}

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly account: string;
  readonly resourceType: string;
  /** The resource path after the type, e.g. `path/to/Role` or `Role/session`. */
  readonly resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, , account] = parts as [string, string, string, string, string];
  const rest = parts.slice(5).join(':');
  const slash = rest.indexOf('/');
  if (slash === -1) return { partition, service, account, resourceType: rest, resource: '' };
  return { partition, service, account, resourceType: rest.slice(0, slash), resource: rest.slice(slash + 1) };
}

/**
 * The ARN EKS matches mappings against: an assumed-role session becomes its role, role paths are
 * dropped (STS ARNs carry none); users keep theirs. Returns the session name found in the ARN too.
 */
export function canonicalizeArn(arn: string): { canonical: string; sessionName?: string } | undefined {
  const parsed = parseArn(arn);
  if (!parsed) return undefined;
  const { partition, account, resource } = parsed;
  if (parsed.service === 'sts' && parsed.resourceType === 'assumed-role') {
    const [role, session] = resource.split('/');
    if (!role || !session) return undefined;
    return { canonical: `arn:${partition}:iam::${account}:role/${role}`, sessionName: session };
  }
  if (parsed.service !== 'iam') return undefined;
  if (parsed.resourceType === 'role') {
    const name = resource.split('/').at(-1);
    return name ? { canonical: `arn:${partition}:iam::${account}:role/${name}` } : undefined;
  }
  if (parsed.resourceType === 'user' || (parsed.resourceType === 'root' && resource === ''))
    return { canonical: arn };
  return undefined;
}

/** Fills aws-auth / access-entry template variables; returns the names it could not fill. */
export function renderTemplate(
  template: string,
  values: Readonly<Record<string, string | undefined>>,
): { text: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const text = template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      unresolved.push(name);
      return whole;
    }
    return value;
  });
  return { text, unresolved };
}

export interface IdentitySources {
  readonly awsAuth?: AwsAuth;
  readonly accessEntries?: readonly AccessEntry[];
  readonly authenticationMode?: AuthenticationMode;
}

/**
 * Maps an AWS principal to its Kubernetes username and groups the way EKS does: access entries
 * first (API modes), then aws-auth mapRoles / mapUsers by canonical ARN (case-insensitive), then
 * mapAccounts (username = the canonical ARN, no groups). Undefined when nothing maps it.
 */
export function resolveIamPrincipal(
  principal: IamPrincipal,
  sources: IdentitySources,
): MappedIdentity | undefined {
  const canonical = canonicalizeArn(principal.arn);
  if (!canonical) return undefined;
  const parsed = parseArn(canonical.canonical)!;
  const sessionName = principal.sessionName ?? canonical.sessionName;
  const values = {
    AccountID: parsed.account,
    SessionName: sessionName?.replaceAll('@', '-'),
    SessionNameRaw: sessionName,
    AccessKeyID: principal.accessKeyId,
    EC2PrivateDNSName: principal.ec2PrivateDnsName,
  };
  const mode = sources.authenticationMode ?? 'CONFIG_MAP';
  const key = canonical.canonical.toLowerCase();
  const base = { principal: principal.arn, canonicalArn: canonical.canonical };
  if (mode !== 'CONFIG_MAP') {
    const entry = (sources.accessEntries ?? []).find(
      (candidate) => canonicalizeArn(candidate.principalArn)?.canonical.toLowerCase() === key,
    );
    if (entry) {
      const defaultUsername =
        parsed.resourceType === 'role'
          ? `arn:${parsed.partition}:sts::${parsed.account}:assumed-role/${parsed.resource}/{{SessionName}}`
          : canonical.canonical;
      const rendered = renderTemplate(entry.username ?? defaultUsername, values);
      return {
        ...base,
        username: rendered.text,
        groups: entry.kubernetesGroups,
        source: 'access entry',
        policies: entry.policies,
        unresolved: rendered.unresolved,
      };
    }
  }
  if (mode === 'API' || !sources.awsAuth) return undefined;
  const auth = sources.awsAuth;
  const mapped =
    parsed.resourceType === 'role'
      ? auth.mapRoles.find((mapping) => mapping.rolearn.toLowerCase() === key)
      : auth.mapUsers.find((mapping) => mapping.userarn.toLowerCase() === key);
  if (mapped) {
    const username = renderTemplate(mapped.username, values);
    const groups = mapped.groups.map((group) => renderTemplate(group, values));
    return {
      ...base,
      username: username.text,
      groups: groups.map((group) => group.text),
      source: parsed.resourceType === 'role' ? 'aws-auth mapRoles' : 'aws-auth mapUsers',
      policies: [],
      unresolved: [...new Set([...username.unresolved, ...groups.flatMap((group) => group.unresolved)])],
    };
  }
  if (auth.mapAccounts.includes(parsed.account)) {
    return {
      ...base,
      username: canonical.canonical,
      groups: [],
      source: 'aws-auth mapAccounts',
      policies: [],
      unresolved: [],
    };
  }
  return undefined;
}

/**
 * The aws-auth entries and EKS access entries whose identity is a given user (templates as
 * wildcards) or includes a group, each with where the mapping is.
 */
export function principalsMappedTo(
  subject: { kind: string; name: string },
  awsAuth: AwsAuth | undefined,
  accessEntries: readonly AccessEntry[] = [],
): { arn: string; source: string }[] {
  return principalMatcher(awsAuth, accessEntries)(subject);
}

/**
 * `principalsMappedTo` for many subjects: the mappings are gathered and their templates compiled
 * once, not for each of the thousands of grants an answer across namespaces may hold.
 */
export function principalMatcher(
  awsAuth: AwsAuth | undefined,
  accessEntries: readonly AccessEntry[] = [],
): (subject: { kind: string; name: string }) => { arn: string; source: string }[] {
  const mappings = [
    ...(awsAuth?.mapRoles ?? []).map((mapping, entry) => ({
      arn: mapping.rolearn,
      username: mapping.username,
      groups: mapping.groups,
      source: `aws-auth mapRoles[${entry}]`,
    })),
    ...(awsAuth?.mapUsers ?? []).map((mapping, entry) => ({
      arn: mapping.userarn,
      username: mapping.username,
      groups: mapping.groups,
      source: `aws-auth mapUsers[${entry}]`,
    })),
    ...accessEntries.map((entry) => ({
      arn: entry.principalArn,
      // Without a username EKS makes one from the ARN; only a name set on the entry can match a binding's user.
      username: entry.username ?? '',
      groups: entry.kubernetesGroups,
      source: 'access entry',
    })),
  ].map((mapping) => ({
    ...mapping,
    user: mapping.username === '' ? undefined : templatePattern(mapping.username),
  }));
  return (subject) => {
    if (subject.kind === 'ServiceAccount') return [];
    return mappings
      .filter((mapping) =>
        subject.kind === 'Group'
          ? mapping.groups.includes(subject.name)
          : mapping.user?.test(subject.name) === true,
      )
      .map(({ arn, source }) => ({ arn, source }));
  };
}

/** A username template (`oncall:{{SessionName}}`) as a pattern: each variable stands for one or more characters. */
function templatePattern(template: string): RegExp {
  const pattern = template
    .split(/\{\{\w+\}\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${pattern}$`);
}
