// Keeps the services and teams named in the configuration file in the store, where ingest maps aliases.
import type { Kysely } from 'kysely';
import type { Config } from '../domain/config.ts';
import type { Database } from './schema.ts';
import { upsertRecords } from './upsert.ts';

export async function syncConfiguredServices(db: Kysely<Database>, config: Config): Promise<void> {
  if (config.teams.length === 0 && config.services.length === 0) return;
  await db.transaction().execute(async (trx) => {
    await upsertRecords(trx, 'team', config.teams);
    await upsertRecords(trx, 'service', config.services);
  });
}
