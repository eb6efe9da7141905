// GET /api/v1/config: the effective configuration, for the dashboard's settings page.
// Secrets are configured as environment variable names; only whether each is set is shown.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../domain/config.ts';
import { DEFAULT_ROLE_HOURS } from '../../metrics/cost.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';

export interface SecretStatus {
  name: string;
  env: string;
  set: boolean;
}

/** The configuration as shown to people: every value but the secrets, which become "set / not set". */
export function presentConfig(config: Config, env: NodeJS.ProcessEnv = process.env): Omit<Config, 'secrets'> & { secrets: SecretStatus[] } {
  const { secrets, ...rest } = config;
  return {
    ...rest,
    // The hours a problem without entries is costed at: the configured table over the documented midpoints.
    cost: { ...rest.cost, defaults: { ...DEFAULT_ROLE_HOURS, ...(rest.cost.defaults ?? {}) } },
    secrets: Object.entries(secrets).map(([name, variable]) => ({ name, env: variable, set: Boolean(env[variable]) })),
  };
}

export async function configRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  documentOperation({
    method: 'get',
    path: '/api/v1/config',
    summary: 'The effective configuration (defaults filled in); secrets show only the environment variable and whether it is set',
    tags: ['settings'],
    responses: { '200': { description: 'the configuration: services, windows, cost model, thresholds, rules, SLOs, metric settings' } },
  });
  app.get('/api/v1/config', async () => presentConfig(ctx.config));
}
