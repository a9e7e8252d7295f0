import type { Command } from 'commander';
import { audited } from '../../audit/index.js';
import { currentClusterName } from '../../config/index.js';
import { AppError, type ErrorCode } from '../../errors.js';
import { localPrincipal } from '../../identity/index.js';
import { diffRuns, findSyncRun, listSyncRuns, runLabel, syncCluster } from '../../inventory/index.js';
import {
  type AccessPolicyAssociation,
  accessPolicies,
  accessPolicyPermissions,
  describeRule,
  effectivePermissions,
  identityOf,
  isDocumented,
  parseSubjectRef,
  resolveIamPrincipal,
} from '../../rbac/index.js';
import type { Runner } from '../context.js';
import { withGatehouse, withStore } from '../open-store.js';
import { render } from '../output.js';
import { registerAccessQueries } from './rbac-access.js';
import { registerExport } from './rbac-export.js';
import { registerRisks } from './rbac-risks.js';
import { openSource, type SourceFlags } from './rbac-source.js';

export function registerRbac(program: Command, run: Runner): void {
  const rbac = program
    .command('rbac')
    .description('Access governance: who can do what, from synced clusters or manifests');
  rbac
    .command('sync')
    .description('Read identities, RBAC, aws-auth and (EKS) access entries of --context and store the run')
    .action(() =>
      run(async (context) => {
        const syncRun = await withGatehouse(context, async ({ clusters, currentCluster, store }) => {
          const cluster = currentCluster();
          const opened = await store();
          // Audited as the console's Sync now: `started`, then `succeeded` with the run or `failed`.
          return await audited(opened, {
            actor: localPrincipal().subject,
            action: 'rbac.sync',
            target: `cluster/${cluster}`,
            work: async () => {
              // Private AKS clusters out of reach are read through run command, like every other command.
              const client = await clusters.client(cluster);
              // EKS clusters add their access entries and auth mode through the provider's port.
              const eks = await clusters.accessEntries(cluster);
              return await syncCluster(opened, client, eks ? { eks } : {});
            },
            succeeded: (run) => ({
              run: run.id,
              status: run.status,
              unread: run.errors.map((error) => error.resource),
            }),
          });
        });
        const counts = Object.entries(syncRun.counts).map(([kind, count]) => ({ kind, count }));
        context.stdout(
          render(
            context.output,
            counts,
            [
              { header: 'KIND', value: (row) => row.kind },
              { header: 'COUNT', value: (row) => String(row.count) },
            ],
            syncRun,
          ),
        );
        if (context.output === 'table')
          context.stdout(`sync ${syncRun.id} of ${syncRun.cluster}: ${syncRun.status}\n`);
        for (const error of syncRun.errors)
          context.stderr(`warning: could not read ${error.resource}: ${error.message}\n`);
        if (syncRun.status === 'failed') {
          // Say why with the reads' own error: refused, unreachable or expired credentials.
          const codes = new Set(syncRun.errors.map((error) => error.code));
          const code = codes.size === 1 ? ([...codes][0] as ErrorCode) : 'auth.forbidden';
          const fix =
            code === 'auth.forbidden'
              ? 'Grant list on roles, clusterroles, rolebindings and clusterrolebindings (`gatehouse setup rbac inventory`)'
              : 'See the warnings above for each list';
          throw new AppError(
            code,
            `sync of ${syncRun.cluster} read no RBAC objects (the run is kept, but queries skip it)`,
            { fix },
          );
        }
        return 0;
      }),
    );
  rbac
    .command('runs')
    .description('List the sync runs of --context, newest first')
    .action(() =>
      run(async (context) => {
        const runs = await withStore(context, (store) => listSyncRuns(store, currentClusterName(context)));
        context.stdout(
          render(context.output, runs, [
            { header: 'ID', value: (row) => row.id.slice(0, 8) },
            { header: 'FINISHED', value: (row) => row.finishedAt },
            { header: 'STATUS', value: (row) => row.status },
            {
              header: 'BINDINGS',
              value: (row) => String((row.counts.roleBindings ?? 0) + (row.counts.clusterRoleBindings ?? 0)),
            },
            { header: 'ERRORS', value: (row) => String(row.errors.length) },
          ]),
        );
        return 0;
      }),
    );
  registerAccessQueries(rbac, run);
  registerPermissions(rbac, run);
  registerRisks(rbac, run);
  registerDiff(rbac, run);
  registerExport(rbac, run);
}

