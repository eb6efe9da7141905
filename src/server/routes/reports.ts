// GET /api/v1/reports/:audience: the narrative for one audience as Markdown, HTML, JSON or PDF —
// what the dashboard's "Export report" asks for.
import type { FastifyInstance } from 'fastify';
import { TemplateError } from '../../report/build.ts';
import { AUDIENCES, isAudience } from '../../report/document.ts';
import { reportFromStore } from '../../report/load.ts';
import { CONTENT_TYPES, FORMATS, isFormat, renderReport } from '../../report/render.ts';
import { ChromiumMissingError } from '../../report/render-pdf.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';
import { readMetricQuery } from '../metric-query.ts';

export async function reportRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  documentOperation({
    method: 'get',
    path: '/api/v1/reports/:audience',
    summary: 'A report for one audience (sprint, em, board, weekly, quarterly, investment, crisis) built from the computed metrics; every number cites its metric and records',
    tags: ['reports'],
    parameters: [
      { name: 'audience', in: 'path', required: true, description: AUDIENCES.join(', '), schema: { type: 'string', enum: [...AUDIENCES] } },
      { name: 'period', in: 'query', description: '2025-Q4, 2025-11, last-90d, sprint:<name>, 2025-01-01..2025-03-31 or all (default all)' },
      { name: 'service', in: 'query', description: 'only this service' },
      { name: 'format', in: 'query', description: `${FORMATS.join(', ')} (default md)`, schema: { type: 'string', enum: [...FORMATS] } },
      { name: 'slide', in: 'query', description: 'true: the one-slide view (one decision indicator, at most four numbers)' },
      { name: 'download', in: 'query', description: 'true: sent as an attachment with a file name' },
      { name: 'definitions', in: 'query', description: '2024 (default from the configuration) or 2021' },
    ],
    responses: {
      '200': { description: 'the report: text/markdown, text/html, application/json (sections, sentences, citations with record ids) or application/pdf' },
      '400': { description: 'a period, format or definitions that is not understood; the message names it' },
      '404': { description: 'an unknown audience' },
      '503': { description: 'PDF asked for but Chromium is not installed on the server' },
    },
  });

  app.get('/api/v1/reports/:audience', async (request, reply) => {
    const { audience } = request.params as { audience: string };
    const query = request.query as Record<string, string | undefined>;
    if (!isAudience(audience)) return reply.code(404).send({ error: 'not_found', message: `no audience "${audience}"; expected one of ${AUDIENCES.join(', ')}` });
    const format = query.format ?? 'md';
    if (!isFormat(format)) return reply.code(400).send({ error: 'bad_request', message: `format: expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}` });
    const parsed = readMetricQuery(query, ctx.config);
    if (!parsed.ok) return reply.code(400).send({ error: 'bad_request', message: parsed.message });
    const { period, definitions } = parsed;
    const slide = query.slide === 'true' || query.slide === '1';
    try {
      const doc = await reportFromStore(ctx.store, {
        audience,
        period,
        service: query.service || null,
        config: ctx.config,
        definitions,
        // Served by the same process as the dashboard: relative links open its evidence pages.
        dashboardUrl: ctx.config.reports.dashboard_url,
      });
      const body = await renderReport(doc, format, { slide });
      reply.type(CONTENT_TYPES[format]);
      if (query.download === 'true' || query.download === '1' || format === 'pdf') {
        const name = `escapement-${audience}${slide ? '-slide' : ''}-${period.label.replace(/[^A-Za-z0-9-]+/g, '_')}.${format}`;
        reply.header('content-disposition', `${format === 'pdf' || query.download ? 'attachment' : 'inline'}; filename="${name}"`);
      }
      return body;
    } catch (error) {
      if (error instanceof ChromiumMissingError) return reply.code(503).send({ error: 'unavailable', message: error.message });
      if (error instanceof TemplateError) return reply.code(500).send({ error: 'template_error', message: error.message });
      throw error;
    }
  });
}
