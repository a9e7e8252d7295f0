import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { appendAudit } from '../audit/index.js';
import { AppError, type ErrorCode, isAppError, messageOf } from '../errors.js';
import { listTargets, type MethodName } from '../forensics/index.js';
import { requireRole } from '../identity/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { refuseUnlessForensicsReader } from './forensics-data.js';
import { JobView } from './forensics-job-view.js';
import type { Job, JobRegistry } from './forensics-jobs.js';
import { labelSelectorFrom, placeFrom } from './forensics-place.js';
import { type ConsoleContext, formFields, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** More matches than this is a selector too wide for one click: narrowing it is asked for. */
const maxTargets = 32;
const methods: readonly (MethodName | 'auto')[] = ['exec', 'ephemeral', 'auto'];

function evidenceRootOf(options: ConsoleOptions): string {
  if (options.evidenceRoot) return options.evidenceRoot;
  throw new AppError('conflict', 'this server has no evidence folder to write packages to', {
    fix: 'Start the server with a data directory; packages go to its evidence folder',
  });
}

/** How the audit log names what was asked for, before anything about it is checked. */
function askedFor(fields: Record<string, string | undefined>): string {
  const where = `${fields.namespace ?? '?'}/`;
  const what = fields.selector
    ? `-l ${fields.selector}`
    : `${fields.pod ?? '?'}${fields.container ? `/${fields.container}` : ''}`;
  return `${where}${what}`.slice(0, 300);
}

/** The containers a form names: the one picked, or every running match of the selector. */
async function targetsOf(
  options: ConsoleOptions,
  fields: Record<string, string | undefined>,
): Promise<{
  cluster: string;
  namespace: string;
  selector?: string;
  targets: { pod: string; container?: string }[];
}> {
  const place = placeFrom((name) => fields[name]);
  const { cluster, namespace } = place;
  if (!cluster || !namespace)
    throw new AppError('input.invalid', 'an acquisition needs a cluster and a namespace', {
      fix: 'Pick the container, or the namespace for a selector, on the Forensics page',
    });
  if (place.pod)
    return {
      cluster,
      namespace,
      targets: [{ pod: place.pod, ...(place.container ? { container: place.container } : {}) }],
    };
  const selector = labelSelectorFrom(fields.selector);
  const client = await options.clientFor(cluster);
  const running = (await listTargets(client, { namespace, labelSelector: selector })).filter(
    (target) => target.state === 'running',
  );
  if (running.length === 0)
    throw new AppError('not-found', `no running container matches ${selector} in ${namespace}`, {
      fix: 'Check the labels of the pods on the namespace page',
    });
  if (running.length > maxTargets)
    throw new AppError(
      'input.invalid',
      `${running.length} containers match ${selector}; one acquisition takes at most ${maxTargets}`,
      {
        fix: 'Narrow the selector, or acquire in several runs',
      },
    );
  return {
    cluster,
    namespace,
    selector,
    targets: running.map((target) => ({ pod: target.pod, container: target.container })),
  };
}

/** Every refused acquisition is recorded like the CLI records an attempt: same action, outcome denied. */
async function acquire(c: ConsoleContext, options: ConsoleOptions, signed: Signed, jobs: JobRegistry) {
  const fields = await formFields(c);
  try {
    return await startJob(c, options, signed, jobs, fields);
  } catch (error) {
    if (isAppError(error) && refusals.has(error.code))
      await appendAudit(options.store, {
        actor: signed.principal.subject,
        action: 'forensics.acquire',
        target: askedFor(fields),
        outcome: 'denied',
        details: { reason: error.message.slice(0, 300) },
      });
    throw error;
  }
}

/** Errors that refuse the request itself; a cluster that cannot be reached is not a refusal. */
const refusals = new Set<ErrorCode>([
  'auth.forbidden',
  'input.invalid',
  'not-found',
  'conflict',
  'context.unknown',
]);

async function startJob(
  c: ConsoleContext,
  options: ConsoleOptions,
  signed: Signed,
  jobs: JobRegistry,
  fields: Record<string, string | undefined>,
) {
  requireRole(signed.principal, 'responder', 'acquire evidence');
  const method = (fields.method ?? 'auto') as MethodName | 'auto';
  if (!methods.includes(method))
    throw new AppError('input.invalid', `unknown method "${method.slice(0, 40)}"`, {
      fix: 'Use exec, ephemeral or auto',
    });
  const evidenceRoot = evidenceRootOf(options);
  const asked = await targetsOf(options, fields);
  const job = jobs.start({
    store: options.store,
    client: await options.clientFor(asked.cluster),
    evidenceRoot,
    operator: signed.principal,
    method,
    ...asked,
    ...(options.log ? { log: options.log } : {}),
  });
  return c.redirect(`/forensics/jobs/${job.id}`, 303);
}

function jobOf(c: ConsoleContext, jobs: JobRegistry): Job {
  const id = c.req.param('id') ?? '';
  const job = jobs.get(id);
  if (!job)
    throw new AppError('not-found', `no acquisition ${id.slice(0, 40)} in this server's memory`, {
      fix: 'Progress is kept only while the server runs; its packages are on the Evidence page',
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
  return JSON.stringify({ rows, done: job.finishedAt !== undefined });
}

/** `POST /forensics/acquire`, `/forensics/jobs/ID` and its server-sent progress events. */
export function mountJobs(app: Hono<ConsoleEnv>, options: ConsoleOptions, jobs: JobRegistry): void {
  app.post(
    '/forensics/acquire',
    page(options, (c, signed) => acquire(c, options, signed, jobs)),
  );
  app.get(
    '/forensics/jobs/:id',
    page(options, async (c, signed) => {
      await refuseUnlessForensicsReader(options.store, signed.principal, {
        doing: 'see acquisitions',
        target: `job/${c.req.param('id') ?? ''}`,
      });
      const job = jobOf(c, jobs);
      return await html(
        c,
        <Layout
          signed={signed}
          path="/forensics"
          title={job.finishedAt ? 'Acquisition finished' : 'Acquiring…'}
        >
          <JobView job={job} />
        </Layout>,
      );
    }),
  );
  app.get(
    '/forensics/jobs/:id/events',
    page(options, async (c, signed) => {
      await refuseUnlessForensicsReader(options.store, signed.principal, {
        doing: 'see acquisitions',
        target: `job/${c.req.param('id') ?? ''}`,
      });
      const id = jobOf(c, jobs).id;
      c.header('cache-control', 'no-store');
      return streamSSE(
        c,
        async (stream) => {
          let open = true;
          stream.onAbort(() => {
            open = false;
          });
          let sent = -1;
          while (open) {
            const job = jobs.get(id);
            if (!job) return;
            if (job.version !== sent) {
              sent = job.version;
              await stream.writeSSE({ event: 'progress', data: snapshot(job), retry: 3000 });
            }
            if (job.finishedAt) {
              await stream.writeSSE({ event: 'done', data: job.finishedAt });
              return;
            }
            await stream.sleep(options.eventPollMs ?? 500);
          }
        },
        async (error) => {
          options.log?.(`console: progress stream of job ${id} ended: ${messageOf(error)}`);
        },
      );
    }),
  );
}
