// One decision indicator, four supporting numbers with trend and comparison, escaped problems by
// type per quarter, cost by type, and DDR / escapes per release beside the release count.
import type { ReactNode } from 'react';
import { useApi, useApiAll } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { Num, Trend, evidenceHref } from '../components/Num.tsx';
import { ErrorState, Loading, Empty } from '../components/States.tsx';
import { fixed, hours, hoursTotal, money, num, pct, periodBefore, quarterBefore, quarterOf, TYPE_COLORS } from '../format.ts';
import { useLatestQuarter, usePeriod } from '../period.ts';
import { navigate } from '../router.tsx';
import type { Overview } from '../types.ts';

const DECISION: Record<string, string> = {
  elite: 'Releases rarely let problems through: keep the pace.',
  good: 'Releases are mostly safe: watch the services above 1.5.',
  needs_attention: 'Too many problems escape per release: add a canary and a watch window for the risky services.',
  alarm: 'Releases are letting problems through: slow down, hold a post-mortem on the spikes.',
};

/** The four quarters ending at the selected period (its last quarter for a year). */
function quartersFor(period: string, lastDataQuarter: string | null): string[] {
  let last: string;
  if (/^\d{4}-Q[1-4]$/.test(period)) last = period;
  else if (/^\d{4}$/.test(period)) last = `${period}-Q4`;
  else last = lastDataQuarter ?? quarterOf(new Date().toISOString());
  return [3, 2, 1, 0].map((n) => quarterBefore(last, n));
}

export function OverviewPage() {
  const period = usePeriod();
  const quarters = quartersFor(period, useLatestQuarter());
  const previous = periodBefore(period);
  const path = (p: string) => `/api/v1/metrics/overview?period=${encodeURIComponent(p)}`;
  // The selected period first (the decision and the four numbers show as soon as it arrives), then
  // the period before it (trends), then the other quarters of the chart.
  // Asked one after another: the server computes a cold period in about a second, and four at once
  // would make the first wait for all of them.
  const now = useApi<Overview>(path(period));
  const before = useApi<Overview>(previous && now.data ? path(previous) : null);
  const others = quarters.filter((q) => q !== period && q !== previous);
  const rest = useApiAll<Overview>(now.data && (previous === null || before.data || before.error) ? others.map(path) : null);
  if (now.error) return <ErrorState error={now.error} retry={now.reload} />;
  if (now.data === null) return <Loading what="the overview" />;
  const byLabel = new Map<string, Overview>();
  byLabel.set(period, now.data);
  if (previous && before.data) byLabel.set(previous, before.data);
  rest.data?.forEach((o, i) => byLabel.set(others[i]!, o));
  const perQuarter = quarters.every((q) => byLabel.has(q)) ? quarters.map((q) => ({ quarter: q, o: byLabel.get(q)! })) : null;
  return <OverviewView now={now.data} before={before.data} previousLabel={previous} perQuarter={perQuarter} quartersError={rest.error ?? before.error} />;
}

