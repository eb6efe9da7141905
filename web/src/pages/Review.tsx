// The weekly review: the week's problems that need a person, one at a time, cleared with the
// keyboard — c/i/n/r/m set the type, j/k move, a accepts the release, e enters hours, x marks for
// merge and g merges, s splits, f finishes — with progress and a summary at the end.
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, useApi } from '../api.ts';
import { addCost, confirmRelease, confirmType, dismissProblem, mergeProblems, restoreProblem, splitProblem } from '../actions.ts';
import { Empty, ErrorState, Loading } from '../components/States.tsx';
import { date, dateTime, num } from '../format.ts';
import { Link } from '../router.tsx';
import type { Page, ProblemRecord, Review, SignalRecord } from '../types.ts';

export const TYPE_KEYS: Record<string, string> = { c: 'code', i: 'infra', n: 'integration', r: 'regression', m: 'mixed' };

interface Tally {
  handled: string[];
  types: Record<string, number>;
  releases: number;
  costs: number;
  merges: number;
  splits: number;
  /** Set aside as not escaped problems, and set-aside problems counted again. */
  dismissed: number;
  restored: number;
}

const emptyTally = (): Tally => ({ handled: [], types: {}, releases: 0, costs: 0, merges: 0, splits: 0, dismissed: 0, restored: 0 });

function tallyOf(review: Review): Tally {
  const s = (review.summary ?? {}) as Partial<Tally>;
  return { ...emptyTally(), ...s };
}

