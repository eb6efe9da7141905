// The worker thread of a pipeline run on a SQLite file (started by assembly-thread.ts): it reads the
// signals in time order a second time and summarises each problem as its last signal goes by
// (createAssembler), while the pipeline's thread classifies, attributes and writes the problems it
// was already sent. Never more than AHEAD pages ahead of that thread.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { rawSignalsInTimeOrder } from '../store/problems.ts';
import { createAssembler } from './assemble.ts';
import type { AssemblyJob, FromAssembly, ToAssembly } from './assembly-thread.ts';
import { correlationResult } from './correlate.ts';

const port = parentPort!;
const job = workerData as AssemblyJob;
let ahead = 0;
let wake: (() => void) | undefined;
port.on('message', (message: ToAssembly) => {
  if (message.type !== 'ack') return;
  ahead--;
  wake?.();
  wake = undefined;
});
const send = (message: FromAssembly) => port.postMessage(message);

async function assemble(): Promise<void> {
  const sqlite = new Database(job.file, { fileMustExist: true, readonly: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma(`cache_size = ${job.cacheSize}`);
    const assembler = createAssembler(correlationResult(job.data));
    let done = 0;
    for (const page of rawSignalsInTimeOrder(sqlite, 'assembly', job.pageSize)) {
      const drafts = [];
      for (const s of page) {
        const draft = assembler.add(s);
        if (draft) drafts.push(draft);
      }
      done += page.length;
      while (ahead >= job.ahead) await new Promise<void>((resolve) => (wake = resolve));
      ahead++;
      send({ type: 'page', drafts, done });
    }
    send({ type: 'done', done });
  } finally {
    sqlite.close();
  }
}

assemble().catch((error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
