// `escapement ingest <source> <files…>`: vendor payloads saved to files (history replays, tests) go
// through the same adapters and store path as webhooks. A file is all-or-nothing.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { PayloadError, type AdapterOutput } from '../../ingest/adapter.ts';
import { parseJsonText } from '../../ingest/json-text.ts';
import { SOURCES, sourceAdapter } from '../../ingest/sources/index.ts';
import { type RecordBatch, storeBatches, type StoredCounts } from '../../ingest/store-records.ts';
import { addStoreOptions, printJson, UserError, withWorkspace } from '../common.ts';

interface IngestFlags {
  db?: string;
  config?: string;
  json?: boolean;
  header?: string[];
}

export interface FileIngestResult {
  file: string;
  stored: boolean;
  payloads: number;
  counts: StoredCounts;
  ignored: number;
  ignored_reasons: string[];
  replies: unknown[];
  errors: string[];
}

/** A file's payloads: one JSON document, or one per line for .jsonl/.ndjson; text formats whole. */
export function payloadsOf(file: string, text: string, format: 'json' | 'xml' | 'text'): { line: number; payload: unknown }[] {
  if (format !== 'json') return [{ line: 1, payload: text }];
  const parse = (chunk: string, line: number) => {
    try {
      return parseJsonText(chunk);
    } catch (error) {
      throw new PayloadError(`line ${line}`, `not valid JSON (${(error as Error).message})`);
    }
  };
  if (/\.(jsonl|ndjson)$/i.test(extname(file))) {
    return text.split(/\r?\n/).flatMap((chunk, i) => (chunk.trim() === '' ? [] : [{ line: i + 1, payload: parse(chunk, i + 1) }]));
  }
  return [{ line: 1, payload: parse(text, 1) }];
}

function parseHeaders(values: string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values ?? []) {
    const colon = value.indexOf(':');
    if (colon <= 0) throw new UserError(`--header: expected "Name: value", got ${JSON.stringify(value)}`, 2);
    headers[value.slice(0, colon).trim().toLowerCase()] = value.slice(colon + 1).trim();
  }
  return headers;
}

export function registerIngest(program: Command): void {
  addStoreOptions(program.command('ingest'))
    .description('ingest saved vendor payloads (webhook bodies, API objects) through the source\'s adapter; see docs/sources.md')
    .argument('<source>', `the vendor format: ${[...SOURCES.keys()].sort().join(', ')}`)
    .argument('<files...>', 'payload files: .json (one payload), .jsonl (one per line), .csv/.txt for text formats')
    .option('--header <header...>', 'a request header the payload came with, e.g. "X-GitHub-Event: issues"')
    .option('--json', 'print a machine-readable summary')
    .action(async (source: string, files: string[], flags: IngestFlags) => {
      const adapter = sourceAdapter(source);
      if (!adapter) throw new UserError(`unknown source "${source}"; known sources: ${[...SOURCES.keys()].sort().join(', ')}`, 2);
      const headers = parseHeaders(flags.header);
      const results: FileIngestResult[] = [];
      await withWorkspace(flags, async ({ store, config }) => {
        for (const file of files) {
          const result: FileIngestResult = { file, stored: false, payloads: 0, counts: {}, ignored: 0, ignored_reasons: [], replies: [], errors: [] };
          results.push(result);
          let text: string;
          try {
            text = readFileSync(file, 'utf8');
          } catch (error) {
            result.errors.push(`${file}: cannot be read (${(error as Error).message})`);
            continue;
          }
          const batches: RecordBatch[] = [];
          try {
            for (const { line, payload } of payloadsOf(file, text, adapter.format)) {
              result.payloads++;
              let output: AdapterOutput;
              try {
                output = adapter.toRecords({ payload, headers, receivedAt: new Date().toISOString(), config });
              } catch (error) {
                if (error instanceof PayloadError) throw new PayloadError(`line ${line}: ${error.field}`, error.expected);
                throw error;
              }
              if (output.status === 'ignored') {
                result.ignored++;
                if (!result.ignored_reasons.includes(output.reason)) result.ignored_reasons.push(output.reason);
              } else if (output.status === 'reply') {
                result.replies.push(output.body);
              } else {
                batches.push({ records: output.records, merge: output.merge ?? false });
              }
            }
          } catch (error) {
            if (!(error instanceof PayloadError)) throw error;
            result.errors.push(`${file}: ${error.message}`);
            continue;
          }
          result.counts = await storeBatches(store.db, batches, { sqlite: store.sqlite });
          result.stored = true;
        }
      });
      const failed = results.filter((r) => !r.stored);
      if (flags.json) printJson({ source, files: results, ok: failed.length === 0 });
      else printSummary(results);
      if (failed.length > 0) process.exitCode = 1;
    });
}

function printSummary(results: FileIngestResult[]): void {
  for (const r of results) {
    if (!r.stored) {
      console.error(`${r.file}: rejected, nothing stored`);
      for (const e of r.errors) console.error(`  ${e}`);
      continue;
    }
    const counts = Object.entries(r.counts).map(([kind, c]) => `${kind}: ${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged`);
    const parts = [...counts, ...(r.ignored ? [`${r.ignored} ignored (${r.ignored_reasons.join('; ')})`] : []), ...(r.replies.length ? [`${r.replies.length} handshake${r.replies.length > 1 ? 's' : ''}`] : [])];
    console.log(`${r.file}: ${r.payloads} payload${r.payloads === 1 ? '' : 's'} — ${parts.join('; ') || 'nothing to store'}`);
    for (const reply of r.replies) console.log(`  handshake: ${JSON.stringify(reply)}`);
  }
}
