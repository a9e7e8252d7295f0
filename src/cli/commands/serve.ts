import { hostname } from 'node:os';
import type { Command } from 'commander';
import { parseDuration } from '../../access/index.js';
import { AgentRegistry } from '../../agent/index.js';
import { AppError } from '../../errors.js';
import { issueFirstAdminLink, oidcSignIn } from '../../identity/index.js';
import { parseWebhook, type WebhookSink } from '../../notifications/index.js';
import { parseUsageWindow } from '../../reviews/index.js';
import { startServer } from '../../server/index.js';
import type { Runner } from '../context.js';
import { evidenceRoot } from '../evidence-settings.js';
import { gatehouseFor } from '../open-store.js';

interface ServeFlags {
  readonly listen: string;
  readonly interval: string;
  readonly webhook: string[];
  readonly webhookFormat: string;
  readonly pendingTtl: string;
  readonly replicaId?: string;
  readonly advertiseUrl?: string;
  readonly usageWindow: string;
}

function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 0 || port > 65_535)
    throw new AppError('input.invalid', `--listen "${text}" is not HOST:PORT`, {
      fix: 'e.g. --listen 127.0.0.1:8080',
    });
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

function parseInterval(text: string): number {
  const match = /^(\d+)(ms|s)$/.exec(text);
  const ms = match ? Number(match[1]) * (match[2] === 's' ? 1000 : 1) : Number.NaN;
  if (!(ms >= 100 && ms <= 60_000))
    throw new AppError('input.invalid', `--interval "${text}" is not between 100ms and 60s`, {
      fix: 'e.g. --interval 1s',
    });
  return ms;
}

/** The URL other replicas forward agent calls to, if one is known before listening. */
function advertised(flags: ServeFlags, env: NodeJS.ProcessEnv, port: number): { advertiseUrl?: string } {
  const url = flags.advertiseUrl ?? env.GATEHOUSE_ADVERTISE_URL;
  if (url) return { advertiseUrl: url };
  return env.POD_IP && port > 0
    ? { advertiseUrl: `http://${env.POD_IP.includes(':') ? `[${env.POD_IP}]` : env.POD_IP}:${port}` }
    : {};
}

export function registerServe(program: Command, run: Runner): void {
  program
    .command('serve')
    .description('Run the HTTP API, the access reconciler and webhook notifications until stopped')
    .option('--listen <host:port>', 'where the API listens', '127.0.0.1:8080')
    .option(
      '--interval <duration>',
      'longest wait between reconcile passes (they also run on every change)',
      '1s',
    )
    .option(
      '--webhook <url>',
      'notify this webhook of requests, decisions, grants and expiry (repeatable; GATEHOUSE_WEBHOOKS keeps URLs out of the process list)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--webhook-format <format>', 'slack (text + blocks) or json (the audit event)', 'slack')
    .option('--pending-ttl <duration>', 'pending requests expire after this long', '1h')
    .option(
      '--replica-id <name>',
      "this replica's name when several serve one database: one runs the reconciler, the others stand by (default: GATEHOUSE_REPLICA_ID, else the host name)",
    )
    .option(
      '--advertise-url <url>',
      'where the other replicas reach this one, for agents connected here (default: GATEHOUSE_ADVERTISE_URL, else http://POD_IP:PORT when POD_IP is set, else the listen address)',
    )
    .option(
      '--usage-window <duration>',
      'access reviews: how far before a campaign opened its items look for use in the ingested audit logs',
      '90d',
    )
    .action((flags: ServeFlags) =>
      run(async (context) => {
        if (flags.webhookFormat !== 'slack' && flags.webhookFormat !== 'json')
          throw new AppError(
            'input.invalid',
            `--webhook-format ${flags.webhookFormat} is not slack or json`,
            {
              fix: 'Use --webhook-format slack or json',
            },
          );
        const fromEnv = (context.env.GATEHOUSE_WEBHOOKS ?? '').split(',').filter((url) => url.trim() !== '');
        const webhooks: WebhookSink[] = [...flags.webhook, ...fromEnv].map((url) =>
          parseWebhook(url.trim(), flags.webhookFormat as WebhookSink['format']),
        );
        const { host, port } = parseListen(flags.listen);
        const intervalMs = parseInterval(flags.interval);
        // One runtime for the whole life of the server: one store, one connection per cluster.
        // Agents connected to this server are the transport of their clusters, for every capability.
        const agents = new AgentRegistry();
        const gatehouse = gatehouseFor(context, { agents });
        const store = await gatehouse.store();
        const log = (line: string) => context.stderr(`${new Date().toISOString()} ${line}\n`);
        const server = await startServer({
          gatehouse,
          host,
          port,
          intervalMs,
          pendingTtlSeconds: parseDuration(flags.pendingTtl, '--pending-ttl'),
          webhooks,
          log,
          evidenceRoot: evidenceRoot(context),
          agents,
          ...advertised(flags, context.env, port),
          usageWindowDays: parseUsageWindow(flags.usageWindow),
          replicaId: flags.replicaId ?? context.env.GATEHOUSE_REPLICA_ID ?? hostname(),
          signIn: {
            ...(context.config.publicUrl ? { publicUrl: context.config.publicUrl } : {}),
            ...(context.config.oidc ? { oidc: oidcSignIn(context.config.oidc) } : {}),
            sessions: context.config.sessions,
          },
        });
        log(
          `gatehouse serve: console and API on ${server.url} (open ${context.config.publicUrl ?? server.url}/ in a browser; OpenAPI at ${server.url}/openapi.json), store ${store.location}, ${webhooks.length} webhook(s)`,
        );
        const publicUrl = context.config.publicUrl ?? server.url;
        log(
          context.config.oidc
            ? `sign-in: ${publicUrl}/auth/login through ${context.config.oidc.issuer}`
            : 'sign-in: no OpenID Provider configured (set oidc.issuer and oidc.clientId); only the first-admin link signs in',
        );
        const firstAdmin = await issueFirstAdminLink(store, { publicUrl });
        if (firstAdmin)
          log(
            `nobody has signed in yet: open this one-time link to sign in as ${firstAdmin.subject} (admin), valid until ${firstAdmin.expiresAt}: ${firstAdmin.url}`,
          );
        await server.firstPass;
        if (server.leader()) log('first reconcile pass done');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        log('stopping');
        await server.close();
        await gatehouse.close();
        return 0;
      }),
    );
}