function OverviewView({ now, before, previousLabel, perQuarter, quartersError }: { now: Overview; before: Overview | null; previousLabel: string | null; perQuarter: { quarter: string; o: Overview }[] | null; quartersError: Error | null }) {
  const exportPeriod = usePeriod();
  const epr = now.epr.epr;
  const band = epr.band ?? null;
  const currency = now.cost.total.currency;
  const rates = now.cost.total.money !== null;
  const vs = previousLabel ? `vs ${previousLabel}` : '';
  const costTypes = now.cost.by_type;
  const costOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: costTypes.map((c) => c.type) },
    yAxis: { type: 'value', name: 'hours' },
    series: [
      { name: 'actual hours', type: 'bar', stack: 'h', itemStyle: { color: '#4e79a7' }, data: costTypes.map((c) => Math.round(c.actual_hours * 10) / 10) },
      { name: 'estimated hours', type: 'bar', stack: 'h', itemStyle: { color: '#a0cbe8' }, data: costTypes.map((c) => Math.round(c.estimated_hours * 10) / 10) },
    ],
  };

  return (
    <>
      <section className="decision" aria-labelledby="decision-title" data-band={band ?? 'none'}>
        <h2 id="decision-title">Escaped problems per release</h2>
        <p className="big">
          <Num evidence={epr.evidence} title={`escaped problems per release, ${now.selection.period.label}`}>
            {fixed(epr.value)}
          </Num>
          <span className={`band band-${band ?? 'none'}`}>{band ? band.replace('_', ' ') : 'no releases'}</span>
        </p>
        <p>
          <Trend current={epr.value} previous={before?.epr.epr.value ?? null} betterWhen="down" format={(v) => fixed(v)} /> {vs}
        </p>
        <p className="consequence">{band ? DECISION[band] : 'No production release in this period: nothing to judge yet.'}</p>
        {now.epr.flags.message && <p className="flag">{now.epr.flags.message}</p>}
        {now.cost.sentence && <p className="muted">{now.cost.sentence}</p>}
        <p className="muted" data-testid="export-report">
          Export report:{' '}
          {['sprint', 'em', 'board', 'weekly', 'quarterly', 'investment', 'crisis'].map((a, i) => (
            <span key={a}>{i > 0 && ' · '}<a href={`/api/v1/reports/${a}?period=${encodeURIComponent(exportPeriod)}&format=html`} target="_blank" rel="noopener">{a}</a></span>
          ))}{' '}
          (<a href={`/api/v1/reports/board?period=${encodeURIComponent(exportPeriod)}&format=pdf&slide=true`}>board slide, PDF</a>)
        </p>
      </section>

      <section aria-label="Supporting numbers" className="cards">
        <Card title="Escaped problems" value={<Num evidence={{ problems: now.escapes.by_type.flatMap((t) => t.problem_ids) }} title={`escaped problems, ${now.selection.period.label}`}>{num(now.escapes.total)}</Num>}
          trend={<Trend current={now.escapes.total} previous={now.escapes.previous_total} betterWhen="down" format={(v) => num(v)} />} note={`${num(now.escapes.to_verify)} to verify${now.escapes.set_aside?.count ? ` · ${num(now.escapes.set_aside.count)} set aside as noise` : ''}`} testid="escapes" vs={vs} />
        <Card title={rates ? 'Cost' : 'Cost (hours)'} value={<Num evidence={{ problems: now.cost.total.problem_ids }} title={`cost of escaped problems, ${now.selection.period.label}`}>{rates ? money(now.cost.total.money, currency) : hoursTotal(now.cost.total.hours)}</Num>}
          trend={<Trend current={rates ? now.cost.total.money : now.cost.total.hours} previous={before ? (rates ? before.cost.total.money : before.cost.total.hours) : null} betterWhen="down" format={(v) => (rates ? money(v, currency) : hoursTotal(v))} />}
          note={`${hours(now.cost.total.hours_per_problem)} per problem${rates ? ` · ${hoursTotal(now.cost.total.hours)}` : ''}`} testid="cost" vs={vs} />
        <Card title="Defect Detection Rate" value={<Num evidence={now.ddr.ddr.evidence} title={`DDR, ${now.selection.period.label}`}>{pct(now.ddr.ddr.value)}</Num>}
          trend={<Trend current={now.ddr.ddr.value} previous={before?.ddr.ddr.value ?? null} betterWhen="up" format={(v) => pct(v)} />} note={now.ddr.ddr.band ? `${now.ddr.ddr.band} · weighted ${pct(now.ddr.ddr_weighted.value)}` : 'no releases'} testid="ddr" vs={vs} />
        <Card title="Releases" value={<Num evidence={{ deployments: now.epr.epr.evidence.deployments ?? [] }} title={`releases, ${now.selection.period.label}`}>{num(now.ddr.releases)}</Num>}
          trend={<Trend current={now.ddr.releases} previous={before?.ddr.releases ?? null} betterWhen="up" format={(v) => num(v)} />} note={`${fixed(now.ddr.escapes_per_release.value)} escapes per release`} testid="releases" vs={vs} />
      </section>

      <div className="grid2">
        <section aria-labelledby="by-type-title" className="panel">
          <h2 id="by-type-title">Escaped problems by type per quarter</h2>
          {quartersError ? <ErrorState error={quartersError} /> : perQuarter === null ? <Loading what="the quarters" /> : <QuarterChart perQuarter={perQuarter} />}
        </section>

        <section aria-labelledby="cost-title" className="panel">
          <h2 id="cost-title">Cost by type, {now.selection.period.label}</h2>
          {costTypes.length === 0 ? <Empty>No escaped problems, no cost.</Empty> : <Chart option={costOption} label="Cost by type in hours, actual and estimated" />}
          <table>
            <caption className="sr-only">Cost by type</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Problems</th>
                <th scope="col">Hours</th>
                <th scope="col">Per problem</th>
                {rates && <th scope="col">Money</th>}
              </tr>
            </thead>
            <tbody>
              {costTypes.map((c) => (
                <tr key={c.type}>
                  <th scope="row">{c.type}</th>
                  <td><Num evidence={{ problems: c.problem_ids }} title={`${c.type} problems, ${now.selection.period.label}`}>{num(c.problems)}</Num></td>
                  <td><Num evidence={{ problems: c.problem_ids }} title={`${c.type} cost`}>{num(c.hours, 1)}</Num>{c.estimated_hours > 0 && <span className="muted"> ({num(c.estimated_hours, 1)} est.)</span>}</td>
                  <td>{hours(c.hours_per_problem)}</td>
                  {rates && <td>{money(c.money, c.currency)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <section aria-labelledby="per-release-title" className="panel">
        <h2 id="per-release-title">DDR and escapes per release, beside the release count</h2>
        {quartersError ? <ErrorState error={quartersError} /> : perQuarter === null ? <Loading what="the quarters" /> : <QuarterTable perQuarter={perQuarter} />}
        <p className="muted">DDR = pre-release defects ÷ (pre-release defects + escaped problems of the releases). Never read it without the release count.</p>
      </section>
    </>
  );
}

type PerQuarter = { quarter: string; o: Overview }[];

function QuarterChart({ perQuarter }: { perQuarter: PerQuarter }) {
  const types = [...new Set(perQuarter.flatMap((q) => q.o.escapes.by_type.map((t) => t.type)))];

  const escapesOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: perQuarter.map((q) => q.quarter) },
    yAxis: { type: 'value', name: 'problems', minInterval: 1 },
    series: types.map((type) => ({
      name: type,
      type: 'bar',
      stack: 'escapes',
      itemStyle: { color: TYPE_COLORS[type] },
      data: perQuarter.map((q) => q.o.escapes.by_type.find((t) => t.type === type)?.count ?? 0),
    })),
  };
  const openTypeQuarter = (typeIndex: number, quarterIndex: number) => {
    const q = perQuarter[quarterIndex];
    const t = q?.o.escapes.by_type.find((x) => x.type === types[typeIndex]);
    if (q && t && t.problem_ids.length > 0) navigate(evidenceHref({ problems: t.problem_ids }, `${t.type} problems in ${q.quarter}`));
  };

  return (
    <>
          {perQuarter.every((q) => q.o.escapes.total === 0) ? (
            <Empty>No escaped problems in these quarters.</Empty>
          ) : (
            <Chart option={escapesOption} label="Escaped problems by type per quarter, stacked bars; select a bar to open its problems" onClick={(c) => openTypeQuarter(c.seriesIndex, c.dataIndex)} />
          )}
          <details>
            <summary>As a table</summary>
            <table>
              <caption className="sr-only">Escaped problems by type per quarter</caption>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  {perQuarter.map((q) => (
                    <th scope="col" key={q.quarter}>{q.quarter}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {types.map((type) => (
                  <tr key={type}>
                    <th scope="row">{type}</th>
                    {perQuarter.map((q) => {
                      const t = q.o.escapes.by_type.find((x) => x.type === type);
                      return (
                        <td key={q.quarter}>
                          <Num evidence={{ problems: t?.problem_ids ?? [] }} title={`${type} problems in ${q.quarter}`}>{num(t?.count ?? 0)}</Num>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
    </>
  );
}

function QuarterTable({ perQuarter }: { perQuarter: PerQuarter }) {
  return (
        <table>
          <thead>
            <tr>
              <th scope="col">Quarter</th>
              <th scope="col">Releases</th>
              <th scope="col">Escaped problems (attributed)</th>
              <th scope="col">Escapes per release</th>
              <th scope="col">DDR</th>
              <th scope="col">DDR (weighted)</th>
            </tr>
          </thead>
          <tbody>
            {perQuarter.map(({ quarter, o }) => (
              <tr key={quarter}>
                <th scope="row">{quarter}</th>
                <td><Num evidence={{ deployments: o.epr.epr.evidence.deployments ?? [] }} title={`releases in ${quarter}`}>{num(o.ddr.releases)}</Num></td>
                <td><Num evidence={{ problems: o.ddr.escapes_per_release.evidence.problems ?? [] }} title={`escaped problems attributed to releases of ${quarter}`}>{num(o.ddr.escapes_per_release.numerator)}</Num></td>
                <td><Num evidence={o.ddr.escapes_per_release.evidence} title={`escapes per release, ${quarter}`}>{fixed(o.ddr.escapes_per_release.value)}</Num></td>
                <td><Num evidence={o.ddr.ddr.evidence} title={`DDR, ${quarter}`}>{pct(o.ddr.ddr.value)}</Num> {o.ddr.ddr.band && <span className={`band band-${o.ddr.ddr.band}`}>{o.ddr.ddr.band}</span>}</td>
                <td>{pct(o.ddr.ddr_weighted.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
  );
}

function Card({ title, value, trend, note, vs, testid }: { title: string; value: ReactNode; trend: ReactNode; note: string; vs: string; testid: string }) {
  return (
    <article className="card" data-testid={`card-${testid}`} aria-label={title}>
      <h2>{title}</h2>
      <p className="value">{value}</p>
      <p>
        {trend} {vs}
      </p>
      <p className="muted">{note}</p>
    </article>
  );
}
