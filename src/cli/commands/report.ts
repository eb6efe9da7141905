// `escapement report --audience <…> --period <…>`: the narrative for one audience, built from the
// computed metrics, as Markdown (default), HTML, PDF or JSON; `--slide` for the one-slide view.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Definitions } from '../../metrics/dora.ts';
import { AUDIENCES, isAudience } from '../../report/document.ts';
import { TemplateError } from '../../report/build.ts';
import { reportFromStore } from '../../report/load.ts';
import { FORMATS, isFormat, renderReport } from '../../report/render.ts';
import { ChromiumMissingError } from '../../report/render-pdf.ts';
import { DEFAULT_PORT } from '../../server/app.ts';
import { addStoreOptions, resolvePeriod, UserError, withWorkspace } from '../common.ts';

interface ReportFlags {
  db?: string;
  config?: string;
  audience: string;
  period: string;
  service?: string;
  format: string;
  out?: string;
  slide?: boolean;
  definitions?: string;
}

export function registerReport(program: Command): void {
  addStoreOptions(program.command('report'))
    .description('a report for one audience from the computed metrics, every number citing its records (docs/reports.md)')
    .requiredOption('--audience <audience>', `who it is for: ${AUDIENCES.join(', ')}`)
    .requiredOption('--period <period>', 'e.g. 2025-Q4, 2025-11, last-90d, sprint:<name>, 2025-01-01..2025-03-31, all')
    .option('--service <name>', 'only this service')
    .option('--format <format>', `output: ${FORMATS.join(', ')}`, 'md')
    .option('--out <file>', 'write to this file instead of standard output (required for pdf)')
    .option('--slide', 'the one-slide view: one decision indicator and at most four numbers')
    .option('--definitions <version>', 'metric definitions: 2024 (default from the configuration) or 2021')
    .action(async (flags: ReportFlags) => {
      if (!isAudience(flags.audience)) throw new UserError(`--audience: unknown audience "${flags.audience}"; expected one of ${AUDIENCES.join(', ')}`, 2);
      if (!isFormat(flags.format)) throw new UserError(`--format: unknown format "${flags.format}"; expected one of ${FORMATS.join(', ')}`, 2);
      if (flags.format === 'pdf' && !flags.out) throw new UserError('--format pdf: give --out FILE (a PDF is not written to the terminal)', 2);
      if (flags.definitions !== undefined && flags.definitions !== '2021' && flags.definitions !== '2024') {
        throw new UserError(`--definitions: expected 2021 or 2024, got ${JSON.stringify(flags.definitions)}`, 2);
      }
      const audience = flags.audience;
      const format = flags.format;
      await withWorkspace(flags, async ({ store, config }) => {
        const period = resolvePeriod(flags.period, config);
        let output: string | Buffer;
        try {
          const doc = await reportFromStore(store, {
            audience,
            period,
            service: flags.service ?? null,
            config,
            definitions: (flags.definitions ?? config.definitions) as Definitions,
            // A file opened outside the dashboard needs absolute links to the evidence pages.
            dashboardUrl: config.reports.dashboard_url || `http://localhost:${DEFAULT_PORT}`,
          });
          output = await renderReport(doc, format, { slide: flags.slide ?? false });
        } catch (error) {
          if (error instanceof ChromiumMissingError || error instanceof TemplateError) throw new UserError(error.message);
          throw error;
        }
        if (flags.out) {
          writeFileSync(flags.out, output);
          process.stderr.write(`wrote ${flags.out}\n`);
        } else process.stdout.write(output);
      });
    });
}
