import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError, messageOf } from '../../errors.js';
import type { RbacSource } from '../../inventory/index.js';
import {
  type AccessRequest,
  accessEntryGrants,
  impersonatedGroups,
  parseTarget,
  principalMatcher,
  whoCan,
} from '../../rbac/index.js';
import type { Runner } from '../context.js';
import { render } from '../output.js';
import { defaultNamespace, openSource, openUserSource, type SourceFlags } from './rbac-source.js';

interface AccessFlags extends SourceFlags {
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly subresource?: string;
  readonly as?: string;
  readonly asGroup?: string[];
  readonly batch?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `rbac can-i` and `rbac who-can`. */
export function registerAccessQueries(rbac: Command, run: Runner): void {
  rbac
    .command('can-i')
    .description('Answer whether a user may do something (exit 0 yes, 1 no), from the latest sync or -f DIR')
    .argument('[verb]')
    .argument('[resource]', 'TYPE[.GROUP][/NAME] or a /URL')
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, else "default")')
    .option('-A, --all-namespaces', 'ask cluster-wide (only ClusterRoleBindings count)')
    .option('--subresource <name>', 'subresource, e.g. exec, log, scale')
    .option('--as <user>', 'the user to ask for (impersonation semantics)')
    .option('--as-group <group>', 'a group of that user (repeatable)', collect)
    .option('--batch <file>', 'JSON lines of SubjectAccessReview specs ("-" for stdin); one answer per line')
    .option('-f, --filename <dir>', 'analyse a directory of manifests instead of a sync')
    .option('--run <id>', 'use this sync run instead of the latest')
    .action((verb: string | undefined, target: string | undefined, flags: AccessFlags) =>
      run(async (context) => {
        if (flags.batch) {
          const source = await openSource(context, flags);
          context.stdout(batchAnswers(source, readBatch(flags.batch)));
          return 0;
        }
        if (!verb || !target)
          throw new AppError('input.invalid', 'can-i needs VERB and RESOURCE (or --batch FILE)', {
            fix: 'e.g. gatehouse rbac can-i create pods --subresource exec -n prod --as alice',
          });
        if (!flags.as)
          throw new AppError('input.invalid', 'can-i answers for a given user: --as is required', {
            fix: 'Add --as USER (and --as-group GROUP as needed)',
          });
        const namespace = flags.allNamespaces ? '' : (flags.namespace ?? defaultNamespace(context, flags));
        const request = toRequest(verb, target, flags, namespace);
        if (request.hint) context.stderr(`${request.hint}\n`);
        const source = await openUserSource(context, flags, {
          name: request.request.user,
          groups: request.request.groups ?? [],
        });
        const decision = source.index.authorize(request.request);
        if (context.output === 'table')
          context.stdout(
            `${decision.allowed ? 'yes' : 'no'}${decision.allowed ? ` (${decision.reason})` : ''}\n`,
          );
        else
          context.stdout(
            render(context.output, [decision], [], {
              ...decision,
              request: request.request,
              source: source.label,
            }),
          );
        return decision.allowed ? 0 : 1;
      }),
    );
  rbac
    .command('who-can')
    .description('List every subject that may do something, with the binding → role → rule that grants it')
    .argument('<verb>')
    .argument('<resource>', 'TYPE[.GROUP][/NAME] or a /URL')
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, else "default")')
    .option('-A, --all-namespaces', 'count RoleBindings of every namespace')
    .option('--subresource <name>', 'subresource, e.g. exec')
    .option('-f, --filename <dir>', 'analyse a directory of manifests instead of a sync')
    .option('--run <id>', 'use this sync run instead of the latest')
    .action((verb: string, target: string, flags: AccessFlags) =>
      run(async (context) => {
        const source = await openSource(context, flags);
        const namespace = flags.allNamespaces ? '' : (flags.namespace ?? defaultNamespace(context, flags));
        const parsed = parseTarget(target, {
          ...(flags.subresource ? { subresource: flags.subresource } : {}),
          namespace,
        });
        if (parsed.hint) context.stderr(`${parsed.hint}\n`);
        const grants = parsed.attributes.resource
          ? whoCan(source.index, {
              kind: 'resource',
              attributes: { ...parsed.attributes.resource, verb },
              allNamespaces: flags.allNamespaces === true,
            })
          : whoCan(source.index, {
              kind: 'non-resource',
              attributes: { path: parsed.attributes.nonResource!.path, verb },
            });
        const principalsOf = principalMatcher(source.awsAuth, source.read.eks?.accessEntries);
        const rbacRows = grants.map((grant) => ({
          ...grant,
          iamPrincipals: principalsOf(grant.subject).map((principal) => principal.arn),
        }));
        const request = parsed.attributes.resource
          ? { resourceAttributes: { ...parsed.attributes.resource, verb } }
          : { nonResourceAttributes: { path: parsed.attributes.nonResource!.path, verb } };
        const policyRows = accessEntryGrants(source.read.eks?.accessEntries ?? [], request).map((grant) => ({
          subject: { kind: 'IAM' as const, name: grant.principalArn, namespace: undefined },
          namespace: grant.scope === 'cluster' ? undefined : grant.scope,
          via: 'access-policy' as const,
          binding: { kind: 'AccessEntry', name: grant.principalArn },
          role: {
            kind: 'AccessPolicy',
            name: `${grant.policyArn.split('/').at(-1)}${grant.answer === 'unknown' ? ' (rules unpublished: may allow)' : ''}`,
          },
          iamPrincipals: [grant.principalArn],
        }));
        const rows = [...rbacRows, ...policyRows];
        context.stdout(
          render(
            context.output,
            rows,
            [
              { header: 'KIND', value: (row) => row.subject.kind },
              {
                header: 'SUBJECT',
                value: (row) =>
                  row.subject.namespace ? `${row.subject.namespace}/${row.subject.name}` : row.subject.name,
              },
              { header: 'SCOPE', value: (row) => row.namespace ?? 'cluster' },
              {
                header: 'GRANTED BY',
                value: (row) =>
                  row.via === 'superuser'
                    ? 'system:masters (superuser, no binding needed)'
                    : `${row.binding?.kind} ${row.binding?.name} → ${row.role?.kind} ${row.role?.name}`,
              },
              {
                header: 'IAM PRINCIPALS',
                value: (row) => row.iamPrincipals.join(' '),
              },
            ],
            { source: source.label, incomplete: source.read.errors.length > 0, grants: rows },
          ),
        );
        return 0;
      }),
    );
}

