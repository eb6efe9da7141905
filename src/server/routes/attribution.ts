// A person's decisions on releases: which deployment introduced a problem, and a deployment's outcome.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { decideAttribution, decideOutcome } from '../../store/attribution.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';
import { answerOrFail } from './cost.ts';
import { zodMessage } from '../zod-message.ts';

const deploymentRef = z.union([z.number().int().positive(), z.string().min(1)]);

const ReleaseBody = z.strictObject({
  /** The deployment (id or `source:external_id`), or null for "introduced by no deployment". */
  deployment_id: deploymentRef.nullable(),
  reason: z.string().default(''),
  actor: z.string().trim().min(1, 'must not be empty'),
});

const OutcomeBody = z
  .strictObject({
    failed: z.boolean().optional(),
    rework: z.boolean().optional(),
    reason: z.string().default(''),
    actor: z.string().trim().min(1, 'must not be empty'),
  })
  .refine((b) => b.failed !== undefined || b.rework !== undefined, { message: 'give failed and/or rework' });

export async function attributionRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  documentOperation({
    method: 'post',
    path: '/api/v1/problems/:id/release',
    summary: 'Decide which deployment introduced a problem (null: none did); the decision survives pipeline re-runs',
    tags: ['attribution'],
    parameters: [{ name: 'id', in: 'path', description: 'problem id or key', required: true }],
    requestBody: { description: 'deployment_id (id, source:external_id, or null), reason, actor', schema: z.toJSONSchema(ReleaseBody, { io: 'input' }) },
    responses: {
      '200': { description: 'the problem\'s attribution as stored (method "person", with what the pipeline would have said)' },
      '400': { description: 'a field missing or invalid; the message names it' },
      '404': { description: 'no such problem or deployment' },
    },
  });
  documentOperation({
    method: 'post',
    path: '/api/v1/deployments/:id/outcome',
    summary: 'Decide whether a deployment failed (needed intervention) and whether it was rework; survives pipeline re-runs',
    tags: ['attribution'],
    parameters: [{ name: 'id', in: 'path', description: 'deployment id or source:external_id', required: true }],
    requestBody: { description: 'failed and/or rework (booleans), reason, actor', schema: z.toJSONSchema(OutcomeBody, { io: 'input' }) },
    responses: {
      '200': { description: 'the deployment\'s flags after the decision' },
      '400': { description: 'a field missing or invalid; the message names it' },
      '404': { description: 'no such deployment' },
    },
  });

  app.post('/api/v1/problems/:id/release', async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = ReleaseBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ error: 'bad_request', message: zodMessage(body.error) });
    const { deployment_id, reason, actor } = body.data;
    return answerOrFail(reply, () => decideAttribution(ctx.store.db, ctx.config, id, deployment_id, reason, actor));
  });

  app.post('/api/v1/deployments/:id/outcome', async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = OutcomeBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ error: 'bad_request', message: zodMessage(body.error) });
    const { failed, rework, reason, actor } = body.data;
    const decision = { ...(failed !== undefined ? { failed } : {}), ...(rework !== undefined ? { rework } : {}) };
    return answerOrFail(reply, () => decideOutcome(ctx.store.db, id, decision, reason, actor));
  });
}
