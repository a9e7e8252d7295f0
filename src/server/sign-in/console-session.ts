import type { Context, MiddlewareHandler } from 'hono';
import { appendAudit } from '../../audit/index.js';
import type { SessionSettings } from '../../config/index.js';
import { AppError } from '../../errors.js';
import { csrfMatches, resolveSession, type Session } from '../../identity/index.js';
import type { Store } from '../../store/index.js';
import type { ConsoleEnv } from '../env.js';
import { type CookiePolicy, clearCookie, readCookie, sessionCookie } from './cookies.js';
import { errorAnswer } from './page.js';

export interface ConsoleSessionOptions {
  readonly store: Store;
  readonly sessions: SessionSettings;
  readonly cookies: CookiePolicy;
}

// Doors with their own authentication: the API (bearer tokens) and the sign-in routes.
const elsewhere = ['/v1/', '/auth/'];
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The token a form or script sent: `x-csrf-token`, else a form's `_csrf` field (the body stays readable after). */
export async function submittedCsrf(c: Context): Promise<string | undefined> {
  const header = c.req.header('x-csrf-token');
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data'))
    return undefined;
  const field = (await c.req.parseBody())._csrf;
  return typeof field === 'string' ? field : undefined;
}

/**
 * The console's session middleware: sets `principal` and `session` from the session cookie
 * (both undefined when there is no live session; a dead cookie is cleared), and refuses with 403
 * every request other than GET/HEAD/OPTIONS that does not carry the session's CSRF token in an
 * `_csrf` form field or an `x-csrf-token` header.
 *
 * @example
 * app.use('*', consoleSession({ store, sessions: config.sessions, cookies: { secure: false } }));
 */
export function consoleSession(options: ConsoleSessionOptions): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (elsewhere.some((prefix) => c.req.path.startsWith(prefix))) return await next();
    const id = readCookie(c, options.cookies, sessionCookie);
    let session: Session | undefined;
    if (id) {
      const found = await resolveSession(options.store, options.sessions, id, { kind: 'browser' });
      if ('session' in found) session = found.session;
      else clearCookie(c, options.cookies, sessionCookie);
    }
    c.set('principal', session?.principal);
    c.set('session', session ? { csrfToken: session.csrfToken, expiresAt: session.expiresAt } : undefined);
    if (!safeMethods.has(c.req.method) && !(session && csrfMatches(session, await submittedCsrf(c)))) {
      // Only with a session: an anonymous post names nobody, and recording it would let anyone fill the log.
      if (session)
        await appendAudit(options.store, {
          actor: session.principal.subject,
          action: 'console.csrf',
          target: `${c.req.method} ${c.req.path.slice(0, 200)}`,
          outcome: 'denied',
          details: { reason: 'missing or wrong CSRF token' },
        });
      return errorAnswer(
        c,
        new AppError(
          'auth.forbidden',
          session
            ? 'this form was sent without the CSRF token of your session, or with another one'
            : 'you are not signed in (or your session ended), so this change was not made',
          {
            fix: session
              ? 'Reload the page and submit the form again'
              : 'Sign in again, then repeat the change',
          },
        ),
        'Request refused',
      );
    }
    return await next();
  };
}

/**
 * For console pages that need someone signed in: a GET without a session goes to
 * `/login?next=<this page>`; anything else gets 401.
 *
 * @example
 * consoleApp.get('/access/requests', requireSignIn(), (c) => ...);
 */
export function requireSignIn(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (c.get('principal')) return await next();
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(`${url.pathname}${url.search}`)}`, 302);
    }
    return errorAnswer(
      c,
      new AppError('auth.unauthorized', 'you are not signed in, or your session ended', {
        fix: 'Sign in again',
      }),
      'Sign in first',
    );
  };
}
