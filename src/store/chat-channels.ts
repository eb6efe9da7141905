// Where each chat message was posted: the `channel` label the chat adapters keep (a Slack channel id,
// a Teams channel id, a channel name from an import). Read once per pipeline run for the correlator,
// which learns which services a channel talks about; only chat signals are read.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { fromJson } from './schema.ts';

/** Signal id → channel, for chat signals that carry a `channel` label. */
export async function chatChannels(db: Kysely<Database>, pageSize = 20_000): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('signals').select(['id', 'labels']).where('kind', '=', 'chat').where('id', '>', after).orderBy('id').limit(pageSize).execute();
    if (rows.length === 0) return out;
    after = Number(rows[rows.length - 1]!.id);
    for (const r of rows) {
      const channel = fromJson<Record<string, unknown>>(r.labels, {}).channel;
      if (typeof channel === 'string' && channel.trim()) out.set(Number(r.id), channel.trim());
    }
  }
}
