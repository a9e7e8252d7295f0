import { type QueryScope, resourceKeys, type ScopedSource } from '../inventory/index.js';
import {
  accessEntryGrants,
  type GrantPath,
  type PolicyRule,
  parseTarget,
  principalMatcher,
  ruleAllowsNonResource,
  ruleAllowsResource,
  whoCan,
} from '../rbac/index.js';

/** The question as typed in the form; a blank namespace asks across every namespace. */
export interface WhoCanForm {
  readonly verb: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** An IAM principal mapped onto a subject, and where: `aws-auth mapRoles[1]`, `access entry`. */
export interface MappedPrincipal {
  readonly arn: string;
  readonly source: string;
}

/** One answer row: an engine grant path, or an EKS access entry's policy, with the IAM principals behind it. */
export interface WhoCanRow {
  readonly grant: GrantPath;
  readonly policy?: string;
  readonly iamPrincipals: readonly MappedPrincipal[];
}

/** What an answer needs of a sync: the engine's index and the IAM mappings. */
export type WhoCanSource = Pick<ScopedSource, 'index' | 'awsAuth' | 'eks'>;

/**
 * The bindings a question needs: one namespace's (and the cluster's), or all of them for -A; and
 * only those of roles whose rules name the resource (or a wildcard).
 */
export function scopeOf(form: WhoCanForm): QueryScope {
  const target =
    form.name && !form.resource.startsWith('/') ? `${form.resource}/${form.name}` : form.resource;
  const parsed = parseTarget(target, {
    ...(form.subresource ? { subresource: form.subresource } : {}),
    namespace: form.namespace ?? '',
  });
  const resource = parsed.attributes.resource;
  if (!resource) {
    const path = parsed.attributes.nonResource?.path ?? '';
    const allows = (rule: PolicyRule) => ruleAllowsNonResource(rule, { path, verb: form.verb });
    const keys = { verb: form.verb, resources: ['/'] };
    return { kind: 'namespace', namespace: '', about: { kind: 'url', allows, keys } };
  }
  const allows = (rule: PolicyRule) => ruleAllowsResource(rule, { ...resource, verb: form.verb });
  const keys = { verb: form.verb, resources: resourceKeys(resource.resource, resource.subresource) };
  const about = { kind: 'resource' as const, resource: resource.resource, allows, keys };
  return form.namespace === undefined
    ? { kind: 'everything', about }
    : { kind: 'namespace', namespace: form.namespace, about };
}

/** The same engine calls as `gatehouse rbac who-can VERB TARGET [-n NS | -A] [--subresource S]`. */
export function whoCanRows(source: WhoCanSource, form: WhoCanForm): { rows: WhoCanRow[]; hint?: string } {
  const target =
    form.name && !form.resource.startsWith('/') ? `${form.resource}/${form.name}` : form.resource;
  const parsed = parseTarget(target, {
    ...(form.subresource ? { subresource: form.subresource } : {}),
    namespace: form.namespace ?? '',
  });
  const resource = parsed.attributes.resource;
  const path = parsed.attributes.nonResource?.path ?? '';
  const grants = resource
    ? whoCan(source.index, {
        kind: 'resource',
        attributes: { ...resource, verb: form.verb },
        allNamespaces: form.namespace === undefined,
      })
    : whoCan(source.index, { kind: 'non-resource', attributes: { path, verb: form.verb } });
  const entries = source.eks?.accessEntries ?? [];
  // Compiled once: an answer across namespaces holds thousands of grants.
  const principalsOf = principalMatcher(source.awsAuth, entries);
  const rbacRows = grants.map((grant) => ({ grant, iamPrincipals: principalsOf(grant.subject) }));
  const request = resource
    ? { resourceAttributes: { ...resource, verb: form.verb } }
    : { nonResourceAttributes: { path, verb: form.verb } };
  const policyRows = accessEntryGrants(entries, request).map(
    (entry): WhoCanRow => ({
      grant: {
        subject: { kind: 'User', name: entry.principalArn },
        namespace: entry.scope === 'cluster' ? undefined : entry.scope,
        via: 'rbac',
      },
      policy: `${entry.policyArn.split('/').at(-1)}${entry.answer === 'unknown' ? ' (rules unpublished: may allow)' : ''}`,
      iamPrincipals: [{ arn: entry.principalArn, source: 'access entry' }],
    }),
  );
  return { rows: [...rbacRows, ...policyRows], ...(parsed.hint ? { hint: parsed.hint } : {}) };
}
