// The records behind a number: problems, deployments, defects, test runs, changes or signals by id,
// fifty at a time.
import { useState } from 'react';
import { useApi } from '../api.ts';
import { Empty, Load } from '../components/States.tsx';
import { dateTime } from '../format.ts';
import { Link, useLocation } from '../router.tsx';
import type { Evidence } from '../types.ts';

const KINDS = ['problems', 'deployments', 'defects', 'test_runs', 'changes', 'signals'] as const;
const PAGE = 50;

function evidenceFrom(search: URLSearchParams): Evidence {
  const ref = search.get('ref');
  if (ref) {
    try {
      return JSON.parse(sessionStorage.getItem(ref) ?? '{}') as Evidence;
    } catch {
      return {};
    }
  }
  const out: Evidence = {};
  for (const k of KINDS) {
    const v = search.get(k);
    if (v) out[k] = v.split(',').map(Number).filter(Number.isInteger);
  }
  return out;
}

const COLUMNS: Record<(typeof KINDS)[number], string[]> = {
  problems: ['service', 'type', 'review_state', 'severity', 'impact_start'],
  deployments: ['service', 'environment', 'version', 'kind', 'status', 'finished_at'],
  defects: ['service', 'severity', 'category', 'found_in', 'release', 'found_at'],
  test_runs: ['service', 'release', 'suite', 'suite_kind', 'passed', 'failed', 'started_at'],
  changes: ['service', 'repository', 'sha', 'pr_number', 'first_commit_at', 'merged_at'],
  signals: ['source', 'kind', 'service', 'severity', 'occurred_at'],
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' && ISO_TIME.test(value)) return dateTime(value);
  return String(value);
}

export function EvidencePage() {
  const { search } = useLocation();
  const evidence = evidenceFrom(search);
  const title = search.get('title') ?? 'records';
  const kinds = KINDS.filter((k) => (evidence[k]?.length ?? 0) > 0);
  return (
    <>
      <p>
        The records behind <strong>{title}</strong>.
      </p>
      {kinds.length === 0 ? <Empty>No records stand behind this number (or the link has expired; go back and open it again).</Empty> : kinds.map((k) => <KindTable key={k} kind={k} ids={evidence[k]!} />)}
    </>
  );
}

function KindTable({ kind, ids }: { kind: (typeof KINDS)[number]; ids: number[] }) {
  const [page, setPage] = useState(0);
  const slice = ids.slice(page * PAGE, (page + 1) * PAGE);
  const rows = useApi<Record<string, Record<string, unknown>[]>>(`/api/v1/evidence?${kind}=${slice.join(',')}`);
  const pages = Math.ceil(ids.length / PAGE);
  const columns = COLUMNS[kind];
  return (
    <section className="panel" aria-labelledby={`ev-${kind}`}>
      <h2 id={`ev-${kind}`}>
        {kind.replace('_', ' ')} ({ids.length})
      </h2>
      <Load loaded={rows} what={kind}>
        {(data) => (
          <table>
            <thead>
              <tr>
                <th scope="col">{kind === 'problems' || kind === 'signals' || kind === 'defects' ? 'Title' : 'Record'}</th>
                {columns.map((c) => (
                  <th scope="col" key={c}>{c.replace('_', ' ')}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(data[kind] ?? []).map((r) => (
                <tr key={String(r.id)}>
                  <th scope="row">
                    {kind === 'problems' ? (
                      <Link to={`/problems/${String(r.id)}`} className="problem-title">{String(r.title)}</Link>
                    ) : kind === 'signals' && r.problem_id ? (
                      <Link to={`/problems/${String(r.problem_id)}`}>{String(r.title)}</Link>
                    ) : (
                      <span>{String(r.title ?? `${String(r.source)}:${String(r.external_id)}`)}</span>
                    )}
                  </th>
                  {columns.map((c) => (
                    <td key={c}>{cell(r[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Load>
      {pages > 1 && (
        <nav className="pager" aria-label={`Pages of ${kind}`}>
          <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
          <span>Page {page + 1} of {pages}</span>
          <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>Next</button>
        </nav>
      )}
    </section>
  );
}
