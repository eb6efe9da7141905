// Escaped problems per release with spikes marked, DDR and IPR per release, and the Release
// Confidence Score of the next candidate with its components.
import { useState } from 'react';
import { query, useApi } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { MetricNum, Num, evidenceHref } from '../components/Num.tsx';
import { ServicePicker } from '../components/ServicePicker.tsx';
import { Empty, Load } from '../components/States.tsx';
import { date, fixed, num, pct, releaseName } from '../format.ts';
import { usePeriod } from '../period.ts';
import { navigate, useLocation, withParams } from '../router.tsx';
import type { Ddr, Epr, Ipr, Rcs } from '../types.ts';

const PAGE = 25;

export function ReleasesPage() {
  const period = usePeriod();
  const { search } = useLocation();
  const service = search.get('service') ?? '';
  const q = query({ period, service });
  const epr = useApi<Epr>(`/api/v1/metrics/epr${q}`);
  const ddr = useApi<Ddr>(`/api/v1/metrics/ddr${q}`);
  const ipr = useApi<Ipr>(`/api/v1/metrics/ipr${q}`);
  return (
    <>
      <div className="filters">
        <ServicePicker value={service} />
      </div>
      <RcsPanel service={service} />
      <section className="panel" aria-labelledby="epr-title">
        <h2 id="epr-title">Escaped problems per release</h2>
        <Load loaded={epr} what="escapes per release">
          {(e) => <EprView epr={e} />}
        </Load>
      </section>
      <section className="panel" aria-labelledby="rel-table-title">
        <h2 id="rel-table-title">Releases: escapes, DDR and IPR</h2>
        <Load loaded={epr} what="releases">
          {(e) => (
            <Load loaded={ddr} what="DDR per release">
              {(d) => (
                <Load loaded={ipr} what="IPR per release">
                  {(i) => <ReleaseTable epr={e} ddr={d} ipr={i} />}
                </Load>
              )}
            </Load>
          )}
        </Load>
      </section>
    </>
  );
}

