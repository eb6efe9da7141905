// `escapement attribute <problem> <deployment|none>`: a person decides which release introduced a problem;
// `escapement attribute outcome <deployment> --failed yes|no --rework yes|no`: a person decides a
// deployment's outcome. Both are decisions every later pipeline run replays.
import type { Command } from 'commander';
import { decideAttribution, decideOutcome } from '../../store/attribution.ts';
import { actorOf, addStoreOptions, printJson, UserError, withWorkspace } from '../common.ts';
import { asUserError } from './cost.ts';

interface DecisionFlags {
  db?: string;
  config?: string;
  json?: boolean;
  reason?: string;
  actor?: string;
}

interface OutcomeFlags extends DecisionFlags {
  failed?: string;
  rework?: string;
}


function yesNo(flag: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(yes|true|1)$/i.test(value)) return true;
  if (/^(no|false|0)$/i.test(value)) return false;
  throw new UserError(`${flag}: expected yes or no, got ${JSON.stringify(value)}`, 2);
}

export function registerAttribution(program: Command): void {
  const attribute = addStoreOptions(program.command('attribute'))
    .description('decide which deployment introduced a problem ("none" when no deployment did); kept across pipeline runs')
    .argument('<problem>', 'problem id or key')
    .argument('<deployment>', 'deployment id, source:external_id, or "none"')
    .option('--reason <text>', 'why (shown with the attribution)')
    .option('--actor <name>', 'who decides (default: $ESCAPEMENT_ACTOR or the login name)')
    .option('--json', 'print machine-readable JSON')
    .action(async (problem: string, deployment: string, flags: DecisionFlags) => {
      const target = deployment.toLowerCase() === 'none' ? null : deployment;
      const result = await withWorkspace(flags, ({ store, config }) =>
        asUserError(() => decideAttribution(store.db, config, problem, target, flags.reason ?? '', actorOf(flags))),
      );
      if (flags.json) printJson(result);
      else
        console.log(
          result.deployment_id === null
            ? `problem ${result.problem_id}: introduced by no deployment (decided by ${result.attribution.actor})`
            : `problem ${result.problem_id}: introduced by deployment ${result.deployment_id} (${result.attribution.deployment_ref}), decided by ${result.attribution.actor}`,
        );
    });

  addStoreOptions(attribute.command('outcome'))
    .description('decide whether a deployment failed (needed intervention) and whether it was rework')
    .argument('<deployment>', 'deployment id or source:external_id')
    .option('--failed <yes|no>', 'it needed intervention')
    .option('--rework <yes|no>', 'it was unplanned, made to address a production problem')
    .option('--reason <text>', 'why')
    .option('--actor <name>', 'who decides (default: $ESCAPEMENT_ACTOR or the login name)')
    .option('--json', 'print machine-readable JSON')
    .action(async (deployment: string, flags: OutcomeFlags) => {
      const failed = yesNo('--failed', flags.failed);
      const rework = yesNo('--rework', flags.rework);
      if (failed === undefined && rework === undefined) throw new UserError('give --failed yes|no and/or --rework yes|no', 2);
      const decision = { ...(failed !== undefined ? { failed } : {}), ...(rework !== undefined ? { rework } : {}) };
      const result = await withWorkspace(flags, ({ store }) => asUserError(() => decideOutcome(store.db, deployment, decision, flags.reason ?? '', actorOf(flags))));
      if (flags.json) printJson(result);
      else console.log(`deployment ${result.deployment_id}: failed ${result.failed ?? 'n/a'}, rework ${result.rework ?? 'n/a'}`);
    });
}
