// Escaped problems, filterable (service, type, review state, severity, period), a cursor page at a time.
import { useState } from 'react';
import { query, useApi } from '../api.ts';
import { ServicePicker } from '../components/ServicePicker.tsx';
import { Empty, Load } from '../components/States.tsx';
import { dateTime, reviewWords } from '../format.ts';
import { usePeriod } from '../period.ts';
import { Link, navigate, useLocation, withParams } from '../router.tsx';
import { PROBLEM_TYPES, type Page, type ProblemRecord } from '../types.ts';

const PAGE_SIZE = 50;

function Select({ label, param, value, options }: { label: string; param: string; value: string; options: readonly string[] }) {
  return (
    <label className="filter">
      <span>{label}</span>
      <select value={value} onChange={(e) => navigate(withParams({ [param]: e.target.value || undefined }), { replace: true })}>
        <option value="">all</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {reviewWords(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ProblemsPage() {
  const period = usePeriod();
  const { search } = useLocation();
  const filters = {
    service: search.get('service') ?? '',
    type: search.get('type') ?? '',
    review_state: search.get('review_state') ?? '',
    severity: search.get('severity') ?? '',
  };
  const key = JSON.stringify({ ...filters, period });
  // Cursors of the pages before this one, to step back; reset when the filters change.
  const [pages, setPages] = useState<{ key: string; cursors: (string | null)[] }>({ key, cursors: [null] });
  const cursors = pages.key === key ? pages.cursors : [null];
  const cursor = cursors[cursors.length - 1] ?? null;
  const list = useApi<Page<ProblemRecord>>(`/api/v1/problems${query({ ...filters, period, limit: PAGE_SIZE, cursor })}`);

  return (
    <>
      <form className="filters" aria-label="Filter problems" onSubmit={(e) => e.preventDefault()}>
        <ServicePicker value={filters.service} />
        <Select label="Type" param="type" value={filters.type} options={PROBLEM_TYPES} />
        <Select label="Review" param="review_state" value={filters.review_state} options={['to_verify', 'classified', 'confirmed', 'dismissed']} />
        <Select label="Severity" param="severity" value={filters.severity} options={['critical', 'high', 'medium', 'low']} />
      </form>
      <Load loaded={list} what="problems">
        {(page) =>
          page.data.length === 0 ? (
            <Empty>No problems match these filters in this period.</Empty>
          ) : (
            <>
              <table className="problems">
                <caption className="sr-only">Escaped problems, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Problem</th>
                    <th scope="col">Service</th>
                    <th scope="col">Type</th>
                    <th scope="col">Review</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Impact start</th>
                    <th scope="col">Signals</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((p) => (
                    <tr key={p.id}>
                      <th scope="row">
                        <Link to={`/problems/${p.id}`} className="problem-title">
                          {p.title}
                        </Link>
                      </th>
                      <td>{p.service ?? '—'}</td>
                      <td>{p.type ? <span className={`type type-${p.type}`}>{p.type}</span> : 'unclassified'}</td>
                      <td>{reviewWords(p.review_state)}</td>
                      <td>{p.severity ?? '—'}</td>
                      <td>{dateTime(p.impact_start)}</td>
                      <td>{p.signal_count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <nav className="pager" aria-label="Pages of problems">
                <button type="button" disabled={cursors.length <= 1} onClick={() => setPages({ key, cursors: cursors.slice(0, -1) })}>
                  Newer
                </button>
                <span>Page {cursors.length}</span>
                <button type="button" disabled={page.next_cursor === null} onClick={() => setPages({ key, cursors: [...cursors, page.next_cursor] })}>
                  Older
                </button>
              </nav>
            </>
          )
        }
      </Load>
    </>
  );
}
