// Which stored deployments went to production, in SQL, exactly as isProductionEnvironment says in
// code: the environment's name, in any case, is one of PRODUCTION_ENVIRONMENTS.
import { type RawBuilder, sql } from 'kysely';
import { PRODUCTION_ENVIRONMENTS } from '../metrics/releases.ts';

/** `lower(<column>) in ('production', 'prod', …)`; `column` may be qualified (`d.environment`). */
export function toProductionSql(column: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) in (${sql.join([...PRODUCTION_ENVIRONMENTS])})`;
}
