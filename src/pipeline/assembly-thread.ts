// Assembly (the pipeline's second read of the signals, which summarises each problem) in a worker
// thread, for a large run on a SQLite file, with classification and triage: the pipeline's thread
// meanwhile attributes and costs the problems already summarised, and the writer stores them. The worker
// (assembly-worker.ts) reads with a connection of its own; it reads only signals of problems not yet
// sent, and the pipeline's thread writes only problems already sent, so neither sees the other's work.
import type { Config } from '../domain/config.ts';
import type { StoredDecision } from '../store/problems.ts';
import type { CorrelationData } from './correlate.ts';
import type { DerivedProblem } from './run.ts';
import { pagesFromWorker } from '../threads.ts';

/** What the worker is given. */
export interface AssemblyJob {
  file: string;
  data: CorrelationData;
  /** Pages sent and not yet taken before the worker waits. */
  ahead: number;
  /** Given, the worker applies ASSEMBLY_STEPS (classify, triage) with this context before sending. */
  steps?: { config: Config; decisions: readonly StoredDecision[]; now: string } | undefined;
}

/** The problems finished on one page of signals, and how many signals were read so far. */
export interface AssembledPage {
  problems: DerivedProblem[];
  done: number;
}

/**
 * The pages assembly-worker.ts sends for the database file `file`, in order. A failure in the worker
 * (the signals changed since correlation, say) is thrown here; stopping early stops the worker.
 */
export function assembledInWorker(file: string, data: CorrelationData, options: { steps?: AssemblyJob['steps'] } = {}): AsyncGenerator<AssembledPage> {
  const job: AssemblyJob = { file, data, ahead: 32, steps: options.steps };
  return pagesFromWorker<AssembledPage>(new URL('./assembly-worker.ts', import.meta.url), { ...job }, 'the assembly worker');
}
