import type { Context } from 'hono';
import { AppError } from '../../errors.js';
import { csrfMatches, endSession, resolveSession, type Session } from '../../identity/index.js';
import { submittedCsrf } from './console-session.js';
import { clearCookie, readCookie, sessionCookie } from './cookies.js';
import type { SignInRoutesOptions } from './routes.js';

/** The session a sign-out names: the CLI's bearer token, else the browser's cookie with its CSRF token. */
async function sessionToEnd(c: Context, options: SignInRoutesOptions): Promise<Session | undefined> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (bearer) {
    const found = await resolveSession(options.store, options.sessions, bearer, { kind: 'cli' });
    return 'session' in found ? found.session : undefined;
  }
  const id = readCookie(c, options.cookies, sessionCookie);
  if (!id) return undefined;
  const found = await resolveSession(options.store, options.sessions, id, { kind: 'browser' });
  if (!('session' in found)) return undefined;
  // Otherwise any site could sign people out with a cross-site form.
  if (!csrfMatches(found.session, await submittedCsrf(c)))
    throw new AppError('auth.forbidden', 'sign-out was sent without the CSRF token of your session', {
      fix: 'Use the sign-out button of a Gatehouse page (reload it first)',
    });
  return found.session;
}

/**
 * `POST /auth/logout`: deletes the session (audited as `auth.sign-out`) and the cookie. A
 * browser goes to `/login`; the CLI and scripts get `{ signedOut }`. Signing out of a session that
 * already ended is not an error.
 */
export async function endSignIn(c: Context, options: SignInRoutesOptions): Promise<Response> {
  const session = await sessionToEnd(c, options);
  if (session)
    await endSession(options.store, {
      ref: session.ref,
      actor: session.principal.subject,
      reason: 'sign-out',
    });
  clearCookie(c, options.cookies, sessionCookie);
  const browser = (c.req.header('accept') ?? '').includes('text/html');
  return browser ? c.redirect('/login', 303) : c.json({ signedOut: session !== undefined });
}
