// The reading half of a file import: lines → validated records → rows of plain values (the writer
// adds their content hash), a chunk at a time. It touches no database, so it runs in the importing thread or in
// a worker thread of its own (import-worker.ts) while the importing thread writes.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse';
import type { ImportKind } from '../domain/records.ts';
import { type ServiceAliases, serviceResolver } from '../store/services.ts';
import { importRowValues } from '../store/upsert.ts';
import { type LineError, parseCsvRow, parseJsonLine, type ParsedLine } from './parse-record.ts';

export type Format = 'jsonl' | 'csv';

/** A stretch of the input: its rows by kind (in input order within a kind) and its bad lines. */
export interface RowChunk {
  /** Lines in the chunk, good and bad (blank lines are not counted). */
  lines: number;
  rows: { kind: ImportKind; rows: unknown[][] }[];
  errors: LineError[];
  /** Bytes of the input read so far, where the reader knows it. */
  bytesRead?: number;
}

const LINE_BREAK = /\r\n|\n|\r/;

/**
 * The lines of a stream, a chunk's worth at a time (\n, \r\n or \r ends a line, as readline has
 * it); faster than readline, which hands lines over one event at a time.
 */
async function* splitLines(stream: Readable): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    let text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    // A \r at the very end may be the first half of \r\n: wait for the next chunk.
    const held = text.endsWith('\r') ? '\r' : '';
    if (held) text = text.slice(0, -1);
    const lines = text.indexOf('\r') < 0 ? text.split('\n') : text.split(LINE_BREAK);
    rest = lines.pop()! + held;
    if (lines.length > 0) yield lines;
  }
  const last = rest + decoder.end();
  if (last !== '') yield last.split(LINE_BREAK).filter((l, i, all) => i < all.length - 1 || l !== '');
}

/** The parsed lines of a stream, a chunk's worth at a time: one await per chunk rather than per line. */
async function* readLines(stream: Readable, format: Format, fallbackKind: ImportKind | undefined): AsyncGenerator<{ line: number; parsed: ParsedLine }[]> {
  if (format === 'jsonl') {
    let line = 0;
    for await (const lines of splitLines(stream)) {
      const parsed: { line: number; parsed: ParsedLine }[] = [];
      for (const text of lines) {
        line++;
        if (text.trim() === '') continue;
        parsed.push({ line, parsed: parseJsonLine(text, fallbackKind) });
      }
      yield parsed;
    }
    return;
  }
  const parser = stream.pipe(parseCsv({ columns: true, bom: true, skip_empty_lines: true, info: true, relax_column_count: false, trim: false }));
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield [{ line: item.info.lines, parsed: parseCsvRow(item.record, fallbackKind) }];
    }
  } catch (error) {
    const e = error as Error & { lines?: number };
    yield [{ line: e.lines ?? 0, parsed: { ok: false, error: { message: `not valid CSV (${e.message})` } } }];
  }
}

/** Lines gathered before a chunk is handed on (CSV comes a row at a time). */
const CHUNK_LINES = 512;

/**
 * The rows of a stream, a chunk at a time. Service names are mapped through `services` (those
 * stored when the import began) and through the services the input itself carries, from the line
 * that brings each one on, as the store would map them once that line is written.
 */
export async function* rowChunks(stream: Readable, format: Format, fallbackKind: ImportKind | undefined, services: readonly ServiceAliases[]): AsyncGenerator<RowChunk> {
  const known = new Map(services.map((s) => [s.name, s]));
  let resolveService = serviceResolver([...known.values()]);
  let chunk: RowChunk = { lines: 0, rows: [], errors: [] };
  let rowsOf = new Map<ImportKind, unknown[][]>();
  for await (const lines of readLines(stream, format, fallbackKind)) {
    for (const { line, parsed } of lines) {
      chunk.lines++;
      if (!parsed.ok) {
        chunk.errors.push({ line, ...parsed.error });
        continue;
      }
      const { kind, record } = parsed.value;
      let rows = rowsOf.get(kind);
      if (rows === undefined) {
        rowsOf.set(kind, (rows = []));
        chunk.rows.push({ kind, rows });
      }
      rows.push(importRowValues(kind, record as never, resolveService));
      if (parsed.value.kind === 'service') {
        const service = parsed.value.record;
        known.set(service.name, { name: service.name, aliases: service.aliases });
        resolveService = serviceResolver([...known.values()]);
      }
    }
    if (chunk.lines >= CHUNK_LINES) {
      yield chunk;
      chunk = { lines: 0, rows: [], errors: [] };
      rowsOf = new Map();
    }
  }
  if (chunk.lines > 0) yield chunk;
}

