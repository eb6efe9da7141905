// `escapement generate`: writes a synthetic history in the import format (docs/generate.md). The
// history is produced a day at a time and written with backpressure, so any scale runs in flat memory.
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { type GenerateOptions, historyWindow } from '../../generate/history.ts';
import { SCALE_NAMES, type ScaleName } from '../../generate/scales.ts';
import type { HistoryChunk } from '../../generate/types.ts';
import { type GenerateSummary, writeHistory } from '../../generate/write-history.ts';
import { printJson, UserError } from '../common.ts';

export { type GenerateSummary, TRUTH_DIR, writeHistory } from '../../generate/write-history.ts';

/** A progress bar over the days of a history, on a terminal only. */
export function historyProgress(label: string, enabled: boolean): { onDay: (chunk: HistoryChunk) => void; stop: () => void } {
  if (!enabled) return { onDay: () => {}, stop: () => {} };
  const bar = new SingleBar({ format: `${label} {bar} {percentage}% | day {value}/{total} | {signals} signals`, hideCursor: true }, Presets.shades_classic);
  let signals = 0;
  let startedBar = false;
  return {
    onDay(chunk) {
      if (!startedBar) {
        bar.start(chunk.totalDays, 0, { signals: 0 });
        startedBar = true;
      }
      signals += chunk.records.signals.length;
      bar.update(chunk.dayIndex + 1, { signals });
    },
    stop: () => startedBar && bar.stop(),
  };
}

interface GenerateFlags {
  scale: string;
  seed: string;
  out: string;
  end?: string;
  json?: boolean;
  progress?: boolean;
}

export function parseGenerateFlags(flags: GenerateFlags): GenerateOptions {
  if (!(SCALE_NAMES as readonly string[]).includes(flags.scale)) throw new UserError(`--scale: expected one of ${SCALE_NAMES.join(', ')}, got ${JSON.stringify(flags.scale)}`, 2);
  const seed = Number(flags.seed);
  if (!Number.isSafeInteger(seed)) throw new UserError(`--seed: expected an integer, got ${JSON.stringify(flags.seed)}`, 2);
  const options: GenerateOptions = { scale: flags.scale as ScaleName, seed, ...(flags.end ? { end: flags.end } : {}) };
  try {
    historyWindow(options);
  } catch (error) {
    throw new UserError(`--${(error as Error).message}`, 2);
  }
  return options;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write a synthetic but realistic history in the import format, with its ground truth (docs/generate.md)')
    .option('--scale <scale>', `size: ${SCALE_NAMES.join(', ')}`, 'small')
    .option('--seed <n>', 'seed of the pseudo-random generator: the same seed gives the same bytes', '1')
    .requiredOption('--out <dir>', 'directory to write the .jsonl files into (created if missing)')
    .option('--end <date>', 'end of the history: a day YYYY-MM-DD (its end) or a UTC time YYYY-MM-DDTHH:MM:SSZ; nothing is dated after it (default 2025-12-31, fixed so a seed gives the same bytes)')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print a machine-readable summary')
    .action(async (flags: GenerateFlags) => {
      const options = parseGenerateFlags(flags);
      const progress = historyProgress(`generate ${options.scale}`, flags.progress !== false && !flags.json && Boolean(process.stderr.isTTY));
      let summary: GenerateSummary;
      try {
        summary = await writeHistory(options, flags.out, progress.onDay);
      } finally {
        progress.stop();
      }
      if (flags.json) {
        printJson(summary);
        return;
      }
      console.log(`${summary.scale} history ${summary.from} … ${summary.to} (seed ${summary.seed}) written to ${summary.out} in ${summary.seconds}s:`);
      for (const [file, lines] of Object.entries({ ...summary.files, ...summary.truth })) console.log(`  ${file.padEnd(34)} ${String(lines).padStart(10)}`);
      console.log(`  ${'total records'.padEnd(34)} ${String(summary.records).padStart(10)}  (${(summary.bytes / 1e6).toFixed(1)} MB)`);
      console.log(`import it with: escapement import ${summary.out}`);
    });
}
