import { type GatehouseConfig, loadConfig, type OutputFormat, parseOutputFormat } from '../config/index.js';

/** Global flags, as kubectl spells them. */
export interface GlobalFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly output?: string;
  readonly debug?: boolean;
}

/** What every command receives: settings merged from config file, environment and flags. */
export interface CommandContext {
  readonly config: GatehouseConfig;
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  readonly output: OutputFormat;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** A person is watching stderr (a TTY): progress may redraw lines. */
  readonly interactive: boolean;
}

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly interactive?: boolean;
}

export function commandContext(flags: GlobalFlags, io: Io): CommandContext {
  const config = loadConfig(io.env);
  return {
    config,
    kubeconfig: flags.kubeconfig ?? config.kubeconfig,
    context: flags.context ?? config.context,
    output: flags.output ? parseOutputFormat(flags.output, '-o/--output') : config.output,
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    interactive: io.interactive === true,
  };
}

/** Runs a command action with the shared context and turns its errors into an exit code. */
export type Runner = (action: (context: CommandContext) => Promise<number>) => Promise<void>;
