// The shell around change-deployments.ts: reads the changes whose source named no deployment and the
// production deployments that could have shipped them, a service at a time, and writes the answers to
// `change_shipments` (see migration 0004). Changes that meanwhile got a deployment from their source,
// or no longer ship anywhere, lose their derived row.
import { type Kysely, sql } from 'kysely';
import { shippedIn, type ShippingDeployment, type UnshippedChange } from '../pipeline/change-deployments.ts';
import { toProductionSql } from './production.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export interface ShipmentSummary {
  /** Changes without a deployment from their source. */
  unshipped: number;
  /** Of those, changes the rule gave a deployment. */
  shipped: number;
  inserted: number;
  updated: number;
  deleted: number;
}

/** Rows per statement: under SQLite's bound-parameter limit with room to spare. */
const WRITE_ROWS = 300;

async function productionDeployments(db: Db, service: string | null): Promise<ShippingDeployment[]> {
  let q = db
    .selectFrom('deployments')
    .select(['source', 'external_id', 'service', 'environment', 'status', 'commit_sha', 'started_at', 'finished_at'])
    .where(toProductionSql('environment'))
    .where('status', '=', 'success')
    .where('finished_at', 'is not', null);
  // A change that names no service can only be matched by its commit.
  q = service === null ? q.where('commit_sha', 'is not', null) : q.where('service', '=', service);
  const rows = await q.execute();
  return rows.map((r) => ({ ref: `${r.source}:${r.external_id}`, service: r.service, environment: r.environment, status: r.status, commit_sha: r.commit_sha, started_at: r.started_at, finished_at: r.finished_at }));
}

/** Derives and stores the shipping deployment of every change whose source gave none; idempotent. */
export async function deriveShipments(db: Db): Promise<ShipmentSummary> {
  const summary: ShipmentSummary = { unshipped: 0, shipped: 0, inserted: 0, updated: 0, deleted: 0 };
  // Derived rows of changes that now carry their source's deployment (or are gone) are stale. Looked
  // for first: a delete that removes nothing would still move PostgreSQL's data version (and empty
  // the metrics cache).
  const stale = await db
    .selectFrom('change_shipments as s')
    .leftJoin('changes as c', 'c.id', 's.change_id')
    .select('s.change_id')
    .where((eb) => eb.or([eb('c.id', 'is', null), eb('c.deployment_ref', 'is not', null)]))
    .execute();
  for (let i = 0; i < stale.length; i += WRITE_ROWS) {
    const ids = stale.slice(i, i + WRITE_ROWS).map((r) => r.change_id);
    summary.deleted += Number((await db.deleteFrom('change_shipments').where('change_id', 'in', ids).executeTakeFirst()).numDeletedRows);
  }

  const services = await db.selectFrom('changes').select('service').distinct().where('deployment_ref', 'is', null).execute();
  for (const { service } of services) {
    let q = db.selectFrom('changes').select(['id', 'source', 'external_id', 'service', 'sha', 'merged_at']).where('deployment_ref', 'is', null);
    q = service === null ? q.where('service', 'is', null) : q.where('service', '=', service);
    const rows = await q.execute();
    const changes: (UnshippedChange & { id: number })[] = rows.map((r) => ({ id: r.id, ref: `${r.source}:${r.external_id}`, service: r.service, sha: r.sha, merged_at: r.merged_at }));
    summary.unshipped += changes.length;
    const shipped = shippedIn(changes, await productionDeployments(db, service));
    summary.shipped += shipped.size;
    const counts = await writeShipments(db, service, changes, shipped);
    summary.inserted += counts.inserted;
    summary.updated += counts.updated;
    summary.deleted += counts.deleted;
  }
  return summary;
}

/** Writes one service's answers in one transaction: new rows, changed rows, and rows of changes that no longer ship. */
async function writeShipments(db: Db, service: string | null, changes: readonly (UnshippedChange & { id: number })[], shipped: ReadonlyMap<string, { deployment_ref: string; reason: string }>) {
  const counts = { inserted: 0, updated: 0, deleted: 0 };
  await db.transaction().execute(async (tx) => {
    let q = tx.selectFrom('change_shipments as s').innerJoin('changes as c', 'c.id', 's.change_id').select(['s.change_id', 's.deployment_ref', 's.reason']).where('c.deployment_ref', 'is', null);
    q = service === null ? q.where('c.service', 'is', null) : q.where('c.service', '=', service);
    const stored = new Map((await q.execute()).map((r) => [r.change_id, r]));
    const upserts: { change_id: number; deployment_ref: string; reason: string }[] = [];
    const gone: number[] = [];
    for (const change of changes) {
      const answer = shipped.get(change.ref);
      const before = stored.get(change.id);
      if (!answer) {
        if (before) gone.push(change.id);
        continue;
      }
      if (before && before.deployment_ref === answer.deployment_ref && before.reason === answer.reason) continue;
      upserts.push({ change_id: change.id, ...answer });
      if (before) counts.updated++;
      else counts.inserted++;
    }
    for (let i = 0; i < gone.length; i += WRITE_ROWS) {
      counts.deleted += Number((await tx.deleteFrom('change_shipments').where('change_id', 'in', gone.slice(i, i + WRITE_ROWS)).executeTakeFirst()).numDeletedRows);
    }
    for (let i = 0; i < upserts.length; i += WRITE_ROWS) {
      await tx
        .insertInto('change_shipments')
        .values(upserts.slice(i, i + WRITE_ROWS))
        .onConflict((oc) => oc.column('change_id').doUpdateSet({ deployment_ref: sql`excluded.deployment_ref`, reason: sql`excluded.reason` }))
        .execute();
    }
  });
  return counts;
}
