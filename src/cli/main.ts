import { Command, CommanderError, Option } from 'commander';
import { AppError, exitCodeFor, isAppError, messageOf } from '../errors.js';
import { commandNamed, commandTable } from './command-table.js';
import { type CommandContext, commandContext, type GlobalFlags, type Io } from './context.js';
import { version } from './version.js';

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  interactive: process.stderr.isTTY === true,
};

let pipeGuarded = false;

/**
 * A reader that stops early (`gatehouse audit export | head`) closes the pipe, and the next write
 * fails with EPIPE: that is the reader's choice, not an error, so the CLI ends quietly as Unix
 * tools do instead of dying on an unhandled stream error.
 */
function endQuietlyOnClosedPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/**
 * Runs the CLI and returns its exit code: 0 success, 1 a "no" answer or failed check, 2 bad
 * input, 3 cluster unreachable, 4 not allowed, 5 not found or conflict, 10 internal.
 *
 * @example
 * process.exitCode = await main(['clusters', 'list', '-o', 'json']);
 */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let exitCode = 0;
  if (io === defaultIo) endQuietlyOnClosedPipe();
  const program = new Command('gatehouse')
    .description('Security operations for Kubernetes: forensics, access governance, just-in-time access')
    .version(version, '--version')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml', 'csv']))
    .option('--debug', 'print stack traces on errors')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const run = async (action: (context: CommandContext) => Promise<number>): Promise<void> => {
    const flags = program.opts<GlobalFlags>();
    try {
      exitCode = await action(commandContext(flags, io));
    } catch (error) {
      exitCode = reportError(error, flags.debug === true, io);
    }
  };
  const named = commandNamed(argv);
  if (named) (await named.load())(program, run);
  else {
    // No command (or an unknown one): list them all without loading any.
    for (const entry of commandTable) program.command(entry.name).description(entry.summary);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    return reportError(error, argv.includes('--debug'), io);
  }
  return exitCode;
}

/** The one place errors become text: a line naming cause and fix; stacks only with --debug. */
export function reportError(error: unknown, debug: boolean, io: Pick<Io, 'stderr'>): number {
  const appError = isAppError(error)
    ? error
    : new AppError('internal', `internal error: ${messageOf(error)}`, { cause: error });
  const hint = !debug && appError.code === 'internal' ? ' (rerun with --debug for the stack trace)' : '';
  io.stderr(`error: ${appError.describe()}${hint}\n`);
  if (debug) {
    let current: unknown = error;
    while (current instanceof Error) {
      io.stderr(`${current.stack ?? current.message}\n`);
      current = current.cause;
      if (current) io.stderr('caused by: ');
    }
  }
  return exitCodeFor(appError.code);
}
