// Bulk loads into SQLite: keeping a table's secondary indexes up to date row by row costs more than
// building them once from the loaded table. Both happen inside the caller's transaction, and SQLite's
// schema changes are transactional: if the load fails or is rolled back (or the process dies), the
// indexes come back with the rollback; if it commits, they were rebuilt before the commit.
import type { SqliteConnection } from './connection.ts';

/** The secondary indexes of a table: those with SQL of their own (not the ones a key or constraint made). */
function secondaryIndexes(sqlite: SqliteConnection, table: string): { name: string; sql: string }[] {
  return sqlite.prepare<[string], { name: string; sql: string }>("select name, sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null order by name").all(table);
}

/**
 * Rows in the table, as its highest rowid says (a cheap bound: no scan). Only for tables whose key
 * is an integer id.
 */
export function approximateRowCount(sqlite: SqliteConnection, table: string): number {
  const row = sqlite.prepare<[], { n: number | null }>(`select max(rowid) as n from "${table}"`).get();
  return row?.n ?? 0;
}

/**
 * Drops the table's secondary indexes; the returned function builds them again. Must run inside a
 * transaction that the returned function is called in before it commits.
 */
export function suspendSecondaryIndexes(sqlite: SqliteConnection, table: string): () => void {
  if (!sqlite.inTransaction) throw new Error(`suspendSecondaryIndexes(${table}): only inside a transaction`);
  const indexes = secondaryIndexes(sqlite, table);
  for (const index of indexes) sqlite.exec(`drop index "${index.name}"`);
  return () => {
    for (const index of indexes) sqlite.exec(index.sql);
  };
}
