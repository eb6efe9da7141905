// `escapement metrics [family]`: every number of metrics.md with its work shown, as tables or JSON.
import type { Command } from 'commander';
import { FAMILIES, isFamily } from '../../metrics/overview.ts';
import type { Definitions } from '../../metrics/dora.ts';
import { renderTable } from '../../metrics/present.ts';
import { computeMetrics } from '../../store/metric-facts.ts';
import { addReadOptions, printJson, resolvePeriod, UserError, withWorkspace } from '../common.ts';

interface MetricsFlags {
  db?: string;
  config?: string;
  json?: boolean;
  period?: string;
  service?: string;
  team?: string;
  definitions?: string;
  release?: string;
}

export function registerMetrics(program: Command): void {
  addReadOptions(program.command('metrics'))
    .description(`quality metrics with their evidence (docs/metrics.md); family: ${FAMILIES.join(', ')}`)
    .argument('[family]', 'which metrics', 'overview')
    .option('--service <name>', 'only this service')
    .option('--team <name>', 'only the services of this team')
    .option('--definitions <version>', 'metric definitions: 2024 (default from the configuration) or 2021 (older DORA wording)')
    .option('--release <version>', 'release candidate for the Release Confidence Score (default: the latest under test)')
    .action(async (family: string, flags: MetricsFlags) => {
      if (!isFamily(family)) throw new UserError(`unknown metric family "${family}"; expected one of ${FAMILIES.join(', ')}`, 2);
      if (flags.definitions !== undefined && flags.definitions !== '2021' && flags.definitions !== '2024') {
        throw new UserError(`--definitions: expected 2021 or 2024, got ${JSON.stringify(flags.definitions)}`, 2);
      }
      if (flags.service && flags.team) throw new UserError('--service and --team: give one of them', 2);
      await withWorkspace(flags, async ({ store, config }) => {
        const period = resolvePeriod(flags.period, config);
        const result = await computeMetrics(store, {
          family,
          period,
          config,
          definitions: (flags.definitions ?? config.definitions) as Definitions,
          service: flags.service ?? null,
          team: flags.team ?? null,
          release: flags.release ?? null,
        });
        if (flags.json) printJson(result);
        else {
          const scope = flags.service ? `service ${flags.service}` : flags.team ? `team ${flags.team}` : 'all services';
          process.stdout.write(renderTable(`${family} — ${period.label}, ${scope}`, result));
        }
      });
    });
}
