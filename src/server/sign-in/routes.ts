import { type Context, Hono } from 'hono';
import type { SessionSettings } from '../../config/index.js';
import { AppError, isAppError, messageOf } from '../../errors.js';
import {
  createSession,
  issueCliLoginCode,
  type OidcSignIn,
  redeemCliLoginCode,
  redeemFirstAdminLink,
  type Session,
} from '../../identity/index.js';
import type { Store } from '../../store/index.js';
import { routes } from '../contract/index.js';
import { bodyOf, reply } from '../validate.js';
import { decodeAttempt, encodeAttempt, type SignInAttempt, targetOf } from './attempt.js';
import {
  type CookiePolicy,
  clearCookie,
  readCookie,
  sessionCookie,
  signInCookie,
  writeCookie,
} from './cookies.js';
import { endSignIn } from './logout.js';
import { errorAnswer, escapeHtml, page } from './page.js';

export interface SignInRoutesOptions {
  readonly store: Store;
  readonly sessions: SessionSettings;
  readonly cookies: CookiePolicy;
  /** Where people reach the server; absent, each request's own origin (a server on loopback). */
  readonly publicUrl: string | undefined;
  /** Absent when no OpenID Provider is configured: only the first-admin link signs in. */
  readonly oidc: OidcSignIn | undefined;
  readonly log?: (line: string) => void;
}

const attemptTtlSeconds = 600;

/** Turns a failure into the page (or JSON) that names cause and fix; unexpected ones go to the log. */
function failed(c: Context, options: SignInRoutesOptions, error: unknown): Response {
  if (isAppError(error)) {
    options.log?.(`sign-in: ${error.message}`);
    return errorAnswer(c, error);
  }
  options.log?.(`sign-in: internal error on ${c.req.method} ${c.req.path}: ${messageOf(error)}`);
  return errorAnswer(c, new AppError('internal', 'sign-in failed on the server; its log has the cause'));
}

function notConfigured(): AppError {
  return new AppError(
    'config.invalid',
    'sign-in with an identity provider is not configured on this server',
    {
      fix: 'Set oidc.issuer and oidc.clientId in the config file (or GATEHOUSE_OIDC_ISSUER and GATEHOUSE_OIDC_CLIENT_ID) and restart `gatehouse serve`',
    },
  );
}

/** Starts a browser session: the cookie carries the id, which is never seen again. */
function signInBrowser(
  c: Context,
  options: SignInRoutesOptions,
  started: { readonly id: string; readonly session: Session },
  next: string,
): Response {
  const lifetime = (Date.parse(started.session.expiresAt) - Date.now()) / 1000;
  writeCookie(c, options.cookies, sessionCookie, started.id, lifetime);
  return c.redirect(next, 303);
}

type Handler = (c: Context, options: SignInRoutesOptions) => Promise<Response> | Response;

const redirectUri = (c: Context, options: SignInRoutesOptions) =>
  `${options.publicUrl ?? new URL(c.req.url).origin}/auth/callback`;

/** `GET /auth/login`: remember the attempt in the browser, send it to the provider. */
const beginSignIn: Handler = async (c, options) => {
  if (!options.oidc) throw notConfigured();
  const target = targetOf((name) => c.req.query(name));
  const { url, pending } = await options.oidc.begin(redirectUri(c, options));
  writeCookie(c, options.cookies, signInCookie, encodeAttempt({ ...pending, target }), attemptTtlSeconds);
  return c.redirect(url, 302);
};

/** `GET /auth/callback`: the attempt (used up here, whatever happens) must match what the provider sent back. */
const finishSignIn: Handler = async (c, options) => {
  if (!options.oidc) throw notConfigured();
  const attempt = decodeAttempt(readCookie(c, options.cookies, signInCookie));
  clearCookie(c, options.cookies, signInCookie);
  if (!attempt)
    throw new AppError('auth.unauthorized', 'no sign-in is in progress in this browser', {
      fix: 'Start again from the sign-in page (cookies must be allowed, and a sign-in must finish within 10 minutes)',
    });
  const current = new URL(`${redirectUri(c, options)}${new URL(c.req.url).search}`);
  const identity = await options.oidc.finish(current, attempt);
  return await arrive(c, options, attempt, identity);
};

/** A page with a button rather than signing in on GET: link previews and scanners would use the link up. */
const firstAdminPage: Handler = (c) =>
  page(
    c,
    200,
    'Sign in as the first administrator',
    `<p>This one-time link signs you in as Gatehouse's first administrator. It works once, for 15 minutes after the server printed it.</p>
<form method="post" action="/auth/first-admin"><input type="hidden" name="token" value="${escapeHtml(c.req.query('token') ?? '')}"><button type="submit">Sign in</button></form>`,
  );

const useFirstAdminLink: Handler = async (c, options) => {
  const token = (await c.req.parseBody()).token;
  const started = await redeemFirstAdminLink(
    options.store,
    options.sessions,
    typeof token === 'string' ? token : '',
  );
  options.log?.(`sign-in: ${started.session.principal.subject} signed in with the first-admin link`);
  return signInBrowser(c, options, started, '/');
};

/** `POST /auth/cli/token`: the CLI trades the hand-over code and its verifier for a session token. */
const cliToken: Handler = async (c, options) => {
  const body = await bodyOf(c, routes.exchangeCliCode);
  const { id, session } = await redeemCliLoginCode(options.store, options.sessions, body);
  const { subject, groups, roles } = session.principal;
  c.header('cache-control', 'no-store');
  return reply(c, routes.exchangeCliCode, 200, {
    token: id,
    subject,
    groups,
    roles,
    expiresAt: session.expiresAt,
  });
};

/**
 * The sign-in routes under /auth: OpenID Connect (login, callback), the first-admin link, the
 * CLI's hand-over, and sign-out. Sessions they start are audited by the identity capability.
 */
export function signInRoutes(options: SignInRoutesOptions): Hono {
  const app = new Hono();
  const answer = (handler: Handler) => async (c: Context) => {
    try {
      return await handler(c, options);
    } catch (error) {
      return failed(c, options, error);
    }
  };
  app.get('/login', answer(beginSignIn));
  app.get('/callback', answer(finishSignIn));
  app.get('/first-admin', answer(firstAdminPage));
  app.post('/first-admin', answer(useFirstAdminLink));
  app.post('/cli/token', answer(cliToken));
  app.post('/logout', answer(endSignIn));
  return app;
}

/** After the provider vouched for the person: a browser session, or the code for the waiting CLI. */
async function arrive(
  c: Context,
  options: SignInRoutesOptions,
  attempt: SignInAttempt,
  identity: Parameters<typeof issueCliLoginCode>[1]['identity'],
): Promise<Response> {
  const { target } = attempt;
  switch (target.kind) {
    case 'page': {
      const started = await createSession(options.store, options.sessions, {
        kind: 'browser',
        method: 'oidc',
        ...identity,
      });
      return signInBrowser(c, options, started, target.next);
    }
    case 'cli': {
      const code = await issueCliLoginCode(options.store, { identity, challenge: target.challenge });
      const back = new URL(`http://127.0.0.1:${target.port}/callback`);
      back.search = new URLSearchParams({ code, state: target.state }).toString();
      return c.redirect(back.href, 302);
    }
    default: {
      const unknown: never = target;
      return unknown;
    }
  }
}
