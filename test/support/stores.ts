import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openStore, type Store, type StoreDialect, type StoreOptions } from '../../src/store/index.js';

export const dialects: readonly StoreDialect[] = ['sqlite', 'postgres'];

/** A fresh, migrated store of the given dialect; `cleanup` removes it. */
export interface FreshStore {
  readonly store: Store;
  /** How to open it again, from another process too. */
  readonly options: StoreOptions;
  /** Opens the same database again through a new connection. */
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

export async function freshStore(dialect: StoreDialect): Promise<FreshStore> {
  if (dialect === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-store-'));
    const store = await openStore({ dataDir });
    return {
      store,
      options: { dataDir },
      reopen: () => openStore({ dataDir }),
      cleanup: async () => {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = inject('postgresUrl');
  const name = `gh_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // The data directory holds the audit key and checkpoint even when the rows are in PostgreSQL.
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-store-'));
  const store = await openStore({ url: url.toString(), dataDir });
  return {
    store,
    options: { url: url.toString(), dataDir },
    reopen: () => openStore({ url: url.toString(), dataDir }),
    cleanup: async () => {
      await store.close();
      await adminQuery(adminUrl, `drop database if exists ${name}`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
