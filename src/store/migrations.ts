// Schema migrations, one list for both dialects. Append new migrations; never edit a released one.
import { type Kysely, type Migration, type MigrationProvider, Migrator, type CreateTableBuilder, sql } from 'kysely';
import type { Dialect } from './connection.ts';

type Types = { ts: 'timestamptz' | 'text'; json: 'jsonb' | 'text' };

function typesFor(dialect: Dialect): Types {
  return dialect === 'postgres' ? { ts: 'timestamptz', json: 'jsonb' } : { ts: 'text', json: 'text' };
}

// Column-name tracking of Kysely's builder is of no use across these helpers; tables are built loosely.
type TableBuilder = CreateTableBuilder<string, string>;

function withId(table: CreateTableBuilder<string, never>, dialect: Dialect): TableBuilder {
  return dialect === 'postgres'
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** Columns every source-keyed record has: identity, change detection and bookkeeping times. */
function keyed(table: CreateTableBuilder<string, never>, dialect: Dialect): TableBuilder {
  const { ts } = typesFor(dialect);
  return withId(table, dialect)
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull());
}

function initial(dialect: Dialect): Migration {
  const { ts, json } = typesFor(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('teams')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text')
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('services')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('team', 'text')
        .addColumn('aliases', json, (c) => c.notNull())
        .addColumn('repository', 'text')
        .addColumn('tier', 'text')
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();

      await keyed(db.schema.createTable('signals'), dialect)
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('occurred_at', ts, (c) => c.notNull())
        .addColumn('detected_at', ts)
        .addColumn('resolved_at', ts)
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text')
        .addColumn('severity', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('service', 'text')
        .addColumn('service_raw', 'text')
        .addColumn('environment', 'text')
        .addColumn('labels', json, (c) => c.notNull())
        .addColumn('links', json, (c) => c.notNull())
        .addColumn('raw', json)
        .addColumn('problem_id', 'integer')
        .addUniqueConstraint('signals_source_external_id', ['source', 'external_id'])
        .execute();
      await db.schema.createIndex('signals_service_occurred').on('signals').columns(['service', 'occurred_at']).execute();
      await db.schema.createIndex('signals_occurred').on('signals').column('occurred_at').execute();
      await db.schema.createIndex('signals_problem').on('signals').column('problem_id').execute();

      await keyed(db.schema.createTable('deployments'), dialect)
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('version', 'text')
        .addColumn('commit_sha', 'text')
        .addColumn('started_at', ts)
        .addColumn('finished_at', ts)
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('kind_reason', 'text')
        .addColumn('rolls_back_to', 'text')
        .addColumn('url', 'text')
        .addColumn('rollout_stage', 'text')
        .addColumn('labels', json, (c) => c.notNull())
        .addColumn('raw', json)
        .addUniqueConstraint('deployments_source_external_id', ['source', 'external_id'])
        .execute();
      await db.schema.createIndex('deployments_service_env_finished').on('deployments').columns(['service', 'environment', 'finished_at']).execute();
      await db.schema.createIndex('deployments_finished').on('deployments').column('finished_at').execute();

      await keyed(db.schema.createTable('changes'), dialect)
        .addColumn('service', 'text')
        .addColumn('repository', 'text')
        .addColumn('sha', 'text')
        .addColumn('pr_number', 'integer')
        .addColumn('title', 'text')
        .addColumn('first_commit_at', ts, (c) => c.notNull())
        .addColumn('merged_at', ts)
        .addColumn('deployment_ref', 'text')
        .addColumn('raw', json)
        .addUniqueConstraint('changes_source_external_id', ['source', 'external_id'])
        .execute();
      await db.schema.createIndex('changes_deployment_ref').on('changes').column('deployment_ref').execute();
      await db.schema.createIndex('changes_sha').on('changes').column('sha').execute();

      await keyed(db.schema.createTable('defects'), dialect)
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('service', 'text')
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('found_at', ts, (c) => c.notNull())
        .addColumn('found_in', 'text', (c) => c.notNull())
        .addColumn('release', 'text')
        .addColumn('blocker', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('resolved_at', ts)
        .addColumn('url', 'text')
        .addColumn('labels', json, (c) => c.notNull())
        .addColumn('raw', json)
        .addUniqueConstraint('defects_source_external_id', ['source', 'external_id'])
        .execute();
      await db.schema.createIndex('defects_service_found').on('defects').columns(['service', 'found_at']).execute();

      await keyed(db.schema.createTable('test_runs'), dialect)
        .addColumn('service', 'text')
        .addColumn('release', 'text', (c) => c.notNull())
        .addColumn('suite', 'text', (c) => c.notNull())
        .addColumn('suite_kind', 'text', (c) => c.notNull())
        .addColumn('started_at', ts, (c) => c.notNull())
        .addColumn('finished_at', ts)
        .addColumn('passed', 'integer', (c) => c.notNull())
        .addColumn('failed', 'integer', (c) => c.notNull())
        .addColumn('skipped', 'integer', (c) => c.notNull())
        .addColumn('critical_total', 'integer', (c) => c.notNull())
        .addColumn('critical_passed', 'integer', (c) => c.notNull())
        .addColumn('failed_tests', json, (c) => c.notNull())
        .addColumn('raw', json)
        .addUniqueConstraint('test_runs_source_external_id', ['source', 'external_id'])
        .execute();
      await db.schema.createIndex('test_runs_service_release').on('test_runs').columns(['service', 'release']).execute();

      await keyed(db.schema.createTable('cost_entries'), dialect)
        .addColumn('problem_ref', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('hours', 'double precision', (c) => c.notNull())
        .addColumn('person', 'text')
        .addColumn('note', 'text')
        .addColumn('entered_at', ts)
        .addUniqueConstraint('cost_entries_source_external_id', ['source', 'external_id'])
        .execute();
      await db.schema.createIndex('cost_entries_problem_ref').on('cost_entries').column('problem_ref').execute();

      await withId(db.schema.createTable('problems'), dialect)
        .addColumn('key', 'text', (c) => c.notNull().unique())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('summary', 'text')
        .addColumn('service', 'text')
        .addColumn('services', json, (c) => c.notNull())
        .addColumn('environment', 'text')
        .addColumn('impact_start', ts, (c) => c.notNull())
        .addColumn('detected_at', ts)
        .addColumn('resolved_at', ts)
        .addColumn('severity', 'text')
        .addColumn('downtime_minutes', 'double precision')
        .addColumn('affected_users', 'integer')
        .addColumn('signal_count', 'integer', (c) => c.notNull())
        .addColumn('type', 'text')
        .addColumn('type_confidence', 'double precision')
        .addColumn('type_decider', 'text')
        .addColumn('type_rationale', 'text')
        .addColumn('review_state', 'text', (c) => c.notNull())
        .addColumn('deployment_id', 'integer')
        .addColumn('attribution', json)
        .addColumn('resolution_kind', 'text')
        .addColumn('postmortem_url', 'text')
        .addColumn('pattern_key', 'text')
        .addColumn('correlation', json)
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('problems_impact_start').on('problems').column('impact_start').execute();
      await db.schema.createIndex('problems_service_impact').on('problems').columns(['service', 'impact_start']).execute();
      await db.schema.createIndex('problems_deployment').on('problems').column('deployment_id').execute();

      await withId(db.schema.createTable('decisions'), dialect)
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('payload', json, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('decided_at', ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('decisions_subject').on('decisions').column('subject').execute();

      await withId(db.schema.createTable('reviews'), dialect)
        .addColumn('period_start', ts, (c) => c.notNull())
        .addColumn('period_end', ts, (c) => c.notNull())
        .addColumn('started_at', ts, (c) => c.notNull())
        .addColumn('completed_at', ts)
        .addColumn('actor', 'text')
        .addColumn('problem_keys', json, (c) => c.notNull())
        .addColumn('summary', json)
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['reviews', 'decisions', 'problems', 'cost_entries', 'test_runs', 'defects', 'changes', 'deployments', 'signals', 'services', 'teams']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

/** Deployment outcomes (failed / rework with their explanation) and each problem's cost, derived by the pipeline. */
function deploymentOutcomes(dialect: Dialect): Migration {
  const { json } = typesFor(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('deployments').addColumn('failed', 'integer').execute();
      await db.schema.alterTable('deployments').addColumn('rework', 'integer').execute();
      await db.schema.alterTable('deployments').addColumn('outcome', json).execute();
      await db.schema.alterTable('problems').addColumn('cost', json).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const column of ['failed', 'rework', 'outcome']) await db.schema.alterTable('deployments').dropColumn(column).execute();
      await db.schema.alterTable('problems').dropColumn('cost').execute();
    },
  };
}

/** On PostgreSQL, a table's writes move its change counter (see metricIndexes): the metrics cache then knows. */
async function countChanges(db: Kysely<unknown>, table: string): Promise<void> {
  await sql`insert into escapement_data_versions (table_name) values (${table})`.execute(db);
  await sql`create trigger ${sql.id(`${table}_data_version`)} after insert or update or delete or truncate on ${sql.table(table)} for each statement execute function escapement_bump_data_version()`.execute(db);
}

/** Undoes countChanges; the trigger goes with its table, or by name while the table stays. */
async function stopCountingChanges(db: Kysely<unknown>, table: string): Promise<void> {
  await sql`drop trigger if exists ${sql.id(`${table}_data_version`)} on ${sql.table(table)}`.execute(db);
  await sql`delete from escapement_data_versions where table_name = ${table}`.execute(db);
}

/** Tables the metric facts read; a write to any of them must invalidate remembered metrics. */
const METRIC_SOURCE_TABLES = ['teams', 'services', 'signals', 'deployments', 'changes', 'defects', 'test_runs', 'cost_entries', 'problems'] as const;

/**
 * Indexes the metric facts walk (src/store/metric-facts.ts), narrow enough to answer from the index, and
 * on PostgreSQL a per-table change counter bumped by statement triggers: the metrics cache's version
 * (the WAL position changed on any write in the cluster, so it never hit). The counter is transactional,
 * so it moves exactly when a write commits; one row per table keeps writers of different tables apart.
 */
function metricIndexes(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('test_runs_started').on('test_runs').column('started_at').execute();
      await db.schema.createIndex('defects_found').on('defects').column('found_at').execute();
      await db.schema.createIndex('defects_blocker_status').on('defects').columns(['blocker', 'status']).execute();
      // SQLite carries the rowid (id) in every index; PostgreSQL needs it named to answer from the index.
      const id = dialect === 'postgres' ? ['id'] : [];
      await db.schema.createIndex('deployments_finished_facts').on('deployments').columns(['finished_at', 'environment', 'status', 'service', ...id, 'source', 'external_id']).execute();
      await db.schema.createIndex('changes_deployment_ref_facts').on('changes').columns(['deployment_ref', 'first_commit_at', ...id, 'service']).execute();
      await db.schema.dropIndex('changes_deployment_ref').execute();
      if (dialect !== 'postgres') return;
      await sql`create table escapement_data_versions (table_name text primary key, version bigint not null default 0)`.execute(db);
      const [row] = (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows;
      const versions = sql.table(`${row!.schema}.escapement_data_versions`);
      await sql`create function escapement_bump_data_version() returns trigger language plpgsql as $$ begin
        update ${versions} set version = version + 1 where table_name = TG_TABLE_NAME; return null; end $$`.execute(db);
      for (const table of METRIC_SOURCE_TABLES) await countChanges(db, table);
    },
    async down(db: Kysely<unknown>) {
      if (dialect === 'postgres') {
        for (const table of METRIC_SOURCE_TABLES) await stopCountingChanges(db, table);
        await sql`drop function if exists escapement_bump_data_version()`.execute(db);
        await sql`drop table if exists escapement_data_versions`.execute(db);
      }
      await db.schema.createIndex('changes_deployment_ref').on('changes').column('deployment_ref').execute();
      for (const index of ['test_runs_started', 'defects_found', 'defects_blocker_status', 'deployments_finished_facts', 'changes_deployment_ref_facts']) await db.schema.dropIndex(index).execute();
    },
  };
}

/**
 * Which deployment shipped a change that arrived without one (a push, a merged pull request), derived by
 * the pipeline (src/pipeline/change-deployments.ts). Kept apart from `changes`, which holds only what the
 * sources said; the metric facts read a change's deployment from `changes.deployment_ref`, else from here.
 */
function changeShipments(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('change_shipments')
        .addColumn('change_id', 'integer', (c) => c.primaryKey())
        .addColumn('deployment_ref', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('change_shipments_deployment_ref').on('change_shipments').columns(['deployment_ref', 'change_id']).execute();
      if (dialect !== 'postgres') return;
      await countChanges(db, 'change_shipments');
    },
    async down(db: Kysely<unknown>) {
      if (dialect === 'postgres') await stopCountingChanges(db, 'change_shipments');
      await db.schema.dropTable('change_shipments').execute();
    },
  };
}

/**
 * Lookups the pipeline's attribution makes per batch instead of holding every deployment and change in
 * memory (src/store/deployment-window.ts): a service's deployments of a version (compared without case,
 * surrounding blanks or a leading v), deployments and changes by the first 7 characters of their commit,
 * changes by pull request number.
 */
function attributionLookups(): Migration {
  const indexes = {
    deployments_service_version_key: sql`create index deployments_service_version_key on deployments (service, lower(trim(version)))`,
    deployments_commit_sha7: sql`create index deployments_commit_sha7 on deployments (lower(substr(commit_sha, 1, 7)))`,
    changes_sha7: sql`create index changes_sha7 on changes (lower(substr(sha, 1, 7)))`,
    changes_pr_number: sql`create index changes_pr_number on changes (pr_number)`,
  };
  return {
    async up(db: Kysely<unknown>) {
      for (const create of Object.values(indexes)) await create.execute(db);
    },
    async down(db: Kysely<unknown>) {
      for (const name of Object.keys(indexes)) await db.schema.dropIndex(name).execute();
    },
  };
}

/**
 * The problem each signal belongs to, in a table of its own (was `signals.problem_id`). The pipeline
 * points every signal at its problem; in the signals' rows that rewrote every page of the widest table
 * (bodies, labels, raw payloads) through the write-ahead log on a first run: 1.75 GB and 13.5 s of
 * commits at the large history's 1.9 million signals. Here a pointer is two integers.
 */
function signalProblems(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('signal_problems')
        .addColumn('signal_id', 'integer', (c) => c.primaryKey())
        .addColumn('problem_id', 'integer', (c) => c.notNull())
        .execute();
      await sql`insert into signal_problems (signal_id, problem_id) select id, problem_id from signals where problem_id is not null`.execute(db);
      // SQLite carries the rowid (signal_id) in every index; PostgreSQL needs it named to answer from the index.
      await db.schema.createIndex('signal_problems_problem').on('signal_problems').columns(dialect === 'postgres' ? ['problem_id', 'signal_id'] : ['problem_id']).execute();
      await db.schema.dropIndex('signals_problem').execute();
      await db.schema.alterTable('signals').dropColumn('problem_id').execute();
      if (dialect !== 'postgres') return;
      await countChanges(db, 'signal_problems');
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('signals').addColumn('problem_id', 'integer').execute();
      await sql`update signals set problem_id = (select problem_id from signal_problems where signal_id = signals.id) where id in (select signal_id from signal_problems)`.execute(db);
      await db.schema.createIndex('signals_problem').on('signals').column('problem_id').execute();
      if (dialect === 'postgres') await stopCountingChanges(db, 'signal_problems');
      await db.schema.dropTable('signal_problems').execute();
    },
  };
}

/** The migrations in order. Keys sort lexically; keep the numeric prefix. */
export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_deployment_outcomes': deploymentOutcomes(dialect),
    '0003_metric_indexes': metricIndexes(dialect),
    '0004_change_shipments': changeShipments(dialect),
    '0005_attribution_lookups': attributionLookups(),
    '0006_signal_problems': signalProblems(dialect),
  };
}

/** `schema`: the PostgreSQL schema the store lives in; named so tables of the same name in other schemas are not mistaken for ours. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect, schema?: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(dialect) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'escapement_migrations',
    migrationLockTableName: 'escapement_migrations_lock',
    ...(dialect === 'postgres' ? { migrationTableSchema: schema ?? 'public' } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Used by tests to check the store answers. */
export async function ping(db: Kysely<unknown>): Promise<void> {
  await sql`select 1`.execute(db);
}
