// DORA per service and per team, each raw number with its 2024 cluster beside it; error budgets.
import { query, useApi, useApiAll } from '../api.ts';
import { MetricNum, Num } from '../components/Num.tsx';
import { Empty, Load } from '../components/States.tsx';
import { hours, num, pct } from '../format.ts';
import { usePeriod } from '../period.ts';
import type { ErrorBudget } from '../../../src/metrics/error-budget.ts';
import type { Dora, Metric } from '../types.ts';


function Cluster({ metric }: { metric: Metric }) {
  return metric.band ? <span className={`band cluster-${metric.band}`}>{metric.band}</span> : null;
}

function DoraRow({ name, d, scope }: { name: string; d: Dora; scope: string }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>
        <MetricNum metric={d.deployment_frequency} title={`production deployments of ${scope}`} format={(v) => (v === null ? 'N/A' : v >= 1 ? `${num(v, 1)}/day` : `${num(d.deployment_frequency.per_week, 1)}/week`)} /> <Cluster metric={d.deployment_frequency} />
      </td>
      <td>
        <MetricNum metric={d.change_lead_time.median} title={`changes of ${scope}`} format={hours} /> <Cluster metric={d.change_lead_time.median} />
        <span className="muted"> p90 {hours(d.change_lead_time.p90.value)}</span>
      </td>
      <td>
        <MetricNum metric={d.change_fail_rate} title={`failed deployments of ${scope}`} format={(v) => pct(v)} /> <Cluster metric={d.change_fail_rate} />
        <span className="muted"> {num(d.change_fail_rate.numerator)}/{num(d.change_fail_rate.denominator)}</span>
      </td>
      <td>
        <MetricNum metric={d.deployment_rework_rate} title={`rework deployments of ${scope}`} format={(v) => pct(v)} />
      </td>
      <td>
        <MetricNum metric={d.recovery_time.median} title={`recovered failed deployments of ${scope}`} format={hours} /> <Cluster metric={d.recovery_time.median} />
      </td>
    </tr>
  );
}

function DoraHead({ first }: { first: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        <th scope="col">Deployment frequency</th>
        <th scope="col">Change lead time (median)</th>
        <th scope="col">Change fail rate</th>
        <th scope="col">Rework rate</th>
        <th scope="col">Recovery time (median)</th>
      </tr>
    </thead>
  );
}

export function DeliveryPage() {
  const period = usePeriod();
  const byService = useApi<{ all: Dora; services: Dora[] }>(`/api/v1/metrics/dora${query({ period })}`);
  const teams = useApi<{ data: { name: string }[] }>('/api/v1/teams?limit=1000');
  const teamNames = teams.data?.data.map((t) => t.name) ?? null;
  const byTeam = useApiAll<{ all: Dora }>(teamNames === null ? null : teamNames.map((team) => `/api/v1/metrics/dora${query({ period, team })}`));
  const budgets = useApi<{ as_of: string; budgets: ErrorBudget[] }>(`/api/v1/metrics/budgets${query({ period })}`);
  return (
    <>
      <p className="muted">DORA 2024 clusters (elite / high / medium / low) are shown only beside the raw numbers. Medians are interpolated (percentile_cont).</p>
      <section className="panel" aria-labelledby="dora-teams">
        <h2 id="dora-teams">By team</h2>
        <Load loaded={byTeam} what="DORA by team">
          {(rows) =>
            rows.length === 0 ? (
              <Empty>No teams configured. Name teams in the configuration or import team records.</Empty>
            ) : (
              <div className="scroll">
                <table>
                  <DoraHead first="Team" />
                  <tbody>
                    {rows.map((r, i) => (
                      <DoraRow key={teamNames![i]} name={teamNames![i]!} d={r.all} scope={`team ${teamNames![i]}`} />
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Load>
      </section>
      <section className="panel" aria-labelledby="dora-services">
        <h2 id="dora-services">By service</h2>
        <Load loaded={byService} what="DORA by service">
          {(d) =>
            d.services.length === 0 ? (
              <Empty>No production deployments in this period.</Empty>
            ) : (
              <div className="scroll">
                <table>
                  <DoraHead first="Service" />
                  <tbody>
                    <DoraRow name="All services" d={d.all} scope="all services" />
                    {d.services.map((s) => (
                      <DoraRow key={s.service} name={s.service ?? '?'} d={s} scope={s.service ?? '?'} />
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Load>
      </section>
      <section className="panel" aria-labelledby="budgets-title">
        <h2 id="budgets-title">Error budgets</h2>
        <Load loaded={budgets} what="error budgets">
          {(b) =>
            b.budgets.length === 0 ? (
              <Empty>No SLOs configured. Add `slos:` (service, objective, window_days) to the configuration to track error budgets.</Empty>
            ) : (
              <table>
                <caption className="muted">As of {b.as_of.slice(0, 16).replace('T', ' ')} UTC</caption>
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col">SLO</th>
                    <th scope="col">Budget consumed</th>
                    <th scope="col">Bad minutes / budget</th>
                    <th scope="col">Burn rate</th>
                    <th scope="col">Alerts</th>
                    <th scope="col">Policy</th>
                  </tr>
                </thead>
                <tbody>
                  {b.budgets.map((x) => (
                    <tr key={x.service} className={x.policy.exhausted ? 'spike' : undefined}>
                      <th scope="row">{x.service}</th>
                      <td>{x.objective}% / {x.window_days} d</td>
                      <td>
                        <MetricNum metric={x.consumed} title={`problems using the budget of ${x.service}`} format={(v) => pct(v)} />
                        <meter min={0} max={1} low={0.5} high={0.8} optimum={0} value={Math.min(1, x.consumed.value ?? 0)} aria-label={`budget consumed for ${x.service}`} />
                      </td>
                      <td>{num(x.bad_minutes)} / {num(x.budget_minutes, 1)} min</td>
                      <td>{num(x.burn_rate, 2)}×{x.time_to_exhaustion_days !== null && <span className="muted"> · exhausted in {num(x.time_to_exhaustion_days, 1)} d</span>}</td>
                      <td>{x.windows.filter((w) => w.firing).map((w) => `${w.action} (burn ${num(w.burn_long, 1)} ≥ ${w.threshold})`).join(', ') || 'none'}</td>
                      <td>
                        {x.policy.messages.join(' ') || 'within budget'}
                        {x.policy.postmortem_problem_ids.length > 0 && (
                          <> <Num evidence={{ problems: x.policy.postmortem_problem_ids }} title={`problems needing a post-mortem on ${x.service}`}>{x.policy.postmortem_problem_ids.length} need a post-mortem</Num></>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Load>
      </section>
    </>
  );
}
