import type { Context } from 'hono';
import { isAppError, messageOf } from '../errors.js';
import type { Principal } from '../identity/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { httpStatusFor } from '../server/errors.js';
import { assetsByUrl } from './assets.js';
import { ErrorPage } from './layout.js';
import type { ConsoleOptions } from './options.js';

export type ConsoleContext = Context<ConsoleEnv>;

/**
 * Sent with every console response: only Gatehouse's own files run or load, no page can be framed,
 * forms post only back here, and no inline script or style is allowed.
 */
export const contentSecurityPolicy =
  "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

export function secure(c: ConsoleContext): void {
  c.header('content-security-policy', contentSecurityPolicy);
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
}

/** What a page handler gets: the signed-in principal and the session's CSRF token. */
export interface Signed {
  readonly principal: Principal;
  readonly csrf: string;
}

/** A full HTML document from a JSX element. */
export async function html(c: ConsoleContext, element: unknown, status = 200): Promise<Response> {
  // toString() is a promise when a component is async (the approvals queue reads previews).
  const body = await (element as { toString(): string | Promise<string> }).toString();
  c.header('cache-control', 'no-store');
  return c.html(`<!doctype html>${body}`, status as 200);
}

/** Where sign-in sends the browser back to: a path on this site, never another origin. */
export function nextPath(value: string | undefined): string {
  return value?.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}

/**
 * Wraps a console handler: security headers, a redirect to /login for anyone not signed in, and
 * errors rendered as a page with their cause and fix (details of unexpected ones go to the log).
 */
export function page(
  options: ConsoleOptions,
  handler: (c: ConsoleContext, signed: Signed) => Promise<Response>,
): (c: ConsoleContext) => Promise<Response> {
  return async (c) => {
    secure(c);
    const principal = c.get('principal');
    const csrf = c.get('session')?.csrfToken;
    if (!principal || !csrf) {
      const url = new URL(c.req.url);
      const back = c.req.method === 'GET' ? `${url.pathname}${url.search}` : url.pathname;
      return c.redirect(`/login?next=${encodeURIComponent(back)}`, 303);
    }
    try {
      return await handler(c, { principal, csrf });
    } catch (error) {
      return await failure(c, options, { principal, csrf }, error);
    }
  };
}

async function failure(
  c: ConsoleContext,
  options: ConsoleOptions,
  signed: Signed,
  error: unknown,
): Promise<Response> {
  if (isAppError(error)) {
    const status = httpStatusFor(error.code);
    return await html(
      c,
      ErrorPage({ signed, path: backFrom(c), message: error.message, fix: error.fix }),
      status,
    );
  }
  options.log?.(`console: internal error on ${c.req.method} ${c.req.path}: ${messageOf(error)}`);
  return await html(
    c,
    ErrorPage({
      signed,
      path: backFrom(c),
      message: 'Something went wrong on the server.',
      fix: 'The server log has the cause; try again.',
    }),
    500,
  );
}

/**
 * The page to go back to: after a failed action, the page its form was on (for a request's
 * action, the request); after a refused page, the page above it (going back to it would only
 * be refused again).
 */
function backFrom(c: ConsoleContext): string {
  const path = c.req.path.replace(/\/+$/, '') || '/';
  if (c.req.method === 'POST')
    return /^\/access\/requests\/[^/]+\/[a-z]+$/.test(path) ? path.slice(0, path.lastIndexOf('/')) : path;
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

/** Serves the console's CSS and JS: immutable, cached for a year (the URL changes with the content). */
export function serveAsset(c: ConsoleContext): Response {
  secure(c);
  const asset = assetsByUrl.get(c.req.path);
  if (!asset) return c.text('no such asset', 404);
  c.header('cache-control', 'public, max-age=31536000, immutable');
  c.header('content-type', asset.contentType);
  return c.body(asset.body);
}

/** A form field as a string (a file field is read as text), absent or empty as undefined. */
export async function formFields(c: ConsoleContext): Promise<Record<string, string | undefined>> {
  const body = await c.req.parseBody();
  const fields: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(body)) {
    const single = Array.isArray(value) ? value[0] : value;
    const text = typeof single === 'string' ? single : single ? await single.text() : undefined;
    fields[name] = text === '' ? undefined : text;
  }
  return fields;
}
