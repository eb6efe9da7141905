// `escapement generate`: writes a synthetic history in the import format (docs/generate.md). The
// history is produced a day at a time and written with backpressure, so any scale runs in flat memory.
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { type GenerateOptions, generateHistory, historyWindow } from '../../generate/history.ts';
import { SCALE_NAMES, type ScaleName } from '../../generate/scales.ts';
import { type HistoryChunk, RECORD_FILES, TRUTH_FILES } from '../../generate/types.ts';
import { printJson, UserError } from '../common.ts';

export const TRUTH_DIR = 'ground-truth';

export interface GenerateSummary {
  scale: ScaleName;
  seed: number;
  out: string;
  from: string;
  to: string;
  /** Lines per record file (`signals.jsonl` → count). */
  files: Record<string, number>;
  /** Lines per ground-truth file (`ground-truth/problems.jsonl` → count). */
  truth: Record<string, number>;
  records: number;
  bytes: number;
  seconds: number;
}

class JsonlWriter {
  private readonly stream: WriteStream;
  private failure: Error | null = null;
  lines = 0;
  bytes = 0;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  async write(items: readonly unknown[]): Promise<void> {
    if (this.failure) throw this.failure;
    if (items.length === 0) return;
    let text = '';
    for (const item of items) text += `${JSON.stringify(item)}\n`;
    this.lines += items.length;
    this.bytes += Buffer.byteLength(text);
    if (!this.stream.write(text)) await this.drained();
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        if (error) reject(error);
        else resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
    });
  }

  destroy(): void {
    this.stream.destroy();
  }

  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** Generates a history into `dir`; `onDay` sees each day after it is written. */
export async function writeHistory(options: GenerateOptions, dir: string, onDay?: (chunk: HistoryChunk) => void): Promise<GenerateSummary> {
  const started = performance.now();
  const window = historyWindow(options);
  mkdirSync(join(dir, TRUTH_DIR), { recursive: true });
  const records = Object.fromEntries(RECORD_FILES.map((f) => [f, new JsonlWriter(join(dir, `${f}.jsonl`))])) as Record<(typeof RECORD_FILES)[number], JsonlWriter>;
  const truth = Object.fromEntries(TRUTH_FILES.map((f) => [f, new JsonlWriter(join(dir, TRUTH_DIR, `${f}.jsonl`))])) as Record<(typeof TRUTH_FILES)[number], JsonlWriter>;
  const all = [...Object.values(records), ...Object.values(truth)];
  try {
    for (const chunk of generateHistory(options)) {
      for (const file of RECORD_FILES) await records[file].write(chunk.records[file]);
      for (const file of TRUTH_FILES) await truth[file].write(chunk.truth[file]);
      onDay?.(chunk);
    }
  } catch (error) {
    for (const w of all) w.destroy();
    throw error;
  }
  for (const w of all) await w.close();
  return {
    scale: options.scale,
    seed: options.seed,
    out: dir,
    from: new Date(window.startMs).toISOString().slice(0, 10),
    to: new Date(window.endMs - 1).toISOString().slice(0, 10),
    files: Object.fromEntries(RECORD_FILES.map((f) => [`${f}.jsonl`, records[f].lines])),
    truth: Object.fromEntries(TRUTH_FILES.map((f) => [`${TRUTH_DIR}/${f}.jsonl`, truth[f].lines])),
    records: RECORD_FILES.reduce((sum, f) => sum + records[f].lines, 0),
    bytes: all.reduce((sum, w) => sum + w.bytes, 0),
    seconds: +((performance.now() - started) / 1000).toFixed(2),
  };
}

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
    .option('--end <date>', 'last day of the history, YYYY-MM-DD (default 2025-12-31)')
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
