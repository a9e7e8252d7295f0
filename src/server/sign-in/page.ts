import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type AppError, isAppError } from '../../errors.js';
import { httpStatusFor } from '../errors.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** Sign-in pages are plain documents: no script, no style from elsewhere, never cached. */
const headers = {
  'content-security-policy': "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

/** A minimal page of the sign-in routes; `body` is trusted HTML built here. */
export function page(c: Context, status: ContentfulStatusCode, title: string, body: string): Response {
  return c.html(
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}: Gatehouse</title></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    status,
    headers,
  );
}

/** Whether the caller wants JSON (the CLI, scripts) rather than a page. */
export function wantsJson(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** The error as the caller wants it: JSON `{ error }` as on /v1, or a page naming cause and fix. */
export function errorAnswer(c: Context, error: AppError, title = 'Sign-in failed'): Response {
  const status = httpStatusFor(error.code) as ContentfulStatusCode;
  if (wantsJson(c))
    return c.json(
      { error: { code: error.code, message: error.message, fix: error.fix ?? null } },
      status,
      headers,
    );
  const fix = error.fix ? `<p><strong>What to do:</strong> ${escapeHtml(error.fix)}</p>` : '';
  return page(
    c,
    status,
    title,
    `<p role="alert">${escapeHtml(error.message)}</p>${fix}<p><a href="/login">Back to sign-in</a></p>`,
  );
}

export { escapeHtml, isAppError };
