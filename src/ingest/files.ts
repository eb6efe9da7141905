// Imports JSONL and CSV files of records. A file is one transaction: a bad line rejects the whole
// file (nothing of it is stored) unless skipInvalid is set, in which case the good lines are kept.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse';
import type { Kysely } from 'kysely';
import { IMPORT_KINDS, type ImportKind, type ImportRecord } from '../domain/records.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/connection.ts';
import { addCounts, batchSizeFor, emptyCounts, upsertRecords, type WriteCounts } from '../store/upsert.ts';
import { loadServiceResolver } from '../store/services.ts';
import { type LineError, kindFromFileName, parseCsvRow, parseJsonLine, type ParsedLine } from './parse-record.ts';

export type KindCounts = WriteCounts & { rejected: number };

export interface FileImportResult {
  file: string;
  format: 'jsonl' | 'csv';
  /** Whether the file's records were stored (false when a bad line rejected the file). */
  stored: boolean;
  lines: number;
  counts: Partial<Record<ImportKind, KindCounts>>;
  errors: LineError[];
  /** Errors beyond those listed in `errors`. */
  moreErrors: number;
}

export interface ImportOptions {
  /** Store the good lines and report the bad ones instead of rejecting the file. */
  skipInvalid?: boolean;
  /** The kind of every record in the file, when neither the lines nor the file name say it. */
  kind?: ImportKind;
  /** Called as the file is read, with bytes read and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** How many bad lines to describe; the rest are counted. */
  maxErrors?: number;
}

export class FileRejected extends Error {
  constructor(readonly result: FileImportResult) {
    super(`${result.file}: rejected, nothing stored`);
  }
}

export function formatOf(file: string): 'jsonl' | 'csv' {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  throw new Error(`${file}: unknown file type "${ext}"; expected .jsonl (one JSON object per line) or .csv`);
}

/** Sorts files so teams and services come first: later records map their service names through them. */
export function importOrder(files: string[]): string[] {
  const rank = (f: string) => {
    const kind = kindFromFileName(basename(f));
    return kind === undefined ? IMPORT_KINDS.length : IMPORT_KINDS.indexOf(kind);
  };
  return files.map((f, i) => ({ f, i, r: rank(f) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.f);
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
async function* readLines(stream: Readable, format: 'jsonl' | 'csv', fallbackKind: ImportKind | undefined): AsyncGenerator<{ line: number; parsed: ParsedLine }[]> {
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

/** Imports one file into the store. Throws FileRejected (after rolling back) when a line is bad and skipInvalid is off. */
export async function importFile(store: Store, file: string, options: ImportOptions = {}): Promise<FileImportResult> {
  const format = formatOf(file);
  const totalBytes = (await stat(file)).size;
  // Larger reads than the 64 KiB default: fewer chunks to split and hand over, memory still bounded.
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let bytesRead = 0;
  if (options.onProgress) {
    const onProgress = options.onProgress;
    stream.on('data', (chunk) => {
      bytesRead += chunk.length;
      onProgress(bytesRead, totalBytes);
    });
    // A 'data' listener starts the stream flowing, and chunks would be lost while the import awaits
    // its first query (PostgreSQL answers over the network). Paused, it yields chunks only when the
    // reader asks for them, and each still passes this listener.
    stream.pause();
  }
  return importStream(store, file, format, stream, { ...options, kind: options.kind ?? kindFromFileName(basename(file)) });
}

/**
 * Imports records read from a stream (a file, an HTTP body) in one transaction; `name` is what
 * errors and the result call it. Throws FileRejected (after rolling back) when a line is bad and
 * skipInvalid is off.
 */
export async function importStream(store: Store, name: string, format: 'jsonl' | 'csv', stream: Readable, options: ImportOptions = {}): Promise<FileImportResult> {
  const fallbackKind = options.kind;
  const maxErrors = options.maxErrors ?? 20;
  const result: FileImportResult = { file: name, format, stored: false, lines: 0, counts: {}, errors: [], moreErrors: 0 };

  const countsOf = (kind: ImportKind): KindCounts => (result.counts[kind] ??= { ...emptyCounts(), rejected: 0 });
  const reject = (error: LineError) => {
    if (error.kind && (IMPORT_KINDS as string[]).includes(error.kind)) countsOf(error.kind as ImportKind).rejected++;
    if (result.errors.length < maxErrors) result.errors.push(error);
    else result.moreErrors++;
  };

  // On SQLite the rows go through prepared statements on the transaction's own connection.
  const sqlite = store.sqlite ? { sqlite: store.sqlite } : {};
  try {
    await store.db.transaction().execute(async (trx) => {
      let resolveService = await loadServiceResolver(trx);
      const batches = new Map<ImportKind, ImportRecord['record'][]>();
      const batchSizes: Partial<Record<ImportKind, number>> = {};
      const flush = async (kind: ImportKind) => {
        const batch = batches.get(kind);
        if (!batch || batch.length === 0) return;
        batches.set(kind, []);
        addCounts(countsOf(kind), await upsertRecords(trx as Kysely<Database>, kind, batch as never, { resolveService, ...sqlite }));
      };
      for await (const chunk of readLines(stream, format, fallbackKind)) for (const { line, parsed } of chunk) {
        result.lines++;
        if (!parsed.ok) {
          reject({ line, ...parsed.error });
          continue;
        }
        // Once a line is bad and the file will be rejected, keep validating but stop writing.
        if (result.errors.length > 0 && !options.skipInvalid) continue;
        const { kind, record } = parsed.value;
        const batch = batches.get(kind) ?? [];
        batch.push(record);
        batches.set(kind, batch);
        if (kind === 'service') {
          // Later lines map their service names through these aliases: store them now.
          await flush(kind);
          resolveService = await loadServiceResolver(trx as Kysely<Database>);
        } else if (batch.length >= (batchSizes[kind] ??= batchSizeFor(kind, store.dialect))) {
          await flush(kind);
        }
      }
      if (result.errors.length > 0 && !options.skipInvalid) throw new FileRejected(result);
      for (const kind of batches.keys()) await flush(kind);
    });
  } catch (error) {
    if (error instanceof FileRejected) {
      for (const c of Object.values(result.counts)) Object.assign(c, { inserted: 0, updated: 0, unchanged: 0 });
    }
    throw error;
  }
  result.stored = true;
  return result;
}

export function describeLineError(file: string, error: LineError): string {
  const where = [error.kind, error.field].filter(Boolean).join(' field ');
  return `${file}:${error.line}: ${where ? `${where}: ` : ''}${error.message}`;
}
