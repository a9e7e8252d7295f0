import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { appendAudit } from '../audit/index.js';
import { AppError, messageOf } from '../errors.js';
import { type Job, readJob } from '../forensics/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { refuseUnlessForensicsReader } from './forensics-data.js';
import { JobWatch } from './forensics-job-watch.js';
import { type ConsoleContext, page, type Signed } from './http.js';
import type { ConsoleOptions } from './options.js';

/** Open progress streams one person may hold on one server: a page each, with room for many tabs. */
export const streamsPerPerson = 16;

/** The job the path names, from the store: started on this server or any other. */
export async function jobOf(c: ConsoleContext, options: ConsoleOptions): Promise<Job> {
  const id = c.req.param('id') ?? '';
  const job = /^[0-9a-f-]{36}$/.test(id) ? await readJob(options.store, id) : undefined;
  if (!job)
    throw new AppError('not-found', `no acquisition ${id.slice(0, 40)}`, {
      fix: 'Jobs are kept for a week after they finish; their packages are on the Evidence page',
    });
  return job;
}

/** The progress of every container at once, as the page's script applies it. */
function snapshot(job: Job): string {
  const rows = job.rows.map((row) => ({
    stage: row.stage,
    bytes: row.bytes,
    items: row.items,
    status: row.status,
  }));
  return JSON.stringify({ rows, done: job.finishedAt !== undefined, interrupted: job.interrupted });
}

/** Each stream reads the store when woken: a person holding hundreds open is refused, and recorded. */
async function refuseFlood(options: ConsoleOptions, signed: Signed, open: number, target: string) {
  if (open < streamsPerPerson) return;
  const reason = `${signed.principal.subject} already follows ${open} acquisitions on this server, the most one person may (${streamsPerPerson})`;
  await appendAudit(options.store, {
    actor: signed.principal.subject,
    action: 'forensics.view',
    target,
    outcome: 'denied',
    details: { reason },
  });
  throw new AppError('conflict', reason, {
    fix: 'Close some of the acquisition pages, then reload this one',
  });
}

/** `GET /forensics/jobs/ID/events`: the job's progress as server-sent events, until it ends. */
export function mountJobEvents(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  // With NOTIFY a poll only covers a lost signal, so it can be rarer.
  const watch = new JobWatch(options.store, options.eventPollMs ?? (options.store.signals ? 2000 : 500));
  const open = new Map<string, number>();
  app.get(
    '/forensics/jobs/:id/events',
    page(options, async (c, signed) => {
      const target = `job/${c.req.param('id') ?? ''}`;
      await refuseUnlessForensicsReader(options.store, signed.principal, {
        doing: 'see acquisitions',
        target,
      });
      const id = (await jobOf(c, options)).id;
      const who = signed.principal.subject;
      await refuseFlood(options, signed, open.get(who) ?? 0, target);
      open.set(who, (open.get(who) ?? 0) + 1);
      c.header('cache-control', 'no-store');
      return streamSSE(
        c,
        async (stream) => {
          let live = true;
          stream.onAbort(() => {
            live = false;
          });
          let sent = '';
          try {
            while (live) {
              const job = await readJob(options.store, id);
              if (!job) return;
              const now = snapshot(job);
              if (now !== sent) {
                sent = now;
                await stream.writeSSE({ event: 'progress', data: now, retry: 3000 });
              }
              if (job.finishedAt) {
                await stream.writeSSE({ event: 'done', data: job.finishedAt });
                return;
              }
              await watch.next(id);
            }
          } finally {
            const left = (open.get(who) ?? 1) - 1;
            if (left > 0) open.set(who, left);
            else open.delete(who);
            watch.release();
          }
        },
        async (error) => {
          options.log?.(`console: progress stream of job ${id} ended: ${messageOf(error)}`);
        },
      );
    }),
  );
}
