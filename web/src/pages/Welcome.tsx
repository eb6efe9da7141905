// First run: offer the demo history, and say how to connect each source.
import { useState } from 'react';
import { api, ApiError, useApi } from '../api.ts';
import { navigate } from '../router.tsx';
import { Markdown } from '../components/Markdown.tsx';
// The setup guides as they are in the repository, built into the page.
import sourcesGuide from '../../../docs/sources.md?raw';
import deliveryGuide from '../../../docs/delivery-sources.md?raw';

const GROUPS: [string, string[]][] = [
  ['Alerting and incidents', ['pagerduty', 'opsgenie', 'alertmanager', 'grafana', 'datadog', 'sentry', 'cloudwatch']],
  ['Trackers', ['jira', 'jira-csv', 'github-issues', 'gitlab-issues']],
  ['Support', ['zendesk', 'freshdesk']],
  ['Chat', ['slack', 'teams']],
  ['Logs', ['elastic', 'splunk']],
  ['Deliveries and tests', ['deployment', 'github', 'gitlab', 'github-delivery', 'gitlab-delivery', 'argocd', 'jenkins', 'circleci', 'junit']],
];

interface DemoJob {
  state: 'idle' | 'loading' | 'done' | 'failed';
  scale: string | null;
  phase: string | null;
  message: string | null;
}

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: { name: string; schema?: { enum?: string[] } }[] }>>;
}

export function WelcomePage({ onLoaded }: { onLoaded: () => void }) {
  const [state, setState] = useState<{ kind: 'idle' | 'loading' | 'done' | 'error'; text?: string }>({ kind: 'idle' });
  const openapi = useApi<OpenApi>('/api/v1/openapi.json');
  const sources = openapi.data?.paths['/api/v1/webhooks/{source}']?.post?.parameters?.find((p) => p.name === 'source')?.schema?.enum ?? [];
  const grouped = GROUPS.map(([g, names]) => [g, names.filter((n) => sources.includes(n))] as const).filter(([, n]) => n.length > 0);
  const other = sources.filter((s) => !GROUPS.some(([, names]) => names.includes(s)));
  const demoRoute = openapi.data ? Boolean(openapi.data.paths['/api/v1/demo']) : null;

  // `?scale=small` loads the three-month history in seconds (tests, a quick look); the default is what `escapement demo` loads.
  const scale = new URLSearchParams(location.search).get('scale');
  const loadDemo = async () => {
    setState({ kind: 'loading', text: 'Starting…' });
    try {
      let job = await api<DemoJob>('/api/v1/demo', { method: 'POST', body: scale ? { scale } : {} });
      while (job.state === 'loading') {
        setState({ kind: 'loading', text: `Loading the ${job.scale} demo: ${job.phase ?? 'working'}…` });
        await new Promise((r) => setTimeout(r, 1000));
        job = await api<DemoJob>('/api/v1/demo');
      }
      if (job.state === 'failed') throw new Error(job.message ?? 'loading the demo failed');
      setState({ kind: 'done', text: job.message ?? 'The demo history is loaded.' });
      onLoaded();
      navigate('/');
    } catch (error) {
      const e = error as Error;
      setState({ kind: 'error', text: e instanceof ApiError && e.notAvailable ? 'Loading the demo from the dashboard is not available yet on this server: run `npx escapement demo`.' : e.message });
    }
  };

  return (
    <>
      <section className="panel" aria-labelledby="demo-title">
        <h2 id="demo-title">Try it with a demo history</h2>
        <p>
          A year of synthetic history — services, releases, alerts, tickets, support requests, chat threads, pre-release defects and test runs — run through the
          pipeline, so every page has something to show. It goes into this workspace’s database.
        </p>
        {demoRoute === false ? (
          <p role="note">
            <strong>Not available yet</strong> from the dashboard on this server: run <code>npx escapement demo</code> and reload.
          </p>
        ) : (
          <button type="button" className="primary" onClick={loadDemo} disabled={state.kind === 'loading'} aria-describedby="demo-status">
            {state.kind === 'loading' ? 'Loading the demo… (a few minutes)' : 'Load the demo data'}
          </button>
        )}
        <div aria-live="polite" id="demo-status">{state.text && <p className={`status ${state.kind === 'error' ? 'error' : 'ok'}`}>{state.text}</p>}</div>
      </section>
      <section className="panel" aria-labelledby="connect-title">
        <h2 id="connect-title">Connect your sources</h2>
        <p>
          Each tool posts its own webhook payload to <code>{location.origin}/api/v1/webhooks/&lt;source&gt;</code>. Set a secret for each under <code>secrets:</code> in{' '}
          <code>escapement.config.yaml</code> (by environment variable name). The setup guides below (docs/sources.md and docs/delivery-sources.md) show each vendor’s setup.
        </p>
        {grouped.map(([group, names]) => (
          <div key={group}>
            <h3>{group}</h3>
            <ul className="sources">
              {names.map((n) => (
                <li key={n}>
                  <strong>{n}</strong>: <code>POST /api/v1/webhooks/{n}</code>
                </li>
              ))}
            </ul>
          </div>
        ))}
        {other.length > 0 && (
          <>
            <h3>Other</h3>
            <ul className="sources">
              {other.map((n) => (
                <li key={n}>
                  <strong>{n}</strong>: <code>POST /api/v1/webhooks/{n}</code>
                </li>
              ))}
            </ul>
          </>
        )}
        <details className="guide">
          <summary>Setup guide: alerting, trackers, support, chat and logs (docs/sources.md)</summary>
          <Markdown source={sourcesGuide} headingOffset={2} />
        </details>
        <details className="guide">
          <summary>Setup guide: deployments, changes and test reports (docs/delivery-sources.md)</summary>
          <Markdown source={deliveryGuide} headingOffset={2} />
        </details>
        <h3>Anything else, or history from spreadsheets</h3>
        <p>
          Send any signal as JSON to <code>POST /api/v1/webhooks/generic</code>, or import JSONL/CSV files with <code>npx escapement import FILE</code> or{' '}
          <code>POST /api/v1/import</code> (docs/import.md lists every record kind). Deployments with exact times come from your pipeline through{' '}
          <code>POST /api/v1/webhooks/deployment</code>.
        </p>
      </section>
    </>
  );
}