function registerPermissions(rbac: Command, run: Runner): void {
  rbac
    .command('permissions')
    .description('Effective permissions of user:NAME, group:NAME, sa:NS/NAME or iam:ARN, by namespace')
    .argument('<subject>')
    .option('-f, --filename <dir>', 'analyse a directory of manifests instead of a sync')
    .option('--run <id>', 'use this sync run instead of the latest')
    .action((text: string, flags: SourceFlags) =>
      run(async (context) => {
        const subject = parseSubjectRef(text);
        const source = await openSource(context, flags);
        let identity: { user: string; groups: string[] };
        let mapping: Record<string, unknown> | undefined;
        if (subject.kind === 'iam') {
          const mapped = resolveIamPrincipal(
            { arn: subject.arn },
            {
              ...(source.awsAuth ? { awsAuth: source.awsAuth } : {}),
              ...(source.read.eks
                ? {
                    accessEntries: source.read.eks.accessEntries,
                    authenticationMode: source.read.eks.authenticationMode,
                  }
                : {}),
            },
          );
          if (!mapped) {
            throw new AppError(
              'not-found',
              `${subject.arn} is not mapped to any Kubernetes identity in ${source.label}`,
              {
                fix: 'Map it in kube-system/aws-auth (mapRoles/mapUsers) or with an EKS access entry',
              },
            );
          }
          identity = { user: mapped.username, groups: [...mapped.groups, 'system:authenticated'] };
          mapping = { ...mapped };
          context.stderr(
            `${subject.arn} → user "${mapped.username}", groups [${mapped.groups.join(', ')}] (from ${mapped.source})\n`,
          );
          for (const policy of mapped.policies) {
            const scope =
              policy.accessScope.type === 'cluster'
                ? 'cluster-wide'
                : `in namespaces ${(policy.accessScope.namespaces ?? []).join(', ')}`;
            const documented = accessPolicies.find((candidate) => candidate.arn === policy.policyArn);
            const note =
              documented && isDocumented(documented) ? '' : ' (rules not published by AWS: not evaluated)';
            context.stderr(`access policy ${policy.policyArn.split('/').at(-1)} ${scope}${note}\n`);
          }
          if (mapped.unresolved.length > 0)
            context.stderr(
              `warning: template variables not resolvable offline: ${mapped.unresolved.join(', ')}\n`,
            );
        } else {
          identity = identityOf(subject);
        }
        const rbacPermissions = effectivePermissions(source.index, identity);
        const policyEntries =
          subject.kind === 'iam' && mapping
            ? accessPolicyPermissions(subject.arn, (mapping.policies as AccessPolicyAssociation[]) ?? [])
            : [];
        const permissions = { ...rbacPermissions, entries: [...rbacPermissions.entries, ...policyEntries] };
        if (permissions.superuser && context.output === 'table')
          context.stdout('member of system:masters: may do everything (no RBAC rule can limit it)\n');
        context.stdout(
          render(
            context.output,
            permissions.entries,
            [
              { header: 'NAMESPACE', value: (row) => row.namespace ?? '(cluster)' },
              { header: 'RULE', value: (row) => describeRule(row.rule) },
              { header: 'BINDING', value: (row) => row.binding },
              { header: 'ROLE', value: (row) => row.role },
              { header: 'THROUGH', value: (row) => row.through },
            ],
            {
              source: source.label,
              incomplete: source.read.errors.length > 0,
              ...(mapping ? { mapping } : {}),
              ...permissions,
            },
          ),
        );
        return 0;
      }),
    );
}

function registerDiff(rbac: Command, run: Runner): void {
  rbac
    .command('diff')
    .description('Effective grants added and removed between two sync runs (default: the last two)')
    .option('--from <run>', 'the earlier run id')
    .option('--to <run>', 'the later run id')
    .action((flags: { from?: string; to?: string }) =>
      run(async (context) => {
        const { from, to, diff } = await withStore(context, async (store) => {
          const cluster = currentClusterName(context);
          const runs =
            flags.from && flags.to ? [] : await listSyncRuns(store, cluster, 2, { usableOnly: true });
          const toId = flags.to ?? runs[0]?.id;
          const fromId = flags.from ?? runs[flags.to ? 0 : 1]?.id;
          if (!toId || !fromId)
            throw new AppError('not-found', `diff needs two sync runs of ${cluster}`, {
              fix: 'Run `gatehouse rbac sync` again later, or pass --from and --to',
            });
          const [from, to] = [
            await findSyncRun(store, fromId, cluster),
            await findSyncRun(store, toId, cluster),
          ];
          return { from, to, diff: await diffRuns(store, { from: from.id, to: to.id }) };
        });
        const rows = [
          ...diff.added.map((grant) => ({ change: '+', ...grant })),
          ...diff.removed.map((grant) => ({ change: '-', ...grant })),
        ];
        context.stdout(
          render(
            context.output,
            rows,
            [
              { header: 'CHANGE', value: (row) => row.change },
              { header: 'SUBJECT', value: (row) => row.subject },
              { header: 'SCOPE', value: (row) => row.namespace ?? 'cluster' },
              { header: 'RULE', value: (row) => row.rule },
              { header: 'VIA', value: (row) => row.via.join('; ') },
            ],
            { from: runLabel(from), to: runLabel(to), added: diff.added, removed: diff.removed },
          ),
        );
        return 0;
      }),
    );
}
