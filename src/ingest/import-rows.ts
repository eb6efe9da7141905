// The reading half of a file import: lines → validated records → rows of plain values with their
// content hash, a chunk at a time. It touches no database, so it runs in the importing thread or in
// worker threads (import-worker.ts) while the importing thread writes: a JSONL file a piece at a time
// by one or more workers (jsonlChunksFromWorkers), a CSV file whole by one (rowChunksFromWorker).
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { StringDecoder } from 'node:string_decoder';
import { isAscii } from 'node:buffer';
import { parse as parseCsv } from 'csv-parse';
import type { ImportKind } from '../domain/records.ts';
import { type ServiceAliases, serviceResolver } from '../store/services.ts';
import { importRowValues, type ServiceResolver } from '../store/upsert.ts';
import { startTypeScriptWorker, WorkerInbox } from '../threads.ts';
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
  /** The services the chunk's lines bring on, in order (later lines map names through them). */
  services?: ServiceAliases[];
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

/** Names kept per source by rememberingResolver: enough for any real set of services, memory bounded. */
const REMEMBERED_NAMES = 10_000;

/** serviceResolver that keeps its answers by source and name: most lines repeat a few names. */
function rememberingResolver(services: readonly ServiceAliases[]): ServiceResolver {
  const resolve = serviceResolver(services);
  const bySource = new Map<string, Map<string, string>>();
  return (value, source) => {
    let names = bySource.get(source);
    if (names === undefined) bySource.set(source, (names = new Map()));
    let name = names.get(value);
    if (name === undefined) {
      name = resolve(value, source);
      if (names.size < REMEMBERED_NAMES) names.set(value, name);
    }
    return name;
  };
}

/**
 * Turns parsed lines into a chunk's rows. Service names are mapped through the services given (those
 * stored when the import began) and through the services the input itself carries, from the line
 * that brings each one on, as the store would map them once that line is written.
 */
class ChunkBuilder {
  private readonly known: Map<string, ServiceAliases>;
  private resolveService: ServiceResolver;
  private rowsOf = new Map<ImportKind, unknown[][]>();
  chunk: RowChunk = { lines: 0, rows: [], errors: [] };

  constructor(services: readonly ServiceAliases[]) {
    this.known = new Map(services.map((s) => [s.name, s]));
    this.resolveService = rememberingResolver([...this.known.values()]);
  }

  add(line: number, parsed: ParsedLine): void {
    const chunk = this.chunk;
    chunk.lines++;
    if (!parsed.ok) {
      chunk.errors.push({ line, ...parsed.error });
      return;
    }
    const { kind, record } = parsed.value;
    let rows = this.rowsOf.get(kind);
    if (rows === undefined) {
      this.rowsOf.set(kind, (rows = []));
      chunk.rows.push({ kind, rows });
    }
    rows.push(importRowValues(kind, record as never, this.resolveService));
    if (parsed.value.kind === 'service') {
      const service = { name: parsed.value.record.name, aliases: parsed.value.record.aliases };
      this.known.set(service.name, service);
      this.resolveService = rememberingResolver([...this.known.values()]);
      (chunk.services ??= []).push(service);
    }
  }

  /** The chunk so far; the next lines start a new one. */
  take(): RowChunk {
    const chunk = this.chunk;
    this.chunk = { lines: 0, rows: [], errors: [] };
    this.rowsOf = new Map();
    return chunk;
  }
}

/** The rows of a stream, a chunk at a time (services mapped as ChunkBuilder says). */
export async function* rowChunks(stream: Readable, format: Format, fallbackKind: ImportKind | undefined, services: readonly ServiceAliases[]): AsyncGenerator<RowChunk> {
  const builder = new ChunkBuilder(services);
  for await (const lines of readLines(stream, format, fallbackKind)) {
    for (const { line, parsed } of lines) builder.add(line, parsed);
    if (builder.chunk.lines >= CHUNK_LINES) yield builder.take();
  }
  if (builder.chunk.lines > 0) yield builder.take();
}

/**
 * The lines of a piece of a JSONL file. Plain ASCII reads the same as Latin-1, which is copied rather
 * than decoded and makes one-byte strings, which JSON.parse reads faster than the two-byte strings
 * that one non-ASCII character anywhere makes of a whole decoded piece: so a piece with \n line ends
 * is read a line at a time, each line as Latin-1 when it is ASCII, else as UTF-8 (a line break is
 * never part of a UTF-8 sequence, so this decodes exactly as the whole piece would).
 */
