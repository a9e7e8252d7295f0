import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { AppError, messageOf } from '../errors.js';
import { clientNode } from './client-node.js';

export interface KubeconfigSource {
  /** `--kubeconfig`; wins over KUBECONFIG and ~/.kube/config, as in kubectl. */
  readonly path?: string | undefined;
  /** `--context`; defaults to the file's current-context. */
  readonly context?: string | undefined;
  /** Environment to read KUBECONFIG and HOME from (tests pass their own). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LoadedKubeconfig {
  readonly config: KubeConfig;
  /** The files it was read from, in merge order. */
  readonly files: readonly string[];
}

/** The kubeconfig files kubectl would read, in order. */
export function kubeconfigFiles(source: KubeconfigSource = {}): string[] {
  if (source.path) return [source.path];
  const env = source.env ?? process.env;
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter((file) => file.length > 0);
  return [join(env.HOME ?? homedir(), '.kube', 'config')];
}

/**
 * Reads and validates kubeconfig files the way kubectl does (first file's current-context wins,
 * first definition of a name wins) and selects the context.
 *
 * @example
 * const { config } = loadKubeconfig({ path: '/tmp/kind.yaml', context: 'kind-dev' });
 */
export function loadKubeconfig(source: KubeconfigSource = {}): LoadedKubeconfig {
  const loaded = readKubeconfig(source);
  const { config, files } = loaded;
  const context = source.context ?? config.getCurrentContext();
  if (!context) {
    throw new AppError('context.unknown', `kubeconfig ${files.join(', ')} has no current-context`, {
      fix: `Pass --context NAME; contexts in the file: ${contextNames(config)}`,
    });
  }
  selectContext(config, context);
  return loaded;
}

/** Reads and merges the kubeconfig files without selecting a context (for listing). */
export function readKubeconfig(source: KubeconfigSource = {}): LoadedKubeconfig {
  const files = kubeconfigFiles(source);
  const present = files.filter((file) => existsSync(file));
  if (present.length === 0) {
    throw new AppError('kubeconfig.missing', `no kubeconfig found at ${files.join(', ')}`, {
      fix: 'Pass --kubeconfig PATH, set KUBECONFIG, or create ~/.kube/config (for a local test cluster run `npm run cluster:up`)',
    });
  }
  return { config: mergeKubeconfigs(present.map((file) => parseKubeconfigFile(file))), files: present };
}

/** Makes `name` the current context, or says which contexts exist. */
export function selectContext(config: KubeConfig, name: string): void {
  const context = config.getContextObject(name);
  if (!context) {
    throw new AppError('context.unknown', `context "${name}" is not in the kubeconfig`, {
      fix: `Use one of: ${contextNames(config)} (see \`gatehouse clusters list\`)`,
      details: { context: name },
    });
  }
  if (!config.getCluster(context.cluster)) {
    throw new AppError(
      'kubeconfig.malformed',
      `context "${name}" refers to missing cluster "${context.cluster}"`,
      {
        fix: 'Add the cluster entry to the kubeconfig or fix the context',
      },
    );
  }
  if (context.user && !config.getUser(context.user)) {
    throw new AppError('kubeconfig.malformed', `context "${name}" refers to missing user "${context.user}"`, {
      fix: 'Add the user entry to the kubeconfig or fix the context',
    });
  }
  config.setCurrentContext(name);
}

function contextNames(config: KubeConfig): string {
  const names = config.getContexts().map((context) => context.name);
  return names.length > 0 ? names.join(', ') : '(none)';
}

/** Parses one file; a YAML or structure error names the file and where it is. */
export function parseKubeconfigFile(file: string): KubeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('kubeconfig.missing', `cannot read kubeconfig ${file}: ${messageOf(error)}`, {
      fix: 'Check the path and its permissions',
      cause: error,
    });
  }
  return parseKubeconfigText(text, file);
}

export function parseKubeconfigText(text: string, origin: string): KubeConfig {
  const fix = `Fix the file (\`kubectl config view --kubeconfig ${origin}\` shows how kubectl reads it)`;
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new AppError(
      'kubeconfig.malformed',
      `kubeconfig ${origin} is not valid YAML: ${firstLine(error)}`,
      {
        fix,
        cause: error,
      },
    );
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new AppError('kubeconfig.malformed', `kubeconfig ${origin} is not a YAML mapping`, { fix });
  }
  const config = new (clientNode().KubeConfig)();
  try {
    // Our YAML check ran first; client-node's loader adds the structural checks (names, servers).
    config.loadFromString(text);
  } catch (error) {
    throw new AppError('kubeconfig.malformed', `kubeconfig ${origin} is malformed: ${firstLine(error)}`, {
      fix,
      cause: error,
    });
  }
  return config;
}

function firstLine(error: unknown): string {
  return messageOf(error).split('\n')[0] ?? '';
}

function mergeKubeconfigs(configs: readonly KubeConfig[]): KubeConfig {
  const [first, ...rest] = configs;
  if (!first) throw new AppError('internal', 'no kubeconfig to merge');
  for (const next of rest) {
    const merged = new (clientNode().KubeConfig)();
    merged.loadFromOptions({
      clusters: uniqueByName([...first.getClusters(), ...next.getClusters()]),
      users: uniqueByName([...first.getUsers(), ...next.getUsers()]),
      contexts: uniqueByName([...first.getContexts(), ...next.getContexts()]),
      currentContext: first.getCurrentContext() || next.getCurrentContext(),
    });
    Object.assign(first, { clusters: merged.clusters, users: merged.users, contexts: merged.contexts });
    first.setCurrentContext(merged.getCurrentContext());
  }
  return first;
}

function uniqueByName<T extends { readonly name: string }>(items: readonly T[]): T[] {
  const byName = new Map<string, T>();
  for (const item of items) if (!byName.has(item.name)) byName.set(item.name, item);
  return [...byName.values()];
}
