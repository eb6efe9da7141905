// GET /api/v1/<collection>: stored records with filters, a period and cursor pagination.
import type { FastifyInstance } from 'fastify';
import { parsePeriod, PeriodError } from '../../domain/periods.ts';
import { COLLECTIONS, COLLECTION_NAMES, listRecords, MAX_PAGE, QueryError } from '../../store/records.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';

const COMMON_QUERY = new Set(['period', 'from', 'to', 'cursor', 'limit', 'include']);

export async function recordRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  for (const collection of COLLECTION_NAMES) {
    const spec = COLLECTIONS[collection];
    documentOperation({
      method: 'get',
      path: `/api/v1/${collection}`,
      summary: `List ${collection.replace('_', ' ')}, newest first`,
      tags: ['records'],
      parameters: [
        ...spec.filters.map((f) => ({ name: f, in: 'query' as const, description: `only ${collection} whose ${f} equals this` })),
        ...(spec.time
          ? [
              { name: 'period', in: 'query' as const, description: `by ${spec.time}: 2025-Q4, 2025-11, last-90d, sprint:<name>, 2025-01-01..2025-03-31` },
              { name: 'from', in: 'query' as const, description: `${spec.time} at or after this ISO time` },
              { name: 'to', in: 'query' as const, description: `${spec.time} before this ISO time` },
            ]
          : []),
        { name: 'limit', in: 'query', description: `page size, 1–${MAX_PAGE} (default 100)`, schema: { type: 'integer' } },
        { name: 'cursor', in: 'query', description: 'next_cursor of the previous page' },
        { name: 'include', in: 'query', description: '"raw" to include the payload as received' },
      ],
      responses: {
        '200': { description: 'a page of records', schema: { type: 'object', properties: { data: { type: 'array', items: { type: 'object' } }, next_cursor: { type: ['string', 'null'] } } } },
        '400': { description: 'a filter, period, limit or cursor that is not understood; the message names it' },
      },
    });

    app.get(`/api/v1/${collection}`, async (request, reply) => {
      const query = request.query as Record<string, string | undefined>;
      const filters: Record<string, string> = {};
      for (const [key, value] of Object.entries(query)) {
        if (!COMMON_QUERY.has(key) && value !== undefined) filters[key] = value;
      }
      let from = query.from;
      let to = query.to;
      try {
        if (query.period) {
          const period = parsePeriod(query.period, { sprints: ctx.config.sprints });
          from = period.start;
          to = period.end;
        }
        const limit = query.limit === undefined ? undefined : Number(query.limit);
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)) {
          throw new QueryError(`limit: expected an integer from 1 to ${MAX_PAGE}, got ${JSON.stringify(query.limit)}`);
        }
        return await listRecords(ctx.store.db, collection, {
          filters,
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(limit ? { limit } : {}),
          includeRaw: query.include === 'raw',
        });
      } catch (error) {
        if (error instanceof QueryError || error instanceof PeriodError) {
          return reply.code(400).send({ error: 'bad_request', message: error.message });
        }
        throw error;
      }
    });
  }
}
