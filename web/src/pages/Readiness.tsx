// The implementation checklist, computed by the server from what the store holds.
import { useApi } from '../api.ts';
import { Load } from '../components/States.tsx';
import { num, pct } from '../format.ts';
import { Link } from '../router.tsx';
import type { Readiness } from '../types.ts';

const STATUS_LABEL = { ready: 'ready', partial: 'partly there', missing: 'missing' } as const;

export function ReadinessPage() {
  const loaded = useApi<Readiness>('/api/v1/readiness');
  return <Load loaded={loaded} what="the checklist">{(r) => <Checklist readiness={r} reload={loaded.reload} />}</Load>;
}

function Checklist({ readiness, reload }: { readiness: Readiness; reload: () => void }) {
  const ready = readiness.items.filter((i) => i.status === 'ready').length;
  return (
    <>
      <p>
        <strong>
          {ready} of {readiness.items.length}
        </strong>{' '}
        ready. Each item is judged from the records themselves, so it changes as data arrives.{' '}
        <button type="button" onClick={reload}>
          Check again
        </button>
      </p>
      <ul className="checklist">
        {readiness.items.map((item) => (
          <li key={item.key} className={`check-${item.status}`} data-key={item.key}>
            <h2>
              <span className={`status-dot ${item.status}`} aria-hidden="true" />
              {item.title} <span className={`band readiness-${item.status}`}>{STATUS_LABEL[item.status]}</span>
              {item.share !== null && <span className="muted"> {pct(item.share)}</span>}
            </h2>
            <p>{item.evidence}</p>
            {item.todo && (
              <p className="todo">
                <strong>To do:</strong> {item.todo}
              </p>
            )}
          </li>
        ))}
      </ul>
      <section className="panel" aria-labelledby="counts-title">
        <h2 id="counts-title">Records stored</h2>
        <table>
          <tbody>
            {Object.entries(readiness.counts).map(([k, n]) => (
              <tr key={k}>
                <th scope="row">{k.replace('_', ' ')}</th>
                <td>{num(n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          <Link to="/welcome">How to connect each source</Link>
        </p>
      </section>
    </>
  );
}
