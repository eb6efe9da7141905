// The first pass's signals, read by a worker thread (reader-worker.ts) while this thread correlates the
// pages already read: on a large SQLite file, reading was a third of correlation's time.
import type { CorrelationSignal } from './correlate.ts';
import { pagesFromWorker } from '../threads.ts';

export interface ReaderJob {
  file: string;
  pageSize: number;
  /** SQLite's `cache_size` for the worker's connection: a read that streams through the file reuses few pages (16 MB). */
  cacheSize: number;
  /** Pages sent and not yet taken before the worker waits. */
  ahead: number;
}

/** Pages of signals in the order correlation needs (as signalsInTimeOrder gives them), from the database file `file`. */
export function correlationPagesFromWorker(file: string): AsyncGenerator<CorrelationSignal[]> {
  const job: ReaderJob = { file, pageSize: 1000, cacheSize: -16384, ahead: 8 };
  return pagesFromWorker<CorrelationSignal[]>(new URL('./reader-worker.ts', import.meta.url), { ...job }, 'the signal reader');
}
