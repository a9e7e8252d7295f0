import type { Kysely, Migration, MigrationProvider } from 'kysely';

// Migrations are portable: no dialect-only types or defaults; ids and timestamps come from app code.
const migrations: Record<string, Migration> = {
  '2026_11_22_0001_audit_events': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_events')
        .addColumn('seq', 'bigint', (column) => column.primaryKey())
        .addColumn('id', 'varchar(64)', (column) => column.notNull().unique())
        .addColumn('at', 'varchar(40)', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('action', 'varchar(100)', (column) => column.notNull())
        .addColumn('target', 'text', (column) => column.notNull())
        .addColumn('outcome', 'varchar(20)', (column) => column.notNull())
        .addColumn('details', 'text', (column) => column.notNull())
        .addColumn('prev_hash', 'varchar(64)', (column) => column.notNull())
        .addColumn('hash', 'varchar(64)', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
      await db.schema.createIndex('audit_events_action').on('audit_events').column('action').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('audit_events').execute();
    },
  },
  '2026_11_22_0002_sync_runs': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sync_runs')
        .addColumn('id', 'varchar(40)', (column) => column.primaryKey())
        .addColumn('cluster', 'text', (column) => column.notNull())
        .addColumn('server', 'text', (column) => column.notNull())
        .addColumn('started_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('finished_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('status', 'varchar(20)', (column) => column.notNull())
        .addColumn('counts', 'text', (column) => column.notNull())
        .addColumn('resource_versions', 'text', (column) => column.notNull())
        .addColumn('errors', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('sync_runs_cluster_started')
        .on('sync_runs')
        .columns(['cluster', 'started_at'])
        .execute();
      await db.schema
        .createTable('sync_snapshots')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.primaryKey().references('sync_runs.id').onDelete('cascade'),
        )
        .addColumn('data', 'text', (column) => column.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('sync_snapshots').execute();
      await db.schema.dropTable('sync_runs').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
