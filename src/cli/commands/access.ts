import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  type AccessRequest,
  accessDetails,
  applyFlows,
  createRequest,
  decide,
  extend,
  getFlow,
  getRequest,
  issueCredential,
  listFlows,
  listRequests,
  namespaceLabelsFor,
  parseDuration,
  parseFlowFile,
  parseRequestState,
  parseRoleReference,
  reconcile,
  requestStates,
  resolveRequestId,
  revoke,
} from '../../access/index.js';
import { currentClusterName } from '../../config/index.js';
import { AppError, messageOf } from '../../errors.js';
import { clusterPrincipal, type Principal } from '../../identity/index.js';
import type { Gatehouse } from '../../runtime.js';
import type { AccessRequestView } from '../../server/contract/index.js';
import { accessDetailsText } from '../access-details-text.js';
import type { CommandContext, Runner } from '../context.js';
import { withGatehouse, withStore } from '../open-store.js';
import { render } from '../output.js';
import { writePrivateFile } from '../private-file.js';
import { remoteAccess } from './access-remote.js';

/** Who acts: the person the current cluster authenticates (never a flag). */
function caller(gatehouse: Gatehouse): Promise<Principal> {
  return clusterPrincipal(gatehouse.clusters, gatehouse.currentCluster());
}

const columns = [
  { header: 'ID', value: (row: AccessRequestView) => row.id.slice(0, 8) },
  { header: 'STATE', value: (row: AccessRequestView) => row.state },
  { header: 'REQUESTER', value: (row: AccessRequestView) => row.requester },
  {
    header: 'ACCESS',
    value: (row: AccessRequestView) =>
      `${row.role.kind}/${row.role.name} in ${row.namespace ?? 'all namespaces'} of ${row.cluster}`,
  },
  {
    header: 'EXPIRES',
    value: (row: AccessRequestView) =>
      row.expiresAt ??
      (row.state === 'pending' || row.state === 'approved'
        ? `${row.durationSeconds / 60} min once active`
        : '-'),
  },
  { header: 'FLOW', value: (row: AccessRequestView) => row.flow },
];

function show(context: CommandContext, request: AccessRequestView, document: unknown = request): void {
  context.stdout(render(context.output, [request], columns, document));
  // Approved but not in place: say why, so nobody waits on access that is not coming.
  if (request.lastError && (request.state === 'approved' || request.state === 'failed'))
    context.stderr(`note: access is not in place: ${request.lastError}\n`);
  if (request.lastError && request.state === 'refused')
    context.stderr(`note: ended because the flow changed: ${request.lastError}\n`);
}

/** `access show`: the request, then how to use it (a section in a table, `accessDetails` in JSON and YAML). */
function showWithDetails(context: CommandContext, request: AccessRequest | AccessRequestView): void {
  const details = accessDetails(request);
  show(context, request, { ...request, accessDetails: details });
  if (context.output === 'table' && details.status === 'ready') context.stdout(accessDetailsText(details));
}

