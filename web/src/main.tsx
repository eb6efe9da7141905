// The dashboard: a header with the pages and the period, and the page for the current path.
import { StrictMode, useEffect, useRef } from 'react';
import { createRoot } from 'react-dom/client';
import { useApi } from './api.ts';
import { Link, navigate, useLocation, withParams } from './router.tsx';
import { ErrorState, Loading } from './components/States.tsx';
import { PeriodContext, periodOptions } from './period.ts';
import type { WorkspaceSummary } from './types.ts';
import { quarterOf } from './format.ts';
import { OverviewPage } from './pages/Overview.tsx';
import { ReleasesPage } from './pages/Releases.tsx';
import { DeliveryPage } from './pages/Delivery.tsx';
import { ProblemsPage } from './pages/Problems.tsx';
import { ProblemPage } from './pages/Problem.tsx';
import { ReviewPage } from './pages/Review.tsx';
import { ReadinessPage } from './pages/Readiness.tsx';
import { SettingsPage } from './pages/Settings.tsx';
import { WelcomePage } from './pages/Welcome.tsx';
import { EvidencePage } from './pages/Evidence.tsx';
import './styles.css';

const NAV = [
  ['/', 'Overview'],
  ['/releases', 'Releases'],
  ['/delivery', 'Delivery'],
  ['/problems', 'Problems'],
  ['/review', 'Weekly review'],
  ['/readiness', 'Data readiness'],
  ['/settings', 'Settings'],
] as const;

function pageFor(path: string, readiness: WorkspaceSummary, reloadReadiness: () => void) {
  const problem = /^\/problems\/(\d+)$/.exec(path);
  if (problem) return { title: 'Problem', node: <ProblemPage id={Number(problem[1])} /> };
  switch (path) {
    case '/':
      return readiness.empty ? { title: 'Welcome', node: <WelcomePage onLoaded={reloadReadiness} /> } : { title: 'Overview', node: <OverviewPage /> };
    case '/welcome':
      return { title: 'Welcome', node: <WelcomePage onLoaded={reloadReadiness} /> };
    case '/releases':
      return { title: 'Releases', node: <ReleasesPage /> };
    case '/delivery':
      return { title: 'Delivery', node: <DeliveryPage /> };
    case '/problems':
      return { title: 'Problems', node: <ProblemsPage /> };
    case '/review':
      return { title: 'Weekly review', node: <ReviewPage /> };
    case '/readiness':
      return { title: 'Data readiness', node: <ReadinessPage /> };
    case '/settings':
      return { title: 'Settings', node: <SettingsPage /> };
    case '/evidence':
      return { title: 'Records', node: <EvidencePage /> };
    default:
      return {
        title: 'Not found',
        node: (
          <p>
            No page at this address. <Link to="/">Go to the overview</Link>.
          </p>
        ),
      };
  }
}

function App() {
  const { path, search } = useLocation();
  const readiness = useApi<WorkspaceSummary>('/api/v1/readiness/summary');
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    // Move focus to the new page so screen readers announce it (not on the first load).
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [path]);

  if (readiness.error) return <ErrorState error={readiness.error} retry={readiness.reload} />;
  if (readiness.data === null) return <Loading what="Escapement" />;
  const data = readiness.data;
  const fallback = data.span.last ? quarterOf(data.span.last) : 'all';
  const period = search.get('period') ?? fallback;
  const options = periodOptions(data.span, period);
  const page = pageFor(path, data, readiness.reload);
  const keep = (to: string) => to + (search.get('period') ? `?period=${encodeURIComponent(period)}` : '');
  document.title = `${page.title} · Escapement`;

  return (
    <PeriodContext.Provider value={{ period, latestQuarter: data.span.last ? quarterOf(data.span.last) : null }}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to={keep('/')} className="brand">
          Escapement
        </Link>
        <nav aria-label="Pages">
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <Link to={keep(to)} aria-current={path === to || (to === '/problems' && path.startsWith('/problems/')) ? 'page' : undefined}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <label className="period">
          <span>Period</span>
          <select value={period} onChange={(e) => navigate(withParams({ period: e.target.value }), { replace: true })}>
            {options.map((o) => (
              <option key={o} value={o}>
                {o === 'all' ? 'all time' : o}
              </option>
            ))}
          </select>
        </label>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <h1>{page.title}</h1>
        {page.node}
      </main>
    </PeriodContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
