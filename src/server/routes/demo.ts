// POST /api/v1/demo: loads the demo history into an empty workspace from the dashboard's first-run
// page — generated, imported and run through the pipeline like `escapement demo`. It takes a while
// (about a minute or two for `medium`), so it runs as a job the page follows with GET /api/v1/demo.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DemoLoadFailed, loadDemo, type DemoPhase } from '../../generate/load-demo.ts';
import { SCALE_NAMES } from '../../generate/scales.ts';
import type { ServerContext } from '../context.ts';
import { countSignals } from '../../store/problems.ts';
import { documentOperation } from '../openapi.ts';
import { zodMessage } from '../zod-message.ts';

const DemoBody = z.strictObject({
  /** `medium` is what `escapement demo` loads; `small` (three months, 8 services) loads in seconds. */
  scale: z.enum(SCALE_NAMES).default('medium'),
});

export interface DemoJob {
  state: 'idle' | 'loading' | 'done' | 'failed';
  scale: string | null;
  phase: string | null;
  started_at: string | null;
  finished_at: string | null;
  message: string | null;
}

export async function demoRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  let job: DemoJob = { state: 'idle', scale: null, phase: null, started_at: null, finished_at: null, message: null };

  const PHASES: Record<DemoPhase, string> = { generate: 'generating', import: 'importing', pipeline: 'grouping signals into problems' };
  const load = async (scale: (typeof SCALE_NAMES)[number]) => {
    try {
      const summary = await loadDemo(ctx.store, ctx.config, { scale, onProgress: (p) => { job.phase = PHASES[p.phase]; } });
      job = { ...job, state: 'done', phase: null, finished_at: new Date().toISOString(), message: `Loaded the ${scale} demo history (${summary.from} … ${summary.to}): ${summary.pipeline.signals} signals in ${summary.pipeline.problems} problems.` };
    } catch (error) {
      app.log.error({ err: error }, 'demo load failed');
      job = { ...job, state: 'failed', finished_at: new Date().toISOString(), message: error instanceof DemoLoadFailed ? error.message : `loading the demo failed while ${job.phase}: ${(error as Error).message}` };
    }
  };

  documentOperation({
    method: 'post',
    path: '/api/v1/demo',
    summary: 'Load the demo history into an empty workspace (as `escapement demo`); runs in the background — follow it with GET /api/v1/demo',
    tags: ['settings'],
    requestBody: { description: 'scale: small | medium (default, what `escapement demo` loads) | large', schema: z.toJSONSchema(DemoBody, { io: 'input' }) },
    responses: {
      '202': { description: 'started: the job' },
      '400': { description: 'an unknown scale' },
      '409': { description: 'the workspace already holds signals, or a load is under way' },
    },
  });
  documentOperation({
    method: 'get',
    path: '/api/v1/demo',
    summary: 'The demo load job: idle, loading (with its phase), done or failed (with the message)',
    tags: ['settings'],
    responses: { '200': { description: 'the job' } },
  });

  app.get('/api/v1/demo', async () => job);

  app.post('/api/v1/demo', async (request, reply) => {
    const body = DemoBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send({ error: 'bad_request', message: zodMessage(body.error) });
    const existing = await countSignals(ctx.store.db);
    // Checked after the count, with no await before the job is set: two requests cannot both start a load.
    if (job.state === 'loading') return reply.code(409).send({ error: 'conflict', message: `a demo load is under way (${job.phase})` });
    if (existing > 0) {
      return reply.code(409).send({ error: 'conflict', message: `the workspace already holds ${existing} signals; the demo would mix with them (use \`escapement demo --db OTHER\`)` });
    }
    job = { state: 'loading', scale: body.data.scale, phase: 'starting', started_at: new Date().toISOString(), finished_at: null, message: null };
    void load(body.data.scale);
    return reply.code(202).send(job);
  });
}
