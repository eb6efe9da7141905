// Opens a fresh store of each dialect for the conformance suites: SQLite in memory always,
// PostgreSQL in a schema of its own when a server is reachable (skipped with a reason otherwise).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/connection.ts';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgReachable: Promise<string | null> | undefined;

/** null when PostgreSQL answers, else the reason it does not. */
export function postgresUnavailable(): Promise<string | null> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return null;
    } catch (error) {
      return `PostgreSQL not reachable at ${PG_URL}: ${(error as Error).message}`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return pgReachable;
}

export interface StoreFactory {
  dialect: 'sqlite' | 'postgres';
  /** Why this dialect is skipped here, or null. */
  skip: string | null;
  open(): Promise<Store>;
}

// Kysely's Migrator looks for its own tables with a catalog query (pg_get_serial_sequence over every
// schema's columns) before it takes its lock, so a schema that another test file drops in that moment
// fails the migration with "schema esc_test_… does not exist" (a table or column dropped by a migration
// committed a step at a time fails it alike). Test files run in parallel: opening a store holds this
// advisory key shared; dropping a schema, or migrating one step by step, holds it alone.
export const SCHEMA_CHANGES = 7_300_151;

async function holdingSchemaLock<T>(mode: 'shared' | 'alone', work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(mode === 'shared' ? 'select pg_advisory_lock_shared($1)' : 'select pg_advisory_lock($1)', [SCHEMA_CHANGES]);
    return await work(client);
  } finally {
    await client.end(); // ends the session, and with it the advisory lock
  }
}

/** A store on a PostgreSQL schema (created and migrated if need be), opened safely alongside other test files. */
export const openPostgresStore = (schema: string): Promise<Store> =>
  holdingSchemaLock('shared', () => openStore({ databaseUrl: PG_URL, pgSchema: schema }));

/** Drops a PostgreSQL schema while no test file is migrating one. */
export const dropSchema = (schema: string): Promise<void> =>
  holdingSchemaLock('alone', async (client) => {
    await client.query(`drop schema if exists ${schema} cascade`);
  });

/** The dialects to run a conformance suite against. Each `open()` gives an empty, migrated store. */
export async function storeFactories(): Promise<StoreFactory[]> {
  const pgSkip = await postgresUnavailable();
  if (pgSkip && process.env.CI) throw new Error(`CI must run the PostgreSQL suites: ${pgSkip}`);
  return [
    { dialect: 'sqlite', skip: null, open: () => openStore({ dbPath: ':memory:' }) },
    {
      dialect: 'postgres',
      skip: pgSkip,
      async open() {
        const schema = `esc_test_${randomBytes(6).toString('hex')}`;
        const store = await openPostgresStore(schema);
        const close = store.close;
        return {
          ...store,
          close: async () => {
            try {
              await close();
            } finally {
              await dropSchema(schema);
            }
          },
        };
      },
    },
  ];
}
