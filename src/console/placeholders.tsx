import type { Hono } from 'hono';
import type { ConsoleEnv } from '../server/env.js';
import { html, page } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** Pillars the console will serve next, each saying what it will hold and where to find it today. */
const coming = [
  {
    path: '/reviews',
    title: 'Reviews',
    what: 'Access review campaigns: reviewers certify or revoke standing access, with evidence for auditors.',
    today: 'Not available yet.',
  },
] as const;

/** Reviews: a page that says what is coming. */
export function mountPlaceholders(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  for (const pillar of coming)
    app.get(
      pillar.path,
      page(options, async (c, signed) =>
        html(
          c,
          <Layout signed={signed} path={pillar.path} title={pillar.title}>
            <section class="card">
              <h2>Coming to the console</h2>
              <p>{pillar.what}</p>
              <p>{pillar.today}</p>
            </section>
          </Layout>,
        ),
      ),
    );
}
