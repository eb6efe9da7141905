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

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

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
        const store = await openStore({ databaseUrl: PG_URL, pgSchema: schema });
        const close = store.close;
        return { ...store, close: async () => { await close(); await dropSchema(schema); } };
      },
    },
  ];
}
