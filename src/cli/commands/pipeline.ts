// `escapement pipeline`: re-derives problems from the stored signals (correlate → classify → …),
// replaying people's merges, splits and confirmations. Safe to run again at any time.
import { type Command, Option } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { runPipeline, type PipelineSummary } from '../../pipeline/run.ts';
import { storeOptionsFromEnv } from '../../store/connection.ts';
import { addStoreOptions, printJson, UserError, withWorkspace } from '../common.ts';

interface PipelineFlags {
  db?: string;
  config?: string;
  json?: boolean;
  progress?: boolean;
  workers?: 'auto' | 'always' | 'never';
}

export function registerPipeline(program: Command): void {
  addStoreOptions(program.command('pipeline'))
    .description('re-derive problems from stored signals: correlate, classify, and the later stages; keeps people\'s decisions')
    .option('--json', 'print a machine-readable summary')
    .option('--no-progress', 'no progress bar')
    .addOption(
      new Option('--workers <when>', 'read, summarise, classify and write in worker threads: auto (a SQLite file of 500,000 signals or more), always (a SQLite file), never (one thread, about half the peak memory)')
        .choices(['auto', 'always', 'never'])
        .default('auto'),
    )
    .action(async (flags: PipelineFlags) => {
      const showProgress = flags.progress !== false && !flags.json && process.stderr.isTTY;
      // Before the store is opened (and a PostgreSQL one migrated).
      const where = storeOptionsFromEnv(flags);
      if (flags.workers === 'always' && (where.databaseUrl || where.dbPath === ':memory:')) {
        throw new UserError(`--workers always needs a SQLite database file; ${where.databaseUrl ? 'DATABASE_URL selects PostgreSQL' : ':memory: is not one'} (use auto or never)`, 2);
      }
      const summary = await withWorkspace(flags, async ({ store, config }) => {
        const bar = showProgress ? new SingleBar({ format: '{phase} {bar} {percentage}% | {value}/{total} signals', hideCursor: true, stream: process.stderr }, Presets.shades_classic) : null;
        let phase = '';
        try {
          return await runPipeline(store, config, {
            workers: flags.workers,
            onProgress: bar
              ? (p) => {
                  if (p.phase !== phase) {
                    if (phase) bar.stop();
                    phase = p.phase;
                    bar.start(p.total, 0, { phase: p.phase.padEnd(9) });
                  }
                  bar.update(p.done, { phase: p.phase.padEnd(9) });
                }
              : undefined,
          });
        } finally {
          bar?.stop();
        }
      });
      if (flags.json) printJson(summary);
      else printSummary(summary);
    });
}

function printSummary(s: PipelineSummary): void {
  const t = s.timings_ms;
  console.log(`${s.signals} signals → ${s.problems} problems (${s.inserted} new, ${s.updated} changed, ${s.unchanged} unchanged, ${s.deleted} removed)`);
  console.log(`${s.signals_moved} signals re-assigned, ${s.services_remapped} services re-mapped, ${s.decisions_replayed} decisions replayed`);
  if (s.changes_shipped.unshipped > 0) console.log(`${s.changes_shipped.shipped} of ${s.changes_shipped.unshipped} pushed or merged changes placed in the deployment that shipped them`);
  console.log(`took ${((t.remap + t.correlate + t.derive_and_write + t.cleanup) / 1000).toFixed(1)} s (correlate ${(t.correlate / 1000).toFixed(1)} s, classify and write ${(t.derive_and_write / 1000).toFixed(1)} s${s.workers ? ', summarised and written in worker threads' : ''})`);
}
