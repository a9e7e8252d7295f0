import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { AppError, messageOf } from '../errors.js';
import type { Database, Store } from './database.js';
import { migrationProvider } from './migrations.js';
import { postgresSignals } from './signals.js';

export interface StoreOptions {
  /** `postgres://…` or `postgresql://…`; anything else is taken as a SQLite file path. */
  readonly url?: string | undefined;
  /** Where the SQLite file goes when no url is given. */
  readonly dataDir: string;
}

/**
 * Opens the store and brings its schema to the latest migration.
 *
 * @example
 * const store = await openStore({ dataDir: '/home/me/.gatehouse' });
 * await store.close();
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const store = isPostgresUrl(options.url) ? openPostgres(options.url) : openSqlite(options);
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

function openSqlite(options: StoreOptions): Store {
  const file = options.url ?? join(options.dataDir, 'gatehouse.db');
  let database: SqliteDatabase.Database;
  try {
    if (!options.url) mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    database = new SqliteDatabase(file);
    // WAL with synchronous=FULL: readers never block the writer and a committed write survives power loss.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new AppError('store.failed', `cannot open the SQLite store ${file}: ${messageOf(error)}`, {
      fix: 'Check that the data directory is writable (set GATEHOUSE_HOME to move it)',
      cause: error,
    });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
}

function openPostgres(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    location: redact(url),
    signals: postgresSignals(pool),
    close: () => db.destroy(),
  };
}

/** Never print a database password. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres://(unparseable url)';
  }
}

async function migrate(store: Store): Promise<void> {
  const migrator = new Migrator({ db: store.db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'connecting';
    throw new AppError(
      'store.failed',
      `migrating the ${store.dialect} store ${store.location} failed at ${failed}: ${messageOf(error)}`,
      {
        fix:
          store.dialect === 'postgres'
            ? 'Check GATEHOUSE_DATABASE_URL (host, database, user) and that the server is running'
            : 'Check that the data directory is writable and not used by an incompatible Gatehouse version',
        cause: error,
      },
    );
  }
}
