// Where each report was raised (src/domain/venue.ts): the `channel` label the chat adapters keep, the
// `group` / `brand` / `product` labels the help-desk adapters keep. Read once per pipeline run for the
// correlator, which learns which services a venue talks about; only chat and support signals are read.
import type { Kysely } from 'kysely';
import { VENUE_REPORTS, venueOf } from '../domain/venue.ts';
import type { Database } from './schema.ts';
import { fromJson } from './schema.ts';

/** Signal id → venue, for the reports that carry one. */
export async function reportVenues(db: Kysely<Database>, pageSize = 20_000): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const kinds = Object.keys(VENUE_REPORTS);
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('signals').select(['id', 'kind', 'source', 'labels']).where('kind', 'in', kinds).where('id', '>', after).orderBy('id').limit(pageSize).execute();
    if (rows.length === 0) return out;
    after = Number(rows[rows.length - 1]!.id);
    for (const r of rows) {
      const venue = venueOf({ kind: r.kind, source: r.source, labels: fromJson<Record<string, unknown>>(r.labels, {}) });
      if (venue) out.set(Number(r.id), venue);
    }
  }
}
