// SQLite copies its write-ahead log back into the database file (a checkpoint) from whichever
// connection commits past 1,000 log pages, inside that commit: on the server that is the event loop,
// and the copy with its fsync stalls every request in flight (up to 160 ms measured under webhook
// load). While the server runs, a worker thread with a connection of its own checkpoints instead,
// and the server's connection stops doing it; when the worker stops, the connection's setting is put back.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteConnection } from '../store/connection.ts';

/** What one checkpoint reported (SQLite's `PRAGMA wal_checkpoint`): log pages, and how many were copied. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface CheckpointerOptions {
  /** How often the worker checkpoints, in milliseconds. */
  intervalMs?: number;
  /** Told when the worker fails; the server's connection then checkpoints again by itself. */
  onError?: (error: Error) => void;
}

// Plain JavaScript, run by the worker as is: checkpoint now and then, report what was copied.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  const result = checkpoint.get();
  if (result.checkpointed > 0) parentPort.postMessage(result);
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #sqlite: SqliteConnection;
  readonly #autocheckpoint: number;
  readonly #exited: Promise<void>;
  readonly #listeners = new Set<(result: CheckpointResult) => void>();
  #checkpoints = 0;
  #stopped = false;

  /** Starts checkpointing the connection's database file in a worker; undefined where there is no log to checkpoint (`:memory:`, not WAL). */
  static start(sqlite: SqliteConnection, options: CheckpointerOptions = {}): WalCheckpointer | undefined {
    if (sqlite.memory || String(sqlite.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return undefined;
    return new WalCheckpointer(sqlite, options);
  }

  private constructor(sqlite: SqliteConnection, options: CheckpointerOptions) {
    this.#sqlite = sqlite;
    this.#autocheckpoint = Number(sqlite.pragma('wal_autocheckpoint', { simple: true }));
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER, { eval: true, workerData: { driver, file: sqlite.name, intervalMs: options.intervalMs ?? 100 } });
    this.#worker.unref();
    sqlite.pragma('wal_autocheckpoint = 0');
    this.#worker.on('message', (result: CheckpointResult) => {
      this.#checkpoints++;
      for (const listener of this.#listeners) listener(result);
    });
    this.#worker.on('error', (error) => {
      this.#restore();
      options.onError?.(error);
    });
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
  }

  /** Checkpoints that copied pages so far. */
  get checkpoints(): number {
    return this.#checkpoints;
  }

  /** Resolves with the next checkpoint that copies pages. */
  nextCheckpoint(): Promise<CheckpointResult> {
    return new Promise((resolve) => {
      const listener = (result: CheckpointResult) => {
        this.#listeners.delete(listener);
        resolve(result);
      };
      this.#listeners.add(listener);
    });
  }

  /** Stops the worker and gives checkpoints back to the server's connection. */
  async stop(): Promise<void> {
    if (!this.#stopped) this.#worker.postMessage('stop');
    this.#restore();
    await this.#exited;
  }

  #restore(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#sqlite.open) this.#sqlite.pragma(`wal_autocheckpoint = ${this.#autocheckpoint}`);
  }
}
