import type { Hono } from 'hono';
import type { ConsoleEnv } from '../server/env.js';
import { html, page } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** Pillars the console will serve next, each saying what it will hold and where to find it today. */
const coming = [
  {
    path: '/forensics',
    title: 'Forensics',
    what: 'Pick a cluster, pod and container, acquire evidence and follow the chain of custody.',
    today:
      'Acquisition comes to the console next; until then acquire with gatehouse forensics on the command line.',
    link: {
      href: '/evidence',
      text: 'Read, verify and download acquired evidence packages on the Evidence page.',
    },
  },
] as const;

/** Forensics: a page that says what is coming. */
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
              {'link' in pillar ? (
                <p>
                  <a href={pillar.link.href}>{pillar.link.text}</a>
                </p>
              ) : null}
            </section>
          </Layout>,
        ),
      ),
    );
}