function toRequest(
  verb: string,
  target: string,
  flags: AccessFlags,
  namespace: string,
): { request: AccessRequest; hint?: string } {
  const parsed = parseTarget(target, {
    ...(flags.subresource ? { subresource: flags.subresource } : {}),
    namespace,
  });
  const user = flags.as ?? '';
  const who = { user, groups: impersonatedGroups(user, flags.asGroup ?? []) };
  const request: AccessRequest = parsed.attributes.resource
    ? { ...who, resourceAttributes: { ...parsed.attributes.resource, verb } }
    : { ...who, nonResourceAttributes: { path: parsed.attributes.nonResource!.path, verb } };
  return { request, ...(parsed.hint ? { hint: parsed.hint } : {}) };
}

function readBatch(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new AppError('input.invalid', `cannot read batch file ${file}: ${messageOf(error)}`, {
      fix: 'Give a file of JSON lines, or - for stdin',
    });
  }
}

/**
 * One JSON answer per input line, in order. Each line is a SubjectAccessReview `spec`, evaluated as
 * the apiserver evaluates a SubjectAccessReview: user and groups exactly as given.
 */
export function batchAnswers(source: RbacSource, text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines
    .map((line, index) => {
      let spec: AccessRequest;
      try {
        spec = validateSpec(JSON.parse(line));
      } catch (error) {
        return JSON.stringify({
          allowed: false,
          reason: '',
          error: `line ${index + 1}: ${messageOf(error)}`,
        });
      }
      const decision = source.index.authorize(spec);
      return JSON.stringify({ allowed: decision.allowed, reason: decision.reason });
    })
    .map((line) => `${line}\n`)
    .join('');
}

function validateSpec(value: unknown): AccessRequest {
  const spec = value as Partial<AccessRequest> | null;
  if (!spec || typeof spec !== 'object') throw new Error('not a JSON object');
  if (typeof spec.user !== 'string') throw new Error('"user" must be a string');
  if (
    spec.groups !== undefined &&
    (!Array.isArray(spec.groups) || spec.groups.some((group) => typeof group !== 'string'))
  ) {
    throw new Error('"groups" must be a list of strings');
  }
  if (!spec.resourceAttributes === !spec.nonResourceAttributes) {
    throw new Error('give exactly one of "resourceAttributes" and "nonResourceAttributes"');
  }
  const verb = spec.resourceAttributes?.verb ?? spec.nonResourceAttributes?.verb;
  if (typeof verb !== 'string') throw new Error('attributes need a "verb"');
  if (spec.resourceAttributes && typeof spec.resourceAttributes.resource !== 'string')
    throw new Error('resourceAttributes need a "resource"');
  if (spec.nonResourceAttributes && typeof spec.nonResourceAttributes.path !== 'string')
    throw new Error('nonResourceAttributes need a "path"');
  return spec as AccessRequest;
}
