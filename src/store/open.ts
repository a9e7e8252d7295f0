import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { AppError, messageOf } from '../errors.js';
import type { Database, Store, StoreFiles } from './database.js';
import { migrationProvider } from './migrations.js';
import { securePrivateDir, securePrivateFile, tightenIfPresent } from './private-files.js';
import { postgresSignals } from './signals.js';

export interface StoreOptions {
  /** `postgres://…` or `postgresql://…`; anything else is taken as a SQLite file path. */
  readonly url?: string | undefined;
  /** Where the SQLite file, the audit key and the audit checkpoint go. */
  readonly dataDir: string;
  /** The audit signing key, when it is not `<dataDir>/audit-signing.key` (a mounted secret). */
  readonly auditKeyFile?: string | undefined;
}

/** How long a SQLite writer waits for another process's transaction before giving up. */
const sqliteBusyTimeoutMs = 30_000;

/**
 * Opens the store and brings its schema to the latest migration. The data directory is made
 * private (0700) and the SQLite files 0600 whoever created them; what had to be tightened is in
 * `notices`.
 *
 * @example
 * const store = await openStore({ dataDir: '/home/me/.gatehouse' });
 * await store.close();
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const notices: string[] = [];
  const files = storeFiles(options);
  try {
    notices.push(...securePrivateDir(options.dataDir));
    notices.push(...tightenIfPresent(files.auditCheckpoint));
    if (!files.auditKeyExplicit) notices.push(...tightenIfPresent(files.auditKey));
  } catch (error) {
    throw new AppError(
      'store.failed',
      `cannot secure the data directory ${options.dataDir}: ${messageOf(error)}`,
      {
        fix: 'Check that you own the data directory (set GATEHOUSE_HOME to move it)',
        cause: error,
      },
    );
  }
  const store = isPostgresUrl(options.url)
    ? openPostgres(options.url, files, notices)
    : openSqlite(options, files, notices);
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function storeFiles(options: StoreOptions): StoreFiles {
  return {
    dataDir: options.dataDir,
    auditKey: options.auditKeyFile ?? join(options.dataDir, 'audit-signing.key'),
    auditKeyExplicit: options.auditKeyFile !== undefined,
    auditCheckpoint: join(options.dataDir, 'audit-checkpoint.json'),
  };
}

function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

/**
 * Every transaction starts with `BEGIN IMMEDIATE`: it takes the write lock up front and waits for
 * it (busy timeout). A deferred `BEGIN` that reads and then writes cannot wait: when another
 * process committed in between, SQLite fails it at once with `database is locked`.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase.Database;
  constructor(database: SqliteDatabase.Database) {
    super({ database });
    this.#database = database;
  }
  override createDriver() {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
}

function openSqlite(options: StoreOptions, files: StoreFiles, notices: string[]): Store {
  const file = options.url ?? join(options.dataDir, 'gatehouse.db');
  let database: SqliteDatabase.Database;
  try {
    notices.push(...securePrivateFile(file));
    for (const suffix of ['-wal', '-shm']) notices.push(...tightenIfPresent(`${file}${suffix}`));
    database = new SqliteDatabase(file);
    // WAL with synchronous=FULL: readers never block the writer and a committed write survives power loss.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${sqliteBusyTimeoutMs}`);
  } catch (error) {
    throw new AppError('store.failed', `cannot open the SQLite store ${file}: ${messageOf(error)}`, {
      fix: 'Check that the data directory is writable (set GATEHOUSE_HOME to move it)',
      cause: error,
    });
  }
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(database) });
  return { db, dialect: 'sqlite', location: file, files, notices, close: () => db.destroy() };
}

function openPostgres(url: string, files: StoreFiles, notices: string[]): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    location: redact(url),
    files,
    notices,
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
