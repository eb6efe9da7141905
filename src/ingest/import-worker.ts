// The worker thread of file imports (started by rowChunksFromWorker in import-rows.ts): for each file
// it is sent, it reads and validates the lines, makes their rows and sends them on to the importing thread,
// which writes them, never more than CHUNKS_AHEAD chunks ahead of it.
import { parentPort } from 'node:worker_threads';
import { CHUNKS_AHEAD, fileRowChunks, type FromWorker, type ToWorker } from './import-rows.ts';

const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);
let ahead = 0;
let wake: (() => void) | undefined;

async function sendFile(job: Extract<ToWorker, { type: 'file' }>): Promise<void> {
  ahead = 0;
  for await (const chunk of fileRowChunks(job.file, job.format, job.kind, job.services)) {
    while (ahead >= CHUNKS_AHEAD) await new Promise<void>((resolve) => (wake = resolve));
    ahead++;
    send({ type: 'chunk', chunk });
  }
  send({ type: 'done' });
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'ack') {
    ahead--;
    wake?.();
    wake = undefined;
    return;
  }
  sendFile(message).catch((error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
});
