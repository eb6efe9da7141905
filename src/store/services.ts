// Service names as the sources spell them → the canonical service. Unknown names pass through
// unchanged (and show up as unmapped), never dropped.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { fromJson } from './schema.ts';
import type { ServiceResolver } from './upsert.ts';

export interface ServiceAliases {
  name: string;
  aliases: string[];
}

/** Builds a resolver from services and their aliases; `source:alias` applies to that source only. Case-insensitive. */
export function serviceResolver(services: readonly ServiceAliases[]): ServiceResolver {
  const global = new Map<string, string>();
  const scoped = new Map<string, string>();
  for (const service of services) {
    global.set(service.name.toLowerCase(), service.name);
    for (const alias of service.aliases) {
      const colon = alias.indexOf(':');
      const scope = colon > 0 ? alias.slice(0, colon).toLowerCase() : '';
      if (scope && /^[a-z][a-z0-9_-]*$/.test(scope)) scoped.set(`${scope}:${alias.slice(colon + 1).toLowerCase()}`, service.name);
      else global.set(alias.toLowerCase(), service.name);
    }
  }
  return (value, source) => {
    const key = value.trim().toLowerCase();
    return scoped.get(`${source}:${key}`) ?? global.get(key) ?? value;
  };
}

/** The stored services with their aliases. */
export async function loadServices(db: Kysely<Database>): Promise<ServiceAliases[]> {
  return servicesOf(await db.selectFrom('services').select(['name', 'aliases']).execute());
}

/** Service rows as stored (aliases as JSON text or, on PostgreSQL, parsed) to names and alias lists. */
export function servicesOf(rows: readonly { name: string; aliases: unknown }[]): ServiceAliases[] {
  return rows.map((r) => ({ name: r.name, aliases: fromJson<string[]>(r.aliases, []) }));
}

export async function loadServiceResolver(db: Kysely<Database>): Promise<ServiceResolver> {
  return serviceResolver(await loadServices(db));
}
