// `escapement cost <problem>` shows what a problem cost; `escapement cost add <problem> --role dev --hours 2`
// records hours a person spent on it.
import type { Command } from 'commander';
import type { ProblemCost } from '../../pipeline/cost.ts';
import { addCostEntry, Conflict, InvalidCostEntry, NotFound, problemCost } from '../../store/attribution.ts';
import { addStoreOptions, printJson, UserError, withWorkspace } from '../common.ts';

interface CostFlags {
  db?: string;
  config?: string;
  json?: boolean;
}

interface AddFlags extends CostFlags {
  role: string;
  hours: string;
  person?: string;
  note?: string;
}

/** NotFound and invalid input become messages the user can act on. */
export async function asUserError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof NotFound || error instanceof InvalidCostEntry || error instanceof Conflict) throw new UserError(error.message);
    throw error;
  }
}

const hours = (h: number) => `${Number.isInteger(h) ? h : h.toFixed(2).replace(/0$/, '')} h`;
const minutes = (m: number | null) => (m === null ? 'unknown' : m < 120 ? `${m} min` : `${(m / 60).toFixed(1)} h`);

export function describeCost(cost: ProblemCost): string {
  const lines = [
    `problem ${cost.problem_id} (${cost.problem_key}): ${hours(cost.total_hours)}${cost.estimated ? ' (estimate)' : ''}`,
    `  ${cost.basis}`,
    ...Object.entries(cost.hours_by_role).map(([role, h]) => `  ${role.padEnd(8)} ${hours(h)}`),
  ];
  if (cost.money) {
    lines.push(
      cost.money.total === null
        ? `  money: incomplete, no rate for ${cost.money.roles_without_rate.join(', ')}`
        : `  money: ${cost.money.total.toFixed(2)} ${cost.money.currency}`,
    );
  }
  lines.push(`  time to detect: ${minutes(cost.time_to_detect_minutes)}; time to fix: ${minutes(cost.time_to_fix_minutes)}`);
  for (const e of cost.entries) lines.push(`  entry ${e.ref}: ${e.role} ${hours(e.hours)}${e.person ? ` by ${e.person}` : ''}${e.note ? ` — ${e.note}` : ''}`);
  return lines.join('\n');
}

export function registerCost(program: Command): void {
  const cost = addStoreOptions(program.command('cost'))
    .description('what a problem cost: hours per role (entries, else the type\'s estimate), money, time to detect and fix')
    .argument('<problem>', 'problem id or key')
    .option('--json', 'print machine-readable JSON')
    .action(async (problem: string, flags: CostFlags) => {
      const result = await withWorkspace(flags, ({ store, config }) => asUserError(() => problemCost(store.db, config, problem)));
      if (flags.json) printJson(result);
      else console.log(describeCost(result));
    });

  addStoreOptions(cost.command('add'))
    .description('record hours a person spent on a problem')
    .argument('<problem>', 'problem id or key')
    .requiredOption('--role <role>', 'dev, qa, devops, pm or any role with a rate')
    .requiredOption('--hours <hours>', 'hours spent, e.g. 2 or 1.5')
    .option('--person <name>', 'who spent them')
    .option('--note <text>', 'what the time went on')
    .option('--json', 'print machine-readable JSON')
    .action(async (problem: string, flags: AddFlags) => {
      const h = Number(flags.hours);
      if (!Number.isFinite(h) || h <= 0) throw new UserError(`--hours: expected a positive number, got ${JSON.stringify(flags.hours)}`, 2);
      const result = await withWorkspace(flags, ({ store, config }) =>
        asUserError(() => addCostEntry(store.db, config, problem, { role: flags.role, hours: h, person: flags.person, note: flags.note })),
      );
      if (flags.json) printJson(result);
      else console.log(`recorded ${flags.role} ${hours(h)} on problem ${result.cost.problem_id}\n${describeCost(result.cost)}`);
    });
}