function pieceLines(buffer: Buffer): string[] {
  const ascii = isAscii(buffer);
  if (ascii || buffer.indexOf(13) >= 0) {
    const text = buffer.toString(ascii ? 'latin1' : 'utf8');
    const lines = text.indexOf('\r') < 0 ? text.split('\n') : text.split(LINE_BREAK);
    // Text that ends with a line break splits into a last empty string, which is no line.
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
  const lines: string[] = [];
  for (let start = 0; start < buffer.length; ) {
    let end = buffer.indexOf(10, start);
    if (end < 0) end = buffer.length;
    const line = buffer.subarray(start, end);
    lines.push(line.toString(isAscii(line) ? 'latin1' : 'utf8'));
    start = end + 1;
  }
  return lines;
}

/**
 * The rows of a piece of a JSONL file that ends where a line ends (or at the end of the file), with
 * line numbers counted from the piece's first line; `lineCount` is how many lines it holds, blank
 * ones included, so the lines of later pieces can be numbered on.
 */
export function pieceRows(bytes: Uint8Array, fallbackKind: ImportKind | undefined, services: readonly ServiceAliases[]): RowChunk & { lineCount: number } {
  const lines = pieceLines(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const builder = new ChunkBuilder(services);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() !== '') builder.add(i + 1, parseJsonLine(line, fallbackKind));
  }
  return { ...builder.take(), lineCount: lines.length };
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

/** Chunks the worker reading a whole file (CSV) may have sent ahead of the writer: enough to keep both threads busy, memory bounded. */
export const CHUNKS_AHEAD = 4;

/**
 * Bytes of a JSONL file handed to a reading worker at a time (a piece ends where a line ends). A
 * piece's rows live until it is sent; 256 KiB cost the readers less CPU than 1 MiB (8.0-8.3 against
 * 9.2-9.9 us a signal, alternating in one process) and 4 MiB more (13-16).
 */
const PIECE_BYTES = 256 << 10;

/**
 * Pieces each reading worker may hold (being read or waiting), 4 MiB of input: enough to carry the
 * writer through a reader's pause (another process on its core), memory bounded.
 */
const PIECES_AHEAD = 16;

/**
 * Workers reading the pieces of one JSONL file: one a core beside the writer's, up to 4. On two cores
 * one reader keeps up with the writer (a signal costs it about what writing costs) and a second
 * only adds CPU: medium signals took 19.6-21.0 us of CPU a row with one, 20.7-24.5 with two
 * (alternating, same wall-clock rate at load 6).
 */
const READERS = Math.min(4, Math.max(1, availableParallelism() - 1));

/**
 * What the importing thread sends a worker: a whole file to read (CSV), that it took one more chunk
 * of it, or a piece of a JSONL file to read (with the services to map names through, when they
 * changed since the worker's last piece).
 */
export type ToWorker =
  | { type: 'file'; file: string; format: Format; kind: ImportKind | undefined; services: readonly ServiceAliases[] }
  | { type: 'ack' }
  | { type: 'piece'; id: number; bytes: Uint8Array; kind: ImportKind | undefined; services?: readonly ServiceAliases[] };
export type FromWorker =
  | { type: 'chunk'; chunk: RowChunk }
  | { type: 'piece'; id: number; chunk: RowChunk & { lineCount: number } }
  | { type: 'done' }
  | { type: 'failed'; message: string };

/**
 * Workers that finished their input and wait for the next: starting one costs ~70 ms of CPU (from
 * the bundle; ~450 ms through tsx), so the files of one import share them. Unreferenced while they
 * wait, so they never keep the process alive.
 */
const idleWorkers: Worker[] = [];
const MAX_IDLE_WORKERS = 4;

/** The idle workers' 'exit' listeners, for tests: one each, however many files they have served. */
export function idleWorkerExitListeners(): number[] {
  return idleWorkers.map((worker) => worker.listenerCount('exit'));
}

/**
 * The worker's code bundled into one script (import-worker.ts and what it imports) by esbuild, which
 * tsx (loaded to run these sources) brings along; made once per process, in memory. A worker started
 * from it costs ~70 ms of CPU, one that loads the sources through tsx's loader ~450 ms (its loader
 * thread and a round trip to it per module). Undefined when esbuild cannot be loaded or bundling
 * fails: workers then load the sources through tsx (startTypeScriptWorker).
 */
let workerBundle: Promise<string | undefined> | undefined;
let bundling = true;

/** For tests: start workers from the bundle (the default) or through tsx's loader; idle workers are ended. */
export async function bundleWorkers(on: boolean): Promise<void> {
  bundling = on;
  await Promise.all(idleWorkers.splice(0).map((worker) => worker.terminate()));
}

export async function bundledWorker(): Promise<string | undefined> {
  if (!bundling) return undefined;
  workerBundle ??= (async () => {
    try {
      const esbuild = await import('esbuild');
      const result = await esbuild.build({
        entryPoints: [fileURLToPath(new URL('./import-worker.ts', import.meta.url))],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        write: false,
        // import.meta is empty in the bundle: only the importing thread's code (startWorker) uses it.
        logLevel: 'silent',
      });
      return result.outputFiles[0]?.text;
    } catch {
      return undefined;
    }
  })();
  return workerBundle;
}

function startWorker(bundle: string | undefined): Worker {
  const worker = bundle === undefined ? startTypeScriptWorker(new URL('./import-worker.ts', import.meta.url)) : new Worker(bundle, { eval: true });
  // Once per worker (not once per file it serves): an idle worker that exits is no longer idle.
  worker.once('exit', () => {
    const at = idleWorkers.indexOf(worker);
    if (at >= 0) idleWorkers.splice(at, 1);
  });
  return worker;
}

async function takeWorker(): Promise<Worker> {
  const worker = idleWorkers.pop() ?? startWorker(await bundledWorker());
  worker.ref();
  return worker;
}

/** Keeps a worker that finished cleanly for the next input; one stopped midway is ended. */
async function releaseWorker(worker: Worker, finished: boolean): Promise<void> {
  if (finished && idleWorkers.length < MAX_IDLE_WORKERS) {
    worker.unref();
    idleWorkers.push(worker);
  } else {
    await worker.terminate();
  }
}

/**
 * fileRowChunks made by a worker thread (for CSV, whose quoted cells may hold line breaks): the file
 * is read, parsed and validated there while this thread writes the chunks already made. When the
 * caller stops early, the worker is stopped.
 */
export async function* rowChunksFromWorker(file: string, format: Format, fallbackKind: ImportKind | undefined, services: readonly ServiceAliases[]): AsyncGenerator<RowChunk> {
  const worker = await takeWorker();
  const inbox = new WorkerInbox<FromWorker>(worker, `${file}: the import worker`);
  let finished = false;
  worker.postMessage({ type: 'file', file, format, kind: fallbackKind, services } satisfies ToWorker);
  try {
    for (;;) {
      const message = await inbox.next();
      if (message.type === 'done') break;
      if (message.type !== 'chunk') continue;
      worker.postMessage({ type: 'ack' } satisfies ToWorker);
      yield message.chunk;
    }
    finished = true;
  } finally {
    inbox.close();
    await releaseWorker(worker, finished);
  }
}

/** Where the last whole line of `data` ends (0: none). A \r at the very end may be the first half of \r\n. */
function lastLineEnd(data: Buffer): number {
  const lf = data.lastIndexOf(10);
  const cr = data.length > 1 ? data.lastIndexOf(13, data.length - 2) : -1;
  return Math.max(lf, cr) + 1;
}

export interface ReadersOptions {
  readers?: number;
  pieceBytes?: number;
}

/**
 * fileRowChunks of a JSONL file made by several worker threads, a piece at a time: this thread cuts
 * the file into pieces that end where a line ends, hands each to the least busy worker, and takes
 * their rows back in file order, so rows are written in the order of the lines (the last line with
 * a key wins, as when one thread reads) and line numbers count on from piece to piece.
 *
 * A worker maps service names through the services known when its piece was handed out. A piece
 * that brings on services (a file that mixes service lines with others) makes the pieces handed
 * out before this thread took it stale: those are read again here with the services as they then
 * are, so names map exactly as when one thread reads the file.
 */
export async function* jsonlChunksFromWorkers(
  file: string,
  fallbackKind: ImportKind | undefined,
  services: readonly ServiceAliases[],
  options: ReadersOptions = {},
): AsyncGenerator<RowChunk> {
  const pieceBytes = options.pieceBytes ?? PIECE_BYTES;
  const handle = await open(file, 'r');
  const size = (await handle.stat()).size;
  const workers = await Promise.all(Array.from({ length: Math.max(1, Math.min(options.readers ?? READERS, Math.ceil(size / pieceBytes))) }, takeWorker));
  const inbox = new WorkerInbox<FromWorker>(workers, `${file}: the import worker`);
  const known = new Map(services.map((s) => [s.name, s]));
  /** Service lines taken so far: a piece handed out at another count is stale. */
  let servicesTaken = 0;
  const workerState = workers.map(() => ({ pieces: 0, servicesTaken: -1 }));
  const handedOut = new Map<number, { bytes: Uint8Array; end: number; servicesTaken: number; worker: number }>();
  const arrived = new Map<number, RowChunk & { lineCount: number }>();
  let nextId = 0;
  let nextToTake = 0;
  let readAt = 0;
  let atEnd = false;
  let carry: Buffer = Buffer.alloc(0);
  let linesBefore = 0;
  let finished = false;

  /** The next piece of the file: whole lines of about pieceBytes, each in a buffer of its own. */
  const readPiece = async (): Promise<{ bytes: Uint8Array; end: number } | undefined> => {
    let data = carry;
    while (!atEnd) {
      const block = Buffer.allocUnsafeSlow(pieceBytes);
      const { bytesRead } = await handle.read(block, 0, pieceBytes, readAt);
      if (bytesRead === 0) {
        atEnd = true;
        break;
      }
      readAt += bytesRead;
      data = data.length === 0 ? block.subarray(0, bytesRead) : Buffer.concat([data, block.subarray(0, bytesRead)]);
      const cut = lastLineEnd(data);
      if (cut > 0) {
        carry = Buffer.from(data.subarray(cut));
        return { bytes: new Uint8Array(data.subarray(0, cut)), end: readAt - carry.length };
      }
    }
    carry = Buffer.alloc(0);
    return data.length > 0 ? { bytes: new Uint8Array(data), end: readAt } : undefined;
  };

  const handOut = async () => {
    while (handedOut.size < workers.length * PIECES_AHEAD) {
      const piece = await readPiece();
      if (piece === undefined) return;
      let worker = 0;
      for (let w = 1; w < workers.length; w++) if (workerState[w]!.pieces < workerState[worker]!.pieces) worker = w;
      const state = workerState[worker]!;
      const message: ToWorker = { type: 'piece', id: nextId, bytes: piece.bytes, kind: fallbackKind };
      if (state.servicesTaken !== servicesTaken) {
        message.services = [...known.values()];
        state.servicesTaken = servicesTaken;
      }
      workers[worker]!.postMessage(message);
      state.pieces++;
      handedOut.set(nextId++, { ...piece, servicesTaken, worker });
    }
  };

  try {
    await handOut();
    while (handedOut.size > 0) {
      let rows = arrived.get(nextToTake);
      while (rows === undefined) {
        const message = await inbox.next();
        if (message.type === 'piece') arrived.set(message.id, message.chunk);
        rows = arrived.get(nextToTake);
      }
      const piece = handedOut.get(nextToTake)!;
      arrived.delete(nextToTake);
      handedOut.delete(nextToTake);
      nextToTake++;
      workerState[piece.worker]!.pieces--;
      if (piece.servicesTaken !== servicesTaken) rows = pieceRows(piece.bytes, fallbackKind, [...known.values()]);
      for (const error of rows.errors) error.line += linesBefore;
      linesBefore += rows.lineCount;
      for (const service of rows.services ?? []) {
        known.set(service.name, service);
        servicesTaken++;
      }
      // The workers read on while this piece is written.
      await handOut();
      const { lineCount: _lineCount, ...chunk } = rows;
      yield { ...chunk, bytesRead: piece.end };
    }
    finished = true;
  } finally {
    inbox.close();
    await handle.close();
    await Promise.all(workers.map((worker) => releaseWorker(worker, finished)));
  }
}
