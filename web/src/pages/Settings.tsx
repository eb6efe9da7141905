// The effective configuration, read-only: services and aliases, cost model and rates, windows and
// thresholds, rules, SLOs, and which secrets are set (never their values).
import { useApi } from '../api.ts';
import { Empty, Load } from '../components/States.tsx';
import { Link } from '../router.tsx';

interface ConfigView {
  definitions: string;
  services: { name: string; team?: string; aliases: string[] }[];
  windows: Record<string, number>;
  cost: { currency: string; rates: Record<string, number>; defaults?: Record<string, Record<string, number>> };
  thresholds: Record<string, number>;
  correlation: Record<string, number>;
  classification: { use_default_rules: boolean; rules: { name: string; type: string; weight: number; keywords?: string[]; pattern?: string }[]; min_training_examples: number };
  slos: { service: string; objective: number; window_days: number }[];
  secrets: { name: string; env: string; set: boolean }[];
  metrics: Record<string, unknown>;
}

/** Nested settings as one flat list of dotted names, so every threshold reads on its own line. */
function flatten(values: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(values).flatMap(([k, v]): [string, string][] => {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return flatten(v as Record<string, unknown>, name);
    if (Array.isArray(v) && v.some((x) => typeof x === 'object')) return v.flatMap((x, i) => flatten({ [String(i + 1)]: x }, name));
    return [[name, Array.isArray(v) ? v.join(', ') : String(v)]];
  });
}

function KeyValues({ values, label }: { values: Record<string, unknown>; label: string }) {
  return (
    <table aria-label={label} className="settings">
      <tbody>
        {flatten(values).map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k.replaceAll('_', ' ')}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SettingsPage() {
  const config = useApi<ConfigView>('/api/v1/config');
  const services = useApi<{ data: { name: string; team: string | null; aliases: string[] | null; tier: string | null }[] }>('/api/v1/services?limit=1000');
  return (
    <>
      <p>
        The configuration in effect (defaults filled in). Change it in <code>escapement.config.yaml</code> and restart. New here? <Link to="/welcome">Load the demo or connect a source</Link>.
      </p>
      <section className="panel" aria-labelledby="svc-title">
        <h2 id="svc-title">Services and aliases</h2>
        <Load loaded={services} what="services">
          {(s) =>
            s.data.length === 0 ? (
              <Empty>No services yet: they appear as records arrive, or name them under `services:` with their aliases.</Empty>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col">Team</th>
                    <th scope="col">Tier</th>
                    <th scope="col">Aliases</th>
                  </tr>
                </thead>
                <tbody>
                  {s.data.map((x) => (
                    <tr key={x.name}>
                      <th scope="row">{x.name}</th>
                      <td>{x.team ?? '—'}</td>
                      <td>{x.tier ?? '—'}</td>
                      <td>{(x.aliases ?? []).join(', ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Load>
      </section>
      <Load loaded={config} what="the configuration">
        {(c) => (
          <div className="grid2">
            <section className="panel" aria-labelledby="cost-model">
              <h2 id="cost-model">Cost model and rates</h2>
              <p>Currency {c.cost.currency}.</p>
              {Object.keys(c.cost.rates).length === 0 ? <p>No role rates: cost is shown in hours only.</p> : <KeyValues values={c.cost.rates} label="Rates per hour" />}
              {c.cost.defaults && (
                <>
                  <h3>Hours per type when a problem has no entries</h3>
                  <KeyValues values={c.cost.defaults} label="Default hours per type" />
                </>
              )}
            </section>
            <section className="panel" aria-labelledby="windows">
              <h2 id="windows">Windows and thresholds</h2>
              <p>Metric definitions: {c.definitions}</p>
              <KeyValues values={{ windows: c.windows, thresholds: c.thresholds, correlation: c.correlation }} label="Windows and thresholds" />
            </section>
            <section className="panel" aria-labelledby="rules">
              <h2 id="rules">Classification rules</h2>
              <p>
                Default rules {c.classification.use_default_rules ? 'on' : 'off'}; the learned model joins after {c.classification.min_training_examples} confirmed types.
              </p>
              {c.classification.rules.length === 0 ? (
                <p>No workspace rules.</p>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Rule</th>
                      <th scope="col">Type</th>
                      <th scope="col">Weight</th>
                      <th scope="col">Matches</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.classification.rules.map((r) => (
                      <tr key={r.name}>
                        <th scope="row">{r.name}</th>
                        <td>{r.type}</td>
                        <td>{r.weight}</td>
                        <td>{[...(r.keywords ?? []), ...(r.pattern ? [`/${r.pattern}/`] : [])].join(', ') || '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section className="panel" aria-labelledby="slos">
              <h2 id="slos">SLOs and secrets</h2>
              {c.slos.length === 0 ? <p>No SLOs.</p> : <ul>{c.slos.map((s) => <li key={s.service}>{s.service}: {s.objective}% over {s.window_days} days</li>)}</ul>}
              {c.secrets.length === 0 ? (
                <p>No webhook secrets configured.</p>
              ) : (
                <ul>
                  {c.secrets.map((s) => (
                    <li key={s.name}>
                      {s.name}: from <code>{s.env}</code> — {s.set ? 'set' : 'not set'}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        )}
      </Load>
      <Load loaded={config} what="the metric settings">
        {(c) => (
          <section className="panel" aria-labelledby="metric-settings">
            <h2 id="metric-settings">Metric settings</h2>
            <KeyValues values={c.metrics} label="Metric settings" />
          </section>
        )}
      </Load>
    </>
  );
}
