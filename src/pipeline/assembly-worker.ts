// The worker thread of a pipeline run on a SQLite file (started by assembly-thread.ts): it reads the
// signals in time order a second time and summarises each problem as its last signal goes by
// (createAssembler), classifies and triages them (ASSEMBLY_STEPS, when asked), while the pipeline's
// thread attributes, costs and hands to the writer the problems it was already sent. Never more than
// `ahead` pages ahead of that thread.
import { parentPort, workerData } from 'node:worker_threads';
import { openStreamingReader, rawSignalsInTimeOrder } from '../store/problems.ts';
import type { AssembledPage, AssemblyJob } from './assembly-thread.ts';
import { pageSender } from '../threads.ts';
import { correlationResult } from './correlate.ts';
import { openStore, type SqliteConnection } from '../store/connection.ts';
import { assembledProblems, ASSEMBLY_STEPS, correlationColumn, type PreparedStep, prepareSteps } from './run.ts';

const job = workerData as AssemblyJob;

/** The steps the worker applies (classify, triage), prepared with a store of its own; none without `job.steps`. */
async function prepared(): Promise<{ steps: PreparedStep[]; close: () => Promise<void> }> {
  if (!job.steps) return { steps: [], close: async () => {} };
  const store = await openStore({ dbPath: job.file });
  const { config, decisions, now } = job.steps;
  try {
    return { steps: await prepareSteps({ store, config, decisions, now }, ASSEMBLY_STEPS), close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

pageSender<AssembledPage>(parentPort!, job.ahead).run(async function* () {
  const { steps, close } = await prepared();
  let sqlite: SqliteConnection | undefined;
  try {
    sqlite = openStreamingReader(job.file);
    for await (const page of assembledProblems(rawSignalsInTimeOrder(sqlite, 'assembly'), correlationResult(job.data), steps)) {
      // The features' words (text, fields, labels: 40% of what a page would carry across) stay here:
      // the later steps and the row need only their facts. Large first run: 66 -> 59 s.
      for (const problem of page.problems) {
        problem.features = null;
        // Classified and triaged: the correlation column is settled. Its joins (up to fifty objects a
        // problem) cross as the one string the row keeps.
        if (job.steps) {
          problem.correlation_json = correlationColumn(problem);
          problem.draft.correlation = { rules: {}, reasons: [] };
        }
      }
      yield page;
    }
  } finally {
    sqlite?.close();
    await close();
  }
});
