// Worker threads that run one of our TypeScript modules: the module is loaded through tsx's loader,
// as the CLI loads the sources, so there is no build step. The module reads its job from `workerData`
// (merged with what the loader needs); a failure to load it arrives as a `failed` message.
//
// The worker's first code registers tsx's loader, then loads the module: Node 20 gives a worker
// neither the loader the CLI registered in its own thread nor one named in the worker's execArgv in
// time for its entry module, and vitest has a module runner of its own.
import { type MessagePort, Worker } from 'node:worker_threads';

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
 * The messages one or more workers send, one at a time and in the order they arrive. A `failed`
 * message ("WHAT failed: …"), an error or a worker's exit ("WHAT stopped …") fails the wait, `what`
 * saying which worker it was. `close` stops listening (a pooled worker serves other inboxes later).
 */
export class WorkerInbox<T extends { type: string }> {
  readonly #queue: T[] = [];
  readonly #detach: (() => void)[] = [];
  #failure: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(
    workers: Worker | readonly Worker[],
    private readonly what: string,
  ) {
    const arrived = () => {
      this.#wake?.();
      this.#wake = undefined;
    };
    for (const worker of Array.isArray(workers) ? workers : [workers as Worker]) {
      const onMessage = (message: T) => (this.#queue.push(message), arrived());
      const onError = (error: Error) => ((this.#failure ??= error), arrived());
      const onExit = (code: number) => ((this.#failure ??= new Error(`${what} stopped (exit code ${code})`)), arrived());
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      this.#detach.push(() => worker.off('message', onMessage).off('error', onError).off('exit', onExit));
    }
  }

  async next(): Promise<Exclude<T, { type: 'failed' }>> {
    for (;;) {
      const message = this.#queue.shift();
      if (message !== undefined) {
        if (message.type === 'failed') throw new Error(`${this.what} failed: ${(message as unknown as { message: string }).message}`);
        return message as Exclude<T, { type: 'failed' }>;
      }
      if (this.#failure) throw this.#failure;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  close(): void {
    for (const detach of this.#detach.splice(0)) detach();
  }
}

/** What a worker that sends pages says: what it prepared, a page, that it has sent the last one, or why it stopped. */
export type PageMessage<T> = { type: 'ready'; ready: unknown } | { type: 'page'; page: T } | { type: 'done' } | { type: 'failed'; message: string };

/** A worker started ahead of its pages, which may prepare something first (`ready`). */
export interface PageWorker<T> {
  /** What the worker sends before it reads (a `ready` message); it waits for `pages` to go on. */
  ready<R>(): Promise<R>;
  /** The pages, in order, each acknowledged when taken; taken once, after `ready` for a worker that sends one. Stopping early stops the worker. */
  pages(): AsyncGenerator<T>;
  /** Stops the worker when its pages will not be taken (the run failed before). */
  stop(): Promise<void>;
}

/**
 * Starts `entry` (a module's URL) with `job` now. `pages` tells the worker to start (`started`) and
 * yields the pages it sends (`pageSender`), each acknowledged when taken, which lets the worker read
 * on. A failure in the worker is thrown by `ready` or `pages`.
 */
export function pageWorker<T>(entry: URL, job: Record<string, unknown>, what: string): PageWorker<T> {
  const worker = startTypeScriptWorker(entry, job);
  const inbox = new WorkerInbox<PageMessage<T>>(worker, what);
  const stop = async () => {
    inbox.close();
    await worker.terminate();
  };
  return {
    async ready<R>() {
      const message = await inbox.next();
      if (message.type !== 'ready') throw new Error(`${what}: expected what it prepared, got a ${message.type} message`);
      return message.ready as R;
    },
    async *pages() {
      try {
        worker.postMessage('start');
        for (;;) {
          const message = await inbox.next();
          if (message.type === 'done') return;
          if (message.type !== 'page') throw new Error(`${what}: unexpected ${message.type} message`);
          worker.postMessage('ack');
          yield message.page;
        }
      } finally {
        await stop();
      }
    },
    stop,
  };
}

/** The pages a worker (`entry`, started with `job`) sends, in order: a `pageWorker` taken at once. */
export function pagesFromWorker<T>(entry: URL, job: Record<string, unknown>, what: string): AsyncGenerator<T> {
  return pageWorker<T>(entry, job, what).pages();
}

/** In a worker started by pageWorker: resolves when its pages are asked for. */
export function started(port: MessagePort): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (message !== 'start') return;
      port.off('message', onMessage);
      resolve();
    };
    port.on('message', onMessage);
  });
}

/**
 * In a worker started by pageWorker: `run` sends what `pages` yields, waiting while `ahead` pages are
 * not yet taken, then `done`, or the error that stopped it; `ready` sends what the worker prepared
 * before its pages.
 */
export function pageSender<T>(port: MessagePort, ahead: number): { ready(value: unknown): void; run(pages: () => AsyncIterable<T> | Iterable<T>): void } {
  let waiting = 0;
  let wake: (() => void) | undefined;
  port.on('message', (message: unknown) => {
    if (message !== 'ack') return;
    waiting--;
    wake?.();
    wake = undefined;
  });
  const post = (message: PageMessage<T>) => port.postMessage(message);
  return {
    ready: (value) => post({ type: 'ready', ready: value }),
    run(pages) {
      (async () => {
        for await (const page of pages()) {
          while (waiting >= ahead) await new Promise<void>((resolve) => (wake = resolve));
          waiting++;
          post({ type: 'page', page });
        }
        post({ type: 'done' });
      })().catch((error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
    },
  };
}
