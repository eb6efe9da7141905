// Opens the embedded SQLite store or PostgreSQL, migrates it, and hides the dialect differences
// that reach the code: both return timestamps as UTC ISO strings and integers as numbers.
import { resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrations.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The raw embedded connection, for bulk writes through cached prepared statements. */
export type SqliteConnection = SqliteDatabase.Database;

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** On SQLite, the connection `db` runs on: statements on it share `db`'s transactions. */
  sqlite?: SqliteConnection;
  /** Where the data lives, for messages: a file path or the PostgreSQL URL without its password. */
  location: string;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** SQLite file path (`:memory:` for a throwaway store). */
  dbPath?: string;
  /** PostgreSQL connection string; wins over dbPath. */
  databaseUrl?: string;
  /** PostgreSQL schema to use (created if missing); tests use one schema per run. */
  pgSchema?: string;
}

export const DEFAULT_DB_FILE = 'escapement.db';

/** Chooses the store the way the CLI documents: DATABASE_URL, else --db, else ESCAPEMENT_DB, else ./escapement.db. */
export function storeOptionsFromEnv(flags: { db?: string | undefined }, env: NodeJS.ProcessEnv = process.env): StoreOptions {
  if (env.DATABASE_URL) return { databaseUrl: env.DATABASE_URL };
  return { dbPath: flags.db ?? env.ESCAPEMENT_DB ?? DEFAULT_DB_FILE };
}

function pgTypes() {
  const isoTimestamp = (value: string) => new Date(value).toISOString();
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      switch (oid) {
        case 1184: // timestamptz
        case 1114: // timestamp
          return isoTimestamp;
        case 20: // int8: counts and ids stay well inside 2^53
        case 1700: // numeric
          return (value: string) => Number(value);
        default:
          return pg.types.getTypeParser(oid, format as 'text');
      }
    },
  };
}

async function currentSchema(pool: pg.Pool): Promise<string> {
  const result = await pool.query<{ schema: string }>('select current_schema() as schema');
  return result.rows[0]?.schema ?? 'public';
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const schema = options.pgSchema;
    if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}`);
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      types: pgTypes() as pg.CustomTypesConfig,
      max: 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const store: Store = { db, dialect: 'postgres', location: redact(options.databaseUrl), close: () => db.destroy() };
    // Kysely lets go of the pool only if it took it up: a failure before the migrations ends it here.
    const release = async () => {
      await db.destroy();
      if (!pool.ending) await pool.end();
    };
    return migrated(store, release, async () => {
      if (schema) await pool.query(`create schema if not exists ${schema}`);
      await migrateToLatest(db as Kysely<unknown>, 'postgres', schema ?? (await currentSchema(pool)));
    });
  }
  const path = options.dbPath ?? DEFAULT_DB_FILE;
  const sqlite = new SqliteDatabase(path);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const store: Store = {
    db,
    dialect: 'sqlite',
    sqlite,
    location: path === ':memory:' ? path : resolve(path),
    close: () => db.destroy(),
  };
  const release = async () => {
    await db.destroy();
    if (sqlite.open) sqlite.close();
  };
  return migrated(store, release, async () => {
    // Pages of 16 KiB rather than 4 KiB for a database this creates (an existing one keeps its own;
    // it must be set before WAL mode): a bulk import's rows cost SQLite about a fifth less CPU to
    // store and commit (fewer, fuller B-tree pages and WAL frames).
    sqlite.pragma('page_size = 16384');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('temp_store = MEMORY');
    sqlite.pragma('cache_size = -65536');
    sqlite.pragma('busy_timeout = 5000');
    await migrateToLatest(db as Kysely<unknown>, 'sqlite');
  });
}

/** The store once set up and migrated; its file or pool let go again when that fails. */
async function migrated(store: Store, release: () => Promise<void>, setUp: () => Promise<void>): Promise<Store> {
  try {
    await setUp();
    return store;
  } catch (error) {
    await release().catch(() => {});
    throw error;
  }
}