/** The rows of a file (rowChunks), each chunk with the bytes read so far. */
export async function* fileRowChunks(file: string, format: Format, fallbackKind: ImportKind | undefined, services: readonly ServiceAliases[]): AsyncGenerator<RowChunk> {
  // Larger reads than the 64 KiB default: fewer chunks to split and hand over, memory still bounded.
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let bytesRead = 0;
  stream.on('data', (chunk) => (bytesRead += chunk.length));
  // A 'data' listener starts the stream flowing, and chunks would be lost while the import awaits
  // its first query (PostgreSQL answers over the network). Paused, it yields chunks only when the
  // reader asks for them, and each still passes this listener.
  stream.pause();
  for await (const chunk of rowChunks(stream, format, fallbackKind, services)) {
    chunk.bytesRead = bytesRead;
    yield chunk;
  }
}

/** Chunks the worker may have sent ahead of the writer: enough to keep both threads busy, memory bounded. */
export const CHUNKS_AHEAD = 4;

/**
 * The worker's first code: it registers tsx's loader, then loads import-worker.ts. Node 20 gives a
 * worker neither the loader the CLI registered in its own thread nor one named in the worker's
 * execArgv in time for its entry module, and vitest has a module runner of its own.
 */
const BOOTSTRAP = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.tsxApi)
  .then((tsx) => { tsx.register(); return import(workerData.entry); })
  .catch((error) => parentPort.postMessage({ type: 'failed', message: String(error?.stack ?? error) }));
`;

/** What the importing thread sends the worker: a file to read, or that it took one more chunk. */
export type ToWorker = { type: 'file'; file: string; format: Format; kind: ImportKind | undefined; services: readonly ServiceAliases[] } | { type: 'ack' };
export type FromWorker = { type: 'chunk'; chunk: RowChunk } | { type: 'done' } | { type: 'failed'; message: string };

/**
 * A worker that finished its file and waits for the next: starting one (its loader and modules)
 * costs a few tenths of a second of CPU, so the files of one import share it. Unreferenced while it
 * waits, so it never keeps the process alive.
 */
let idleWorker: Worker | undefined;

/** The idle worker's 'exit' listeners, for tests: one, however many files it has served. */
export function idleWorkerExitListeners(): number | null {
  return idleWorker ? idleWorker.listenerCount('exit') : null;
}

function startWorker(): Worker {
  const entry = new URL('./import-worker.ts', import.meta.url).href;
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { entry, tsxApi: import.meta.resolve('tsx/esm/api') } });
  // Once per worker (not once per file it serves): an idle worker that exits is no longer idle.
  worker.once('exit', () => {
    if (idleWorker === worker) idleWorker = undefined;
  });
  return worker;
}

/**
 * fileRowChunks made by a worker thread: the file is read, parsed, validated and hashed there while
 * this thread writes the chunks already made. When the caller stops early, the worker is stopped.
 */
export async function* rowChunksFromWorker(file: string, format: Format, fallbackKind: ImportKind | undefined, services: readonly ServiceAliases[]): AsyncGenerator<RowChunk> {
  const worker = idleWorker ?? startWorker();
  idleWorker = undefined;
  worker.ref();
  const queue: FromWorker[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let finished = false;
  const arrived = () => {
    wake?.();
    wake = undefined;
  };
  const onMessage = (message: FromWorker) => {
    queue.push(message);
    arrived();
  };
  const onError = (error: Error) => {
    failure = error;
    arrived();
  };
  const onExit = (code: number) => {
    failure ??= new Error(`${file}: the import worker stopped (exit code ${code})`);
    arrived();
  };
  worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  worker.postMessage({ type: 'file', file, format, kind: fallbackKind, services } satisfies ToWorker);
  try {
    for (;;) {
      const message = queue.shift();
      if (message === undefined) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (message.type === 'done') {
        finished = true;
        return;
      }
      if (message.type === 'failed') throw new Error(message.message);
      worker.postMessage({ type: 'ack' } satisfies ToWorker);
      yield message.chunk;
    }
  } finally {
    worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    if (finished && idleWorker === undefined) {
      worker.unref();
      idleWorker = worker;
    } else {
      await worker.terminate();
    }
  }
}