function EprView({ epr }: { epr: Epr }) {
  if (epr.series.length === 0) return <Empty>No production release in this period.</Empty>;
  const series = [...epr.series].sort((a, b) => (a.finished_at ?? '').localeCompare(b.finished_at ?? ''));
  const option = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 40, right: 16, top: 30, bottom: series.length > 60 ? 70 : 40 },
    xAxis: { type: 'category', data: series.map((s) => `${releaseName(s)} (${date(s.finished_at)})`), axisLabel: { show: series.length <= 30, rotate: 30 } },
    yAxis: { type: 'value', name: 'escapes', minInterval: 1 },
    dataZoom: series.length > 60 ? [{ type: 'slider', bottom: 10 }, { type: 'inside' }] : [],
    series: [
      {
        name: 'escaped problems',
        type: 'bar',
        data: series.map((s) => ({ value: s.escapes, itemStyle: { color: s.spike ? '#d62728' : '#4e79a7' } })),
        markLine: epr.fence ? { symbol: 'none', label: { position: 'insideEndTop', formatter: `spike above ${num(epr.fence.threshold, 2)}` }, lineStyle: { type: 'dashed', color: '#d62728' }, data: [{ yAxis: epr.fence.threshold }] } : undefined,
      },
    ],
  };
  const open = (index: number) => {
    const s = series[index];
    if (!s || s.problem_ids.length === 0) return;
    if (s.problem_ids.length === 1) navigate(`/problems/${s.problem_ids[0]}`);
    else navigate(evidenceHref({ problems: s.problem_ids }, `problems introduced by ${releaseName(s)}`));
  };
  return (
    <>
      <p>
        <MetricNum metric={epr.epr} title="escaped problems per release" format={(v) => fixed(v)} /> escaped problems per release over{' '}
        <Num evidence={{ deployments: epr.epr.evidence.deployments ?? [] }} title="releases">{num(epr.releases.count)} releases</Num>
        {epr.epr.band && <span className={`band band-${epr.epr.band}`}>{epr.epr.band.replace('_', ' ')}</span>} ·{' '}
        <Num evidence={{ deployments: epr.spikes }} title="spike releases">{num(epr.spikes.length)} spikes</Num>
        {epr.fence ? <span className="muted"> (threshold {num(epr.fence.threshold, 2)}: {epr.fence.method})</span> : <span className="muted"> ({epr.fence_note})</span>}
      </p>
      {epr.flags.message && <p className="flag">{epr.flags.message}</p>}
      <Chart option={option} label="Escaped problems per release in time order; spikes in red; select a bar to open its problems" onClick={(c) => open(c.dataIndex)} />
      {epr.canary.length > 0 && (
        <ul className="canary" aria-label="Canary recommendations">
          {epr.canary.map((c) => (
            <li key={c.service}>
              <strong>{c.service}</strong>: {c.recommendation}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function ReleaseTable({ epr, ddr, ipr }: { epr: Epr; ddr: Ddr; ipr: Ipr }) {
  const [shown, setShown] = useState(PAGE);
  const ddrBy = new Map(ddr.per_release.map((r) => [r.deployment_id, r]));
  const iprBy = new Map(ipr.series.map((r) => [r.deployment_id, r]));
  const rows = [...epr.series].sort((a, b) => Number(b.spike) - Number(a.spike) || (b.finished_at ?? '').localeCompare(a.finished_at ?? ''));
  if (rows.length === 0) return <Empty>No production release in this period.</Empty>;
  return (
    <>
      <p>
        DDR over the period: <MetricNum metric={ddr.ddr} title="DDR" format={(v) => pct(v)} /> · IPR: <MetricNum metric={ipr.ipr} title="issues per release" format={(v) => num(v, 1)} />{' '}
        {ipr.trend && <span className="muted">(trend {ipr.trend})</span>}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Release</th>
            <th scope="col">Finished</th>
            <th scope="col">Kind</th>
            <th scope="col">Escaped problems</th>
            <th scope="col">DDR</th>
            <th scope="col">Issues (IPR)</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, shown).map((r) => {
            const d = ddrBy.get(r.deployment_id);
            const i = iprBy.get(r.deployment_id);
            return (
              <tr key={r.deployment_id} className={r.spike ? 'spike' : undefined}>
                <th scope="row">
                  <Num evidence={{ deployments: [r.deployment_id] }} title={`release ${releaseName(r)}`}>{releaseName(r)}</Num>
                  {r.spike && <span className="band band-alarm">spike</span>}
                </th>
                <td>{date(r.finished_at)}</td>
                <td>{r.kind}</td>
                <td><Num evidence={{ problems: r.problem_ids }} title={`problems introduced by ${releaseName(r)}`}>{num(r.escapes)}</Num></td>
                <td>{d ? <MetricNum metric={d.ddr} title={`DDR of ${releaseName(r)}`} format={(v) => pct(v)} /> : 'N/A'}</td>
                <td>{i ? <Num evidence={{ defects: i.defect_ids }} title={`issues found testing ${releaseName(r)}`}>{num(i.issues)}</Num> : 'N/A'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {shown < rows.length && (
        <button type="button" onClick={() => setShown((n) => n + PAGE * 4)}>
          Show more ({rows.length - shown} more)
        </button>
      )}
    </>
  );
}

const DECISION_CLASS: Record<string, string> = { GO: 'go', CONDITIONAL: 'conditional', HOLD: 'hold' };

function RcsPanel({ service }: { service: string }) {
  const { search } = useLocation();
  const release = search.get('release') ?? '';
  const rcs = useApi<{ candidates: string[]; result: Rcs | null }>(`/api/v1/metrics/rcs${query({ period: 'all', service, release })}`);
  return (
    <section className="panel" aria-labelledby="rcs-title">
      <h2 id="rcs-title">Release Confidence Score of the next candidate</h2>
      <Load loaded={rcs} what="the release confidence score">
        {({ candidates, result }) =>
          result === null ? (
            <Empty>No release candidate with test reports yet. Import test runs (JUnit) for a release to get its score.</Empty>
          ) : (
            <div className="rcs">
              <label className="filter">
                <span>Candidate</span>
                <select value={result.release} onChange={(e) => navigate(withParams({ release: e.target.value }), { replace: true })}>
                  {[...new Set([result.release, ...candidates])].map((c) => (
                    <option key={c} value={c}>{c}</option>
                  ))}
                </select>
              </label>
              <p className="big">
                <span className={`decision-badge ${DECISION_CLASS[result.score.decision ?? ''] ?? 'none'}`} data-testid="rcs-decision">
                  {result.score.decision ?? 'N/A'}
                </span>
                <span> score {num(result.score.score, 1)}</span>
              </p>
              <p className="muted">{result.score.detail}</p>
              <dl className="components">
                <div>
                  <dt>Open blockers</dt>
                  <dd><MetricNum metric={result.blockers} title={`open blockers of ${result.release}`} format={(v) => num(v)} /></dd>
                </div>
                <div>
                  <dt>Regression pass</dt>
                  <dd>{result.inputs.regression === null ? 'N/A' : <MetricNum metric={result.regression} title={`regression runs of ${result.release}`} format={() => `${num(result.inputs.regression, 1)}%`} />}</dd>
                </div>
                <div>
                  <dt>Critical paths green</dt>
                  <dd>{result.inputs.critical_paths === null ? 'N/A' : <MetricNum metric={result.critical_paths} title={`critical path runs of ${result.release}`} format={() => `${num(result.inputs.critical_paths, 1)}%`} />}</dd>
                </div>
              </dl>
              <table>
                <caption>All three models</caption>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">Score</th>
                    <th scope="col">Decision</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {result.models.map((m) => (
                    <tr key={m.model}>
                      <th scope="row">{m.model.replace('_', ' ')}</th>
                      <td>{num(m.score, 1)}</td>
                      <td>{m.decision ?? 'N/A'}</td>
                      <td>{m.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted">{result.note}</p>
            </div>
          )
        }
      </Load>
    </section>
  );
}
