import type { Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';

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
  '2026_11_22_0003_access': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('access_flows')
        .addColumn('name', 'varchar(63)', (column) => column.primaryKey())
        .addColumn('spec', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('updated_by', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('access_requests')
        .addColumn('id', 'varchar(40)', (column) => column.primaryKey())
        .addColumn('flow', 'varchar(63)', (column) => column.notNull())
        .addColumn('cluster', 'text', (column) => column.notNull())
        .addColumn('requester', 'text', (column) => column.notNull())
        .addColumn('requester_groups', 'text', (column) => column.notNull())
        .addColumn('role_kind', 'varchar(20)', (column) => column.notNull())
        .addColumn('role_name', 'text', (column) => column.notNull())
        .addColumn('namespace', 'text', (column) => column.notNull())
        .addColumn('duration_seconds', 'integer', (column) => column.notNull())
        .addColumn('reason', 'text', (column) => column.notNull())
        .addColumn('break_glass', 'integer', (column) => column.notNull())
        .addColumn('state', 'varchar(20)', (column) => column.notNull())
        .addColumn('created_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('activated_at', 'varchar(40)')
        .addColumn('expires_at', 'varchar(40)')
        .addColumn('ended_at', 'varchar(40)')
        .addColumn('updated_at', 'varchar(40)', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('access_requests_state').on('access_requests').column('state').execute();
      await db.schema
        .createTable('access_decisions')
        .addColumn('request_id', 'varchar(40)', (column) =>
          column.notNull().references('access_requests.id').onDelete('cascade'),
        )
        .addColumn('approver', 'text', (column) => column.notNull())
        .addColumn('decision', 'varchar(10)', (column) => column.notNull())
        .addColumn('at', 'varchar(40)', (column) => column.notNull())
        .addPrimaryKeyConstraint('access_decisions_pk', ['request_id', 'approver'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('access_decisions').execute();
      await db.schema.dropTable('access_requests').execute();
      await db.schema.dropTable('access_flows').execute();
    },
  },
  '2026_11_22_0004_server_and_notifications': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'varchar(40)', (column) => column.primaryKey())
        .addColumn('user_name', 'text', (column) => column.notNull())
        .addColumn('groups', 'text', (column) => column.notNull())
        .addColumn('admin', 'integer', (column) => column.notNull())
        .addColumn('token_hash', 'varchar(64)', (column) => column.notNull().unique())
        .addColumn('created_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'varchar(40)')
        .addColumn('revoked_at', 'varchar(40)')
        .addColumn('last_used_at', 'varchar(40)')
        .execute();
      await db.schema
        .createTable('notification_cursors')
        .addColumn('name', 'varchar(200)', (column) => column.primaryKey())
        .addColumn('seq', 'bigint', (column) => column.notNull())
        .addColumn('updated_at', 'varchar(40)', (column) => column.notNull())
        .execute();
      await db.schema
        .alterTable('access_requests')
        .addColumn('mode', 'varchar(20)', (column) => column.notNull().defaultTo('binding'))
        .execute();
      await db.schema.alterTable('access_requests').addColumn('credential_namespace', 'text').execute();
      await db.schema
        .createTable('aws_auth_history')
        .addColumn('id', 'varchar(40)', (column) => column.primaryKey())
        .addColumn('cluster', 'text', (column) => column.notNull())
        .addColumn('resource_version', 'varchar(40)', (column) => column.notNull())
        .addColumn('data', 'text', (column) => column.notNull())
        .addColumn('taken_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('reason', 'text', (column) => column.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('aws_auth_history').execute();
      await db.schema.alterTable('access_requests').dropColumn('credential_namespace').execute();
      await db.schema.alterTable('access_requests').dropColumn('mode').execute();
      await db.schema.dropTable('notification_cursors').execute();
      await db.schema.dropTable('api_tokens').execute();
    },
  },
  '2026_11_22_0005_cluster_providers': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('cluster_providers')
        .addColumn('name', 'varchar(100)', (column) => column.primaryKey())
        .addColumn('kind', 'varchar(20)', (column) => column.notNull())
        .addColumn('config', 'text', (column) => column.notNull())
        .addColumn('created_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('cluster_providers').execute();
    },
  },
  '2026_11_22_0006_eks_access': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('access_requests').addColumn('principal_arn', 'text').execute();
      await db.schema
        .createTable('eks_access_grants')
        .addColumn('cluster', 'varchar(400)', (column) => column.notNull())
        .addColumn('principal_arn', 'varchar(2048)', (column) => column.notNull())
        .addColumn('policy_arn', 'varchar(2048)', (column) => column.notNull())
        .addColumn('created_entry', 'integer', (column) => column.notNull())
        .addColumn('scope', 'text', (column) => column.notNull())
        .addColumn('applied', 'integer', (column) => column.notNull())
        .addColumn('updated_at', 'varchar(40)', (column) => column.notNull())
        .addPrimaryKeyConstraint('eks_access_grants_pk', ['cluster', 'principal_arn', 'policy_arn'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('eks_access_grants').execute();
      await db.schema.alterTable('access_requests').dropColumn('principal_arn').execute();
    },
  },
  '2026_11_23_0007_access_requests_cluster_mode': {
    async up(db: Kysely<unknown>) {
      // The reconciler asks every second which clusters have requests of which mode: an index
      // answers that without reading the whole history.
      await db.schema
        .createIndex('access_requests_cluster_mode')
        .on('access_requests')
        .columns(['cluster', 'mode', 'credential_namespace'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('access_requests_cluster_mode').execute();
    },
  },
  '2026_11_23_0008_leases': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('leases')
        .addColumn('name', 'varchar(100)', (column) => column.primaryKey())
        .addColumn('holder', 'varchar(300)', (column) => column.notNull())
        .addColumn('expires_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('updated_at', 'varchar(40)', (column) => column.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('leases').execute();
    },
  },
  '2026_11_23_0009_access_requests_last_error': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('access_requests').addColumn('last_error', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('access_requests').dropColumn('last_error').execute();
    },
  },
  '2026_12_01_0010_audit_signatures': {
    async up(db: Kysely<unknown>) {
      // Null on entries written before signing: the first signed entry's link still covers them.
      await db.schema.alterTable('audit_events').addColumn('key_id', 'varchar(64)').execute();
      await db.schema.alterTable('audit_events').addColumn('signature', 'varchar(200)').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('audit_events').dropColumn('signature').execute();
      await db.schema.alterTable('audit_events').dropColumn('key_id').execute();
    },
  },
  '2026_12_01_0013_sync_subject_index': {
    // Per subject, the grants a sync found, so `rbac can-i` reads a few rows instead of the snapshot.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sync_indexed_runs')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.primaryKey().references('sync_runs.id').onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createTable('sync_subject_grants')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.notNull().references('sync_runs.id').onDelete('cascade'),
        )
        .addColumn('subject', 'text', (column) => column.notNull())
        .addColumn('ordinal', 'integer', (column) => column.notNull())
        .addColumn('binding_kind', 'varchar(30)', (column) => column.notNull())
        .addColumn('namespace', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('role_kind', 'varchar(30)', (column) => column.notNull())
        .addColumn('role_name', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('sync_subject_grants_subject')
        .on('sync_subject_grants')
        .columns(['run_id', 'subject'])
        .execute();
      await db.schema
        .createTable('sync_role_rules')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.notNull().references('sync_runs.id').onDelete('cascade'),
        )
        .addColumn('role_key', 'text', (column) => column.notNull())
        .addColumn('rules', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('sync_role_rules_key')
        .on('sync_role_rules')
        .columns(['run_id', 'role_key'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('sync_role_rules').execute();
      await db.schema.dropTable('sync_subject_grants').execute();
      await db.schema.dropTable('sync_indexed_runs').execute();
    },
  },
  '2026_12_01_0020_sessions': {
    // Sign-in: server-side sessions keyed by a hash of their id, and one-time codes (the first
    // admin's link, the CLI's login hand-over) kept only as hashes.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'varchar(64)', (column) => column.primaryKey())
        .addColumn('ref', 'varchar(40)', (column) => column.notNull().unique())
        .addColumn('kind', 'varchar(20)', (column) => column.notNull())
        .addColumn('method', 'varchar(20)', (column) => column.notNull())
        .addColumn('subject', 'text', (column) => column.notNull())
        .addColumn('groups', 'text', (column) => column.notNull())
        .addColumn('roles', 'text', (column) => column.notNull())
        .addColumn('csrf_token', 'varchar(64)', (column) => column.notNull())
        .addColumn('created_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('last_seen_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('idle_expires_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('expires_at', 'varchar(40)', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
      await db.schema
        .createTable('one_time_codes')
        .addColumn('code_hash', 'varchar(64)', (column) => column.primaryKey())
        .addColumn('purpose', 'varchar(20)', (column) => column.notNull())
        .addColumn('payload', 'text', (column) => column.notNull())
        .addColumn('created_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('expires_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('used_at', 'varchar(40)')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('one_time_codes').execute();
      await db.schema.dropTable('sessions').execute();
    },
  },
  '2026_12_01_0030_review_campaigns': {
    // Access reviews: campaigns over a frozen sync run, and one item per subject × grant.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('review_campaigns')
        .addColumn('id', 'varchar(40)', (column) => column.primaryKey())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('cluster', 'text', (column) => column.notNull())
        .addColumn('sync_run_id', 'varchar(40)', (column) => column.notNull())
        .addColumn('snapshot_hash', 'varchar(64)', (column) => column.notNull())
        .addColumn('scope', 'text', (column) => column.notNull())
        .addColumn('reviewers', 'text', (column) => column.notNull())
        .addColumn('deadline_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('default_action', 'varchar(20)', (column) => column.notNull())
        .addColumn('reminder_offsets', 'text', (column) => column.notNull())
        .addColumn('reminders_sent', 'text', (column) => column.notNull())
        .addColumn('state', 'varchar(20)', (column) => column.notNull())
        .addColumn('created_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addColumn('closed_at', 'varchar(40)')
        .addColumn('closed_by', 'text')
        .addColumn('updated_at', 'varchar(40)', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('review_campaigns_state_deadline')
        .on('review_campaigns')
        .columns(['state', 'deadline_at'])
        .execute();
      await db.schema
        .createTable('review_items')
        .addColumn('id', 'varchar(40)', (column) => column.primaryKey())
        .addColumn('campaign_id', 'varchar(40)', (column) =>
          column.notNull().references('review_campaigns.id').onDelete('cascade'),
        )
        .addColumn('ordinal', 'integer', (column) => column.notNull())
        .addColumn('subject_kind', 'varchar(30)', (column) => column.notNull())
        .addColumn('subject_name', 'text', (column) => column.notNull())
        .addColumn('subject_namespace', 'text', (column) => column.notNull())
        .addColumn('namespace', 'text', (column) => column.notNull())
        .addColumn('grant_ref', 'text', (column) => column.notNull())
        .addColumn('risks', 'text', (column) => column.notNull())
        .addColumn('severity', 'varchar(20)', (column) => column.notNull())
        .addColumn('holders', 'integer', (column) => column.notNull())
        .addColumn('reviewer', 'text', (column) => column.notNull())
        .addColumn('reviewer_rule', 'varchar(20)', (column) => column.notNull())
        .addColumn('state', 'varchar(20)', (column) => column.notNull())
        .addColumn('decision', 'varchar(20)')
        .addColumn('reason', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'varchar(40)')
        .addColumn('revocation', 'text')
        .addColumn('notes', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'varchar(40)', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('review_items_campaign')
        .on('review_items')
        .columns(['campaign_id', 'ordinal'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('review_items').execute();
      await db.schema.dropTable('review_campaigns').execute();
    },
  },
  '2026_12_01_0040_usage': {
    // Kubernetes API audit-log usage: per subject and permission, first and last use and a count.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('usage_permissions')
        .addColumn('cluster', 'varchar(253)', (column) => column.notNull())
        .addColumn('key', 'varchar(64)', (column) => column.notNull())
        .addColumn('subject', 'text', (column) => column.notNull())
        .addColumn('verb', 'text', (column) => column.notNull())
        .addColumn('api_group', 'text', (column) => column.notNull())
        .addColumn('resource', 'text', (column) => column.notNull())
        .addColumn('subresource', 'text', (column) => column.notNull())
        .addColumn('namespace', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('non_resource_url', 'text', (column) => column.notNull())
        .addColumn('first_used', 'varchar(40)', (column) => column.notNull())
        .addColumn('last_used', 'varchar(40)', (column) => column.notNull())
        .addColumn('count', 'bigint', (column) => column.notNull())
        .addPrimaryKeyConstraint('usage_permissions_pk', ['cluster', 'key'])
        .execute();
      await db.schema
        .createIndex('usage_permissions_subject')
        .on('usage_permissions')
        .columns(['cluster', 'subject', 'last_used'])
        .execute();
      await db.schema
        .createTable('usage_identities')
        .addColumn('cluster', 'varchar(253)', (column) => column.notNull())
        .addColumn('key', 'varchar(64)', (column) => column.notNull())
        .addColumn('subject', 'text', (column) => column.notNull())
        .addColumn('kind', 'varchar(10)', (column) => column.notNull())
        .addColumn('value', 'text', (column) => column.notNull())
        .addColumn('first_seen', 'varchar(40)', (column) => column.notNull())
        .addColumn('last_seen', 'varchar(40)', (column) => column.notNull())
        .addPrimaryKeyConstraint('usage_identities_pk', ['cluster', 'key'])
        .execute();
      await db.schema
        .createTable('usage_files')
        .addColumn('cluster', 'varchar(253)', (column) => column.notNull())
        .addColumn('fingerprint', 'varchar(64)', (column) => column.notNull())
        .addColumn('path', 'text', (column) => column.notNull())
        .addColumn('bytes_read', 'bigint', (column) => column.notNull())
        .addColumn('lines_read', 'bigint', (column) => column.notNull())
        .addColumn('updated_at', 'varchar(40)', (column) => column.notNull())
        .addPrimaryKeyConstraint('usage_files_pk', ['cluster', 'fingerprint'])
        .execute();
      await db.schema
        .createTable('usage_ingestions')
        .addColumn('id', 'varchar(40)', (column) => column.primaryKey())
        .addColumn('cluster', 'varchar(253)', (column) => column.notNull())
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('started_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('finished_at', 'varchar(40)')
        .addColumn('status', 'varchar(20)', (column) => column.notNull())
        .addColumn('window_from', 'varchar(40)')
        .addColumn('window_to', 'varchar(40)')
        .addColumn('events_read', 'bigint', (column) => column.notNull())
        .addColumn('events_counted', 'bigint', (column) => column.notNull())
        .addColumn('events_skipped', 'bigint', (column) => column.notNull())
        .addColumn('malformed', 'bigint', (column) => column.notNull())
        .addColumn('report', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('usage_ingestions_cluster')
        .on('usage_ingestions')
        .columns(['cluster', 'window_to'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('usage_ingestions').execute();
      await db.schema.dropTable('usage_files').execute();
      await db.schema.dropTable('usage_identities').execute();
      await db.schema.dropTable('usage_permissions').execute();
    },
  },
  '2026_12_01_0047_governance_console': {
    // The console's governance pages answer from rows, not from the whole snapshot: the pods of a
    // sync by service account, the IAM mappings, the grants of one namespace or of one role, and
    // which resources each role's rules name.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sync_pods')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.notNull().references('sync_runs.id').onDelete('cascade'),
        )
        .addColumn('namespace', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('service_account', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('sync_pods_service_account')
        .on('sync_pods')
        .columns(['run_id', 'namespace', 'service_account'])
        .execute();
      await db.schema
        .createTable('sync_identity_maps')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.primaryKey().references('sync_runs.id').onDelete('cascade'),
        )
        .addColumn('aws_auth', 'text')
        .addColumn('eks', 'text')
        .execute();
      await db.schema
        .createIndex('sync_subject_grants_namespace')
        .on('sync_subject_grants')
        .columns(['run_id', 'namespace'])
        .execute();
      await db.schema
        .alterTable('sync_subject_grants')
        .addColumn('position', 'integer', (column) => column.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('sync_subject_grants_role')
        .on('sync_subject_grants')
        .columns(['run_id', 'role_name'])
        .execute();
      await db.schema
        .createTable('sync_role_targets')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.notNull().references('sync_runs.id').onDelete('cascade'),
        )
        .addColumn('role_key', 'text', (column) => column.notNull())
        .addColumn('target', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('sync_role_targets_target')
        .on('sync_role_targets')
        .columns(['run_id', 'target'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('sync_role_targets').execute();
      await db.schema.dropIndex('sync_subject_grants_role').execute();
      await db.schema.alterTable('sync_subject_grants').dropColumn('position').execute();
      await db.schema.dropIndex('sync_subject_grants_namespace').execute();
      await db.schema.dropTable('sync_identity_maps').execute();
      await db.schema.dropTable('sync_pods').execute();
    },
  },
  '2026_12_01_0050_agents': {
    // In-cluster agents (private clusters): a hash of each token, and whether it is connected.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('agents')
        .addColumn('id', 'varchar(40)', (column) => column.primaryKey())
        .addColumn('name', 'varchar(63)', (column) => column.notNull().unique())
        .addColumn('token_hash', 'varchar(64)', (column) => column.notNull().unique())
        .addColumn('created_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addColumn('rotated_at', 'varchar(40)')
        .addColumn('revoked_at', 'varchar(40)')
        .addColumn('cluster_uid', 'varchar(100)')
        .addColumn('kubernetes_version', 'varchar(100)')
        .addColumn('agent_version', 'varchar(100)')
        .addColumn('connected_at', 'varchar(40)')
        .addColumn('disconnected_at', 'varchar(40)')
        .addColumn('last_seen_at', 'varchar(40)')
        .addColumn('replica', 'varchar(300)')
        .addColumn('last_error', 'text')
        .execute();
      // Replicas of `gatehouse serve` that hold agent connections: where the others reach them,
      // and a hash of the secret each presents when it forwards a call to another.
      await db.schema
        .createTable('server_replicas')
        .addColumn('replica', 'varchar(300)', (column) => column.primaryKey())
        .addColumn('url', 'text', (column) => column.notNull())
        .addColumn('secret_hash', 'varchar(64)', (column) => column.notNull())
        .addColumn('seen_at', 'varchar(40)', (column) => column.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('server_replicas').execute();
      await db.schema.dropTable('agents').execute();
    },
  },
  '2026_12_01_0060_forensics_jobs': {
    // Console acquisition jobs and their per-container progress, readable from every replica.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('forensics_jobs')
        .addColumn('id', 'varchar(40)', (column) => column.primaryKey())
        .addColumn('operator', 'text', (column) => column.notNull())
        .addColumn('cluster', 'text', (column) => column.notNull())
        .addColumn('namespace', 'varchar(63)', (column) => column.notNull())
        .addColumn('selector', 'text')
        .addColumn('method', 'varchar(20)', (column) => column.notNull())
        .addColumn('started_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('finished_at', 'varchar(40)')
        .addColumn('replica', 'varchar(300)', (column) => column.notNull())
        .addColumn('heartbeat_at', 'varchar(40)', (column) => column.notNull())
        .addColumn('interrupted', 'text')
        .execute();
      await db.schema
        .createIndex('forensics_jobs_finished')
        .on('forensics_jobs')
        .column('finished_at')
        .execute();
      await db.schema
        .createTable('forensics_job_rows')
        .addColumn('job_id', 'varchar(40)', (column) =>
          column.notNull().references('forensics_jobs.id').onDelete('cascade'),
        )
        .addColumn('position', 'integer', (column) => column.notNull())
        .addColumn('label', 'text', (column) => column.notNull())
        .addColumn('stage', 'varchar(100)', (column) => column.notNull())
        .addColumn('bytes', 'bigint', (column) => column.notNull())
        .addColumn('items', 'integer', (column) => column.notNull())
        .addColumn('status', 'varchar(20)', (column) => column.notNull())
        .addColumn('result', 'text')
        .addColumn('updated_at', 'varchar(40)', (column) => column.notNull())
        .addPrimaryKeyConstraint('forensics_job_rows_pk', ['job_id', 'position'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('forensics_job_rows').execute();
      await db.schema.dropTable('forensics_jobs').execute();
    },
  },
  '2026_12_01_0070_governance_rows': {
    // What changed and risks answer from rows too: a digest of each namespace's grants per run (two
    // runs differ only where digests differ), and each run's risk findings, computed once.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sync_grant_digests')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.notNull().references('sync_runs.id').onDelete('cascade'),
        )
        .addColumn('namespace', 'text', (column) => column.notNull())
        .addColumn('digest', 'varchar(64)', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('sync_grant_digests_namespace')
        .on('sync_grant_digests')
        .columns(['run_id', 'namespace'])
        .unique()
        .execute();
      await db.schema
        .createTable('sync_role_digests')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.primaryKey().references('sync_runs.id').onDelete('cascade'),
        )
        .addColumn('digest', 'varchar(64)', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('sync_risk_runs')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.notNull().references('sync_runs.id').onDelete('cascade'),
        )
        .addColumn('variant', 'varchar(30)', (column) => column.notNull())
        .addColumn('checks', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('sync_risk_runs_variant')
        .on('sync_risk_runs')
        .columns(['run_id', 'variant'])
        .unique()
        .execute();
      await db.schema
        .createTable('sync_risk_findings')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.notNull().references('sync_runs.id').onDelete('cascade'),
        )
        .addColumn('variant', 'varchar(30)', (column) => column.notNull())
        .addColumn('ordinal', 'integer', (column) => column.notNull())
        .addColumn('severity', 'varchar(20)', (column) => column.notNull())
        .addColumn('severity_rank', 'integer', (column) => column.notNull())
        .addColumn('check_id', 'varchar(100)', (column) => column.notNull())
        .addColumn('title', 'text', (column) => column.notNull())
        .addColumn('subject', 'text', (column) => column.notNull())
        .addColumn('namespace', 'text')
        .addColumn('path', 'text', (column) => column.notNull())
        .execute();
      for (const [name, columns] of [
        ['sync_risk_findings_ordinal', ['run_id', 'variant', 'ordinal']],
        ['sync_risk_findings_check', ['run_id', 'variant', 'check_id', 'ordinal']],
      ] as const)
        await db.schema
          .createIndex(name)
          .on('sync_risk_findings')
          .columns([...columns])
          .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('sync_risk_findings').execute();
      await db.schema.dropTable('sync_risk_runs').execute();
      await db.schema.dropTable('sync_role_digests').execute();
      await db.schema.dropTable('sync_grant_digests').execute();
    },
  },
  '2026_12_01_0080_review_recurrence': {
    // Recurring campaigns: each run names the one before it, once (a unique index). Numbered after
    // every migration main had when it was written, so stores that ran those accept it.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('review_campaigns').addColumn('recur_every_seconds', 'integer').execute();
      await db.schema.alterTable('review_campaigns').addColumn('previous_id', 'varchar(40)').execute();
      await db.schema
        .createIndex('review_campaigns_previous')
        .unique()
        .on('review_campaigns')
        .column('previous_id')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('review_campaigns_previous').execute();
      await db.schema.alterTable('review_campaigns').dropColumn('previous_id').execute();
      await db.schema.alterTable('review_campaigns').dropColumn('recur_every_seconds').execute();
    },
  },
  '2026_12_01_0100_review_skipped_runs': {
    // Recurring campaigns: the runs that fell due with an empty scope, so the next one is not retried forever.
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('review_campaigns')
        .addColumn('skipped_runs', 'text', (column) => column.notNull().defaultTo('[]'))
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('review_campaigns').dropColumn('skipped_runs').execute();
    },
  },
  '2026_12_01_0120_evidence_views': {
    // The evidence page of a large package from rows built once per verified package hash, and
    // each verification with the on-disk fingerprint it holds for.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('evidence_views')
        .addColumn('view_key', 'varchar(64)', (column) => column.primaryKey())
        .addColumn('package_hash', 'varchar(64)', (column) => column.notNull())
        .addColumn('package_id', 'varchar(60)', (column) => column.notNull())
        .addColumn('summary', 'text', (column) => column.notNull())
        .addColumn('event_count', 'integer', (column) => column.notNull())
        .addColumn('bodyfile_count', 'integer', (column) => column.notNull())
        .addColumn('built_at', 'varchar(40)', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('evidence_views_package')
        .on('evidence_views')
        .column('package_id')
        .execute();
      await db.schema
        .createTable('evidence_view_events')
        .addColumn('view_key', 'varchar(64)', (column) => column.notNull())
        .addColumn('seq', 'integer', (column) => column.notNull())
        .addColumn('at_ms', 'bigint', (column) => column.notNull())
        .addColumn('datetime', 'varchar(40)', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('source_no', 'integer', (column) => column.notNull())
        .addColumn('kind_no', 'integer', (column) => column.notNull())
        .addColumn('message', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('evidence_view_events_pk', ['view_key', 'seq'])
        .execute();
      // One narrow index answers every filter's count and chart without reading the rows (a time
      // window as a range, a source or kind by scanning it); sources and kinds by number, since a
      // source is a container path, too long for an index entry. Each index more costs the build.
      await db.schema
        .createIndex('evidence_view_events_filter')
        .on('evidence_view_events')
        .columns(['view_key', 'at_ms', 'source_no', 'kind_no'])
        .execute();
      await db.schema
        .createTable('evidence_view_bodyfile')
        .addColumn('view_key', 'varchar(64)', (column) => column.notNull())
        .addColumn('seq', 'integer', (column) => column.notNull())
        .addColumn('line', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('evidence_view_bodyfile_pk', ['view_key', 'seq'])
        .execute();
      await db.schema
        .createTable('evidence_verifications')
        .addColumn('package_id', 'varchar(60)', (column) => column.notNull())
        .addColumn('fingerprint', 'varchar(64)', (column) => column.notNull())
        .addColumn('package_hash', 'varchar(64)', (column) => column.notNull())
        .addColumn('ok', 'integer', (column) => column.notNull())
        .addColumn('outcome', 'text', (column) => column.notNull())
        .addColumn('verified_at', 'varchar(40)', (column) => column.notNull())
        .addPrimaryKeyConstraint('evidence_verifications_pk', ['package_id', 'fingerprint'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('evidence_verifications').execute();
      await db.schema.dropTable('evidence_view_bodyfile').execute();
      await db.schema.dropTable('evidence_view_events').execute();
      await db.schema.dropTable('evidence_views').execute();
    },
  },
  '2026_12_01_0130_rule_keys': {
    // Each role's (verb, resource) pairs, so who-can reads only the roles whose rules could allow
    // the question's verb on its resource, not every role that names the resource at all.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sync_rule_keys')
        .addColumn('run_id', 'varchar(40)', (column) =>
          column.notNull().references('sync_runs.id').onDelete('cascade'),
        )
        .addColumn('role_key', 'text', (column) => column.notNull())
        .addColumn('verb', 'text', (column) => column.notNull())
        .addColumn('resource', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('sync_rule_keys_resource')
        .on('sync_rule_keys')
        .columns(['run_id', 'resource', 'verb'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('sync_rule_keys').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
