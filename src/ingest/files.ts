// Imports JSONL and CSV files of records. A file is one transaction: a bad line rejects the whole
// file (nothing of it is stored) unless skipInvalid is set, in which case the good lines are kept.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, extname } from 'node:path';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { IMPORT_KINDS, type ImportKind } from '../domain/records.ts';
import { approximateRowCount, preferRollbackJournal, suspendSecondaryIndexes } from '../store/bulk-load.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/connection.ts';
import { loadServices, type ServiceAliases } from '../store/services.ts';
import { addCounts, emptyCounts, isSourceKeyed, tableOf, writeImportRows, type WriteCounts } from '../store/upsert.ts';
import { fileRowChunks, jsonlChunksFromWorkers, type ReadersOptions, type RowChunk, rowChunks, rowChunksFromWorker } from './import-rows.ts';
import { type LineError, kindFromFileName } from './parse-record.ts';

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
  /**
   * Read, validate and hash in worker threads while this thread writes (default: for files of 4 MiB
   * and more, given two cores). Files only. A JSONL file is read by several workers a piece at a
   * time, a CSV file by one.
   */
  worker?: boolean;
  /** Workers reading a JSONL file (default READERS), and the bytes of a piece (default PIECE_BYTES). */
  readers?: ReadersOptions;
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

/** Files at least this large are read, validated and hashed in worker threads while this one writes. */
const WORKER_MIN_BYTES = 4 << 20;

/**
 * A SQLite table whose import is expected to bring at least this many rows, and at least twice as
 * many as it holds, gets its secondary indexes built once after the rows rather than kept up row by
 * row (building costs about a third of keeping them up, but over the whole table).
 */
const BULK_MIN_ROWS = 10_000;

/** Imports one file into the store. Throws FileRejected (after rolling back) when a line is bad and skipInvalid is off. */
export async function importFile(store: Store, file: string, options: ImportOptions = {}): Promise<FileImportResult> {
  const format = formatOf(file);
  const totalBytes = (await stat(file)).size;
  const kind = options.kind ?? kindFromFileName(basename(file));
  // With one core the worker would only add the cost of handing rows over.
  if (options.worker ?? (totalBytes >= WORKER_MIN_BYTES && availableParallelism() > 1)) {
    const chunksOf = (services: readonly ServiceAliases[]) =>
      format === 'jsonl' ? jsonlChunksFromWorkers(file, kind, services, options.readers) : rowChunksFromWorker(file, format, kind, services);
    return importChunks(store, file, format, chunksOf, { ...options, kind }, totalBytes);
  }
  return importChunks(store, file, format, (services) => fileRowChunks(file, format, kind, services), { ...options, kind }, totalBytes);
}

/**
 * Imports records read from a stream (a file, an HTTP body) in one transaction; `name` is what
 * errors and the result call it. Throws FileRejected (after rolling back) when a line is bad and
 * skipInvalid is off.
 */
export async function importStream(store: Store, name: string, format: 'jsonl' | 'csv', stream: Readable, options: ImportOptions = {}): Promise<FileImportResult> {
  return importChunks(store, name, format, (services) => rowChunks(stream, format, options.kind, services), options);
}

/** Writes the chunks of one input in one transaction (see importStream). */
async function importChunks(
  store: Store,
  name: string,
  format: 'jsonl' | 'csv',
  chunksOf: (services: readonly ServiceAliases[]) => AsyncIterable<RowChunk>,
  options: ImportOptions,
  totalBytes?: number,
): Promise<FileImportResult> {
  const maxErrors = options.maxErrors ?? 20;
  const result: FileImportResult = { file: name, format, stored: false, lines: 0, counts: {}, errors: [], moreErrors: 0 };

  const countsOf = (kind: ImportKind): KindCounts => (result.counts[kind] ??= { ...emptyCounts(), rejected: 0 });
  const reject = (error: LineError) => {
    if (error.kind && (IMPORT_KINDS as string[]).includes(error.kind)) countsOf(error.kind as ImportKind).rejected++;
    if (result.errors.length < maxErrors) result.errors.push(error);
    else result.moreErrors++;
  };

  // On SQLite the rows go through prepared statements on the transaction's own connection.
  const sqlite = store.sqlite;
  // Rebuilding an index sorts the whole table's keys; in temporary files on disk, not in memory
  // (the store's temp_store), memory stays flat however large the table. It can only be set
  // outside a transaction.
  const tempStore = sqlite && totalBytes !== undefined ? (sqlite.pragma('temp_store', { simple: true }) as number) : undefined;
  if (tempStore !== undefined) sqlite!.pragma('temp_store = FILE');
  // A large file on a database this process has to itself is written through the rollback journal.
  const restoreJournal = sqlite && totalBytes !== undefined && totalBytes >= WORKER_MIN_BYTES ? preferRollbackJournal(sqlite) : undefined;
  try {
    await store.db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      const rebuilds: (() => void)[] = [];
      const decided = new Set<ImportKind>();
      // Drops a table's secondary indexes for the load when the file promises many rows for it.
      const considerBulk = (kind: ImportKind, bytesRead: number | undefined) => {
        decided.add(kind);
        if (!sqlite || !totalBytes || !bytesRead || !isSourceKeyed(kind)) return;
        const expected = (totalBytes * result.lines) / bytesRead;
        if (expected < BULK_MIN_ROWS || expected < 2 * approximateRowCount(sqlite, tableOf(kind))) return;
        rebuilds.push(suspendSecondaryIndexes(sqlite, tableOf(kind)));
      };
      for await (const chunk of chunksOf(await loadServices(trx))) {
        if (chunk.bytesRead !== undefined && totalBytes !== undefined) options.onProgress?.(chunk.bytesRead, totalBytes);
        result.lines += chunk.lines;
        for (const error of chunk.errors) reject(error);
        // Once a line is bad and the file will be rejected, keep validating but stop writing.
        if (result.errors.length > 0 && !options.skipInvalid) continue;
        for (const { kind, rows } of chunk.rows) {
          if (!decided.has(kind)) considerBulk(kind, chunk.bytesRead);
          addCounts(countsOf(kind), await writeImportRows(trx as Kysely<Database>, kind, rows, { now, ...(sqlite ? { sqlite } : {}) }));
        }
      }
      if (result.errors.length > 0 && !options.skipInvalid) throw new FileRejected(result);
      for (const rebuild of rebuilds) rebuild();
    });
  } catch (error) {
    if (error instanceof FileRejected) {
      for (const c of Object.values(result.counts)) Object.assign(c, { inserted: 0, updated: 0, unchanged: 0 });
    }
    throw error;
  } finally {
    if (tempStore !== undefined) sqlite!.pragma(`temp_store = ${tempStore}`);
    restoreJournal?.();
  }
  result.stored = true;
  return result;
}

export function describeLineError(file: string, error: LineError): string {
  const where = [error.kind, error.field].filter(Boolean).join(' field ');
  return `${file}:${error.line}: ${where ? `${where}: ` : ''}${error.message}`;
}
