// Migrations that move data: a store migrated by an earlier version keeps what the pipeline derived.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { migrationsFor } from '../../src/store/migrations.ts';

let db: Kysely<unknown> | undefined;
afterEach(async () => {
  await db?.destroy();
  db = undefined;
});

const migrator = (k: Kysely<unknown>) => new Migrator({ db: k, provider: { getMigrations: async () => migrationsFor('sqlite') }, migrationTableName: 'escapement_migrations', migrationLockTableName: 'escapement_migrations_lock' });

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
});
