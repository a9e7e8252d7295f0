import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AppError, describeError } from '../../errors.js';
import {
  type Acquisition,
  acquireAudited,
  defaultProfile,
  listTargets,
  loadProfile,
  type MethodName,
  probeShell,
  pushCheckpoint,
  type Target,
  targetLabel,
} from '../../forensics/index.js';
import { localPrincipal } from '../../identity/index.js';
import { mapLimit } from '../../map-limit.js';
import type { Gatehouse } from '../../runtime.js';
import type { CommandContext, Runner } from '../context.js';
import { evidenceRoot, s3Target } from '../evidence-settings.js';
import { withGatehouse } from '../open-store.js';
import { render } from '../output.js';
import { ProgressBoard, stageBar } from '../progress.js';
import { version } from '../version.js';
import { defaultNamespace } from './rbac-source.js';

export function registerTargets(program: Command, run: Runner): void {
  program
    .command('targets')
    .description('Namespaces → pods → containers that can be acquired, with node, image digest and methods')
    .option('-n, --namespace <ns>', "one namespace (default: the context's)")
    .option('-A, --all-namespaces', 'every namespace')
    .option('-l, --selector <selector>', 'label selector')
    .option('--all', 'also show system namespaces and shell-less containers, with the reason they are hidden')
    .option('--probe', 'check for a shell in each container (one exec each) and hide those without')
    .action(
      (flags: {
        namespace?: string;
        allNamespaces?: boolean;
        selector?: string;
        all?: boolean;
        probe?: boolean;
      }) =>
        run(async (context) => {
          const namespace = flags.allNamespaces
            ? undefined
            : (flags.namespace ?? defaultNamespace(context, {}));
          const listed = await withGatehouse(context, async ({ clusters, currentCluster }) => {
            const client = await clusters.client(currentCluster());
            const found = await listTargets(client, {
              ...(namespace ? { namespace } : {}),
              ...(flags.selector ? { labelSelector: flags.selector } : {}),
            });
            // --probe runs `sh -c 'exit 0'` in each candidate: images that look ordinary may have no shell.
            return flags.probe ? await mapLimit(found, 8, (target) => probeShell(client, target)) : found;
          });
          const targets = listed.filter((target) => flags.all || !target.hidden);
          context.stdout(
            render(
              context.output,
              targets,
              [
                { header: 'NAMESPACE', value: (row) => row.namespace },
                { header: 'POD', value: (row) => row.pod },
                { header: 'CONTAINER', value: (row) => row.container },
                { header: 'NODE', value: (row) => row.node },
                { header: 'IMAGE', value: (row) => row.image },
                { header: 'DIGEST', value: (row) => row.imageDigest.slice(0, 19) },
                { header: 'STATE', value: (row) => row.state },
                { header: 'STARTED', value: (row) => row.startedAt },
                { header: 'METHODS', value: (row) => row.methods.join(',') },
                ...(flags.all
                  ? [{ header: 'HIDDEN BECAUSE', value: (row: Target) => row.hidden ?? '' }]
                  : []),
              ],
              { items: targets },
            ),
          );
          return 0;
        }),
    );
}

interface AcquireFlags {
  namespace?: string;
  container?: string;
  method: string;
  profile?: string;
  selector?: string;
  concurrency: string;
  maxBytes?: string;
  debugImage: string;
  s3Bucket?: string;
  s3Prefix?: string;
  s3Endpoint?: string;
}

export function registerAcquire(program: Command, run: Runner): void {
  program
    .command('acquire')
    .description('Acquire volatile state and key files of containers into verifiable evidence packages')
    .argument('[pod]', 'pod name (or use -l)')
    .option('-n, --namespace <ns>', "namespace (default: the context's)")
    .option('-c, --container <name>', 'container (default: the first)')
    .option('--method <method>', 'exec, ephemeral or auto (exec when the image has a shell)', 'auto')
    .option('--profile <file>', 'artifact profile (YAML); default: the built-in triage profile')
    .option('-l, --selector <selector>', 'acquire every running container of the matching pods, in parallel')
    .option('--concurrency <n>', 'targets at once with -l', '4')
    .option('--max-bytes <n>', 'stop reading a container after this many bytes')
    .option(
      '--debug-image <image>',
      'image of the ephemeral debug container',
      'docker.io/library/busybox:1.36.1',
    )
    .option('--s3-bucket <bucket>', 'also store packages in this S3 bucket (env GATEHOUSE_S3_BUCKET)')
    .option('--s3-prefix <prefix>', 'key prefix in the bucket (env GATEHOUSE_S3_PREFIX)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint, e.g. MinIO (env GATEHOUSE_S3_ENDPOINT)')
    .action((pod: string | undefined, flags: AcquireFlags) =>
      run(async (context) => {
        if (!['exec', 'ephemeral', 'auto'].includes(flags.method))
          throw new AppError('input.invalid', `unknown method "${flags.method}"`, {
            fix: 'Use exec, ephemeral or auto',
          });
        if (!pod && !flags.selector)
          throw new AppError('input.invalid', 'acquire needs a POD or -l SELECTOR', {
            fix: 'e.g. gatehouse acquire web-1 -n prod, or gatehouse acquire -l app=web -n prod',
          });
        return await withGatehouse(context, (gatehouse) => acquireAll(context, gatehouse, pod, flags));
      }),
    );
}

