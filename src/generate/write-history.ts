// Writes a generated history to a directory: one JSONL file per record kind and the ground truth,
// a day at a time with backpressure, so any scale runs in flat memory.
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { type GenerateOptions, generateHistory, historyWindow } from './history.ts';
import type { ScaleName } from './scales.ts';
import { type HistoryChunk, RECORD_FILES, TRUTH_FILES } from './types.ts';

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
