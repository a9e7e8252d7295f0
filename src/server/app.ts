import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { EksAccessEntriesPort } from '../clusters/index.js';
import { defaultSessionSettings, type SessionSettings } from '../config/index.js';
import { type ConsoleOptions, consoleRoutes } from '../console/index.js';
import { isAppError, messageOf } from '../errors.js';
import { authenticateBearer, hasRole, type OidcSignIn } from '../identity/index.js';
import type { KubeClient } from '../kube/index.js';
import type { UsageOf } from '../reviews/index.js';
import type { Store } from '../store/index.js';
import { bodyTooLarge, maxBodyBytes } from './body.js';
import { routes } from './contract/index.js';
import type { Changed, ConsoleEnv, ServerEnv } from './env.js';
import { httpStatusFor } from './errors.js';
import { openApiDocument } from './openapi.js';
import { accessRoutes } from './routes/access.js';
import { auditRoutes } from './routes/audit.js';
import { reviewRoutes } from './routes/reviews.js';
import { consoleSession, signInRoutes } from './sign-in/index.js';
import { reply } from './validate.js';

export interface AppOptions {
  readonly store: Store;
  /** Gatehouse's own client for a cluster name; throws `context.unknown` for clusters it does not know. */
  readonly clientFor: (cluster: string) => Promise<KubeClient>;
  /** The EKS access entries port of a cluster (access-entry flows); as the reconciler gets it. */
  readonly accessEntriesFor?: (cluster: string) => Promise<EksAccessEntriesPort | undefined>;
  /** Called after every change, so the reconciler acts at once instead of at its next tick. */
  /** Called after every change, with the request's id when one request changed. */
  readonly onChange?: (requestId?: string) => void;
  /** What /healthz reports beside ok. */
  readonly health?: () => Record<string, unknown>;
  /** Unexpected errors go here (one line each); the HTTP answer never carries internals. */
  readonly log?: (line: string) => void;
  /** Sign-in and sessions; absent, no OpenID Provider and default session lifetimes. */
  readonly signIn?: SignInSettings;
  /** The clusters Gatehouse knows, for the console's Clusters page. */
  readonly listClusters?: ConsoleOptions['listClusters'];
  /** Where evidence packages are kept, for the console's Evidence pages. */
  readonly evidenceRoot?: string;
  /** Usage evidence for access review items (the audit-log usage module); absent, usage is unknown. */
  readonly usageOf?: UsageOf;
}

export interface SignInSettings {
  /** Where people reach the server; https makes its cookies `__Host-` and Secure. Default: each request's origin. */
  readonly publicUrl?: string;
  /** The OpenID Provider people sign in with (`oidcSignIn(config.oidc)`); absent, only the first-admin link signs in. */
  readonly oidc?: OidcSignIn;
  readonly sessions?: SessionSettings;
}

const logOption = (options: AppOptions) => (options.log ? { log: options.log } : {});

/**
 * The HTTP API: flows, requests, credentials and audit, for callers holding an API token. Every
 * identity comes from the token; every change is audited by the capability it calls.
 */
export function createApp(options: AppOptions): Hono<ServerEnv> {
  const { store } = options;
  const changed: Changed = (value) => {
    // Answers about one request are `{ request }`: that request is what changed.
    const id = (value as { readonly request?: { readonly id?: unknown } } | null)?.request?.id;
    options.onChange?.(typeof id === 'string' ? id : undefined);
    return value;
  };
  const sessions = options.signIn?.sessions ?? defaultSessionSettings;
  const publicUrl = options.signIn?.publicUrl;
  const cookies = { secure: publicUrl?.startsWith('https:') === true };
  const app = new Hono<ServerEnv>();
  app.onError((error, c) => {
    if (isAppError(error))
      return c.json(
        { error: { code: error.code, message: error.message, fix: error.fix ?? null } },
        httpStatusFor(error.code),
      );
    options.log?.(`internal error on ${c.req.method} ${c.req.path}: ${messageOf(error)}`);
    return c.json(
      { error: { code: 'internal', message: 'internal error; the server log has the cause', fix: null } },
      500,
    );
  });
  app.notFound((c) =>
    c.json(
      {
        error: {
          code: 'not-found',
          message: `no route ${c.req.method} ${c.req.path}`,
          fix: 'See /openapi.json',
        },
      },
      404,
    ),
  );
  app.get('/healthz', (c) => reply(c, routes.health, 200, { ok: true, ...(options.health?.() ?? {}) }));
  app.get('/openapi.json', (c) => reply(c, routes.openApi, 200, openApiDocument));
  // Refused before anything reads it, authenticated or not.
  app.use('/v1/*', bodyLimit({ maxSize: maxBodyBytes, onError: bodyTooLarge }));
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    c.set('principal', await authenticateBearer(store, sessions, token));
    await next();
  });
  app.get('/v1/whoami', (c) => {
    const principal = c.get('principal');
    const admin = hasRole(principal, 'admin');
    return reply(c, routes.whoami, 200, { user: principal.subject, groups: principal.groups, admin });
  });
  app.route('/v1', accessRoutes(options, changed));
  app.route('/v1/audit', auditRoutes(store));
  app.route('/v1', reviewRoutes(options));
  app.route(
    '/auth',
    signInRoutes({ store, sessions, cookies, publicUrl, oidc: options.signIn?.oidc, ...logOption(options) }),
  );
  // Console pages mounted after this find c.var.principal and c.var.session (ConsoleEnv).
  const web = new Hono<ConsoleEnv>();
  // The session middleware reads a post's form for its CSRF token: the size limit comes first.
  web.use('*', bodyLimit({ maxSize: maxBodyBytes, onError: bodyTooLarge }));
  web.use('*', consoleSession({ store, sessions, cookies }));
  web.route('/', consoleRoutes({ ...options, signInWithProvider: options.signIn?.oidc !== undefined }));
  app.route('/', web);
  return app;
}
