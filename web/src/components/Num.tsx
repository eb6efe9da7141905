// A number that opens the records behind it: every figure on the dashboard is one of these.
import type { ReactNode } from 'react';
import { Link } from '../router.tsx';
import type { Evidence, Metric } from '../types.ts';

const KINDS = ['problems', 'deployments', 'defects', 'test_runs', 'changes', 'signals'] as const;
/** Above this many ids the list travels in session storage rather than the URL (request lines have limits). */
const URL_IDS = 300;

export function evidenceHref(evidence: Evidence, title: string): string {
  const total = KINDS.reduce((n, k) => n + (evidence[k]?.length ?? 0), 0);
  const params = new URLSearchParams({ title });
  if (total > URL_IDS) {
    // Keyed by content, so rendering the same figure again reuses the same entry.
    const text = JSON.stringify(evidence);
    let hash = 5381;
    for (let i = 0; i < text.length; i++) hash = ((hash * 33) ^ text.charCodeAt(i)) >>> 0;
    const ref = `ev-${hash.toString(36)}-${text.length}`;
    sessionStorage.setItem(ref, text);
    params.set('ref', ref);
  } else {
    for (const k of KINDS) if (evidence[k]?.length) params.set(k, evidence[k]!.join(','));
  }
  return `/evidence?${params.toString()}`;
}

export function hasEvidence(evidence: Evidence | undefined): boolean {
  return evidence !== undefined && KINDS.some((k) => (evidence[k]?.length ?? 0) > 0);
}

/** The figure as a link to its records, or plain text when nothing stands behind it. */
export function Num({ children, evidence, title, className }: { children: ReactNode; evidence: Evidence | undefined; title: string; className?: string }) {
  if (!hasEvidence(evidence)) return <span className={className}>{children}</span>;
  return (
    <Link to={evidenceHref(evidence!, title)} className={`num-link ${className ?? ''}`} title={`Open the records behind: ${title}`}>
      {children}
    </Link>
  );
}

export function MetricNum({ metric, title, format }: { metric: Metric; title: string; format: (v: number | null) => string }) {
  return (
    <Num evidence={metric.evidence} title={title}>
      {format(metric.value)}
    </Num>
  );
}

export function Trend({ current, previous, betterWhen, format }: { current: number | null; previous: number | null; betterWhen: 'up' | 'down'; format: (v: number | null) => string }) {
  if (current === null || previous === null) return <span className="trend muted">no comparison</span>;
  const delta = current - previous;
  const dir = Math.abs(delta) < 1e-9 ? 'flat' : delta > 0 ? 'up' : 'down';
  const good = dir === 'flat' ? 'neutral' : dir === betterWhen ? 'good' : 'bad';
  const arrow = dir === 'up' ? '▲' : dir === 'down' ? '▼' : '▶';
  const word = dir === 'up' ? 'up from' : dir === 'down' ? 'down from' : 'same as';
  return (
    <span className={`trend ${good}`}>
      <span aria-hidden="true">{arrow}</span> {word} {format(previous)}
    </span>
  );
}
