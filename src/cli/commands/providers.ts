import type { Command } from 'commander';
import {
  addProvider,
  listProviders,
  openProvider,
  type ProviderSettings,
  removeProvider,
} from '../../clusters/index.js';
import { AppError } from '../../errors.js';
import { localPrincipal } from '../../identity/index.js';
import type { CommandContext, Runner } from '../context.js';
import { withStore } from '../open-store.js';
import { render } from '../output.js';

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
];

interface AddFlags {
  readonly name?: string;
  readonly endpoint?: string;
}

/** Stores the account, then lists its clusters once so the user sees at once whether it works. */
async function add(context: CommandContext, name: string, settings: ProviderSettings): Promise<number> {
  const entry = await withStore(context, (store) =>
    addProvider(store, { name, settings }, localPrincipal().subject),
  );
  const listing = await (await openProvider(entry)).listClusters();
  context.stdout(`provider ${name} added: ${listing.clusters.length} cluster(s) found\n`);
  for (const cluster of listing.clusters) context.stdout(`  ${cluster.name}\n`);
  for (const error of listing.errors) context.stderr(`warning: ${error.source}: ${error.message}\n`);
  return 0;
}

function accountOf(roleArns: readonly string[]): string {
  return roleArns.at(-1)?.split(':')[4] ?? 'default';
}

export function registerProviders(program: Command, run: Runner): void {
  const providers = program
    .command('providers')
    .description(
      'Cloud accounts Gatehouse finds clusters in (settings only; credentials come from each cloud’s own chain)',
    );
  const addCommand = providers.command('add').description('Register a cloud account');
  addCommand
    .command('aws')
    .description('An AWS account: EKS clusters of the given regions, through an optional role chain')
    .requiredOption('--regions <list>', 'regions to list, comma-separated (e.g. eu-west-1,us-east-1)', list)
    .option('--role-arn <arn>', 'role to assume (repeat for a chain; the last gets --external-id)', list)
    .option('--external-id <id>', 'external ID the trust policy of the last role requires')
    .option('--name <name>', 'name of this provider (default aws-<account>)')
    .option('--endpoint <url>', 'AWS endpoint override (a local emulator)')
    .action((flags: AddFlags & { regions: string[]; roleArn?: string[]; externalId?: string }) =>
      run((context) =>
        add(context, flags.name ?? `aws-${accountOf(flags.roleArn ?? [])}`, {
          kind: 'aws',
          regions: flags.regions,
          ...(flags.roleArn ? { roleArns: flags.roleArn } : {}),
          ...(flags.externalId ? { externalId: flags.externalId } : {}),
          ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
        }),
      ),
    );
  addCommand
    .command('azure')
    .description(
      'Azure subscriptions: AKS clusters, through DefaultAzureCredential (az login, environment, managed identity)',
    )
    .option(
      '--subscriptions <list>',
      'subscription IDs, comma-separated (default: every subscription the credential can see, looked up at each listing)',
      list,
    )
    .option('--resource-group <name>', 'only this resource group')
    .option('--admin', 'use cluster admin credentials instead of user credentials')
    .option('--name <name>', 'name of this provider (default azure-<first subscription>, or azure)')
    .option('--endpoint <url>', 'Azure Resource Manager endpoint override')
    .action((flags: AddFlags & { subscriptions?: string[]; resourceGroup?: string; admin?: boolean }) =>
      run((context) =>
        add(
          context,
          flags.name ?? (flags.subscriptions?.[0] ? `azure-${flags.subscriptions[0]!.slice(0, 8)}` : 'azure'),
          {
            kind: 'azure',
            subscriptions: flags.subscriptions ?? [],
            ...(flags.resourceGroup ? { resourceGroup: flags.resourceGroup } : {}),
            ...(flags.admin ? { admin: true } : {}),
            ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
          },
        ),
      ),
    );
  addCommand
    .command('gcp')
    .description('Google Cloud projects: GKE clusters, through Application Default Credentials')
    .option(
      '--projects <list>',
      'project IDs, comma-separated (default: the project Application Default Credentials name)',
      list,
    )
    .option('--location <location>', 'only this region or zone (default: all)')
    .option('--name <name>', 'name of this provider (default gcp-<first project>)')
    .option('--endpoint <url>', 'GKE API endpoint override')
    .action((flags: AddFlags & { projects?: string[]; location?: string }) =>
      run(async (context) => {
        const projects = flags.projects?.length
          ? flags.projects
          : [await (await import('../../clusters/providers/gke/index.js')).defaultProjectId()];
        return add(context, flags.name ?? `gcp-${projects[0]}`, {
          kind: 'gcp',
          projects,
          ...(flags.location ? { location: flags.location } : {}),
          ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
        });
      }),
    );
  providers
    .command('list')
    .description('Registered cloud accounts')
    .action(() =>
      run(async (context) => {
        const entries = await withStore(context, listProviders);
        context.stdout(
          render(context.output, entries, [
            { header: 'NAME', value: (row) => row.name },
            { header: 'KIND', value: (row) => row.settings.kind },
            { header: 'SCOPE', value: (row) => scopeOf(row.settings) },
            { header: 'ADDED', value: (row) => row.createdAt },
            { header: 'BY', value: (row) => row.createdBy },
          ]),
        );
        return 0;
      }),
    );
  providers
    .command('remove')
    .argument('<name>')
    .description('Forget a cloud account (nothing in the cloud changes)')
    .option(
      '--force',
      'remove it even while just-in-time access on its clusters is live (that access then stays)',
    )
    .action((name: string, flags: { force?: boolean }) =>
      run(async (context) => {
        await withStore(context, (store) =>
          removeProvider(store, name, localPrincipal().subject, { force: flags.force === true }),
        );
        context.stdout(`provider ${name} removed\n`);
        return 0;
      }),
    );
}

function scopeOf(settings: ProviderSettings): string {
  switch (settings.kind) {
    case 'aws':
      return `${settings.regions.join(',')}${settings.roleArns ? ` via ${settings.roleArns.join(' → ')}` : ''}`;
    case 'azure':
      return `${settings.subscriptions.join(',') || 'every visible subscription'}${settings.resourceGroup ? `/${settings.resourceGroup}` : ''}`;
    case 'gcp':
      return `${settings.projects.join(',')}${settings.location ? `/${settings.location}` : ''}`;
    default: {
      const never: never = settings;
      throw new AppError('internal', `unknown provider settings ${JSON.stringify(never)}`);
    }
  }
}
