// GET /api/v1/evidence?problems=1,2&deployments=7: the records behind a number, by id, so every
// figure on the dashboard can open the rows it was computed from.
import type { FastifyInstance } from 'fastify';
import { columnOf, presentRow, rowsOf } from '../../store/records.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';

export const EVIDENCE_KINDS = ['problems', 'signals', 'deployments', 'defects', 'test_runs', 'changes', 'cost_entries'] as const;
export const MAX_EVIDENCE_IDS = 2000;

export async function evidenceRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  documentOperation({
    method: 'get',
    path: '/api/v1/evidence',
    summary: 'The records behind a metric: comma-separated ids per kind (the evidence of a metric result)',
    tags: ['records'],
    parameters: EVIDENCE_KINDS.map((kind) => ({ name: kind, in: 'query' as const, description: `comma-separated ${kind} ids (at most ${MAX_EVIDENCE_IDS})` })),
    responses: {
      '200': { description: 'for each kind asked, the records in the order of the ids given' },
      '400': { description: 'an id that is not an integer, or too many ids; the message names the parameter' },
    },
  });
  app.get('/api/v1/evidence', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const out: Record<string, Record<string, unknown>[]> = {};
    for (const kind of EVIDENCE_KINDS) {
      const text = query[kind];
      if (text === undefined || text === '') continue;
      const ids = text.split(',').map((s) => Number(s.trim()));
      const bad = ids.findIndex((n) => !Number.isInteger(n));
      if (bad >= 0) return reply.code(400).send({ error: 'bad_request', message: `${kind}: expected comma-separated integer ids, got ${JSON.stringify(text.split(',')[bad])}` });
      if (ids.length > MAX_EVIDENCE_IDS) return reply.code(400).send({ error: 'bad_request', message: `${kind}: at most ${MAX_EVIDENCE_IDS} ids, got ${ids.length}` });
      const rows: Record<string, unknown>[] = [];
      // SQLite caps bound parameters per statement; 500 at a time stays well under it.
      for (let i = 0; i < ids.length; i += 500) {
        rows.push(...(await rowsOf(ctx.store.db, kind).where(columnOf(kind, 'id'), 'in', ids.slice(i, i + 500)).execute()));
      }
      const byId = new Map(rows.map((r) => [Number(r.id), presentRow(r)]));
      out[kind] = ids.flatMap((id) => {
        const row = byId.get(id);
        return row ? [row] : [];
      });
    }
    return out;
  });
}
