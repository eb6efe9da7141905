// The worker thread that stores a large pipeline run's problems (started by problem-writer.ts): each
// batch it is sent is written in a transaction of its own (writeProblems), in the order sent, with a
// connection of its own that, like the pipeline's, lets the log grow before copying it back.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { fewerCheckpoints } from '../store/bulk-load.ts';
import { openStore, type Store } from '../store/connection.ts';
import { writeProblems } from '../store/problems.ts';
import type { FromWriter, ToWriter } from './problem-writer.ts';

const port = parentPort!;
const { file, now } = workerData as { file: string; now: string };
const send = (message: FromWriter) => port.postMessage(message);
const fail = (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });

let store: Store | undefined;
let restore = () => {};
let failed = false;
// Batches are written one after the other, in the order they came; nothing after a failure.
let written: Promise<void> = (async () => {
  // The pipeline's database, not a new one where it was.
  if (!existsSync(file)) throw new Error(`no database at ${file}`);
  store = await openStore({ dbPath: file });
  restore = fewerCheckpoints(store.sqlite!);
})().catch((error: unknown) => {
  failed = true;
  fail(error);
});

port.on('message', (message: ToWriter) => {
  written = written
    .then(async () => {
      if (failed) return;
      if (message.type === 'batch') {
        send({ type: 'written', counts: await writeProblems(store!.db, message.batch, now, store!.sqlite) });
        return;
      }
      restore();
      await store!.close();
      send({ type: 'closed' });
    })
    .catch((error: unknown) => {
      failed = true;
      fail(error);
    });
});
