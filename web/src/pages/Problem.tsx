// One problem: its signals as a timeline (linking back to their sources), the type with its
// rationale, the release it is attributed to with the evidence, and its cost entries (editable).
import { useState, type FormEvent } from 'react';
import { ApiError, useApi } from '../api.ts';
import { addCost, confirmRelease, confirmType, dismissProblem, restoreProblem } from '../actions.ts';
import { Num } from '../components/Num.tsx';
import { ErrorState, Empty, Load } from '../components/States.tsx';
import { dateTime, hours, num, pct, reviewWords, SET_ASIDE, setAsideBy } from '../format.ts';
import { Link } from '../router.tsx';
import { PROBLEM_TYPES, type Page, type ProblemRecord, type SignalRecord } from '../types.ts';

interface AttributionView {
  method: string;
  confidence: number;
  deployment_ref: string | null;
  evidence: { kind: string; deployment_id: number; deployment_ref: string; weight: number; detail: string }[];
  candidates?: { deployment_id: number; deployment_ref: string; score?: number; confidence?: number }[];
  unattributed?: { reason: string; explanation: string };
  needs_review?: boolean;
  review_reason?: string;
  decided_by?: string;
  actor?: string;
}

interface CostView {
  estimated: boolean;
  basis: string;
  hours_by_role: Record<string, number>;
  total_hours: number;
  money: { total: number | null; currency: string } | null;
  time_to_detect_minutes: number | null;
  time_to_fix_minutes: number | null;
  entries: { role: string; hours: number; person: string | null; note: string | null; entered_at: string | null }[];
}

/** Runs an action and reports what happened in a live region. */
function useAction() {
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const run = async (what: string, action: () => Promise<unknown>, after: () => void) => {
    setStatus(null);
    try {
      await action();
      setStatus({ kind: 'ok', text: `${what}: saved.` });
      after();
    } catch (error) {
      const e = error as Error;
      setStatus({ kind: 'error', text: e instanceof ApiError && e.notAvailable ? `${what}: not available yet on this server.` : `${what}: ${e.message}` });
    }
  };
  const view = status && (
    <p className={`status ${status.kind}`} role={status.kind === 'error' ? 'alert' : 'status'}>
      {status.text}
    </p>
  );
  return { run, view };
}