export function registerAccess(program: Command, run: Runner): void {
  const access = program
    .command('access')
    .description(
      'Just-in-time access: flows, requests, approvals, expiry (through a Gatehouse server when GATEHOUSE_SERVER and GATEHOUSE_TOKEN are set)',
    );
  const flows = access.command('flows').description('Access flows (policy as YAML)');
  flows
    .command('apply')
    .requiredOption('-f, --filename <file>', 'YAML file of AccessFlow documents')
    .description('Check and store access flows; an invalid file is rejected with the field and the reason')
    .action((flags: { filename: string }) =>
      run(async (context) => {
        let text: string;
        try {
          text = readFileSync(flags.filename, 'utf8');
        } catch (error) {
          throw new AppError('input.invalid', `cannot read ${flags.filename}: ${messageOf(error)}`, {
            fix: 'Give a YAML file of AccessFlow documents',
          });
        }
        const parsed = parseFlowFile(text, flags.filename);
        const { refused } = await withGatehouse(context, async (gatehouse) =>
          applyFlows(await gatehouse.store(), await caller(gatehouse), parsed),
        );
        context.stdout(parsed.map((flow) => `flow ${flow.name} applied\n`).join(''));
        for (const id of refused) context.stdout(`request ${id} ended: its flow no longer allows it\n`);
        return 0;
      }),
    );
  flows
    .command('list')
    .description('Stored access flows')
    .action(() =>
      run(async (context) => {
        const list = await withStore(context, listFlows);
        context.stdout(
          render(
            context.output,
            list,
            [
              { header: 'NAME', value: (row) => row.name },
              {
                header: 'ROLES',
                value: (row) => row.roles.map((role) => `${role.kind}/${role.name}`).join(','),
              },
              { header: 'NAMESPACES', value: (row) => row.namespaces.join(',') },
              {
                header: 'APPROVERS',
                value: (row) =>
                  `${row.approvers.required} of ${[...row.approvers.users, ...row.approvers.groups.map((group) => `group:${group}`)].join(',')}`,
              },
              { header: 'MAX', value: (row) => `${row.maxDurationSeconds / 60}m` },
            ],
            list,
          ),
        );
        return 0;
      }),
    );
  access
    .command('request')
    .description('Ask for time-bound access under a flow')
    .requiredOption('--flow <name>', 'access flow')
    .requiredOption('--role <role>', 'ClusterRole/NAME, Role/NAME or NAME')
    .requiredOption('--for <duration>', 'how long, from the moment it is granted (e.g. 2h)')
    .option('-n, --namespace <ns>', 'namespace (namespace-scoped roles)')
    .option('--reason <text>', 'justification', '')
    .option('--cluster <name>', 'cluster (default: the current context)')
    .option('--break-glass', 'self-activate without approval (audited and announced)')
    .action(
      (flags: {
        flow: string;
        role: string;
        for: string;
        namespace?: string;
        reason: string;
        cluster?: string;
        breakGlass?: boolean;
      }) =>
        run(async (context) => {
          const remote = remoteAccess(context);
          if (remote) {
            if (!flags.cluster)
              throw new AppError('input.invalid', 'through a Gatehouse server, say which cluster', {
                fix: 'Add --cluster NAME (as in gatehouse clusters list)',
              });
            const body = {
              flow: flags.flow,
              cluster: flags.cluster,
              role: flags.role,
              duration: flags.for,
              reason: flags.reason,
              breakGlass: flags.breakGlass === true,
              ...(flags.namespace ? { namespace: flags.namespace } : {}),
            };
            show(context, await remote.create(body));
            return 0;
          }
          const cluster = flags.cluster ?? currentClusterName(context);
          const request = await withGatehouse(context, async (gatehouse) => {
            const who = await caller(gatehouse);
            const store = await gatehouse.store();
            const flow = await getFlow(store, flags.flow);
            return await createRequest(store, who, {
              flow,
              cluster,
              role: parseRoleReference(flags.role),
              namespace: flags.namespace,
              durationSeconds: parseDuration(flags.for, '--for'),
              reason: flags.reason,
              breakGlass: flags.breakGlass === true,
              namespaceLabels: namespaceLabelsFor(() => gatehouse.clusters.client(cluster)),
              // No cluster check here: this kubeconfig is the caller's, not the reconciler's, so it
              // may name clusters differently. `serve` checks with its own clients; a request for a
              // cluster the reconciler cannot reach ends as failed after the pending time-to-live.
            });
          });
          show(context, request);
          return 0;
        }),
    );
  for (const verb of ['approve', 'deny'] as const) {
    access
      .command(verb)
      .argument('<id>')
      .description(`${verb === 'approve' ? 'Approve' : 'Deny'} a pending request (never your own)`)
      .option('--reason <text>', 'why (the requester sees it in the request history; kept in the audit log)')
      .action((id: string, flags: { reason?: string }) =>
        run(async (context) => {
          const remote = remoteAccess(context);
          if (remote) show(context, await remote.act(id, verb, flags.reason));
          else {
            show(
              context,
              await withGatehouse(context, async (gatehouse) => {
                const who = await caller(gatehouse);
                const store = await gatehouse.store();
                const reason = flags.reason;
                return await decide(store, await resolveRequestId(store, id), who, verb, { reason });
              }),
            );
          }
          return 0;
        }),
      );
  }
  access
    .command('revoke')
    .argument('<id>')
    .description('End access now (requester or approver); a pending request is cancelled')
    .action((id: string) =>
      run(async (context) => {
        const remote = remoteAccess(context);
        if (remote) show(context, await remote.act(id, 'revoke'));
        else {
          show(
            context,
            await withGatehouse(context, async (gatehouse) => {
              const who = await caller(gatehouse);
              const store = await gatehouse.store();
              return await revoke(store, await resolveRequestId(store, id), who);
            }),
          );
        }
        return 0;
      }),
    );
  access
    .command('extend')
    .argument('<id>')
    .requiredOption('--for <duration>', 'how much longer')
    .description('Extend active access (approvers), within the flow maximum')
    .action((id: string, flags: { for: string }) =>
      run(async (context) => {
        const remote = remoteAccess(context);
        if (remote) show(context, await remote.extend(id, flags.for));
        else {
          const seconds = parseDuration(flags.for, '--for');
          show(
            context,
            await withGatehouse(context, async (gatehouse) => {
              const who = await caller(gatehouse);
              const store = await gatehouse.store();
              return await extend(store, await resolveRequestId(store, id), who, seconds);
            }),
          );
        }
        return 0;
      }),
    );
  access
    .command('credential')
    .argument('<id>')
    .option('--out <file>', 'write the kubeconfig here (mode 0600) instead of stdout')
    .description(
      'Credential-mode grants: a kubeconfig the cluster refuses once the grant ends (requester only)',
    )
    .action((id: string, flags: { out?: string }) =>
      run(async (context) => {
        const remote = remoteAccess(context);
        const issued = remote
          ? await remote.credential(id)
          : await withGatehouse(context, async (gatehouse) => {
              const who = await caller(gatehouse);
              const store = await gatehouse.store();
              const request = await getRequest(store, await resolveRequestId(store, id));
              return await issueCredential(
                store,
                () => gatehouse.clusters.client(request.cluster),
                request.id,
                who,
              );
            });
        if (flags.out) {
          writePrivateFile(flags.out, issued.kubeconfig);
          context.stderr(
            `kubeconfig written to ${flags.out}; the cluster refuses it after ${issued.refusedAfter} (grant ends ${issued.grantExpiresAt})\n`,
          );
        } else {
          context.stdout(issued.kubeconfig);
        }
        return 0;
      }),
    );
  access
    .command('list')
    .option('--state <state>', requestStates.join(', '))
    .description('Requests, newest first')
    .action((flags: { state?: string }) =>
      run(async (context) => {
        const state = parseRequestState(flags.state);
        const remote = remoteAccess(context);
        const list = remote
          ? await remote.list(state)
          : await withStore(context, (store) => listRequests(store, state));
        context.stdout(render(context.output, list, columns, list));
        return 0;
      }),
    );
  access
    .command('show')
    .argument('<id>')
    .description('One request, with its approvals and, once active, how to use it')
    .action((id: string) =>
      run(async (context) => {
        const remote = remoteAccess(context);
        const request = remote
          ? await remote.show(id)
          : await withStore(context, async (store) => getRequest(store, await resolveRequestId(store, id)));
        showWithDetails(context, request);
        return 0;
      }),
    );
  access
    .command('reconcile')
    .description(
      "Make clusters match the store once, with this kubeconfig's credentials (what `serve` does continuously)",
    )
    .action(() =>
      run(async (context) => {
        const report = await withGatehouse(context, async ({ clusters, store }) =>
          reconcile({
            store: await store(),
            clientFor: (cluster) => clusters.client(cluster),
            accessEntriesFor: (cluster) => clusters.accessEntries(cluster),
          }),
        );
        context.stdout(
          render(
            context.output,
            [report],
            [
              { header: 'EXPIRED', value: (row) => String(row.expired.length) },
              { header: 'ACTIVATED', value: (row) => String(row.activated.length) },
              { header: 'APPLIED', value: (row) => String(row.applied.length) },
              { header: 'REMOVED', value: (row) => String(row.removed.length) },
              {
                header: 'ERRORS',
                value: (row) => row.errors.map((error) => `${error.cluster}: ${error.message}`).join('; '),
              },
            ],
            report,
          ),
        );
        return report.errors.length > 0 ? 1 : 0;
      }),
    );
}
