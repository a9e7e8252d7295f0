import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  type ChainReport,
  type Checkpoint,
  listAudit,
  parseCheckpoint,
  publicKeyPem,
  readCheckpointFile,
  readPublicKey,
  rotateAuditKey,
  signerOf,
  verifyAudit,
} from '../../audit/index.js';
import { AppError, messageOf } from '../../errors.js';
import { pushCheckpoint, s3Checkpoints } from '../../forensics/index.js';
import { localPrincipal } from '../../identity/index.js';
import type { Store } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { s3Target } from '../evidence-settings.js';
import { withStore } from '../open-store.js';
import { render } from '../output.js';

interface S3Flags {
  readonly s3Bucket?: string;
  readonly s3Prefix?: string;
  readonly s3Endpoint?: string;
}

interface VerifyFlags extends S3Flags {
  readonly head?: string;
  readonly publicKey?: string;
  readonly checkpoint?: string;
}

/** Every checkpoint within reach: the data directory's, one given by hand, the evidence bucket's. */
async function checkpointsFor(context: CommandContext, store: Store, flags: VerifyFlags) {
  const found: { where: string; checkpoint: Checkpoint }[] = [];
  const local = readCheckpointFile(store.files.auditCheckpoint);
  if (local) found.push({ where: store.files.auditCheckpoint, checkpoint: local });
  if (flags.checkpoint) found.push({ where: flags.checkpoint, checkpoint: readCheckpoint(flags.checkpoint) });
  const target = s3Target(context, flags);
  if (target) {
    const sink = s3Checkpoints(target);
    const remote = await sink.read();
    if (remote) found.push({ where: sink.name, checkpoint: remote });
  }
  return found;
}

function readCheckpoint(file: string) {
  try {
    return parseCheckpoint(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('input.invalid', `cannot read the checkpoint ${file}: ${messageOf(error)}`, {
      fix: 'Give a copy of audit-checkpoint.json from the data directory (or the evidence bucket)',
      cause: error,
    });
  }
}

function printReport(context: CommandContext, report: ChainReport): void {
  if (context.output !== 'table') {
    context.stdout(render(context.output, [report], [], report));
    return;
  }
  const verdict = report.ok ? 'intact' : `BROKEN (${report.problems.length} problems)`;
  context.stdout(`audit chain ${verdict}: ${report.checked} entries, head ${report.head}\n`);
  for (const problem of report.problems) context.stdout(`  entry ${problem.seq}: ${problem.problem}\n`);
  for (const note of report.notes) context.stdout(`  note: ${note}\n`);
}

export function registerAudit(
  program: Command,
  run: (action: (context: CommandContext) => Promise<number>) => Promise<void>,
): void {
  const audit = program.command('audit').description('The signed, hash-chained audit log');
  audit
    .command('verify')
    .description(
      'Check every hash and signature of the audit chain and compare its end with the newest checkpoint (exit 1 on any problem)',
    )
    .option(
      '--public-key <file>',
      "the auditor's copy of the public key (default: this data directory's key)",
    )
    .option('--checkpoint <file>', 'a checkpoint kept elsewhere (default: the data directory one)')
    .option('--head <hash>', 'a chain head recorded earlier, to detect removal of the newest entries')
    .option(
      '--s3-bucket <bucket>',
      'also compare with the checkpoint in this bucket (env GATEHOUSE_S3_BUCKET)',
    )
    .option('--s3-prefix <prefix>', 'key prefix in the bucket (env GATEHOUSE_S3_PREFIX)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint (env GATEHOUSE_S3_ENDPOINT)')
    .action((flags: VerifyFlags) =>
      run(async (context) => {
        const report = await withStore(context, async (store) =>
          verifyAudit(store, {
            expectedHead: flags.head,
            publicKey: flags.publicKey ? readPublicKey(flags.publicKey) : undefined,
            checkpoints: await checkpointsFor(context, store, flags),
          }),
        );
        printReport(context, report);
        return report.ok ? 0 : 1;
      }),
    );
  audit
    .command('checkpoint')
    .description(
      'Copy the signed chain head to the evidence bucket, where the data directory cannot rewrite it',
    )
    .option('--s3-bucket <bucket>', 'the bucket (env GATEHOUSE_S3_BUCKET)')
    .option('--s3-prefix <prefix>', 'key prefix in the bucket (env GATEHOUSE_S3_PREFIX)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint (env GATEHOUSE_S3_ENDPOINT)')
    .action((flags: S3Flags) =>
      run(async (context) => {
        const target = s3Target(context, flags);
        if (!target)
          throw new AppError('input.invalid', 'no bucket to copy the audit checkpoint to', {
            fix: 'Give --s3-bucket or set GATEHOUSE_S3_BUCKET',
          });
        context.stdout(`${await withStore(context, (store) => pushCheckpoint(store, target))}\n`);
        return 0;
      }),
    );
  audit
    .command('public-key')
    .description('Print the public key that verifies the audit log (hand it to auditors)')
    .action(() =>
      run(async (context) => {
        const pem = await withStore(context, async (store) => {
          if (!existsSync(store.files.auditKey))
            throw new AppError('not-found', `there is no audit key yet at ${store.files.auditKey}`, {
              fix: 'It is created with the first audit entry; or name a key file with GATEHOUSE_AUDIT_KEY_FILE',
            });
          return publicKeyPem(readPublicKey(store.files.auditKey));
        });
        context.stdout(pem);
        return 0;
      }),
    );
  audit
    .command('rotate-key')
    .description('Start signing with a new key; the rotation is an entry signed by the old key')
    .option('--new-key <file>', 'the new Ed25519 private key (required when the key is a mounted secret)')
    .action((flags: { newKey?: string }) =>
      run(async (context) => {
        const explicit = context.config.auditKeyFile !== undefined;
        if (explicit && !flags.newKey)
          throw new AppError(
            'input.invalid',
            'the audit key is a mounted secret: Gatehouse cannot replace it',
            {
              fix: 'Create the new key (openssl genpkey -algorithm ed25519 -out new.key), pass --new-key new.key, then put it in the secret',
            },
          );
        const next = flags.newKey ? signerOf(createPrivateKey(readFileSync(flags.newKey))) : undefined;
        const entry = await withStore(context, (store) =>
          rotateAuditKey(store, {
            actor: localPrincipal().subject,
            replaceKeyFile: !explicit,
            ...(next ? { next } : {}),
          }),
        );
        context.stdout(`audit key rotated at entry ${entry.seq}: now ${String(entry.details.keyId)}\n`);
        if (explicit)
          context.stderr(
            `update the secret behind ${context.config.auditKeyFile} with ${flags.newKey} now: appends fail until every process has it\n`,
          );
        return 0;
      }),
    );
  audit
    .command('export')
    .description('Write the audit log as JSON lines, oldest first')
    .action(() =>
      run(async (context) => {
        const events = await withStore(context, (store) => listAudit(store));
        for (const event of events) context.stdout(`${JSON.stringify(event)}\n`);
        return 0;
      }),
    );
}
