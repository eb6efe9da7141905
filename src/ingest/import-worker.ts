// The worker thread of file imports (started by import-rows.ts). For a piece of a JSONL file it is
// sent, it reads and validates the lines and sends their rows back (jsonlChunksFromWorkers). For a
// whole file (CSV) it sends the rows on a chunk at a time, never more than CHUNKS_AHEAD chunks
// ahead of the importing thread, which writes them (rowChunksFromWorker).
import { parentPort } from 'node:worker_threads';
import type { ServiceAliases } from '../store/services.ts';
import { CHUNKS_AHEAD, fileRowChunks, type FromWorker, pieceRows, type ToWorker } from './import-rows.ts';

const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);
let ahead = 0;
let wake: (() => void) | undefined;
/** The services the pieces' names map through, as last sent. */
let services: readonly ServiceAliases[] = [];

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
  if (message.type === 'piece') {
    try {
      if (message.services) services = message.services;
      send({ type: 'piece', id: message.id, chunk: pieceRows(message.bytes, message.kind, services) });
    } catch (error) {
      send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  sendFile(message).catch((error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
});
