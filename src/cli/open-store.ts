import type { Store } from '../store/index.js';
import type { CommandContext } from './context.js';

/** Opens the configured store and says on stderr what had to be repaired (loose permissions). */
export async function openConfiguredStore(context: CommandContext): Promise<Store> {
  // Loaded here, not at the top: commands that never open the store (offline queries, --help)
  // do not load kysely, pg and better-sqlite3.
  const { openStore } = await import('../store/index.js');
  const store = await openStore({
    url: context.config.databaseUrl,
    dataDir: context.config.dataDir,
    auditKeyFile: context.config.auditKeyFile,
  });
  for (const notice of store.notices) context.stderr(`warning: ${notice}\n`);
  return store;
}

/** Runs `work` on the configured store and closes it, whatever happens. */
export async function withStore<T>(context: CommandContext, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openConfiguredStore(context);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
