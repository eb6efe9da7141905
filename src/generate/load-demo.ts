// Loads the demo into a workspace the way a user would: generate a history into a temporary folder,
// import its files in order, and run the pipeline so problems, releases and metrics are there at once.
// The one place that does it: `escapement demo` and the dashboard's POST /api/v1/demo both call it.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Config } from '../domain/config.ts';
import { importFile, importOrder } from '../ingest/files.ts';
import { type PipelineSummary, runPipeline } from '../pipeline/run.ts';
import type { Store } from '../store/connection.ts';
import { heldData, type LoadedFile, loadMarks, type Removed, removeLoaded } from '../store/rollback.ts';
import { kindFromFileName } from '../ingest/parse-record.ts';
import type { ScaleName } from './scales.ts';
import { RECORD_FILES } from './types.ts';
import { type GenerateSummary, writeHistory } from './write-history.ts';

/** The demo is always the same history for a given end. */
export const DEMO_SEED = 2024;

export type DemoPhase = 'generate' | 'import' | 'pipeline';

export interface DemoProgress {
  phase: DemoPhase;
  done: number;
  total: number;
  /** What `done` counts: days generated, bytes imported, signals through the pipeline. */
  unit: 'days' | 'bytes' | 'signals';
  /** The file being imported, or the pipeline's stage (correlate, derive). */
  detail: string;
}

export interface DemoOptions {
  /** Default `medium`: a year, 40 services. `small` (three months, 8 services) loads in seconds. */
  scale?: ScaleName;
  seed?: number;
  /** Where the history ends: a day `YYYY-MM-DD` or a UTC moment; default now, so recent periods have data. */
  end?: string;
  onProgress?: (progress: DemoProgress) => void;
}

export interface DemoSummary {
  scale: ScaleName;
  seed: number;
  from: string;
  to: string;
  generated: GenerateSummary;
  /** Records stored per file (`signals` → count). */
  stored: Record<string, number>;
  pipeline: PipelineSummary;
  seconds: number;
}

/**
 * A load that failed part-way. What it had stored was removed again, so the workspace is as it was
 * (rows it had updated rather than added keep their new values) and the load can simply be retried.
 */
export class DemoLoadFailed extends Error {
  constructor(
    readonly phase: DemoPhase,
    readonly reason: string,
    /** Records removed again; null when removing them failed too. */
    readonly removed: number | null,
    /** The pipeline had started over a workspace that held data: what it derived of that data needs a new run. */
    readonly rederive: boolean,
    readonly rollbackError?: string,
  ) {
    const during = phase === 'pipeline' ? 'running the pipeline' : `${phase === 'import' ? 'importing' : 'generating'} the history`;
    let after: string;
    if (removed === null) after = `Removing what it had stored failed as well (${rollbackError}): the workspace may hold part of the demo.`;
    else if (rederive) after = `${removed > 0 ? `The ${removed} records it had stored were removed again` : 'Nothing of it was stored'}; run \`escapement pipeline\` to derive the problems, releases and outcomes of the data that was there before.`;
    else after = `${removed > 0 ? `The ${removed} records it had stored were removed again` : 'Nothing of it was stored'}, so the workspace is as it was; try again.`;
    super(`loading the demo failed while ${during}: ${reason}. ${after}`);
  }
}

/** Now, to the second, as a history end. */
export const endNow = (): string => `${new Date().toISOString().slice(0, 19)}Z`;

export async function loadDemo(store: Store, config: Config, options: DemoOptions = {}): Promise<DemoSummary> {
  const started = performance.now();
  const scale = options.scale ?? 'medium';
  const seed = options.seed ?? DEMO_SEED;
  const report = options.onProgress ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'escapement-demo-'));
  const marks = await loadMarks(store.db);
  let phase: DemoPhase = 'generate';
  try {
    const generated = await writeHistory({ scale, seed, end: options.end ?? endNow() }, dir, (chunk) =>
      report({ phase: 'generate', done: chunk.dayIndex + 1, total: chunk.totalDays, unit: 'days', detail: chunk.day }),
    );

    phase = 'import';
    const files = importOrder(RECORD_FILES.map((f) => join(dir, `${f}.jsonl`)));
    const total = files.reduce((sum, f) => sum + statSync(f).size, 0);
    let done = 0;
    const stored: Record<string, number> = {};
    for (const file of files) {
      const name = basename(file, '.jsonl');
      const result = await importFile(store, file, { onProgress: (bytes) => report({ phase: 'import', done: done + bytes, total, unit: 'bytes', detail: name }) });
      done += statSync(file).size;
      stored[name] = Object.values(result.counts).reduce((sum, c) => sum + (c ? c.inserted + c.updated + c.unchanged : 0), 0);
    }

    phase = 'pipeline';
    const pipeline = await runPipeline(store, config, {
      onProgress: (p) => report({ phase: 'pipeline', done: p.done, total: p.total, unit: 'signals', detail: p.phase }),
    });
    return { scale, seed, from: generated.from, to: generated.to, generated, stored, pipeline, seconds: +((performance.now() - started) / 1000).toFixed(1) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const rederive = phase === 'pipeline' && heldData(marks);
    const loaded: LoadedFile[] = [];
    for (const name of RECORD_FILES) {
      const kind = kindFromFileName(name);
      if (kind) loaded.push({ file: join(dir, `${name}.jsonl`), kind });
    }
    let removed: Removed;
    try {
      removed = phase === 'generate' ? {} : await removeLoaded(store.db, marks, loaded);
    } catch (failure) {
      throw new DemoLoadFailed(phase, reason, null, rederive, failure instanceof Error ? failure.message : String(failure));
    }
    const count = Object.entries(removed).reduce((sum, [table, n]) => sum + (table === 'problems' ? 0 : n), 0);
    throw new DemoLoadFailed(phase, reason, count, rederive);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
