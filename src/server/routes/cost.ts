// GET /api/v1/problems/:id/cost: what a problem cost; POST adds hours a person spent on it.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { addCostEntry, Conflict, InvalidCostEntry, NotFound, problemCost } from '../../store/attribution.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';
import { zodMessage } from '../zod-message.ts';

const CostEntryBody = z.strictObject({
  role: z.string().trim().min(1, 'must not be empty'),
  hours: z.number().positive().max(10_000),
  person: z.string().optional(),
  note: z.string().optional(),
});

const COST_SCHEMA = {
  type: 'object',
  properties: {
    problem_id: { type: 'integer' },
    estimated: { type: 'boolean', description: 'no entries: the hours are the type\'s default role hours (metrics.md §1 midpoints)' },
    basis: { type: 'string' },
    hours_by_role: { type: 'object', additionalProperties: { type: 'number' } },
    total_hours: { type: 'number' },
    money: { type: ['object', 'null'], description: 'when role rates are configured; total is null when a role has no rate' },
    time_to_detect_minutes: { type: ['integer', 'null'] },
    time_to_fix_minutes: { type: ['integer', 'null'] },
    entries: { type: 'array', items: { type: 'object' } },
  },
};

/** Store errors a client can act on, as 404 / 400 answers. */
export async function answerOrFail<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof NotFound) return reply.code(404).send({ error: 'not_found', message: error.message });
    if (error instanceof InvalidCostEntry) return reply.code(400).send({ error: 'bad_request', message: error.message });
    if (error instanceof Conflict) return reply.code(409).send({ error: 'conflict', message: error.message });
    throw error;
  }
}

export async function costRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const idParam = { name: 'id', in: 'path' as const, description: 'problem id or key', required: true };
  documentOperation({
    method: 'get',
    path: '/api/v1/problems/:id/cost',
    summary: 'What a problem cost: hours per role (actual entries, else the type\'s estimate), money, time to detect and fix',
    tags: ['cost'],
    parameters: [idParam],
    responses: { '200': { description: 'the cost', schema: COST_SCHEMA }, '404': { description: 'no such problem' } },
  });
  documentOperation({
    method: 'post',
    path: '/api/v1/problems/:id/cost',
    summary: 'Record hours a person in a role spent on a problem',
    tags: ['cost'],
    parameters: [idParam],
    requestBody: { description: 'role, hours, optional person and note', schema: z.toJSONSchema(CostEntryBody, { io: 'input' }) },
    responses: {
      '201': { description: 'stored: the entry and the problem\'s cost with it', schema: { type: 'object', properties: { entry: { type: 'object' }, cost: COST_SCHEMA } } },
      '400': { description: 'a field missing or invalid; the message names it' },
      '404': { description: 'no such problem' },
    },
  });

  app.get('/api/v1/problems/:id/cost', async (request, reply) => {
    const { id } = request.params as { id: string };
    return answerOrFail(reply, () => problemCost(ctx.store.db, ctx.config, id));
  });

  app.post('/api/v1/problems/:id/cost', async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = CostEntryBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ error: 'bad_request', message: zodMessage(body.error) });
    return answerOrFail(reply, async () => reply.code(201).send(await addCostEntry(ctx.store.db, ctx.config, id, body.data)));
  });
}