export function ProblemPage({ id }: { id: number }) {
  const problem = useApi<{ problems: ProblemRecord[] }>(`/api/v1/evidence?problems=${id}`);
  return (
    <Load loaded={problem} what="the problem">
      {(d) => (d.problems[0] ? <ProblemView p={d.problems[0]} reload={problem.reload} /> : <Empty>No problem #{id}. It may have been merged into another one.</Empty>)}
    </Load>
  );
}

function ProblemView({ p, reload }: { p: ProblemRecord; reload: () => void }) {
  return (
    <article className="problem" aria-labelledby="problem-title">
      <h2 id="problem-title" className="problem-title">
        {p.title}
      </h2>
      <p className="muted">
        #{p.id} · {p.service ?? 'no service'} · {p.environment ?? 'environment unknown'} · severity {p.severity ?? 'unknown'} · {reviewWords(p.review_state)}
      </p>
      <Counting p={p} reload={reload} />
      {p.summary && <p>{p.summary}</p>}
      <dl className="facts">
        <div><dt>Impact start</dt><dd>{dateTime(p.impact_start)}</dd></div>
        <div><dt>Detected</dt><dd>{dateTime(p.detected_at)}</dd></div>
        <div><dt>Resolved</dt><dd>{dateTime(p.resolved_at)}</dd></div>
        <div><dt>Signals</dt><dd>{p.signal_count}</dd></div>
      </dl>
      <div className="grid2">
        <TypeSection p={p} reload={reload} />
        <AttributionSection p={p} reload={reload} />
      </div>
      <CostSection id={p.id} setAside={p.review_state === SET_ASIDE} />
      <Timeline id={p.id} />
    </article>
  );
}


/** Whether the problem counts: a banner with the reason and "count it" when set aside, else "not a problem". */
function Counting({ p, reload }: { p: ProblemRecord; reload: () => void }) {
  const { run, view } = useAction();
  const [reason, setReason] = useState('');
  if (p.review_state === SET_ASIDE) {
    const note = p.correlation?.set_aside;
    return (
      <div className="flag set-aside" role="note" data-testid="set-aside">
        <p>
          <strong>Not counted</strong> ({setAsideBy(note)}): {note?.reason ?? 'not an escaped problem'}. It is in no metric and no release's escapes.
        </p>
        <button type="button" onClick={() => run('Count it', () => restoreProblem(p.id), reload)}>
          Count it as an escaped problem
        </button>
        {view}
      </div>
    );
  }
  return (
    <form
      className="buttons dismiss-form"
      aria-label="Not an escaped problem"
      onSubmit={(e) => {
        e.preventDefault();
        void run('Set aside', () => dismissProblem(p.id, reason), reload);
      }}
    >
      <label>
        Not a problem? Why (optional)
        <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. a flapping alert, a how-to question" maxLength={500} />
      </label>
      <button type="submit">Set aside: not an escaped problem</button>
      {view}
    </form>
  );
}

function TypeSection({ p, reload }: { p: ProblemRecord; reload: () => void }) {
  const { run, view } = useAction();
  return (
    <section className="panel" aria-labelledby="type-title">
      <h3 id="type-title">Type</h3>
      <p className="big">{p.type ? <span className={`type type-${p.type}`}>{p.type}</span> : 'unclassified'}</p>
      <p>
        Confidence {pct(p.type_confidence)} · decided by {p.type_decider ?? 'nobody yet'} · {p.review_state === 'confirmed' ? 'confirmed' : p.review_state === SET_ASIDE ? 'not counted' : 'to verify'}
      </p>
      <p className="rationale">{(p.review_state === SET_ASIDE ? (p.correlation?.set_aside?.if_counted ?? p.type_rationale) : p.type_rationale) ?? 'No rationale recorded.'}</p>
      <div role="group" aria-label="Confirm or change the type" className="buttons">
        {PROBLEM_TYPES.map((t) => (
          <button key={t} type="button" aria-pressed={p.type === t && p.review_state === 'confirmed'} onClick={() => run(`Type ${t}`, () => confirmType(p.id, t), reload)}>
            {p.type === t ? `Confirm ${t}` : `Set ${t}`}
          </button>
        ))}
      </div>
      {view}
    </section>
  );
}

function AttributionSection({ p, reload }: { p: ProblemRecord; reload: () => void }) {
  const a = (p.attribution ?? null) as AttributionView | null;
  const { run, view } = useAction();
  return (
    <section className="panel" aria-labelledby="attr-title">
      <h3 id="attr-title">Release that introduced it</h3>
      {a === null ? (
        <p>Not attributed yet: the pipeline has not run over this problem.</p>
      ) : (
        <>
          <p className="big">
            {p.deployment_id !== null ? (
              <Num evidence={{ deployments: [p.deployment_id] }} title="the deployment that introduced the problem">
                {a.deployment_ref ?? `deployment #${p.deployment_id}`}
              </Num>
            ) : (
              'no deployment'
            )}
          </p>
          <p>
            Method {a.method.replace('_', ' ')} · confidence {pct(a.confidence)} · decided by {a.decided_by ?? 'pipeline'}
            {a.actor ? ` (${a.actor})` : ''}
          </p>
          {a.unattributed && <p className="rationale">{a.unattributed.explanation}</p>}
          {a.needs_review && a.review_reason && <p className="flag">Needs a person: {a.review_reason}</p>}
          {a.evidence.length > 0 && (
            <ul className="evidence" aria-label="Evidence">
              {a.evidence.map((e, i) => (
                <li key={i}>
                  <strong>{e.kind.replace('_', ' ')}</strong> ({pct(e.weight)}): {e.detail}
                </li>
              ))}
            </ul>
          )}
          <div className="buttons">
            {p.deployment_id !== null && (
              <button type="button" onClick={() => run('Release', () => confirmRelease(p.id, p.deployment_id, 'confirmed in the dashboard'), reload)}>
                Confirm this release
              </button>
            )}
            {(a.candidates ?? [])
              .filter((c) => c.deployment_id !== p.deployment_id)
              .map((c) => (
                <button key={c.deployment_id} type="button" onClick={() => run('Release', () => confirmRelease(p.id, c.deployment_id, 'chosen in the dashboard'), reload)}>
                  Use {c.deployment_ref}
                </button>
              ))}
            <button type="button" onClick={() => run('Release', () => confirmRelease(p.id, null, 'no deployment introduced it'), reload)}>
              No release introduced it
            </button>
          </div>
          {view}
        </>
      )}
    </section>
  );
}

const ROLES = ['dev', 'qa', 'devops', 'pm'];

/** Links back to a source only over http(s): a stored URL is data from outside and could carry any scheme. */
function safeUrl(url: string | null): string | null {
  return url !== null && /^https?:\/\//i.test(url) ? url : null;
}

function CostSection({ id, setAside }: { id: number; setAside: boolean }) {
  const cost = useApi<CostView>(`/api/v1/problems/${id}/cost`);
  const { run, view } = useAction();
  const [role, setRole] = useState('dev');
  const [amount, setAmount] = useState('');
  const [person, setPerson] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const h = Number(amount);
    if (!(h > 0)) return;
    void run('Cost entry', () => addCost(id, { role, hours: h, ...(person ? { person } : {}) }), () => {
      setAmount('');
      cost.reload();
    });
  };
  return (
    <section className="panel" aria-labelledby="cost-h">
      <h3 id="cost-h">Cost</h3>
      {setAside && <p className="muted">Set aside: these hours are in no total.</p>}
      {cost.error ? (
        <ErrorState error={cost.error} retry={cost.reload} />
      ) : cost.data === null ? (
        <p role="status">Loading cost…</p>
      ) : (
        <>
          <p className="big">
            {hours(cost.data.total_hours)}
            {cost.data.money?.total != null && <span> · {num(cost.data.money.total)} {cost.data.money.currency}</span>}
            {cost.data.estimated && <span className="band band-none">estimate</span>}
          </p>
          <p className="muted">
            {cost.data.basis} · time to detect {cost.data.time_to_detect_minutes === null ? 'N/A' : hours(cost.data.time_to_detect_minutes / 60)} · time to fix{' '}
            {cost.data.time_to_fix_minutes === null ? 'N/A' : hours(cost.data.time_to_fix_minutes / 60)}
          </p>
          <table>
            <caption className="sr-only">Hours by role</caption>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Hours</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(cost.data.hours_by_role).map(([r, h]) => (
                <tr key={r}>
                  <th scope="row">{r}</th>
                  <td>{num(h, 1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {cost.data.entries.length > 0 && (
            <table>
              <caption>Entries</caption>
              <thead>
                <tr>
                  <th scope="col">Role</th>
                  <th scope="col">Hours</th>
                  <th scope="col">Person</th>
                  <th scope="col">Note</th>
                  <th scope="col">Entered</th>
                </tr>
              </thead>
              <tbody>
                {cost.data.entries.map((e, i) => (
                  <tr key={i}>
                    <td>{e.role}</td>
                    <td>{num(e.hours, 1)}</td>
                    <td>{e.person ?? '—'}</td>
                    <td>{e.note ?? ''}</td>
                    <td>{dateTime(e.entered_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {cost.data !== null && (
      <form className="cost-form" onSubmit={submit} aria-label="Add hours">
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Hours
          <input type="number" min="0.25" step="0.25" required value={amount} onChange={(e) => setAmount(e.target.value)} />
        </label>
        <label>
          Person (optional)
          <input value={person} onChange={(e) => setPerson(e.target.value)} />
        </label>
        <button type="submit">Add hours</button>
      </form>
      )}
      {view}
    </section>
  );
}

function Timeline({ id }: { id: number }) {
  const signals = useApi<Page<SignalRecord>>(`/api/v1/signals?problem_id=${id}&limit=1000`);
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <h3 id="timeline-title">Timeline of its signals</h3>
      <Load loaded={signals} what="signals">
        {(page) =>
          page.data.length === 0 ? (
            <Empty>No signals are linked to this problem.</Empty>
          ) : (
            <ol className="timeline">
              {[...page.data]
                .sort((a, b) => a.occurred_at.localeCompare(b.occurred_at))
                .map((s) => (
                  <li key={s.id}>
                    <time dateTime={s.occurred_at}>{dateTime(s.occurred_at)}</time>
                    <span className="chip">{s.source}</span>
                    <span className="chip">{s.kind}</span>
                    {s.severity && <span className="chip">{s.severity}</span>}{' '}
                    {safeUrl(s.url) ? (
                      <a href={safeUrl(s.url)!} target="_blank" rel="noreferrer noopener">
                        {s.title}
                        <span className="sr-only"> (opens {s.source})</span>
                      </a>
                    ) : (
                      <span>{s.title}</span>
                    )}
                    <span className="muted"> {s.external_id}</span>
                  </li>
                ))}
            </ol>
          )
        }
      </Load>
      {signals.data?.next_cursor && <p className="muted">Showing the first 1000 signals.</p>}
      <p>
        <Link to="/problems">Back to the problems</Link>
      </p>
    </section>
  );
}
