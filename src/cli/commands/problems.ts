// `escapement problems`: list problems (what needs review first), and the review operations:
// confirm a type, merge problems, split signals off, set a problem aside as not an escaped problem or
// count it again. Decisions are kept with who and when.
import type { Command } from 'commander';
import { PROBLEM_TYPES } from '../../domain/config.ts';
import { confirmProblemType, dismissProblem, mergeProblems, restoreProblem, ReviewError, splitProblem } from '../../pipeline/review.ts';
import { listRecords, presentRow } from '../../store/records.ts';
import { actorOf, addReadOptions, addStoreOptions, printJson, resolvePeriod, UserError, withWorkspace } from '../common.ts';

interface ListFlags {
  db?: string;
  config?: string;
  json?: boolean;
  period?: string;
  toVerify?: boolean;
  setAside?: boolean;
  type?: string;
  service?: string;
  limit: string;
}

interface DecideFlags {
  db?: string;
  config?: string;
  json?: boolean;
  actor?: string;
  reason?: string;
}

function positiveIds(values: string[], what: string): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UserError(`${what}: expected a positive integer id, got ${JSON.stringify(v)}`, 2);
    return n;
  });
}

async function review<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ReviewError) throw new UserError(error.message);
    throw error;
  }
}

function describe(p: Record<string, unknown>): string {
  const conf = typeof p.type_confidence === 'number' ? ` ${Math.round(p.type_confidence * 100)}%` : '';
  return `#${String(p.id).padEnd(6)} ${String(p.type ?? '?').padEnd(11)}${conf.padEnd(5)} ${String(p.type_decider ?? '').padEnd(6)} ${String(p.review_state).padEnd(10)} ${String(p.impact_start).slice(0, 16)} ${String(p.service ?? '-').padEnd(16)} ${String(p.signal_count).padStart(4)} sig  ${String(p.title)}`;
}

function decisionOptions(command: Command): Command {
  return addStoreOptions(command).option('--actor <name>', 'who decides (default: $ESCAPEMENT_ACTOR or the login name)').option('--json', 'print the result as JSON');
}

export function registerProblems(program: Command): void {
  const problems = addReadOptions(program.command('problems'))
    .description('list problems (newest first); subcommands confirm, merge, split, dismiss and restore record a person\'s decision')
    .option('--to-verify', 'only problems whose type is below the confidence threshold and unconfirmed')
    .option('--set-aside', 'only problems set aside as not escaped problems (noise, or a person\'s call): not counted')
    .option('--type <type>', `only this type (${PROBLEM_TYPES.join(', ')})`)
    .option('--service <service>', 'only this service')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (flags: ListFlags) => {
      if (flags.toVerify && flags.setAside) throw new UserError('--to-verify and --set-aside: choose one', 2);
      if (flags.type !== undefined && !(PROBLEM_TYPES as readonly string[]).includes(flags.type)) throw new UserError(`--type: expected one of ${PROBLEM_TYPES.join(', ')}`, 2);
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UserError('--limit: expected a positive integer', 2);
      const rows = await withWorkspace(flags, async ({ store, config }) => {
        const period = resolvePeriod(flags.period, config);
        const filters: Record<string, string> = {};
        if (flags.toVerify) filters.review_state = 'to_verify';
        if (flags.setAside) filters.review_state = 'dismissed';
        if (flags.type) filters.type = flags.type;
        if (flags.service) filters.service = flags.service;
        const out: Record<string, unknown>[] = [];
        let cursor: string | undefined;
        do {
          const page = await listRecords(store.db, 'problems', { filters, from: period.start, to: period.end, limit: Math.min(1000, limit - out.length), ...(cursor ? { cursor } : {}) });
          out.push(...page.data);
          cursor = page.next_cursor ?? undefined;
        } while (cursor && out.length < limit);
        return out;
      });
      if (flags.json) printJson(rows);
      else if (rows.length === 0) console.log('no problems match');
      else for (const p of rows) console.log(describe(p));
    });

  decisionOptions(problems.command('confirm'))
    .description('confirm or change a problem\'s type')
    .argument('<id>', 'problem id')
    .argument('<type>', PROBLEM_TYPES.join(' | '))
    .action(async (id: string, type: string, flags: DecideFlags) => {
      const [problemId] = positiveIds([id], 'id');
      if (!(PROBLEM_TYPES as readonly string[]).includes(type)) throw new UserError(`type: expected one of ${PROBLEM_TYPES.join(', ')}, got ${JSON.stringify(type)}`, 2);
      const row = await withWorkspace(flags, ({ store, config }) => review(() => confirmProblemType(store, config, problemId!, type, actorOf(flags))));
      if (flags.json) printJson(presentRow(row as unknown as Record<string, unknown>));
      else console.log(`confirmed: ${describe(row as unknown as Record<string, unknown>)}`);
    });

  decisionOptions(problems.command('dismiss'))
    .description('set a problem aside: not an escaped problem (noise, a question, chatter); kept, no longer counted')
    .argument('<id>', 'problem id')
    .option('--reason <text>', 'why it is not a problem')
    .action(async (id: string, flags: DecideFlags) => {
      const [problemId] = positiveIds([id], 'id');
      const row = await withWorkspace(flags, ({ store, config }) => review(() => dismissProblem(store, config, problemId!, actorOf(flags), flags.reason)));
      if (flags.json) printJson(presentRow(row as unknown as Record<string, unknown>));
      else console.log(`set aside: ${describe(row as unknown as Record<string, unknown>)}`);
    });

  decisionOptions(problems.command('restore'))
    .description('count a problem that was set aside again')
    .argument('<id>', 'problem id')
    .action(async (id: string, flags: DecideFlags) => {
      const [problemId] = positiveIds([id], 'id');
      const row = await withWorkspace(flags, ({ store, config }) => review(() => restoreProblem(store, config, problemId!, actorOf(flags))));
      if (flags.json) printJson(presentRow(row as unknown as Record<string, unknown>));
      else console.log(`counted again: ${describe(row as unknown as Record<string, unknown>)}`);
    });

  decisionOptions(problems.command('merge'))
    .description('merge problems: their signals belong together')
    .argument('<ids...>', 'two or more problem ids')
    .action(async (ids: string[], flags: DecideFlags) => {
      const problemIds = positiveIds(ids, 'ids');
      const row = await withWorkspace(flags, ({ store, config }) => review(() => mergeProblems(store, config, problemIds, actorOf(flags))));
      if (flags.json) printJson(presentRow(row as unknown as Record<string, unknown>));
      else console.log(`merged into: ${describe(row as unknown as Record<string, unknown>)}`);
    });

  decisionOptions(problems.command('split'))
    .description('split signals off a problem into a problem of their own')
    .argument('<id>', 'problem id')
    .argument('<signal-ids...>', 'ids of the signals to split off')
    .action(async (id: string, signalIds: string[], flags: DecideFlags) => {
      const [problemId] = positiveIds([id], 'id');
      const result = await withWorkspace(flags, ({ store, config }) => review(() => splitProblem(store, config, problemId!, positiveIds(signalIds, 'signal-ids'), actorOf(flags))));
      if (flags.json) printJson({ remaining: presentRow(result.remaining as unknown as Record<string, unknown>), split: presentRow(result.split as unknown as Record<string, unknown>) });
      else console.log(`remaining: ${describe(result.remaining as unknown as Record<string, unknown>)}\nsplit off: ${describe(result.split as unknown as Record<string, unknown>)}`);
    });
}
