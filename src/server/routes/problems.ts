// A person's review of problems: confirm a type, merge problems, split signals off, set a problem
// aside as not an escaped problem or count it again. Each is kept as
// a decision (who, when) that pipeline re-runs replay, and is applied at once.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { PROBLEM_TYPES } from '../../domain/config.ts';
import { presentRow } from '../../store/records.ts';
import { confirmProblemType, dismissProblem, mergeProblems, restoreProblem, ReviewError, splitProblem } from '../../pipeline/review.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';
import { zodMessage } from '../zod-message.ts';

const actor = z.string().trim().min(1, 'must not be empty: say who decides');
const id = z.coerce.number().int().positive();

const TypeBody = z.strictObject({ type: z.enum(PROBLEM_TYPES), actor });
const MergeBody = z.strictObject({ problem_ids: z.array(id).min(2, 'name at least two problems'), actor });
const SplitBody = z.strictObject({ signal_ids: z.array(id).min(1, 'name at least one signal'), actor });
const DismissBody = z.strictObject({ actor, reason: z.string().max(500).optional() });
const RestoreBody = z.strictObject({ actor });

async function answer(reply: FastifyReply, work: () => Promise<unknown>) {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ReviewError) {
      return reply.code(error.status).send({ error: error.status === 404 ? 'not_found' : error.status === 409 ? 'conflict' : 'bad_request', message: error.message });
    }
    throw error;
  }
}

const present = (row: object) => presentRow(row as Record<string, unknown>);

export async function problemRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const errors = {
    '400': { description: 'a field missing or invalid; the message names it' },
    '404': { description: 'no such problem' },
  };
  documentOperation({
    method: 'post',
    path: '/api/v1/problems/:id/type',
    summary: "Confirm or change a problem's type; the person's type wins over rules and model on every re-run, and the model retrains",
    tags: ['review'],
    parameters: [{ name: 'id', in: 'path', description: 'problem id', required: true, schema: { type: 'integer' } }],
    requestBody: { description: 'type and who decides', schema: z.toJSONSchema(TypeBody, { io: 'input' }) },
    responses: { '200': { description: 'the problem as stored now (type_decider "person", review_state "confirmed")' }, ...errors },
  });
  documentOperation({
    method: 'post',
    path: '/api/v1/problems/merge',
    summary: 'Merge problems into one (their signals belong together); survives pipeline re-runs',
    tags: ['review'],
    requestBody: { description: 'the problems to merge and who decides', schema: z.toJSONSchema(MergeBody, { io: 'input' }) },
    responses: { '200': { description: 'the merged problem (key of its earliest signal)' }, ...errors },
  });
  documentOperation({
    method: 'post',
    path: '/api/v1/problems/:id/split',
    summary: 'Split signals off a problem into a problem of their own; survives pipeline re-runs',
    tags: ['review'],
    parameters: [{ name: 'id', in: 'path', description: 'problem id', required: true, schema: { type: 'integer' } }],
    requestBody: { description: 'the signals to split off and who decides', schema: z.toJSONSchema(SplitBody, { io: 'input' }) },
    responses: {
      '200': { description: '{ remaining, split }: both problems as stored now' },
      ...errors,
      '409': { description: 'the signals named are all of the problem; nothing would remain' },
    },
  });

  documentOperation({
    method: 'post',
    path: '/api/v1/problems/:id/dismiss',
    summary: 'Set a problem aside: not an escaped problem (noise, a question, chatter). Kept and shown, no longer counted in any metric nor attributed to a release; survives pipeline re-runs',
    tags: ['review'],
    parameters: [{ name: 'id', in: 'path', description: 'problem id', required: true, schema: { type: 'integer' } }],
    requestBody: { description: 'who decides, and why (optional)', schema: z.toJSONSchema(DismissBody, { io: 'input' }) },
    responses: { '200': { description: 'the problem as stored now (review_state "dismissed")' }, ...errors },
  });
  documentOperation({
    method: 'post',
    path: '/api/v1/problems/:id/restore',
    summary: 'Count a problem that was set aside (by the noise rules or a person) again; survives pipeline re-runs',
    tags: ['review'],
    parameters: [{ name: 'id', in: 'path', description: 'problem id', required: true, schema: { type: 'integer' } }],
    requestBody: { description: 'who decides', schema: z.toJSONSchema(RestoreBody, { io: 'input' }) },
    responses: { '200': { description: 'the problem as stored now, classified and attributed again' }, ...errors },
  });

  /** A route on one problem: the id from the path, the body checked against its schema, then the decision. */
  function onProblem<T extends z.ZodType>(path: string, schema: T, decide: (problemId: number, body: z.output<T>) => Promise<unknown>) {
    app.post(path, async (request, reply) => {
      const target = id.safeParse((request.params as { id: string }).id);
      if (!target.success) return reply.code(400).send({ error: 'bad_request', message: 'id: expected a problem id (a positive integer)' });
      const body = schema.safeParse(request.body);
      if (!body.success) return reply.code(400).send({ error: 'bad_request', message: zodMessage(body.error) });
      return answer(reply, () => decide(target.data, body.data));
    });
  }

  onProblem('/api/v1/problems/:id/type', TypeBody, async (problemId, body) => present(await confirmProblemType(ctx.store, ctx.config, problemId, body.type, body.actor)));
  onProblem('/api/v1/problems/:id/dismiss', DismissBody, async (problemId, body) => present(await dismissProblem(ctx.store, ctx.config, problemId, body.actor, body.reason)));
  onProblem('/api/v1/problems/:id/restore', RestoreBody, async (problemId, body) => present(await restoreProblem(ctx.store, ctx.config, problemId, body.actor)));

  app.post('/api/v1/problems/merge', async (request, reply) => {
    const body = MergeBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ error: 'bad_request', message: zodMessage(body.error) });
    return answer(reply, async () => present(await mergeProblems(ctx.store, ctx.config, body.data.problem_ids, body.data.actor)));
  });

  onProblem('/api/v1/problems/:id/split', SplitBody, async (problemId, body) => {
    const { remaining, split } = await splitProblem(ctx.store, ctx.config, problemId, body.signal_ids, body.actor);
    return { remaining: present(remaining), split: present(split) };
  });
}
