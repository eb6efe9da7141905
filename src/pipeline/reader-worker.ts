// The worker thread that reads the signals for correlation (started by reader-thread.ts): the tokens
// their links name, then pages of signals in time order with their titles' words numbered (and the
// titles themselves only where the correlator reads them), with a connection of its own, never more
// than `ahead` pages ahead.
import { parentPort, workerData } from 'node:worker_threads';
import { openStreamingReader, rawSignalLinks, rawSignalsInTimeOrder } from '../store/problems.ts';
import { pageSender, started } from '../threads.ts';
import { linkTargets, needsTitle, TitleVocabulary } from './correlate.ts';
import type { ReaderJob, ReaderPage } from './reader-thread.ts';

const job = workerData as ReaderJob;

const sender = pageSender<ReaderPage>(parentPort!, job.ahead);
// Asked for, first the tokens links name (which the correlator needs before the first signal), then
// the signals, once the pipeline's thread has settled their services.
const go = started(parentPort!);
sender.run(async function* () {
  const sqlite = openStreamingReader(job.file);
  try {
    sender.ready([...linkTargets(rawSignalLinks(sqlite))]);
    await go;
    // The titles' words are numbered here, off the correlator's thread; each page says which words it added.
    const vocabulary = new TitleVocabulary();
    for (const signals of rawSignalsInTimeOrder(sqlite, 'correlation')) {
      const known = vocabulary.words.length;
      for (const signal of signals) {
        signal.tokens = vocabulary.tokens(signal.title);
        // With its words numbered, the correlator reads a title only to find a service named by a
        // signal that has none (needsTitle): on the large history nine titles in ten need not cross
        // to its thread (correlate phase back to back 12.6 / 14.1 / 14.0 -> 12.4 / 11.6 / 11.9 s).
        if (!needsTitle(signal)) signal.title = '';
      }
      yield { signals, words: vocabulary.words.slice(known) };
    }
  } finally {
    sqlite.close();
  }
});
