import { randomUUID } from 'node:crypto';
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { AppError, isAppError } from '../errors.js';
import type { KubeClient } from '../kube/index.js';
import type { Store } from '../store/index.js';

/** One IAM principal mapped onto a Kubernetes user and groups in kube-system/aws-auth. */
export interface AwsAuthMapping {
  /** An IAM role (mapRoles) or user (mapUsers). */
  readonly arn: string;
  readonly username: string;
  readonly groups: readonly string[];
}

interface ConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
}

export interface AwsAuthChange {
  /** Where the change is recorded in the store, and by whom. */
  readonly store: Store;
  readonly cluster: string;
  readonly reason: string;
  /** Called between read and write (tests use it to make a concurrent writer win the race). */
  readonly beforeWrite?: () => Promise<void>;
  readonly attempts?: number;
  /** The apiserver validates the write and stores nothing; no history is kept. */
  readonly dryRun?: boolean;
}

const path = '/api/v1/namespaces/kube-system/configmaps/aws-auth';
const ownedAnnotation = 'gatehouse.dev/aws-auth-owned';

const keyOf = (arn: string) => (/:user\//.test(arn) ? 'mapUsers' : 'mapRoles');
const arnField = (key: string) => (key === 'mapUsers' ? 'userarn' : 'rolearn');

async function read(client: KubeClient): Promise<ConfigMap | undefined> {
  try {
    return await client.request<ConfigMap>({ path });
  } catch (error) {
    if (isAppError(error) && error.code === 'not-found') return undefined;
    throw error;
  }
}

/** Entries of one key, edited through the YAML document so comments and other entries stay as they were. */
function editEntries(
  text: string | undefined,
  key: string,
  edit: (items: YAMLMap[]) => YAMLMap[] | undefined,
): string | undefined {
  const document = parseDocument(text?.trim() ? text : '[]');
  if (document.errors.length > 0 || !isSeq(document.contents))
    throw new AppError(
      'input.invalid',
      `kube-system/aws-auth ${key} is not a YAML list: Gatehouse will not rewrite it`,
      {
        fix: 'Repair the ConfigMap by hand (kubectl edit -n kube-system configmap aws-auth)',
      },
    );
  // Items that are not mappings are kept as they are: Gatehouse edits only what it understands.
  const next = edit(document.contents.items as unknown as YAMLMap[]);
  if (!next) return undefined;
  document.contents.items = next as unknown as typeof document.contents.items;
  return document.toString();
}

async function change(
  client: KubeClient,
  options: AwsAuthChange,
  mutate: (current: ConfigMap | undefined) => ConfigMap | undefined,
): Promise<boolean> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const current = await read(client);
    const next = mutate(current);
    if (!next) return false;
    await options.beforeWrite?.();
    if (current && !options.dryRun)
      await options.store.db
        .insertInto('aws_auth_history')
        .values({
          id: randomUUID(),
          cluster: options.cluster,
          resource_version: current.metadata.resourceVersion ?? '',
          data: JSON.stringify(current.data ?? {}),
          taken_at: new Date().toISOString(),
          reason: options.reason,
        })
        .execute();
    try {
      await client.request({
        method: 'PUT',
        path,
        body: next,
        query: options.dryRun ? { dryRun: 'All' } : {},
      });
      return true;
    } catch (error) {
      // Someone else wrote aws-auth between our read and write: read again and redo the edit.
      if (!(isAppError(error) && error.code === 'conflict') || attempt >= attempts) throw error;
    }
  }
}

function owned(configMap: ConfigMap | undefined): string[] {
  return JSON.parse(configMap?.metadata.annotations?.[ownedAnnotation] ?? '[]') as string[];
}

function withOwned(configMap: ConfigMap, arns: readonly string[], data: Record<string, string>): ConfigMap {
  return {
    ...configMap,
    metadata: {
      ...configMap.metadata,
      annotations: { ...configMap.metadata.annotations, [ownedAnnotation]: JSON.stringify([...arns].sort()) },
    },
    data,
  };
}

/**
 * Maps an IAM principal in aws-auth (read-modify-write with resourceVersion, retried on
 * conflict; the previous data kept in the store). An entry for the same ARN that Gatehouse did
 * not add is never touched: that is a conflict for a person to settle.
 */
export async function addAwsAuthMapping(
  client: KubeClient,
  mapping: AwsAuthMapping,
  options: AwsAuthChange,
): Promise<boolean> {
  const key = keyOf(mapping.arn);
  return await change(client, options, (current) => {
    // Creating aws-auth would take a create right on every ConfigMap of kube-system; EKS clusters that
    // authenticate through aws-auth have one, and the others should use access entries.
    if (!current)
      throw new AppError('not-found', 'kube-system/aws-auth does not exist in this cluster', {
        fix: 'Use an access-entry flow on clusters without aws-auth (authentication mode API), or create aws-auth first',
      });
    const base: ConfigMap = current;
    const mine = owned(current);
    const data = { ...(base.data ?? {}) };
    const text = editEntries(data[key], key, (items) => {
      const existing = items.find((item) => isMap(item) && item.get(arnField(key)) === mapping.arn);
      if (existing && !mine.includes(mapping.arn))
        throw new AppError('conflict', `aws-auth already maps ${mapping.arn}, and Gatehouse did not add it`, {
          fix: 'Gatehouse never edits mappings it does not own; remove that entry or grant through it by hand',
        });
      const entry = parseDocument(
        JSON.stringify({ [arnField(key)]: mapping.arn, username: mapping.username, groups: mapping.groups }),
      ).contents as YAMLMap;
      if (existing && JSON.stringify(existing.toJSON()) === JSON.stringify(entry.toJSON())) return undefined;
      return existing ? items.map((item) => (item === existing ? entry : item)) : [...items, entry];
    });
    if (text === undefined) return undefined;
    return withOwned(base, [...new Set([...mine, mapping.arn])], { ...data, [key]: text });
  });
}

/** Removes a mapping Gatehouse added; mappings it did not add are left alone. */
export async function removeAwsAuthMapping(
  client: KubeClient,
  arn: string,
  options: AwsAuthChange,
): Promise<boolean> {
  const key = keyOf(arn);
  return await change(client, options, (current) => {
    if (!current || !owned(current).includes(arn)) return undefined;
    const data = { ...(current.data ?? {}) };
    const text = editEntries(data[key], key, (items) =>
      items.filter((item) => item.get(arnField(key)) !== arn),
    );
    return withOwned(
      current,
      owned(current).filter((candidate) => candidate !== arn),
      text === undefined ? data : { ...data, [key]: text },
    );
  });
}

/**
 * Removes every mapping of an IAM principal, whoever added it: an access review decided so (a
 * person's explicit decision, recorded in the audit log). False when aws-auth does not map it.
 */
export async function unmapAwsAuthPrincipal(
  client: KubeClient,
  arn: string,
  options: AwsAuthChange,
): Promise<boolean> {
  const key = keyOf(arn);
  return await change(client, options, (current) => {
    if (!current) return undefined;
    const data = { ...(current.data ?? {}) };
    const text = editEntries(data[key], key, (items) => {
      const kept = items.filter((item) => !(isMap(item) && item.get(arnField(key)) === arn));
      return kept.length === items.length ? undefined : kept;
    });
    if (text === undefined) return undefined;
    return withOwned(
      current,
      owned(current).filter((candidate) => candidate !== arn),
      { ...data, [key]: text },
    );
  });
}

/** The IAM principals Gatehouse has mapped in aws-auth (from its ownership annotation). */
export async function ownedAwsAuthMappings(client: KubeClient): Promise<string[]> {
  return owned(await read(client));
}