export function ReviewPage() {
  const reviews = useApi<{ data: Review[] }>('/api/v1/reviews');
  const [review, setReview] = useState<Review | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const start = async () => {
    setBusy(true);
    try {
      setReview(await api<Review>('/api/v1/reviews', { method: 'POST', body: {} }));
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const resume = async (id: number) => {
    try {
      setReview(await api<Review>(`/api/v1/reviews/${id}`));
    } catch (e) {
      setError(e as Error);
    }
  };

  if (error) return <ErrorState error={error} retry={() => setError(null)} />;
  if (review) return <Session initial={review} onExit={() => { setReview(null); reviews.reload(); }} />;
  if (reviews.error) return <ErrorState error={reviews.error} retry={reviews.reload} />;
  if (reviews.data === null) return <Loading what="reviews" />;
  const open = reviews.data.data.find((r) => r.completed_at === null);
  return (
    <>
      <p>
        Fifteen minutes a week: confirm the type of each new problem, the release that introduced it, and the hours it cost. The queue holds the
        week’s problems that still need a person.
      </p>
      <div className="buttons">
        <button type="button" className="primary" onClick={start} disabled={busy} autoFocus>
          Start this week’s review
        </button>
        {open && (
          <button type="button" onClick={() => resume(open.id)}>
            Resume the review started {dateTime(open.started_at)}
          </button>
        )}
      </div>
      <Shortcuts />
      <section className="panel" aria-labelledby="past-title">
        <h2 id="past-title">Past reviews</h2>
        {reviews.data.data.length === 0 ? (
          <Empty>No review held yet.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Week</th>
                <th scope="col">Started</th>
                <th scope="col">Completed</th>
                <th scope="col">Problems</th>
                <th scope="col">Handled</th>
              </tr>
            </thead>
            <tbody>
              {reviews.data.data.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    {date(r.period_start)} – {date(r.period_end)}
                  </th>
                  <td>{dateTime(r.started_at)}</td>
                  <td>{r.completed_at ? dateTime(r.completed_at) : <button type="button" onClick={() => resume(r.id)}>Resume</button>}</td>
                  <td>{((r as unknown as { problem_keys: string[] }).problem_keys ?? []).length}</td>
                  <td>{tallyOf(r).handled.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function Shortcuts() {
  return (
    <section className="panel" aria-labelledby="keys-title">
      <h2 id="keys-title">Keyboard</h2>
      <dl className="keys">
        {Object.entries(TYPE_KEYS).map(([k, t]) => (
          <div key={k}>
            <dt><kbd>{k}</kbd></dt>
            <dd>type is {t}</dd>
          </div>
        ))}
        <div><dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>next / previous problem</dd></div>
        <div><dt><kbd>d</kbd></dt><dd>not an escaped problem: set it aside</dd></div>
        <div><dt><kbd>a</kbd></dt><dd>accept the proposed release</dd></div>
        <div><dt><kbd>e</kbd></dt><dd>enter hours (Enter saves)</dd></div>
        <div><dt><kbd>x</kbd> then <kbd>g</kbd></dt><dd>mark problems, then merge them with this one</dd></div>
        <div><dt><kbd>s</kbd></dt><dd>split signals off this problem</dd></div>
        <div><dt><kbd>f</kbd></dt><dd>finish the review</dd></div>
      </dl>
    </section>
  );
}

/** The first item after `from` (wrapping around) that is not handled yet; `from` itself when all are. */
function nextWaiting(items: Review['items'], tally: Tally, from: number): number {
  for (let step = 1; step <= items.length; step++) {
    const i = (from + step) % items.length;
    if (!tally.handled.includes(items[i]!.problem.key)) return i;
  }
  return from;
}

function Session({ initial, onExit }: { initial: Review; onExit: () => void }) {
  const [review, setReview] = useState(initial);
  const [tally, setTallyState] = useState<Tally>(() => tallyOf(initial));
  const tallyRef = useRef(tally);
  const setTally = (t: Tally) => {
    tallyRef.current = t;
    setTallyState(t);
  };
  const [index, setIndex] = useState(() => {
    const t = tallyOf(initial);
    const i = initial.items.findIndex((x) => !t.handled.includes(x.problem.key));
    return i < 0 ? 0 : i;
  });
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [marked, setMarked] = useState<number[]>([]);
  const [splitting, setSplitting] = useState(false);
  const [restored, setRestored] = useState<number[]>([]);
  const [done, setDone] = useState(initial.completed_at !== null);
  // Decisions are saved one after another, in the order they were made, while the person moves on.
  const chain = useRef<Promise<void>>(Promise.resolve());
  const [pending, setPending] = useState(0);
  const hoursRef = useRef<HTMLInputElement>(null);
  const items = review.items;
  const position = Math.min(index, Math.max(0, items.length - 1));
  const item = items[position];

  const save = (completed?: boolean) =>
    api<Review>(`/api/v1/reviews/${review.id}`, { method: 'PATCH', body: { summary: tallyRef.current, ...(completed !== undefined ? { completed } : {}) } });

  const enqueue = (what: string, action: () => Promise<unknown>, undo: () => void, after?: (result: unknown, review: Review) => void) => {
    setPending((n) => n + 1);
    chain.current = chain.current.then(async () => {
      try {
        const result = await action();
        const next = await save();
        setReview(next);
        after?.(result, next);
        setMessage({ kind: 'ok', text: what });
      } catch (error) {
        undo();
        const e = error as Error;
        setMessage({ kind: 'error', text: e instanceof ApiError && e.notAvailable ? `${what}: not available yet on this server.` : `${what} failed: ${e.message}` });
      } finally {
        setPending((n) => n - 1);
      }
    });
  };

  /** Counts a decision on an item at once (the tally, the progress) and saves it in the background. */
  const decide = (p: ProblemRecord, what: string, change: (t: Tally) => Tally, action: () => Promise<unknown>, advance: boolean, then?: (result: unknown, review: Review) => void) => {
    const before = tallyRef.current;
    const after = change({ ...before, handled: before.handled.includes(p.key) ? before.handled : [...before.handled, p.key] });
    setTally(after);
    if (advance) setIndex(nextWaiting(items, after, position));
    enqueue(what, action, () => setTally({ ...tallyRef.current, handled: before.handled.includes(p.key) ? tallyRef.current.handled : tallyRef.current.handled.filter((k) => k !== p.key) }), then);
  };

  const setType = (type: string) => {
    if (!item) return;
    const p = item.problem;
    decide(p, `#${p.id} is ${type}`, (t) => ({ ...t, types: { ...t.types, [type]: (t.types[type] ?? 0) + 1 } }), () => confirmType(p.id, type), true);
  };
  const dismiss = () => {
    if (!item) return;
    const p = item.problem;
    decide(p, `#${p.id} set aside`, (t) => ({ ...t, dismissed: t.dismissed + 1 }), () => dismissProblem(p.id, 'not an escaped problem (weekly review)'), true);
  };
  const restore = (id: number) => {
    setPending((n) => n + 1);
    chain.current = chain.current.then(async () => {
      try {
        await restoreProblem(id);
        setTally({ ...tallyRef.current, restored: tallyRef.current.restored + 1 });
        setMessage({ kind: 'ok', text: `#${id} counted again.` });
        setRestored((r) => [...r, id]);
      } catch (e) {
        setMessage({ kind: 'error', text: `Counting #${id} again failed: ${(e as Error).message}` });
      } finally {
        setPending((n) => n - 1);
      }
    });
  };
  const acceptRelease = () => {
    if (!item) return;
    const p = item.problem;
    decide(p, `#${p.id}: release ${p.deployment_id === null ? 'none' : 'confirmed'}`, (t) => ({ ...t, releases: t.releases + 1 }), () => confirmRelease(p.id, p.deployment_id, 'confirmed in the weekly review'), false);
  };
  const enterHours = (role: string, h: number) => {
    if (!item) return;
    const p = item.problem;
    decide(p, `#${p.id}: ${h} h ${role}`, (t) => ({ ...t, costs: t.costs + 1 }), () => addCost(p.id, { role, hours: h, note: 'weekly review' }), false);
  };
  const merge = () => {
    if (!item || marked.length === 0) return;
    const ids = [item.problem.id, ...marked.filter((id) => id !== item.problem.id)];
    setMarked([]);
    // The merged problem keeps the identity of the earliest signal: count it as handled and show it.
    decide(item.problem, `merged ${ids.length} problems`, (t) => ({ ...t, merges: t.merges + 1 }), () => mergeProblems(ids), false, (result, next) => {
      const survivor = next.items.findIndex((x) => x.problem.id === (result as { id?: number }).id);
      if (survivor < 0) return;
      const key = next.items[survivor]!.problem.key;
      const t = tallyRef.current;
      if (!t.handled.includes(key)) setTally({ ...t, handled: [...t.handled, key] });
      setIndex(survivor);
    });
  };
  const split = (signalIds: number[]) => {
    if (!item) return;
    setSplitting(false);
    decide(item.problem, `split ${signalIds.length} signals off #${item.problem.id}`, (t) => ({ ...t, splits: t.splits + 1 }), () => splitProblem(item.problem.id, signalIds), false);
  };
  const finish = () => {
    setPending((n) => n + 1);
    chain.current = chain.current.then(async () => {
      try {
        setReview(await save(true));
        setDone(true);
      } catch (e) {
        setMessage({ kind: 'error', text: `Finishing failed: ${(e as Error).message}` });
      } finally {
        setPending((n) => n - 1);
      }
    });
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === 'Escape') {
        setSplitting(false);
        (document.activeElement as HTMLElement | null)?.blur();
        return;
      }
      if (target.closest('input, select, textarea') || done) return;
      const key = event.key;
      if (TYPE_KEYS[key]) setType(TYPE_KEYS[key]!);
      else if (key === 'j') setIndex(Math.min(position + 1, items.length - 1));
      else if (key === 'k') setIndex(Math.max(position - 1, 0));
      else if (key === 'a') acceptRelease();
      else if (key === 'd') dismiss();
      else if (key === 'e') hoursRef.current?.focus();
      else if (key === 'x' && item) setMarked((m) => (m.includes(item.problem.id) ? m.filter((id) => id !== item.problem.id) : [...m, item.problem.id]));
      else if (key === 'g') merge();
      else if (key === 's') setSplitting((s) => !s);
      else if (key === 'f') finish();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const handledCount = items.filter((x) => tally.handled.includes(x.problem.key)).length;

  if (done) return <Summary review={review} tally={tally} onExit={onExit} />;
  if (items.length === 0)
    return (
      <>
        <Empty>
          Nothing needs a person this week ({date(review.period_start)} – {date(review.period_end)}).{' '}
          <button type="button" onClick={finish}>
            Close the review
          </button>
        </Empty>
        <SetAside review={review} restored={restored} onRestore={restore} />
      </>
    );

  return (
    <div className="review">
      <div className="progress-row">
        <label htmlFor="review-progress">
          Progress: <strong data-testid="review-progress">{handledCount} of {items.length}</strong> handled · {review.progress.resolved} fully settled
        </label>
        <progress id="review-progress" max={items.length} value={handledCount} />
        <span className="muted" data-testid="review-saving" data-pending={pending}>
          {pending > 0 ? `saving ${pending}…` : 'all saved'}
        </span>
        <span className="muted">
          Week {date(review.period_start)} – {date(review.period_end)}
        </span>
        <button type="button" onClick={finish}>
          Finish (f)
        </button>
      </div>
      <ol className="queue" aria-label="Queue">
        {items.map((x, i) => (
          <li key={x.problem.key} aria-current={i === position ? 'true' : undefined} className={`${tally.handled.includes(x.problem.key) ? 'handled' : ''} ${marked.includes(x.problem.id) ? 'marked' : ''}`}>
            <button type="button" onClick={() => setIndex(i)} aria-label={`Problem ${i + 1}: ${x.problem.title}${tally.handled.includes(x.problem.key) ? ' (handled)' : ''}`}>
              {i + 1}
            </button>
          </li>
        ))}
      </ol>
      {item && (
        <ReviewItem
          key={item.problem.key}
          position={position + 1}
          total={items.length}
          item={item}
          handled={tally.handled.includes(item.problem.key)}
          marked={marked.includes(item.problem.id)}
          hoursRef={hoursRef}
          onType={setType}
          onRelease={acceptRelease}
          onHours={enterHours}
          splitting={splitting}
          onSplit={split}
          onDismiss={dismiss}
        />
      )}
      <SetAside review={review} restored={restored} onRestore={restore} />
      <div aria-live="polite" className="live">
        {message && <p className={`status ${message.kind}`}>{message.text}</p>}
      </div>
      {marked.length > 0 && (
        <p>
          Marked for merge: {marked.map((id) => `#${id}`).join(', ')} — press <kbd>g</kbd> on a problem to merge them with it (the merged problem keeps its earliest signal).{' '}
          <button type="button" onClick={merge}>Merge with this one</button>
        </p>
      )}
      <Shortcuts />
    </div>
  );
}

function ReviewItem(props: {
  position: number;
  total: number;
  item: Review['items'][number];
  handled: boolean;
  marked: boolean;
  hoursRef: React.RefObject<HTMLInputElement | null>;
  onType: (type: string) => void;
  onRelease: () => void;
  onHours: (role: string, hours: number) => void;
  splitting: boolean;
  onSplit: (signalIds: number[]) => void;
  onDismiss: () => void;
}) {
  const { item, hoursRef } = props;
  const p: ProblemRecord = item.problem;
  const [role, setRole] = useState('dev');
  const [h, setH] = useState('');
  const attribution = (p.attribution ?? null) as { deployment_ref?: string | null; method?: string; confidence?: number; review_reason?: string; unattributed?: { explanation: string } } | null;
  return (
    <article className="panel review-item" aria-labelledby="item-title" data-problem-id={p.id}>
      <p className="muted">
        Problem {props.position} of {props.total} {props.handled && <span className="band band-good">handled</span>} {props.marked && <span className="band band-needs_attention">marked for merge</span>}
      </p>
      <h2 id="item-title" className="problem-title">
        <Link to={`/problems/${p.id}`}>{p.title}</Link>
      </h2>
      <p className="muted">
        {p.service ?? 'no service'} · {dateTime(p.impact_start)} · severity {p.severity ?? 'unknown'} · {p.signal_count} signals
      </p>
      <p>
        Needs:{' '}
        {item.needs.length === 0 ? 'nothing more' : item.needs.map((n) => <span key={n} className="chip">{n}</span>)}
      </p>
      <section aria-label="Type">
        <p>
          Proposed type: <strong>{p.type ?? 'none'}</strong> {p.type_confidence !== null && <span className="muted">({num((p.type_confidence ?? 0) * 100)}% {p.type_decider})</span>}
        </p>
        {p.type_rationale && <p className="rationale">{p.type_rationale}</p>}
        <div role="group" aria-label="Set the type" className="buttons">
          {Object.entries(TYPE_KEYS).map(([k, t]) => (
            <button key={k} type="button" onClick={() => props.onType(t)} aria-keyshortcuts={k} className={p.type === t ? 'proposed' : undefined}>
              <kbd>{k}</kbd> {t}
            </button>
          ))}
          <button type="button" onClick={props.onDismiss} aria-keyshortcuts="d" title="Not an escaped problem (noise, a question, chatter): kept, no longer counted">
            <kbd>d</kbd> not a problem
          </button>
        </div>
      </section>
      <section aria-label="Release">
        <p>
          Release: <strong>{attribution?.deployment_ref ?? 'none'}</strong>{' '}
          {attribution?.method && <span className="muted">({attribution.method.replace('_', ' ')}, {num((attribution.confidence ?? 0) * 100)}%)</span>}
        </p>
        {attribution?.review_reason && <p className="rationale">{attribution.review_reason}</p>}
        {attribution?.unattributed && <p className="rationale">{attribution.unattributed.explanation}</p>}
        <button type="button" onClick={props.onRelease} aria-keyshortcuts="a">
          <kbd>a</kbd> {p.deployment_id === null ? 'confirm: no release introduced it' : 'accept this release'}
        </button>
      </section>
      <form
        aria-label="Hours"
        className="cost-form"
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(h);
          if (n > 0) {
            props.onHours(role, n);
            setH('');
            hoursRef.current?.blur();
          }
        }}
      >
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {['dev', 'qa', 'devops', 'pm'].map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          <span>
            Hours (<kbd>e</kbd>)
          </span>
          <input ref={hoursRef} type="number" min="0.25" step="0.25" value={h} onChange={(e) => setH(e.target.value)} />
        </label>
        <button type="submit">Add hours</button>
      </form>
      {props.splitting && <SplitPanel problemId={p.id} onSplit={props.onSplit} />}
    </article>
  );
}

function SplitPanel({ problemId, onSplit }: { problemId: number; onSplit: (ids: number[]) => void }) {
  const signals = useApi<Page<SignalRecord>>(`/api/v1/signals?problem_id=${problemId}&limit=200`);
  const [chosen, setChosen] = useState<number[]>([]);
  if (signals.error) return <ErrorState error={signals.error} />;
  if (signals.data === null) return <Loading what="signals" />;
  return (
    <fieldset className="split">
      <legend>Split these signals off into a new problem</legend>
      {signals.data.data.map((s, i) => (
        <label key={s.id} className="check">
          <input type="checkbox" autoFocus={i === 0} checked={chosen.includes(s.id)} onChange={(e) => setChosen((c) => (e.target.checked ? [...c, s.id] : c.filter((x) => x !== s.id)))} />
          {dateTime(s.occurred_at)} · {s.source} · {s.title}
        </label>
      ))}
      <button type="button" disabled={chosen.length === 0 || chosen.length === signals.data.data.length} onClick={() => onSplit(chosen)}>
        Split {chosen.length} off
      </button>
    </fieldset>
  );
}

/** What the pipeline set aside in the week as noise, for a person to check; one click counts a problem again. */
function SetAside({ review, restored, onRestore }: { review: Review; restored: number[]; onRestore: (id: number) => void }) {
  const aside = review.set_aside;
  if (!aside || aside.count === 0) return null;
  return (
    <details className="panel set-aside-list" data-testid="set-aside-list">
      <summary>
        Set aside as noise this week: <strong>{num(aside.count)}</strong> (flapping alerts, support questions, chatter), not counted
      </summary>
      <table>
        <thead>
          <tr>
            <th scope="col">Problem</th>
            <th scope="col">Service</th>
            <th scope="col">Impact start</th>
            <th scope="col">Why</th>
            <th scope="col"><span className="sr-only">Action</span></th>
          </tr>
        </thead>
        <tbody>
          {aside.problems.map((p) => (
            <tr key={p.id}>
              <td>
                <Link to={`/problems/${p.id}`}>{p.title}</Link>
              </td>
              <td>{p.service ?? '—'}</td>
              <td>{dateTime(p.impact_start)}</td>
              <td className="rationale">{p.set_aside?.reason ?? p.type_rationale}</td>
              <td>
                {restored.includes(p.id) ? (
                  'counted'
                ) : (
                  <button type="button" onClick={() => onRestore(p.id)}>
                    Count it
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {aside.count > aside.problems.length && <p className="muted">The newest {aside.problems.length} of {num(aside.count)}; see all on the <Link to="/problems?review_state=dismissed">problems page</Link>.</p>}
    </details>
  );
}

function Summary({ review, tally, onExit }: { review: Review; tally: Tally; onExit: () => void }) {
  const left = review.items.filter((x) => x.needs.length > 0);
  return (
    <section className="panel summary" aria-labelledby="summary-title" data-testid="review-summary">
      <h2 id="summary-title">Review done</h2>
      <p>
        Week {date(review.period_start)} – {date(review.period_end)}: {review.items.filter((x) => tally.handled.includes(x.problem.key)).length} of {review.items.length} problems handled.
      </p>
      <ul>
        <li>
          Types confirmed:{' '}
          {Object.entries(tally.types)
            .map(([t, n]) => `${n} ${t}`)
            .join(', ') || 'none'}
        </li>
        <li>Releases confirmed: {tally.releases}</li>
        <li>Cost entries: {tally.costs}</li>
        <li>Merges: {tally.merges} · splits: {tally.splits}</li>
        <li>Set aside as not escaped problems: {tally.dismissed} · counted again: {tally.restored}</li>
        <li>Still needing a person: {left.length}</li>
      </ul>
      <div className="buttons">
        <Link to="/">See the overview</Link>
        <button type="button" onClick={onExit}>
          Back to reviews
        </button>
      </div>
    </section>
  );
}
