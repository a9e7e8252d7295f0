// The sign-in routes in the OpenAPI document: browser redirects mostly, and the CLI's two calls.
const page = (summary: string, parameters: readonly Record<string, unknown>[] = []) => ({
  get: {
    summary,
    security: [],
    parameters,
    responses: { '200': { description: 'HTML' }, '302': { description: 'redirect' } },
  },
});
const query = (name: string, description: string) => ({
  name,
  in: 'query',
  schema: { type: 'string' },
  description,
});

export const signInPaths = {
  '/auth/login': page('Start signing in at the OpenID Provider (authorization code with PKCE)', [
    query('next', 'a same-origin path to return to'),
    query('cli_port', '`gatehouse login`: its loopback port'),
    query('cli_challenge', '`gatehouse login`: base64url SHA-256 of its verifier'),
    query('cli_state', '`gatehouse login`: its state'),
  ]),
  '/auth/callback': page('Where the OpenID Provider sends the browser back'),
  '/auth/first-admin': {
    ...page('The first administrator’s one-time sign-in page', [query('token', 'the one-time token')]),
    post: {
      summary: 'Use the one-time link up: a session for the first administrator',
      security: [],
      responses: { '303': { description: 'signed in' }, '401': { description: 'unknown, used or expired' } },
    },
  },
  '/auth/logout': {
    post: {
      summary: 'End the session: a bearer session token, or the cookie with its CSRF token',
      security: [],
      responses: { '200': { description: '{ signedOut }' }, '303': { description: 'to /login' } },
    },
  },
} as const;
