import { type Gatehouse, type GatehouseOptions, openGatehouse } from '../runtime.js';
import type { Store } from '../store/index.js';
import type { CommandContext } from './context.js';
import { readCredential } from './credentials.js';

/**
 * The runtime a command works on: the configuration with the command's `--kubeconfig` and
 * `--context` laid over it; what had to be repaired (loose permissions) or chosen (run command)
 * is said on stderr.
 */
export function gatehouseFor(
  context: CommandContext,
  extra: Pick<GatehouseOptions, 'agents'> = {},
): Gatehouse {
  const { server } = context.config;
  return openGatehouse(
    { ...context.config, kubeconfig: context.kubeconfig, context: context.context },
    {
      env: context.env,
      notice: (line) => context.stderr(`${line}\n`),
      // Agent clusters are reached through the server they connect to, as this user.
      serverToken: () =>
        context.env.GATEHOUSE_TOKEN || (server ? readCredential(context.config, server)?.token : undefined),
      ...extra,
    },
  );
}

/** Runs `work` on a runtime and closes what it opened, whatever happens. */
export async function withGatehouse<T>(
  context: CommandContext,
  work: (gatehouse: Gatehouse) => Promise<T>,
): Promise<T> {
  const gatehouse = gatehouseFor(context);
  try {
    return await work(gatehouse);
  } finally {
    await gatehouse.close();
  }
}

/** Opens the configured store; the caller closes it. */
export async function openConfiguredStore(context: CommandContext): Promise<Store> {
  return await gatehouseFor(context).store();
}

/** Runs `work` on the configured store and closes it, whatever happens. */
export async function withStore<T>(context: CommandContext, work: (store: Store) => Promise<T>): Promise<T> {
  return await withGatehouse(context, async (gatehouse) => await work(await gatehouse.store()));
}
