import { Hono } from 'hono';
import type { ConsoleEnv } from '../server/env.js';
import { mountApprovals } from './approvals.js';
import { mountAudit } from './audit.js';
import { mountClusters } from './clusters.js';
import { mountEvents } from './events.js';
import { mountEvidence } from './evidence.js';
import { mountFlows } from './flows.js';
import { mountForensics } from './forensics.js';
import { mountGovernance } from './governance.js';
import { mountHome } from './home.js';
import { html, nextPath, secure, serveAsset } from './http.js';
import { LoginPage } from './layout.js';
import type { ConsoleOptions } from './options.js';
import { mountRequestPage } from './request-page.js';
import { mountRequests } from './requests.js';
import { mountReviews } from './reviews.js';

/**
 * The web console, mounted at `/` beside the API. Every page is rendered on the server and works
 * without script; who may see or change what is decided by the capabilities it calls, exactly as
 * for the API. The session middleware (sign-in) sets `principal` and `session` before these run
 * and refuses state-changing posts without the session's CSRF token.
 *
 * @example
 * app.route('/', consoleRoutes({ store, clientFor }));
 */
export function consoleRoutes(options: ConsoleOptions): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  // Only explicit paths: the console shares the app with the API, so it registers no catch-all.
  app.get('/assets/:file', (c) => serveAsset(c));
  app.get('/login', async (c) => {
    secure(c);
    const next = nextPath(c.req.query('next'));
    if (c.get('principal') && c.get('session')) return c.redirect(next, 303);
    const error = c.req.query('error')?.slice(0, 300);
    const provider = options.signInWithProvider !== false;
    return await html(c, <LoginPage next={next} error={error} provider={provider} />);
  });
  mountHome(app, options);
  mountRequests(app, options);
  mountEvents(app, options);
  mountRequestPage(app, options);
  mountApprovals(app, options);
  mountFlows(app, options);
  mountAudit(app, options);
  mountClusters(app, options);
  mountGovernance(app, options);
  mountForensics(app, options);
  mountEvidence(app, options);
  mountReviews(app, options);
  return app;
}
