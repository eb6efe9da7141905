// Worker threads that run one of our TypeScript modules: the module is loaded through tsx's loader,
// as the CLI loads the sources, so there is no build step. The module reads its job from `workerData`
// (merged with what the loader needs); a failure to load it arrives as a `failed` message.
//
// The worker's first code registers tsx's loader, then loads the module: Node 20 gives a worker
// neither the loader the CLI registered in its own thread nor one named in the worker's execArgv in
// time for its entry module, and vitest has a module runner of its own.
import { Worker } from 'node:worker_threads';

const BOOTSTRAP = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.tsxApi)
  .then((tsx) => { tsx.register(); return import(workerData.entry); })
  .catch((error) => parentPort.postMessage({ type: 'failed', message: String(error?.stack ?? error) }));
`;

/** Starts `entry` (a module's URL) in a worker thread with `workerData`. */
export function startTypeScriptWorker(entry: URL, workerData: Record<string, unknown> = {}): Worker {
  return new Worker(BOOTSTRAP, { eval: true, workerData: { ...workerData, entry: entry.href, tsxApi: import.meta.resolve('tsx/esm/api') } });
}

/**
 * The messages a worker sends, one at a time and in order. A `failed` message, an error or the
 * worker's exit fails the wait, with `what` saying which worker it was.
 */
export class WorkerInbox<T extends { type: string }> {
  readonly #queue: T[] = [];
  #failure: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(worker: Worker, what: string) {
    const arrived = () => {
      this.#wake?.();
      this.#wake = undefined;
    };
    worker.on('message', (message: T) => (this.#queue.push(message), arrived()));
    worker.on('error', (error) => ((this.#failure ??= error), arrived()));
    worker.on('exit', (code) => ((this.#failure ??= new Error(`${what} stopped (exit code ${code})`)), arrived()));
  }

  async next(): Promise<Exclude<T, { type: 'failed' }>> {
    for (;;) {
      const message = this.#queue.shift();
      if (message !== undefined) {
        if (message.type === 'failed') throw new Error((message as unknown as { message: string }).message);
        return message as Exclude<T, { type: 'failed' }>;
      }
      if (this.#failure) throw this.#failure;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}
