// `escapement import FILE…`: JSONL and CSV files of any record kind (docs/import.md).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { IMPORT_KINDS, isImportKind, type ImportKind } from '../../domain/records.ts';
import { describeLineError, FileRejected, type FileImportResult, importFile, importOrder, formatOf } from '../../ingest/files.ts';
import { addStoreOptions, printJson, UserError, withWorkspace } from '../common.ts';

interface ImportFlags {
  db?: string;
  config?: string;
  json?: boolean;
  skipInvalid?: boolean;
  record?: string;
  progress?: boolean;
}

/** Expands directories to the .jsonl/.csv files in them. */
export function expandImportPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new UserError(`${path}: no such file or directory`);
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (/\.(jsonl|ndjson|csv)$/i.test(name)) files.push(join(path, name));
      }
    } else {
      formatOf(path);
      files.push(path);
    }
  }
  if (files.length === 0) throw new UserError(`no .jsonl or .csv files in ${paths.join(', ')}`);
  return importOrder(files);
}

export function registerImport(program: Command): void {
  addStoreOptions(program.command('import'))
    .description('import records from JSONL or CSV files (or directories of them); see docs/import.md')
    .argument('<files...>', '.jsonl / .csv files or directories')
    .option('--skip-invalid', 'store the valid lines and report the invalid ones (default: a bad line rejects its whole file)')
    .option('--record <kind>', `the record kind when neither the lines ("record" field) nor the file name say it (${IMPORT_KINDS.join(', ')})`)
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print a machine-readable summary')
    .action(async (paths: string[], flags: ImportFlags) => {
      if (flags.record !== undefined && !isImportKind(flags.record)) throw new UserError(`--record: expected one of ${IMPORT_KINDS.join(', ')}`, 2);
      const files = expandImportPaths(paths);
      const results: FileImportResult[] = [];
      const showProgress = flags.progress !== false && !flags.json && process.stderr.isTTY;
      await withWorkspace(flags, async ({ store }) => {
        for (const file of files) {
          const bar = showProgress ? new SingleBar({ format: `${file} {bar} {percentage}% | {value}/{total} MB`, hideCursor: true }, Presets.shades_classic) : null;
          bar?.start(1, 0);
          try {
            const result = await importFile(store, file, {
              skipInvalid: flags.skipInvalid ?? false,
              ...(flags.record ? { kind: flags.record as ImportKind } : {}),
              onProgress: bar ? (read, total) => { bar.setTotal(+(total / 1e6).toFixed(1)); bar.update(+(read / 1e6).toFixed(1)); } : undefined,
            });
            results.push(result);
          } catch (error) {
            if (!(error instanceof FileRejected)) throw error;
            results.push(error.result);
          } finally {
            bar?.stop();
          }
        }
      });
      const rejectedFiles = results.filter((r) => !r.stored);
      if (flags.json) {
        printJson({ files: results, totals: totals(results), ok: rejectedFiles.length === 0 });
      } else {
        printSummary(results);
      }
      if (rejectedFiles.length > 0) process.exitCode = 1;
    });
}

function totals(results: FileImportResult[]) {
  const sum: Record<string, { inserted: number; updated: number; unchanged: number; rejected: number }> = {};
  for (const r of results) {
    for (const [kind, c] of Object.entries(r.counts)) {
      const t = (sum[kind] ??= { inserted: 0, updated: 0, unchanged: 0, rejected: 0 });
      t.inserted += c.inserted;
      t.updated += c.updated;
      t.unchanged += c.unchanged;
      t.rejected += c.rejected;
    }
  }
  return sum;
}

function printSummary(results: FileImportResult[]): void {
  for (const r of results) {
    const counts = Object.entries(r.counts)
      .map(([kind, c]) => `${kind}: ${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged${c.rejected ? `, ${c.rejected} rejected` : ''}`)
      .join('; ');
    if (r.stored) {
      console.log(`${r.file}: ${r.lines} lines — ${counts || 'no records'}`);
    } else {
      console.error(`${r.file}: rejected, nothing stored (${r.errors.length + r.moreErrors} bad line${r.errors.length + r.moreErrors === 1 ? '' : 's'}; --skip-invalid keeps the good ones)`);
    }
    for (const e of r.errors) console.error(`  ${describeLineError(r.file, e)}`);
    if (r.moreErrors > 0) console.error(`  … and ${r.moreErrors} more bad lines`);
  }
}
