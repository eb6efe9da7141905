// Where a pipeline run writes its problems: here, one batch after the other, or, for a large run on a
// SQLite file, in a worker thread with a connection of its own (write-worker.ts), so that the
// pipeline's thread derives the next batch while the last one is stored. Batches are written in the
// order given; at most WRITES_AHEAD wait for the worker. The pipeline's thread writes nothing while
// the worker does (its steps only read), so the two connections never wait for each other's locks.
import type { Store } from '../store/connection.ts';
import { type ProblemWrite, writeProblems } from '../store/problems.ts';
import { startTypeScriptWorker, WorkerInbox } from '../threads.ts';

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Signals pointed at another problem than before. */
  signals: number;
}

export interface ProblemWriter {
  write(batch: readonly ProblemWrite[]): Promise<void>;
  /** Waits until every batch is stored and returns what was written. */
  close(): Promise<WriteCounts>;
}

export type ToWriter = { type: 'batch'; batch: readonly ProblemWrite[] } | { type: 'end' };
export type FromWriter = { type: 'written'; counts: WriteCounts } | { type: 'closed' } | { type: 'failed'; message: string };

/** Batches sent to the worker and not yet stored, before `write` waits. */
const WRITES_AHEAD = 2;

const none = (): WriteCounts => ({ inserted: 0, updated: 0, unchanged: 0, signals: 0 });

function add(total: WriteCounts, counts: WriteCounts): void {
  total.inserted += counts.inserted;
  total.updated += counts.updated;
  total.unchanged += counts.unchanged;
  total.signals += counts.signals;
}

export function writerHere(store: Store, now: string): ProblemWriter {
  const total = none();
  return {
    async write(batch) {
      add(total, await writeProblems(store.db, batch, now, store.sqlite));
    },
    close: async () => total,
  };
}

/** A writer in a worker thread for the SQLite database file `file`. */
export function writerInWorker(file: string, now: string): ProblemWriter {
  const worker = startTypeScriptWorker(new URL('./write-worker.ts', import.meta.url), { file, now });
  const inbox = new WorkerInbox<FromWriter>(worker, 'the problem writer');
  const total = none();
  let waiting = 0;
  const stored = async () => {
    const message = await inbox.next();
    if (message.type !== 'written') throw new Error(`the problem writer: unexpected ${message.type}`);
    add(total, message.counts);
    waiting--;
  };
  return {
    async write(batch) {
      try {
        worker.postMessage({ type: 'batch', batch } satisfies ToWriter);
        waiting++;
        while (waiting >= WRITES_AHEAD) await stored();
      } catch (error) {
        await worker.terminate();
        throw error;
      }
    },
    async close() {
      try {
        while (waiting > 0) await stored();
        worker.postMessage({ type: 'end' } satisfies ToWriter);
        await inbox.next();
        return total;
      } finally {
        await worker.terminate();
      }
    },
  };
}
