// `escapement demo`: loads a generated `medium` history (about a year, 40 services) into the current
// database so the dashboard has something to show. Refuses a database that already holds signals.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { RECORD_FILES } from '../../generate/types.ts';
import { importFile, importOrder } from '../../ingest/files.ts';
import { addStoreOptions, UserError, withWorkspace } from '../common.ts';
import { historyProgress, writeHistory } from './generate.ts';

/** The demo is always the same history, ending today so "last 90 days" has data. */
export const DEMO_SEED = 2024;

interface DemoFlags {
  db?: string;
  config?: string;
  force?: boolean;
  progress?: boolean;
}

export function registerDemo(program: Command): void {
  addStoreOptions(program.command('demo'))
    .description('load a generated demo history (a year of releases and problems in 40 services) into the database')
    .option('--force', 'load even when the database already holds signals')
    .option('--no-progress', 'no progress bars')
    .action(async (flags: DemoFlags) => {
      const showProgress = flags.progress !== false && Boolean(process.stderr.isTTY);
      await withWorkspace(flags, async ({ store }) => {
        const existing = await store.db.selectFrom('signals').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        if (Number(existing.n) > 0 && !flags.force) {
          throw new UserError(`${store.location} already holds ${Number(existing.n)} signals; the demo would mix with them. Use another --db, or --force to load it anyway.`);
        }
        const dir = mkdtempSync(join(tmpdir(), 'escapement-demo-'));
        try {
          const end = new Date().toISOString().slice(0, 10);
          const progress = historyProgress('generating demo history', showProgress);
          let summary;
          try {
            summary = await writeHistory({ scale: 'medium', seed: DEMO_SEED, end }, dir, progress.onDay);
          } finally {
            progress.stop();
          }
          const bar = showProgress ? new SingleBar({ format: 'importing {file} {bar} {percentage}% | {value}/{total} MB', hideCursor: true }, Presets.shades_classic) : null;
          bar?.start(Math.max(1, Math.round(summary.bytes / 1e6)), 0, { file: '' });
          let done = 0;
          const stored: string[] = [];
          try {
            for (const file of importOrder(RECORD_FILES.map((f) => join(dir, `${f}.jsonl`)))) {
              let read = 0;
              const result = await importFile(store, file, {
                onProgress: (bytes) => {
                  read = bytes;
                  bar?.update(Math.round((done + read) / 1e6), { file: basename(file) });
                },
              });
              done += read;
              const counts = Object.values(result.counts)[0];
              stored.push(`${basename(file, '.jsonl')} ${counts ? counts.inserted + counts.updated + counts.unchanged : 0}`);
            }
          } finally {
            bar?.stop();
          }
          console.log(`Loaded the demo history (${summary.from} … ${summary.to}) into ${store.location}:`);
          console.log(`  ${stored.join(', ')}`);
          console.log(`Start the dashboard with \`escapement serve${flags.db ? ` --db ${flags.db}` : ''}\` (or \`npm start\`) and open http://localhost:7373`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
}
