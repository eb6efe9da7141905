// Migrations that move data: a store migrated by an earlier version keeps what the pipeline derived.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { migrationsFor } from '../../src/store/migrations.ts';
import { PG_URL, SCHEMA_CHANGES, dropSchema, postgresUnavailable } from '../helpers/stores.ts';

let db: Kysely<unknown> | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await db?.destroy();
  db = undefined;
  await cleanup?.();
  cleanup = undefined;
});

const migrator = (k: Kysely<unknown>, dialect: 'sqlite' | 'postgres' = 'sqlite', schema?: string) =>
  new Migrator({ db: k, provider: { getMigrations: async () => migrationsFor(dialect) }, migrationTableName: 'escapement_migrations', migrationLockTableName: 'escapement_migrations_lock', ...(schema ? { migrationTableSchema: schema } : {}) });

/** An empty PostgreSQL schema of its own, dropped after the test. */
async function postgresSchema(): Promise<{ db: Kysely<unknown>; schema: string }> {
  const schema = `esc_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  cleanup = async () => {
    await admin.end();
    await dropSchema(schema);
  };
  // The test migrates up and down a step at a time, each step committed: the tables and columns it drops
  // on the way would fail another file's migration as a dropped schema does. Hold the key alone.
  await admin.query('select pg_advisory_lock($1)', [SCHEMA_CHANGES]);
  await admin.query(`create schema ${schema}`);
  return { db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${schema}` }) }) }), schema };
}

const pgSkip = await postgresUnavailable();

describe('0006_signal_problems', () => {
  it("moves each signal's problem out of the signals' rows, and back when undone", async () => {
    db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    const m = migrator(db);
    expect((await m.migrateTo('0005_attribution_lookups')).error).toBeUndefined();
    const signal = (n: number, problem: number | null) =>
      sql`insert into signals (source, external_id, kind, occurred_at, title, status, labels, links, content_hash, created_at, updated_at, problem_id)
          values ('pagerduty', ${`P${n}`}, 'alert', '2025-11-03T10:00:00.000Z', 'errors', 'open', '{}', '[]', 'h', 'now', 'now', ${problem})`.execute(db!);
    await signal(1, 11);
    await signal(2, 11);
    await signal(3, null);

    expect((await m.migrateTo('0006_signal_problems')).error).toBeUndefined();
    const pointers = await sql<{ signal_id: number; problem_id: number }>`select signal_id, problem_id from signal_problems order by signal_id`.execute(db);
    expect(pointers.rows).toEqual([{ signal_id: 1, problem_id: 11 }, { signal_id: 2, problem_id: 11 }]);
    const columns = await sql<{ name: string }>`select name from pragma_table_info('signals')`.execute(db);
    expect(columns.rows.map((c) => c.name)).not.toContain('problem_id');

    expect((await m.migrateTo('0005_attribution_lookups')).error).toBeUndefined();
    const back = await sql<{ external_id: string; problem_id: number | null }>`select external_id, problem_id from signals order by id`.execute(db);
    expect(back.rows).toEqual([{ external_id: 'P1', problem_id: 11 }, { external_id: 'P2', problem_id: 11 }, { external_id: 'P3', problem_id: null }]);
  });

  it.skipIf(pgSkip)('on PostgreSQL, also counts writes to the pointers for the metrics cache, and gives that counter back when undone', async () => {
    const opened = await postgresSchema();
    db = opened.db;
    const m = migrator(db, 'postgres', opened.schema);
    expect((await m.migrateTo('0005_attribution_lookups')).error).toBeUndefined();
    for (const [n, problem] of [[1, 11], [2, null]] as const) {
      await sql`insert into signals (source, external_id, kind, occurred_at, title, status, labels, links, content_hash, created_at, updated_at, problem_id)
          values ('pagerduty', ${`P${n}`}, 'alert', now(), 'errors', 'open', '{}', '[]', 'h', now(), now(), ${problem})`.execute(db);
    }
    expect((await m.migrateTo('0006_signal_problems')).error).toBeUndefined();
    expect((await sql`select signal_id, problem_id from signal_problems`.execute(db)).rows).toEqual([{ signal_id: 1, problem_id: 11 }]);
    const version = async () => (await sql<{ version: string }>`select version from escapement_data_versions where table_name = 'signal_problems'`.execute(db!)).rows.map((r) => Number(r.version));
    expect(await version()).toEqual([0]);
    // The pipeline's upsert (an insert, and an update of a pointer that moves) each move the counter.
    const upsert = (problem: number) => sql`insert into signal_problems (signal_id, problem_id) values (2, ${problem}) on conflict (signal_id) do update set problem_id = excluded.problem_id`.execute(db!);
    await upsert(12);
    const [inserted] = await version();
    expect(inserted).toBeGreaterThan(0);
    await upsert(13);
    expect((await version())[0]).toBeGreaterThan(inserted!);

    expect((await m.migrateTo('0005_attribution_lookups')).error).toBeUndefined();
    expect((await sql`select external_id, problem_id from signals order by id`.execute(db)).rows).toEqual([{ external_id: 'P1', problem_id: 11 }, { external_id: 'P2', problem_id: 13 }]);
    expect(await version()).toEqual([]);
    expect((await m.migrateToLatest()).error).toBeUndefined();
    expect(await version()).toEqual([0]);
  });
});
