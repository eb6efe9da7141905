// Shell: loads what a report needs from the store — the facts of the period (which cover the period
// before it too), of the same period a year earlier, and the problem titles — then builds the
// document with the audience's template. Everything it computes goes through src/metrics.
import type { Kysely } from 'kysely';
import type { Config } from '../domain/config.ts';
import type { Period } from '../domain/periods.ts';
import type { Definitions } from '../metrics/dora.ts';
import { loadMetricFacts } from '../store/metric-facts.ts';
import type { Store } from '../store/connection.ts';
import type { Database } from '../store/schema.ts';
import { buildReport } from './build.ts';
import type { Audience, ReportDocument } from './document.ts';
import { assembleInputs, yearAgoPeriod, type ReportInputs } from './inputs.ts';
import { loadTemplate } from './templates.ts';

export interface ReportRequest {
  audience: Audience;
  period: Period;
  service: string | null;
  config: Config;
  definitions: Definitions;
  /** Base of the evidence links ('' = relative, for pages the dashboard serves). */
  dashboardUrl: string;
  now?: Date;
}

const CHUNK = 500;

async function problemTitles(db: Kysely<Database>, ids: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db.selectFrom('problems').select(['id', 'title']).where('id', 'in', ids.slice(i, i + CHUNK)).execute();
    for (const r of rows) out.set(r.id, r.title);
  }
  return out;
}

export async function loadReportInputs(store: Store, request: ReportRequest): Promise<ReportInputs> {
  const selection = { service: request.service };
  const current = await loadMetricFacts(store.db, { ...selection, period: request.period });
  const yearAgo = yearAgoPeriod(request.period);
  const year_ago = yearAgo ? await loadMetricFacts(store.db, { ...selection, period: yearAgo }) : null;
  const titles = await problemTitles(store.db, current.problems.map((p) => p.id));
  return assembleInputs(
    { audience: request.audience, period: request.period, service: request.service, config: request.config, definitions: request.definitions, ...(request.now ? { now: request.now } : {}) },
    { current, year_ago, titles },
  );
}

export async function reportFromStore(store: Store, request: ReportRequest): Promise<ReportDocument> {
  const inputs = await loadReportInputs(store, request);
  return buildReport(inputs, loadTemplate(request.audience, request.config.reports.templates), { dashboardUrl: request.dashboardUrl });
}
