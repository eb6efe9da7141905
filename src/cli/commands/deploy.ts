// `escapement deploy --service … --version … --env …`: records a deployment from any pipeline, through
// the same generic deployment body, validation and store path as `POST /api/v1/webhooks/deployment`.
import type { Command } from 'commander';
import { PayloadError } from '../../ingest/adapter.ts';
import { genericDeploymentRecords, parseGenericDeployment } from '../../ingest/sources/deployment.ts';
import { storeRecords, totalWrites } from '../../ingest/store-records.ts';
import { actorOf, addStoreOptions, printJson, UserError, withWorkspace } from '../common.ts';
import { presentRow } from '../../store/records.ts';

/** The decisions-table action of a person's deployment kind. */
export const KIND_ACTION = 'deployment_kind';

interface DeployFlags {
  actor?: string;
  db?: string;
  config?: string;
  json?: boolean;
  service: string;
  version?: string;
  env: string;
  sha?: string;
  kind?: string;
  status: string;
  started?: string;
  finished?: string;
  id?: string;
  ref?: string;
  previous?: string[];
  url?: string;
  description?: string;
}

/** The generic webhook body the flags describe (undefined flags left out). */
export function deployBody(flags: DeployFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: flags.id,
    service: flags.service,
    environment: flags.env,
    version: flags.version,
    sha: flags.sha,
    status: flags.status,
    started_at: flags.started,
    finished_at: flags.finished,
    kind: flags.kind,
    ref: flags.ref,
    previous_versions: flags.previous,
    url: flags.url,
    description: flags.description,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

export function registerDeploy(program: Command): void {
  addStoreOptions(program.command('deploy'))
    .description('record a deployment from any pipeline (the body of POST /api/v1/webhooks/deployment; see docs/sources.md)')
    .requiredOption('--service <name>', 'the service deployed')
    .option('--version <version>', 'the version deployed (required unless --id or --sha is given)')
    .option('--env <environment>', 'the environment', 'production')
    .option('--sha <sha>', 'the commit deployed')
    .option('--kind <kind>', 'planned, hotfix, rollback or fix_forward (detected from --ref/--previous when left out)')
    .option('--status <status>', 'queued, in_progress, success, failure or cancelled', 'success')
    .option('--started <time>', 'when it started (ISO-8601 with a zone)')
    .option('--finished <time>', 'when it finished (default: now, for a finished status)')
    .option('--id <id>', 'your id for this deployment; a later call with the same id updates it (status, finish)')
    .option('--ref <ref>', 'the branch or tag deployed (hotfix/* makes it a hotfix)')
    .option('--previous <version...>', 'versions that ran before, newest first (deploying an older one is a rollback)')
    .option('--url <url>', 'a link to the pipeline run')
    .option('--description <text>', 'what it is')
    .option('--actor <name>', 'who sets --kind, kept with the decision (default: $ESCAPEMENT_ACTOR or the login name)')
    .option('--json', 'print the stored deployment and counts as JSON')
    .action(async (flags: DeployFlags) => {
      const body = deployBody(flags);
      let records;
      try {
        records = genericDeploymentRecords(parseGenericDeployment(body), {
          source: 'deployment',
          receivedAt: new Date().toISOString(),
          kindSetBy: 'a person (escapement deploy --kind)',
          raw: body,
        });
      } catch (error) {
        if (error instanceof PayloadError) throw new UserError(`--${flagOf(error.field)}: ${error.expected}`, 2);
        throw error;
      }
      const outcome = await withWorkspace(flags, async ({ store }) => {
        const first = records[0]!;
        if (first.kind !== 'deployment') throw new Error('escapement deploy builds a deployment record first');
        // A merge write: an update without --kind keeps the kind found before, and a late
        // in_progress does not reopen a finished deployment (src/pipeline/event-merge.ts).
        // A person's kind is a decision, kept with who and when beside the stored kind, in the same
        // transaction as the deployment: neither is stored without the other.
        const decision = flags.kind === undefined
          ? undefined
          : async (trx: typeof store.db) => {
              await trx
                .insertInto('decisions')
                .values({
                  action: KIND_ACTION,
                  subject: `${first.record.source}:${first.record.external_id}`,
                  payload: JSON.stringify({ kind: first.record.kind, reason: first.record.kind_reason }),
                  actor: actorOf(flags),
                  decided_at: new Date().toISOString(),
                })
                .execute();
            };
        const written = await storeRecords(store.db, records, { merge: true, ...(decision ? { alongside: decision } : {}) });
        // What is stored after the merge, not what this call sent: an update may keep an earlier kind.
        const stored = await store.db
          .selectFrom('deployments')
          .selectAll()
          .where('source', '=', first.record.source)
          .where('external_id', '=', first.record.external_id)
          .executeTakeFirstOrThrow();
        return { written, deployment: presentRow(stored) };
      });
      const { deployment } = outcome;
      const counts = outcome.written;
      if (flags.json) {
        printJson({ deployment, stored: counts, totals: totalWrites(counts) });
        return;
      }
      const totals = totalWrites(counts);
      const d = deployment as { external_id: string; service: string; environment: string; version: string | null; status: string; kind: string; kind_reason: string | null };
      console.log(
        `deployment ${d.external_id}: ${d.service} ${d.version ?? ''} → ${d.environment}, ${d.status}, ${d.kind}${d.kind_reason ? ` (${d.kind_reason})` : ''} — ${totals.inserted ? 'recorded' : totals.updated ? 'updated' : 'unchanged'}`,
      );
    });
}

const FLAG_OF_FIELD: Record<string, string> = { environment: 'env', started_at: 'started', finished_at: 'finished', previous_versions: 'previous' };

function flagOf(field: string): string {
  const top = field.split('.')[0]!;
  return FLAG_OF_FIELD[top] ?? top;
}