async function acquireAll(
  context: CommandContext,
  gatehouse: Gatehouse,
  pod: string | undefined,
  flags: AcquireFlags,
): Promise<number> {
  const client = await gatehouse.clusters.client(gatehouse.currentCluster());
  const namespace = flags.namespace ?? defaultNamespace(context, {});
  const profile = flags.profile ? loadProfile(flags.profile) : defaultProfile;
  const targets = flags.selector
    ? (await listTargets(client, { namespace, labelSelector: flags.selector })).filter(
        (target) => target.state === 'running',
      )
    : [{ pod: pod!, container: flags.container } as Pick<Target, 'pod'> & { container?: string }];
  if (targets.length === 0)
    throw new AppError('not-found', `no running pods match ${flags.selector} in ${namespace}`, {
      fix: 'Check the selector with `gatehouse targets -l ...`',
    });
  // The OS account, or the name the responder gives (GATEHOUSE_OPERATOR): custody records and audit use it bare.
  const operator = localPrincipal({ subject: context.env.GATEHOUSE_OPERATOR ?? userInfo().username });
  const s3 = s3Target(context, flags);
  // One store for the whole run: parallel acquisitions share its connection for audit events.
  const store = await gatehouse.store();
  const labels = targets.map((target) => targetLabel({ namespace, ...target }));
  const board = new ProgressBoard(labels, context.stderr, context.interactive);
  const results = await mapLimit(
    targets,
    positiveInteger(flags.concurrency, '--concurrency'),
    async (target) => {
      const index = (targets as readonly unknown[]).indexOf(target);
      const label = labels[index]!;
      const started = Date.now();
      const say = (text: string) => board.done(index, text);
      const progress = (stage: string, bytes: number) => board.update(index, stageBar(stage, bytes));
      try {
        const acquisition = await acquireAudited({
          store,
          client,
          evidenceRoot: evidenceRoot(context),
          namespace,
          pod: target.pod,
          ...(target.container ? { container: target.container } : {}),
          method: flags.method as MethodName | 'auto',
          profile,
          operator,
          gatehouseVersion: version,
          ...(flags.maxBytes ? { maxBytes: positiveInteger(flags.maxBytes, '--max-bytes') } : {}),
          debugImage: flags.debugImage,
          ...(s3 ? { s3 } : {}),
          onProgress: progress,
        });
        say(`sealed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
        return { label, acquisition, seconds: (Date.now() - started) / 1000 };
      } catch (error) {
        say('failed');
        if (targets.length === 1) throw error;
        return {
          label,
          error: describeError(error),
          seconds: (Date.now() - started) / 1000,
        };
      }
    },
  ).finally(async () => {
    // The evidence and the checkpoint of the audit entries that record it go to the same bucket.
    if (s3)
      await pushCheckpoint(store, s3).catch((error: unknown) =>
        context.stderr(`warning: the audit checkpoint was not copied to S3: ${describeError(error)}\n`),
      );
  });
  printResults(context, results);
  return results.some((row) => row.error) ? 1 : 0;
}

interface AcquireResult {
  readonly label: string;
  readonly seconds: number;
  readonly acquisition?: Acquisition;
  readonly error?: string;
}

/** One row per target: its sealed package, or why it failed. */
function printResults(context: CommandContext, results: readonly AcquireResult[]): void {
  context.stdout(
    render(
      context.output,
      results,
      [
        { header: 'TARGET', value: (row) => row.label },
        { header: 'PACKAGE', value: (row) => row.acquisition?.id ?? '' },
        { header: 'ITEMS', value: (row) => (row.acquisition ? String(row.acquisition.items) : '') },
        {
          header: 'PROBLEMS',
          value: (row) => (row.acquisition ? String(row.acquisition.anomalies) : ''),
        },
        { header: 'SECONDS', value: (row) => row.seconds.toFixed(1) },
        {
          header: 'RESULT',
          value: (row) => row.error ?? `sealed ${row.acquisition?.packageHash.slice(0, 16)}…`,
        },
      ],
      {
        items: results.map((row) => ({
          target: row.label,
          seconds: row.seconds,
          ...(row.acquisition
            ? {
                package: row.acquisition.id,
                packageHash: row.acquisition.packageHash,
                root: row.acquisition.root,
                custody: row.acquisition.custody,
              }
            : { error: row.error }),
        })),
      },
    ),
  );
}

/** A whole number ≥ 1 from a flag, or a clear error (a silent NaN would switch a limit off). */
export function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new AppError('input.invalid', `${flag} must be a whole number ≥ 1, not "${text}"`, {
      fix: `e.g. ${flag} 4`,
    });
  return value;
}
