// The first pass's signals, read by a worker thread (reader-worker.ts) while this thread correlates the
// pages already read: on a large SQLite file, reading was a third of correlation's time. Started
// before the run settles the signals' services, it reads meanwhile what the links name.
import type { CorrelationSignal } from './correlate.ts';
import { pageWorker, type PageWorker } from '../threads.ts';

export interface ReaderJob {
  file: string;
  /** Pages sent and not yet taken before the worker waits. */
  ahead: number;
}

/** Signals in the order correlation needs, their `tokens` set (and titles only where there is no service), and the words the page added to the vocabulary. */
export interface ReaderPage {
  signals: CorrelationSignal[];
  words: string[];
}

/**
 * Starts the reader of the database file `file`: `ready` gives the tokens the signals' links name
 * (linkTargets), read while the pipeline's thread settles the signals' services; `pages` then gives
 * the signals in the order correlation needs (as signalsInTimeOrder gives them, but for the titles the
 * correlator does not read: `needsTitle`), their titles' words numbered by a TitleVocabulary, whose
 * words the correlator's vocabulary learns page by page.
 */
export function correlationReader(file: string): PageWorker<ReaderPage> {
  const job: ReaderJob = { file, ahead: 8 };
  return pageWorker<ReaderPage>(new URL('./reader-worker.ts', import.meta.url), { ...job }, 'the signal reader');
}
