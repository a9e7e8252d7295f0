import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import type { RbacSource } from '../../inventory/index.js';
import { resolveSubject, subjectKey } from '../../rbac/index.js';
import type { Runner } from '../context.js';
import { csv } from '../output.js';
import { openSource, type SourceFlags } from './rbac-source.js';

/** A flat row for access-review tools: who holds which role, where, through which binding. */
export interface ExportGrant {
  readonly resourceType: 'cluster_role' | 'namespace_role';
  readonly resource: string;
  /** `member` cluster-wide, or `member:<namespace>`. */
  readonly entitlement: string;
  readonly principalType: 'user' | 'group' | 'service_account';
  readonly principal: string;
  readonly binding: string;
  readonly roleExists: boolean;
}

export function exportGrants(source: RbacSource): ExportGrant[] {
  const grants: ExportGrant[] = [];
  for (const binding of [
    ...source.index.snapshot.clusterRoleBindings,
    ...source.index.snapshot.roleBindings,
  ]) {
    const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
    const clusterRole = binding.roleRef.kind === 'ClusterRole';
    for (const subject of binding.subjects ?? []) {
      const resolved = resolveSubject(subject, binding);
      if (!resolved) continue;
      grants.push({
        resourceType: clusterRole ? 'cluster_role' : 'namespace_role',
        resource: clusterRole ? binding.roleRef.name : `${namespace}/${binding.roleRef.name}`,
        entitlement: namespace && clusterRole ? `member:${namespace}` : 'member',
        principalType:
          resolved.kind === 'User' ? 'user' : resolved.kind === 'Group' ? 'group' : 'service_account',
        principal: subjectKey(resolved).replace(/^[A-Za-z]+:/, ''),
        binding: `${binding.kind}/${namespace ? `${namespace}/` : ''}${binding.metadata.name}`,
        roleExists: source.index.roleFor(binding) !== undefined,
      });
    }
  }
  return grants;
}

export function registerExport(rbac: Command, run: Runner): void {
  rbac
    .command('export')
    .description('Export resources, entitlements and grants for access-review tools (-o json|csv)')
    .option('-f, --filename <dir>', 'analyse a directory of manifests instead of a sync')
    .option('--run <id>', 'use this sync run instead of the latest')
    .action((flags: SourceFlags) =>
      run(async (context) => {
        const source = await openSource(context, flags);
        const grants = exportGrants(source);
        if (context.output === 'csv') {
          context.stdout(
            csv(grants, [
              { header: 'resource_type', value: (row) => row.resourceType },
              { header: 'resource', value: (row) => row.resource },
              { header: 'entitlement', value: (row) => row.entitlement },
              { header: 'principal_type', value: (row) => row.principalType },
              { header: 'principal', value: (row) => row.principal },
              { header: 'binding', value: (row) => row.binding },
              { header: 'role_exists', value: (row) => String(row.roleExists) },
            ]),
          );
          return 0;
        }
        if (context.output !== 'json')
          throw new AppError('input.invalid', 'export writes -o json or -o csv', {
            fix: 'Add -o json or -o csv',
          });
        const resources = [
          ...source.read.clusterRoles.map((role) => ({
            type: 'cluster_role',
            id: role.metadata.name,
            rules: role.rules,
          })),
          ...source.read.roles.map((role) => ({
            type: 'namespace_role',
            id: `${role.metadata.namespace}/${role.metadata.name}`,
            rules: role.rules,
          })),
          ...source.read.namespaces.map((namespace) => ({ type: 'namespace', id: namespace.metadata.name })),
          ...source.read.serviceAccounts.map((account) => ({
            type: 'service_account',
            id: `${account.metadata.namespace}/${account.metadata.name}`,
          })),
        ];
        const entitlements = [
          ...new Set(grants.map((grant) => `${grant.resourceType}|${grant.resource}|${grant.entitlement}`)),
        ].map((key) => {
          const [resourceType, resource, entitlement] = key.split('|');
          return { resourceType, resource, entitlement };
        });
        context.stdout(
          `${JSON.stringify({ source: source.label, incomplete: source.read.errors.length > 0, resources, entitlements, grants }, null, 2)}\n`,
        );
        return 0;
      }),
    );
}
