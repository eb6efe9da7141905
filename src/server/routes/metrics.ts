// GET /api/v1/metrics/<family>: every number of metrics.md with its evidence; /overview bundles the dashboard's first page.
import type { FastifyInstance } from 'fastify';
import { FAMILIES, isFamily } from '../../metrics/overview.ts';
import { computeMetrics } from '../../store/metric-facts.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';
import { readMetricQuery } from '../metric-query.ts';

const SUMMARIES: Record<(typeof FAMILIES)[number], string> = {
  overview: 'Everything the dashboard overview shows: escapes, cost, DDR, IPR, EpR, RCS, DORA, error budgets, patterns',
  escapes: 'Escaped problems by type, shares and trend against the previous period',
  cost: 'Cost by type: hours (actual and estimated), money when rates are set, time to detect / fix',
  ddr: 'Defect Detection Rate, basic and severity-weighted, with escapes per release and release count',
  ipr: 'Issues per release with bands and trend',
  epr: 'Escaped problems per release with Tukey spike detection and flags',
  rcs: 'Release Confidence Score of a release candidate under the three models',
  dora: 'DORA metrics per service with the 2024 clusters beside the raw numbers',
  budgets: 'Error budgets per configured SLO: consumed, remaining, burn rates, policy flags',
  patterns: 'Recurring escape patterns and structural signals',
};

export async function metricRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  for (const family of FAMILIES) {
    documentOperation({
      method: 'get',
      path: `/api/v1/metrics/${family}`,
      summary: SUMMARIES[family],
      tags: ['metrics'],
      parameters: [
        { name: 'period', in: 'query', description: '2025-Q4, 2025-11, last-90d, sprint:<name>, 2025-01-01..2025-03-31 or all (default all)' },
        { name: 'service', in: 'query', description: 'only this service' },
        { name: 'team', in: 'query', description: 'only the services of this team' },
        { name: 'definitions', in: 'query', description: '2024 (default from the configuration) or 2021' },
        ...(family === 'rcs' || family === 'overview' ? [{ name: 'release', in: 'query' as const, description: 'release candidate (default: the latest under test)' }] : []),
      ],
      responses: {
        '200': { description: 'metric results; each number carries value, numerator, denominator, sample_size, method and evidence ids', schema: { type: 'object' } },
        '400': { description: 'a period, definitions or filter that is not understood; the message names it' },
      },
    });
  }

  app.get('/api/v1/metrics/:family', async (request, reply) => {
    const { family } = request.params as { family: string };
    const query = request.query as Record<string, string | undefined>;
    if (!isFamily(family)) return reply.code(404).send({ error: 'not_found', message: `no metric family "${family}"; expected one of ${FAMILIES.join(', ')}` });
    const parsed = readMetricQuery(query, ctx.config);
    if (!parsed.ok) return reply.code(400).send({ error: 'bad_request', message: parsed.message });
    const { period, definitions } = parsed;
    if (query.service && query.team) return reply.code(400).send({ error: 'bad_request', message: 'service and team: give one of them' });
    // Remembered until the data or the configuration changes: the dashboard asks for the same bundle often.
    return computeMetrics(ctx.store, {
      family,
      period,
      service: query.service ?? null,
      team: query.team ?? null,
      config: ctx.config,
      definitions,
      release: query.release ?? null,
    });
  });
}
