import { auditedTransaction } from '../audit/index.js';
import { AppError, describeError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { ClusterListing, ClusterProvider, ClusterRef } from './types.js';

/** Settings of one cloud account, by kind. Never credentials: those come from each cloud's own chain. */
export type ProviderSettings =
  | {
      readonly kind: 'aws';
      readonly regions: readonly string[];
      readonly roleArns?: readonly string[];
      readonly externalId?: string;
      readonly endpoint?: string;
    }
  | {
      readonly kind: 'azure';
      readonly subscriptions: readonly string[];
      readonly resourceGroup?: string;
      readonly admin?: boolean;
      readonly endpoint?: string;
    }
  | {
      readonly kind: 'gcp';
      readonly projects: readonly string[];
      readonly location?: string;
      readonly endpoint?: string;
    };

export interface ProviderEntry {
  readonly name: string;
  readonly settings: ProviderSettings;
  readonly createdAt: string;
  readonly createdBy: string;
}

type Factory = (entry: ProviderEntry) => Promise<ClusterProvider>;

/** How each kind becomes a provider; the cloud code is imported only when that kind is used. */
export const providerFactories = new Map<ProviderSettings['kind'], Factory>([
  [
    'aws',
    async ({ name, settings }) => {
      if (settings.kind !== 'aws') throw new Error('unreachable');
      const { EksProvider } = await import('./providers/eks/index.js');
      return new EksProvider({
        name,
        regions: settings.regions,
        account: {
          ...(settings.roleArns ? { roleArns: settings.roleArns } : {}),
          ...(settings.externalId ? { externalId: settings.externalId } : {}),
        },
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      });
    },
  ],
  [
    'azure',
    async ({ settings }) => {
      if (settings.kind !== 'azure') throw new Error('unreachable');
      const { AksProvider } = await import('./providers/aks/index.js');
      return new AksProvider({
        subscriptions: settings.subscriptions,
        ...(settings.resourceGroup ? { resourceGroup: settings.resourceGroup } : {}),
        ...(settings.admin ? { admin: true } : {}),
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      });
    },
  ],
  [
    'gcp',
    async ({ settings }) => {
      if (settings.kind !== 'gcp') throw new Error('unreachable');
      const { GkeProvider } = await import('./providers/gke/index.js');
      return new GkeProvider({
        projects: settings.projects,
        ...(settings.location ? { location: settings.location } : {}),
        ...(settings.endpoint ? { apiEndpoint: settings.endpoint } : {}),
      });
    },
  ],
]);

const namePattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Registers a cloud account; the name is how `providers remove` and cluster refs point back to it. */
export async function addProvider(
  store: Store,
  entry: { readonly name: string; readonly settings: ProviderSettings },
  actor: string,
): Promise<ProviderEntry> {
  if (!namePattern.test(entry.name))
    throw new AppError('input.invalid', `provider name "${entry.name}" is not allowed`, {
      fix: 'Use lower-case letters, digits and dashes, e.g. prod-account',
    });
  if (!providerFactories.has(entry.settings.kind))
    throw new AppError('input.invalid', `unknown provider kind "${entry.settings.kind}"`, {
      fix: `Use one of ${[...providerFactories.keys()].join(', ')}`,
    });
  // Building the provider checks the settings (region names, …) before anything is stored.
  const record = { ...entry, createdAt: new Date().toISOString(), createdBy: actor };
  await openProvider(record);
  const existing = await store.db
    .selectFrom('cluster_providers')
    .select('name')
    .where('name', '=', entry.name)
    .executeTakeFirst();
  if (existing)
    throw new AppError('conflict', `a provider named "${entry.name}" already exists`, {
      fix: `Remove it first (gatehouse providers remove ${entry.name}) or pick another name`,
    });
  await auditedTransaction(store, async ({ tx, audit }) => {
    await tx
      .insertInto('cluster_providers')
      .values({
        name: record.name,
        kind: record.settings.kind,
        config: JSON.stringify(record.settings),
        created_at: record.createdAt,
        created_by: actor,
      })
      .execute();
    await audit({
      actor,
      action: 'clusters.provider.add',
      target: record.name,
      outcome: 'succeeded',
      details: { settings: record.settings },
    });
  });
  return record;
}

export async function listProviders(store: Store): Promise<ProviderEntry[]> {
  const rows = await store.db.selectFrom('cluster_providers').selectAll().orderBy('name').execute();
  return rows.map((row) => ({
    name: row.name,
    settings: JSON.parse(row.config) as ProviderSettings,
    createdAt: row.created_at,
    createdBy: row.created_by,
  }));
}

/**
 * Whether a cloud cluster name may be one this provider lists, judged from its settings alone
 * (no cloud call) and erring towards yes: an AWS account on the default chain may own any
 * eks/…/REGION/… name in its regions.
 */
export function mayList(settings: ProviderSettings, cluster: string): boolean {
  const [kind, scope = '', where = ''] = cluster.split('/');
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  switch (settings.kind) {
    case 'aws': {
      const account = settings.roleArns?.at(-1)?.split(':')[4];
      return kind === 'eks' && settings.regions.includes(where) && (!account || account === scope);
    }
    case 'azure':
      return (
        kind === 'aks' &&
        (settings.subscriptions.length === 0 || settings.subscriptions.some((id) => same(id, scope))) &&
        (!settings.resourceGroup || same(settings.resourceGroup, where))
      );
    case 'gcp':
      return (
        kind === 'gke' &&
        (settings.projects.length === 0 || settings.projects.includes(scope)) &&
        (!settings.location || settings.location === where)
      );
  }
}

/**
 * Forgets a provider. While just-in-time access on its clusters is live (approved or active
 * requests, EKS associations not yet taken back), removing it would strand that access: the
 * reconciler could no longer reach the clusters to end it. That is refused unless `force`.
 */
export async function removeProvider(
  store: Store,
  name: string,
  actor: string,
  options: { readonly force?: boolean } = {},
): Promise<void> {
  const entry = (await listProviders(store)).find((candidate) => candidate.name === name);
  if (!entry)
    throw new AppError('not-found', `no provider named "${name}"`, { fix: 'See gatehouse providers list' });
  const requests = await store.db
    .selectFrom('access_requests')
    .select(['id', 'cluster'])
    .where('state', 'in', ['approved', 'active'])
    .execute();
  const associations = await store.db.selectFrom('eks_access_grants').select('cluster').distinct().execute();
  const stranded = {
    requests: requests.filter((row) => mayList(entry.settings, row.cluster)).map((row) => row.id),
    clusters: [
      ...new Set(
        [...requests, ...associations]
          .map((row) => row.cluster)
          .filter((cluster) => mayList(entry.settings, cluster)),
      ),
    ].sort(),
  };
  if (stranded.clusters.length > 0 && !options.force) {
    const ids = stranded.requests.map((id) => id.slice(0, 8));
    throw new AppError(
      'conflict',
      `just-in-time access is live on ${stranded.clusters.join(', ')} through provider ${name}${ids.length ? ` (requests ${ids.join(', ')})` : ''}; without the provider Gatehouse could not take it back`,
      {
        fix: `Revoke it first (gatehouse access revoke ID) and let the reconciler remove it, or pass --force to remove the provider and leave that access in place`,
      },
    );
  }
  await auditedTransaction(store, async ({ tx, audit }) => {
    await tx.deleteFrom('cluster_providers').where('name', '=', name).execute();
    await audit({
      actor,
      action: 'clusters.provider.remove',
      target: name,
      outcome: 'succeeded',
      ...(options.force && stranded.clusters.length > 0 ? { details: { forced: true, stranded } } : {}),
    });
  });
}

export async function openProvider(entry: ProviderEntry): Promise<ClusterProvider> {
  const factory = providerFactories.get(entry.settings.kind);
  if (!factory)
    throw new AppError(
      'config.invalid',
      `provider "${entry.name}" has unknown kind "${entry.settings.kind}"`,
      {
        fix: `Remove it (gatehouse providers remove ${entry.name}) and add it again`,
      },
    );
  return await factory(entry);
}

/** A cluster a provider listed, with the provider that can connect to it. */
export interface ResolvedCluster {
  readonly ref: ClusterRef;
  readonly provider: ClusterProvider;
}

/** Every registered provider's clusters, listed in parallel; one failing account is an error entry. */
export async function listProviderClusters(
  store: Store,
): Promise<ClusterListing & { readonly resolved: readonly ResolvedCluster[] }> {
  const entries = await listProviders(store);
  const results = await Promise.allSettled(
    entries.map(async (entry) => {
      const provider = await openProvider(entry);
      return { provider, listing: await provider.listClusters() };
    }),
  );
  const resolved: ResolvedCluster[] = [];
  const errors: { source: string; message: string }[] = [];
  results.forEach((result, index) => {
    if (result.status === 'rejected') {
      const reason = result.reason as unknown;
      errors.push({
        source: `provider ${entries[index]!.name}`,
        message: describeError(reason),
      });
      return;
    }
    for (const ref of result.value.listing.clusters) resolved.push({ ref, provider: result.value.provider });
    errors.push(...result.value.listing.errors);
  });
  return { clusters: resolved.map((item) => item.ref), errors, resolved };
}

/** Cloud cluster names start with their kind: `eks/…`, `aks/…`, `gke/…`. */
export function isProviderClusterName(name: string): boolean {
  return /^(eks|aks|gke)\//.test(name);
}

/** Finds a provider cluster by the name `clusters list` shows. */
export async function resolveProviderCluster(store: Store, name: string): Promise<ResolvedCluster> {
  return findProviderCluster(await listProviderClusters(store), name);
}

/** The cluster of this name in a listing, or an error that names the listing's own failures. */
export function findProviderCluster(
  listing: ClusterListing & { readonly resolved: readonly ResolvedCluster[] },
  name: string,
): ResolvedCluster {
  const found = listing.resolved.filter((item) => item.ref.name === name);
  if (found.length > 1)
    throw new AppError('conflict', `${found.length} registered providers list a cluster named "${name}"`, {
      fix: 'The same account is registered twice: remove one with gatehouse providers remove',
    });
  if (found[0]) return found[0];
  const problems = listing.errors.map((error) => `${error.source}: ${error.message}`).join('; ');
  throw new AppError(
    'context.unknown',
    `no registered provider lists a cluster named "${name}"${problems ? ` (${problems})` : ''}`,
    {
      fix: 'See gatehouse clusters list for the names, or add the account with gatehouse providers add',
    },
  );
}
