// The worker thread that reads the signals for correlation (started by reader-thread.ts): pages of
// signals in time order, with a connection of its own, never more than `ahead` pages ahead.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { rawSignalsInTimeOrder } from '../store/problems.ts';
import { pageSender } from '../threads.ts';
import type { CorrelationSignal } from './correlate.ts';
import type { ReaderJob } from './reader-thread.ts';

const job = workerData as ReaderJob;

pageSender<CorrelationSignal[]>(parentPort!, job.ahead).run(function* () {
  const sqlite = new Database(job.file, { fileMustExist: true, readonly: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma(`cache_size = ${job.cacheSize}`);
    yield* rawSignalsInTimeOrder(sqlite, 'correlation', job.pageSize);
  } finally {
    sqlite.close();
  }
});
