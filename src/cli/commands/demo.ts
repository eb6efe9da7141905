// `escapement demo`: loads a generated history (by default `medium`: a year, 40 services, ending now)
// into the current database and runs the pipeline, so problems, releases and metrics show at once.
// Refuses a database that already holds signals.
import type { Command } from 'commander';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { DemoLoadFailed, type DemoPhase, type DemoProgress, loadDemo } from '../../generate/load-demo.ts';
import { SCALE_NAMES, type ScaleName } from '../../generate/scales.ts';
import { countSignals } from '../../store/problems.ts';
import { addStoreOptions, printJson, UserError, withWorkspace } from '../common.ts';

export { DEMO_SEED } from '../../generate/load-demo.ts';

interface DemoFlags {
  db?: string;
  config?: string;
  scale: string;
  force?: boolean;
  progress?: boolean;
  json?: boolean;
}

const LABELS: Record<DemoPhase, string> = { generate: 'generating', import: 'importing', pipeline: 'grouping signals' };
const MB = 1e6;

/** One bar per phase, on a terminal only. */
function demoProgress(enabled: boolean): { onProgress?: (p: DemoProgress) => void; stop: () => void } {
  if (!enabled) return { stop: () => {} };
  const bars = new MultiBar({ format: '{label} {bar} {percentage}% | {shown} {detail}', hideCursor: true, stream: process.stderr }, Presets.shades_classic);
  const started = new Map<DemoPhase, SingleBar>();
  return {
    onProgress(p) {
      const scale = p.unit === 'bytes' ? MB : 1;
      const done = Math.round(p.done / scale);
      const total = Math.max(1, Math.round(p.total / scale));
      const shown = p.unit === 'bytes' ? `${done}/${total} MB` : `${done}/${total} ${p.unit}`;
      const payload = { label: LABELS[p.phase].padEnd(16), shown, detail: p.detail };
      const bar = started.get(p.phase);
      if (bar) bar.update(done, payload);
      else started.set(p.phase, bars.create(total, done, payload));
    },
    stop: () => bars.stop(),
  };
}

export function registerDemo(program: Command): void {
  addStoreOptions(program.command('demo'))
    .description('load a generated demo history (by default a year of releases and problems in 40 services, ending now) and run the pipeline on it')
    .option('--scale <scale>', `size: ${SCALE_NAMES.join(', ')}`, 'medium')
    .option('--force', 'load even when the database already holds signals')
    .option('--no-progress', 'no progress bars')
    .option('--json', 'print a machine-readable summary')
    .action(async (flags: DemoFlags) => {
      if (!(SCALE_NAMES as readonly string[]).includes(flags.scale)) throw new UserError(`--scale: expected one of ${SCALE_NAMES.join(', ')}, got ${JSON.stringify(flags.scale)}`, 2);
      const showProgress = flags.progress !== false && !flags.json && Boolean(process.stderr.isTTY);
      await withWorkspace(flags, async ({ store, config }) => {
        const existing = await countSignals(store.db);
        if (existing > 0 && !flags.force) {
          throw new UserError(`${store.location} already holds ${existing} signals; the demo would mix with them. Use another --db, or --force to load it anyway.`);
        }
        const progress = demoProgress(showProgress);
        let summary;
        try {
          summary = await loadDemo(store, config, { scale: flags.scale as ScaleName, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) });
        } catch (error) {
          if (error instanceof DemoLoadFailed) throw new UserError(error.message);
          throw error;
        } finally {
          progress.stop();
        }
        if (flags.json) {
          printJson(summary);
          return;
        }
        const stored = Object.entries(summary.stored).filter(([, n]) => n > 0).map(([file, n]) => `${file} ${n}`);
        console.log(`Loaded the ${summary.scale} demo history (${summary.from} … ${summary.to}) into ${store.location} in ${summary.seconds}s:`);
        console.log(`  ${stored.join(', ')}`);
        console.log(`  ${summary.pipeline.signals} signals grouped into ${summary.pipeline.problems} problems`);
        console.log(`Start the dashboard with \`escapement serve${flags.db ? ` --db ${flags.db}` : ''}\` (or \`npm start\`) and open http://localhost:7373`);
      });
    });
}
