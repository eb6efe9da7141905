// The query parameters every metric-backed route reads (metrics, reports): the period and the
// definitions version, with the 400 messages a caller can act on.
import type { Config } from '../domain/config.ts';
import { parsePeriod, type Period, PeriodError } from '../domain/periods.ts';
import type { Definitions } from '../metrics/dora.ts';

export type MetricQuery = { ok: true; period: Period; definitions: Definitions } | { ok: false; message: string };

export function readMetricQuery(query: Record<string, string | undefined>, config: Config): MetricQuery {
  const definitions = query.definitions ?? config.definitions;
  if (definitions !== '2021' && definitions !== '2024') return { ok: false, message: `definitions: expected 2021 or 2024, got ${JSON.stringify(definitions)}` };
  try {
    return { ok: true, period: parsePeriod(query.period ?? 'all', { sprints: config.sprints }), definitions };
  } catch (error) {
    if (error instanceof PeriodError) return { ok: false, message: `period: ${error.message}` };
    throw error;
  }
}
