import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { OidcUser } from './users.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** The sign-in page: a plain form a browser (or the test driver) fills in and posts. */
function loginPage(uid: string, error = ''): string {
  const message = error ? `<p role="alert">${escapeHtml(error)}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in: test OpenID Provider</title></head>
<body><main><h1>Sign in</h1>${message}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form></main></body></html>`;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 16_384) throw new Error('sign-in form larger than 16 KiB');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // A browser applies form-action to the redirects after the post too: the sign-in ends at the
    // client's loopback callback (any port, as registered), so that has to be allowed as well.
    'content-security-policy': "default-src 'none'; form-action 'self' http://127.0.0.1:* http://localhost:*",
  });
  res.end(html);
}

/**
 * Consent is given at once: every client here is first-party (Gatehouse, kubectl), as a company
 * IdP configures them. The grant holds what the authorization request asked for.
 */
async function grantConsent(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { prompt, params, session, grantId } = await provider.interactionDetails(req, res);
  const accountId = session?.accountId;
  if (!accountId) throw new Error('consent asked before sign-in');
  const grant =
    (grantId ? await provider.Grant.find(grantId) : undefined) ??
    new provider.Grant({ accountId, clientId: String(params.client_id) });
  const details = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId: await grant.save() } },
    { mergeWithLastSubmission: true },
  );
}

/** Serves `/interaction/:uid` (GET) and `/interaction/:uid/login` (POST). */
export function interactionRoutes(
  provider: Provider,
  users: ReadonlyMap<string, OidcUser>,
): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> {
  return async (req, res, path) => {
    const [, , uid = '', action] = path.split('/');
    if (req.method === 'GET' && action === undefined) {
      const { prompt } = await provider.interactionDetails(req, res);
      if (prompt.name === 'login') return sendHtml(res, 200, loginPage(uid));
      if (prompt.name === 'consent') return grantConsent(provider, req, res);
      return sendHtml(res, 400, `<p>Unsupported prompt ${escapeHtml(prompt.name)}</p>`);
    }
    if (req.method === 'POST' && action === 'login') {
      await provider.interactionDetails(req, res);
      const form = await formBody(req);
      const username = form.get('username') ?? '';
      const user = users.get(username);
      if (!user || (user.password !== undefined && user.password !== form.get('password')))
        return sendHtml(res, 401, loginPage(uid, 'Unknown user or wrong password.'));
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: username } },
        { mergeWithLastSubmission: false },
      );
    }
    sendHtml(res, 404, '<p>Not found</p>');
  };
}
