// Computes the dashboard overview's metrics once the server is listening, so the first visit finds
// them remembered instead of waiting for a cold computation. The result cache is invalidated by any
// write, so this only ever saves time; it never serves stale numbers.
import type { FastifyBaseLogger } from 'fastify';
import { parsePeriod, quarterOf } from '../domain/periods.ts';
import type { Definitions } from '../metrics/dora.ts';
import { computeMetrics } from '../store/metric-facts.ts';
import type { ServerContext } from './context.ts';
import { dataSpan } from './routes/readiness.ts';

/** The label of the quarter `n` quarters before `label` (`2026-Q1`, 1 → `2025-Q4`). */
export function quarterBefore(label: string, n: number): string {
  const [year, q] = label.split('-Q').map(Number) as [number, number];
  const index = year * 4 + (q - 1) - n;
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
}

/** The quarters the overview opens on: the four ending at the data's latest quarter, newest first. */
export function overviewQuarters(lastDataAt: string): string[] {
  const last = quarterOf(lastDataAt);
  return [0, 1, 2, 3].map((n) => quarterBefore(last, n));
}

export async function warmOverview(ctx: ServerContext, log: FastifyBaseLogger): Promise<void> {
  const started = Date.now();
  const span = await dataSpan(ctx.store);
  if (!span.last) return;
  for (const label of overviewQuarters(span.last)) {
    await computeMetrics(ctx.store, {
      family: 'overview',
      period: parsePeriod(label),
      service: null,
      team: null,
      config: ctx.config,
      definitions: ctx.config.definitions as Definitions,
      release: null,
    });
  }
  log.info({ ms: Date.now() - started }, 'overview metrics ready');
}
