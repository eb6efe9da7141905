// The cost entries that name problems: the problem itself (`problem:<id>`, `problem:<key>` or its bare
// key) or one of its signals (`source:external_id`), the refs src/pipeline/cost.ts's problemRefs accepts.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface NamedCostEntry {
  problem_id: number;
  role: string;
  hours: number;
}

/** Bound parameters per query, well under either dialect's limit. */
const CHUNK = 500;

/** Every entry naming one of the problems, once per problem it names (an entry on a signal counts for the signal's problem). */
export async function costEntriesNaming(db: Kysely<Database>, problems: readonly { id: number; key: string }[]): Promise<NamedCostEntry[]> {
  const out: NamedCostEntry[] = [];
  for (let i = 0; i < problems.length; i += CHUNK) {
    const chunk = problems.slice(i, i + CHUNK);
    const byRef = new Map<string, number>();
    for (const p of chunk) for (const ref of [`problem:${p.id}`, `problem:${p.key}`, p.key]) byRef.set(ref, p.id);
    const [direct, viaSignals] = await Promise.all([
      db.selectFrom('cost_entries').select(['id', 'problem_ref', 'role', 'hours']).where('problem_ref', 'in', [...byRef.keys()]).execute(),
      db
        .selectFrom('signal_problems as sp')
        .innerJoin('signals as s', 's.id', 'sp.signal_id')
        .innerJoin('cost_entries as ce', (join) => join.on('ce.problem_ref', '=', sql<string>`${sql.ref('s.source')} || ':' || ${sql.ref('s.external_id')}`))
        .select(['ce.id', 'ce.role', 'ce.hours', 'sp.problem_id'])
        .where('sp.problem_id', 'in', chunk.map((p) => p.id))
        .execute(),
    ]);
    // A bare key is also its first signal's ref: an entry found both ways counts once.
    const seen = new Set<string>();
    for (const r of [...direct.map((d) => ({ ...d, problem_id: byRef.get(d.problem_ref)! })), ...viaSignals]) {
      if (seen.has(`${r.problem_id} ${r.id}`)) continue;
      seen.add(`${r.problem_id} ${r.id}`);
      out.push({ problem_id: r.problem_id, role: r.role, hours: r.hours });
    }
  }
  return out;
}
