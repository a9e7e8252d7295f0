import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppError, messageOf } from '../errors.js';
import {
  type OidcSettings,
  oidcSettings,
  publicUrlSetting,
  type SessionSettings,
  sessionSettings,
} from './sign-in.js';

export type OutputFormat = 'table' | 'json' | 'yaml' | 'csv';

export interface GatehouseConfig {
  /** Where the embedded database and local evidence live (default ~/.gatehouse). */
  readonly dataDir: string;
  /** `postgres://…` for a shared deployment; otherwise SQLite in the data directory. */
  readonly databaseUrl: string | undefined;
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  readonly output: OutputFormat;
  /** Timeout of reachability probes, milliseconds. */
  readonly probeTimeoutMs: number;
  /** A `gatehouse serve` URL: access commands then act through its API, with GATEHOUSE_TOKEN. */
  readonly server: string | undefined;
  /**
   * The Ed25519 key that signs audit entries, when not `<dataDir>/audit-signing.key`: a mounted
   * secret in server deployments (`GATEHOUSE_AUDIT_KEY_FILE`).
   */
  readonly auditKeyFile: string | undefined;
  /** Where people reach `gatehouse serve` (`publicUrl`, `GATEHOUSE_PUBLIC_URL`); https makes cookies Secure. */
  readonly publicUrl: string | undefined;
  /** Sign-in with an OpenID Provider (`oidc:`); undefined when no issuer is configured. */
  readonly oidc: OidcSettings | undefined;
  readonly sessions: SessionSettings;
  /** The file the settings came from, if any. */
  readonly file: string | undefined;
}

interface FileSettings {
  readonly databaseUrl?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly output?: string;
  readonly probeTimeoutMs?: number;
  readonly server?: string;
  readonly auditKeyFile?: string;
  readonly publicUrl?: string;
  readonly oidc?: unknown;
  readonly sessions?: unknown;
}

const knownKeys = new Set([
  'databaseUrl',
  'kubeconfig',
  'context',
  'output',
  'probeTimeoutMs',
  'server',
  'auditKeyFile',
  'publicUrl',
  'oidc',
  'sessions',
]);

/**
 * Settings come from, in rising precedence: defaults, the config file
 * (`$GATEHOUSE_CONFIG` or `<dataDir>/config.yaml`), then environment variables
 * (`GATEHOUSE_HOME`, `GATEHOUSE_DATABASE_URL`, `GATEHOUSE_CONTEXT`, `GATEHOUSE_OUTPUT`,
 * `GATEHOUSE_AUDIT_KEY_FILE`, `GATEHOUSE_PUBLIC_URL`, `GATEHOUSE_OIDC_*`). Command-line
 * flags override all of them at the CLI edge.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatehouseConfig {
  const dataDir = resolve(env.GATEHOUSE_HOME ?? join(env.HOME ?? homedir(), '.gatehouse'));
  const file = env.GATEHOUSE_CONFIG ?? join(dataDir, 'config.yaml');
  const explicit = env.GATEHOUSE_CONFIG !== undefined;
  const settings = existsSync(file) ? readSettings(file) : explicit ? missingFile(file) : {};
  const output = env.GATEHOUSE_OUTPUT ?? settings.output ?? 'table';
  return {
    dataDir,
    databaseUrl: env.GATEHOUSE_DATABASE_URL ?? settings.databaseUrl,
    kubeconfig: settings.kubeconfig,
    context: env.GATEHOUSE_CONTEXT ?? settings.context,
    output: parseOutputFormat(output, env.GATEHOUSE_OUTPUT ? 'GATEHOUSE_OUTPUT' : `${file}: output`),
    probeTimeoutMs: settings.probeTimeoutMs ?? 3000,
    server: env.GATEHOUSE_SERVER ?? settings.server,
    auditKeyFile: env.GATEHOUSE_AUDIT_KEY_FILE ?? settings.auditKeyFile,
    publicUrl: publicUrlSetting(env.GATEHOUSE_PUBLIC_URL ?? settings.publicUrl, file),
    oidc: oidcSettings(settings.oidc, env, file),
    sessions: sessionSettings(settings.sessions, file),
    file: existsSync(file) ? file : undefined,
  };
}

export function parseOutputFormat(value: string, where: string): OutputFormat {
  if (value === 'table' || value === 'json' || value === 'yaml' || value === 'csv') return value;
  throw new AppError('config.invalid', `${where}: unknown output format "${value}"`, {
    fix: 'Use one of table, json, yaml, csv',
  });
}

function missingFile(file: string): never {
  throw new AppError('config.invalid', `config file ${file} (from GATEHOUSE_CONFIG) does not exist`, {
    fix: 'Create it or unset GATEHOUSE_CONFIG',
  });
}

function readSettings(file: string): FileSettings {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError(
      'config.invalid',
      `config file ${file} is not valid YAML: ${messageOf(error).split('\n')[0]}`,
      {
        fix: 'Fix the YAML syntax',
        cause: error,
      },
    );
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new AppError('config.invalid', `config file ${file} must be a YAML mapping`, {
      fix: 'Write key: value pairs',
    });
  }
  const record = document as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!knownKeys.has(key)) {
      throw new AppError('config.invalid', `config file ${file}: unknown setting "${key}"`, {
        fix: `Known settings: ${[...knownKeys].join(', ')}`,
      });
    }
  }
  for (const key of [
    'databaseUrl',
    'kubeconfig',
    'context',
    'output',
    'server',
    'auditKeyFile',
    'publicUrl',
  ] as const) {
    if (record[key] !== undefined && typeof record[key] !== 'string') {
      throw new AppError('config.invalid', `config file ${file}: "${key}" must be a string`, {
        fix: `Quote the value of ${key}`,
      });
    }
  }
  const timeout = record.probeTimeoutMs;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0)) {
    throw new AppError('config.invalid', `config file ${file}: "probeTimeoutMs" must be a positive integer`, {
      fix: 'Give milliseconds, e.g. probeTimeoutMs: 3000',
    });
  }
  return record as FileSettings;
}

export { type ClusterSelection, currentClusterName } from './current-context.js';
export { defaultSessionSettings, type OidcSettings, type SessionSettings } from './sign-in.js';
