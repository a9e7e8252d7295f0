import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/** The session cookie's name behind TLS; without TLS the `__Host-` prefix is not allowed. */
export const sessionCookie = 'gatehouse_session';
/** Holds one sign-in attempt (state, nonce, PKCE verifier, where to go next) for ten minutes. */
export const signInCookie = 'gatehouse_signin';

/**
 * How this server sets cookies. `secure` when people reach it over https (`publicUrl`): the
 * cookies are then `__Host-` prefixed (host-only, Path=/, Secure), so no sibling subdomain can
 * plant or shadow them.
 */
export interface CookiePolicy {
  readonly secure: boolean;
}

export function cookieName(policy: CookiePolicy, name: string): string {
  return policy.secure ? `__Host-${name}` : name;
}

export function readCookie(c: Context, policy: CookiePolicy, name: string): string | undefined {
  return getCookie(c, cookieName(policy, name));
}

export function writeCookie(
  c: Context,
  policy: CookiePolicy,
  name: string,
  value: string,
  maxAgeSeconds: number,
): void {
  setCookie(c, cookieName(policy, name), value, {
    httpOnly: true,
    secure: policy.secure,
    sameSite: 'Lax',
    path: '/',
    maxAge: Math.max(0, Math.floor(maxAgeSeconds)),
  });
}

export function clearCookie(c: Context, policy: CookiePolicy, name: string): void {
  deleteCookie(c, cookieName(policy, name), {
    path: '/',
    secure: policy.secure,
    httpOnly: true,
    sameSite: 'Lax',
  });
}
