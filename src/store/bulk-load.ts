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

/**
 * For one large write transaction on a database no other connection has open: SQLite's rollback
 * journal instead of its write-ahead log. The pages a growing table adds are then written once, into
 * the database file, instead of into the log and again by the checkpoint that copies it back (the large
 * history imported at 100–106k records/s against 87–96k, with about 8% less CPU). The journal is synced
 * at commit (`synchronous = FULL`), so a crash loses nothing more than with the log. When another
 * connection has the database open — a server, its checkpoint worker, another process — the switch is
 * refused at once (no busy wait) and the import runs on the log as before. While it runs on the journal,
 * other processes that open the database wait for it. Returns what puts the log back; call it outside
 * the transaction.
 */
export function preferRollbackJournal(sqlite: SqliteConnection): () => void {
  const unchanged = () => {};
  if (sqlite.memory || sqlite.inTransaction) return unchanged;
  if (String(sqlite.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return unchanged;
  const busyTimeout = sqlite.pragma('busy_timeout', { simple: true });
  const synchronous = sqlite.pragma('synchronous', { simple: true });
  let mode = 'wal';
  try {
    sqlite.pragma('busy_timeout = 0');
    mode = String(sqlite.pragma('journal_mode = DELETE', { simple: true })).toLowerCase();
  } catch {
    // Another connection holds the database: stay on the log.
  } finally {
    sqlite.pragma(`busy_timeout = ${busyTimeout}`);
  }
  if (mode !== 'delete') return unchanged;
  sqlite.pragma('synchronous = FULL');
  return () => {
    sqlite.pragma(`synchronous = ${synchronous}`);
    try {
      sqlite.pragma('journal_mode = WAL');
    } catch {
      // Another process opened the database meanwhile and still reads it: the file's rows are
      // committed all the same, and the store goes back to the log when it is next opened.
    }
  };
}

/** How much write-ahead log a long write lets grow before a commit copies it back (see fewerCheckpoints). */
export const LONG_WRITE_LOG_BYTES = 64 * 1024 * 1024;

/**
 * For a long run of write transactions on the write-ahead log (the pipeline's): the commit that takes
 * the log past `wal_autocheckpoint` pages copies it back into the database file and syncs both, and at
 * SQLite's 1,000 pages that is every 16 MB written. Where a sync takes tens of milliseconds (this
 * project's 2-core VMs: 35 ms on average; 493 syncs, 17 s of waiting, in a large first run), the waits
 * add up; a 64 MB log checkpoints a quarter as often. A connection that does not
 * checkpoint by itself (0: the server's checkpoint worker does it) is left as it is. Returns what puts
 * the setting back; the next commit past it then copies the rest.
 */
export function fewerCheckpoints(sqlite: SqliteConnection, logBytes = LONG_WRITE_LOG_BYTES): () => void {
  const unchanged = () => {};
  if (sqlite.memory || String(sqlite.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return unchanged;
  const pages = Number(sqlite.pragma('wal_autocheckpoint', { simple: true }));
  const wanted = Math.ceil(logBytes / Number(sqlite.pragma('page_size', { simple: true })));
  if (pages <= 0 || pages >= wanted) return unchanged;
  sqlite.pragma(`wal_autocheckpoint = ${wanted}`);
  return () => {
    // A connection closed meanwhile took the setting with it; throwing here would hide why it closed.
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${pages}`);
  };
}
