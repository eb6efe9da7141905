// Recurring patterns: the same error fingerprint, or the same service escaping with the same type,
// across several releases; and the structural signals of metrics.md (what the trend of the types says
// to do next).
import type { Config } from '../domain/config.ts';
import type { Period } from '../domain/periods.ts';
import type { ProblemFact } from './rows.ts';
import { inPeriod } from './result.ts';

export interface RecurringPattern {
  kind: 'fingerprint' | 'service' | 'integration';
  key: string;
  service: string | null;
  problems: number;
  releases: number;
  problem_ids: number[];
  deployment_ids: number[];
}

// localeCompare's order, from one collator instead of one per comparison.
const byKey = new Intl.Collator();

/** Groups escaped problems of the period; a group recurs when it escaped in at least `min_releases` distinct releases. */
export function recurringPatterns(problems: readonly ProblemFact[], period: Period, config: Config): RecurringPattern[] {
  const groups = new Map<string, { kind: RecurringPattern['kind']; key: string; service: string | null; items: ProblemFact[] }>();
  const add = (kind: RecurringPattern['kind'], key: string, service: string | null, p: ProblemFact) => {
    const id = `${kind}\u0000${key}`;
    const g = groups.get(id) ?? { kind, key, service, items: [] };
    g.items.push(p);
    groups.set(id, g);
  };
  for (const p of problems) {
    if (!inPeriod(p.impact_start, period) || p.deployment_id === null) continue;
    if (p.pattern_key) add('fingerprint', p.pattern_key, p.service, p);
    if (p.service) {
      add('service', `${p.service}/${p.type ?? 'unclassified'}`, p.service, p);
      if (p.type === 'integration') add('integration', p.service, p.service, p);
    }
  }
  const out: RecurringPattern[] = [];
  for (const g of groups.values()) {
    const deployments = [...new Set(g.items.map((p) => p.deployment_id!))];
    if (deployments.length < config.metrics.patterns.min_releases) continue;
    out.push({ kind: g.kind, key: g.key, service: g.service, problems: g.items.length, releases: deployments.length, problem_ids: g.items.map((p) => p.id), deployment_ids: deployments });
  }
  const order = { fingerprint: 0, integration: 1, service: 2 };
  return out.sort((a, b) => b.releases - a.releases || order[a.kind] - order[b.kind] || byKey.compare(a.key, b.key));
}

export interface StructuralSignal {
  code: string;
  message: string;
  evidence: Record<string, number | null>;
}

/**
 * Compares the period with the previous one. Code escapes falling while infra and integration stay flat
 * means testing works and the rest comes from environments and boundaries: environment parity and
 * contract tests, not more testing. Flat = relative change within the tolerance (or at most 1 either way).
 */
export function structuralSignals(counts: { current: Record<string, number>; previous: Record<string, number> }, tolerance: number, ddr?: { current: number | null; previous: number | null }, ipr?: { current: number | null; previous: number | null }): StructuralSignal[] {
  const signals: StructuralSignal[] = [];
  const flat = (a: number, b: number) => Math.abs(b - a) <= Math.max(1, tolerance * Math.max(a, b));
  const falling = (a: number, b: number) => b < a && !flat(a, b);
  const get = (r: Record<string, number>, k: string) => r[k] ?? 0;
  const codeBefore = get(counts.previous, 'code');
  const codeNow = get(counts.current, 'code');
  const envBefore = get(counts.previous, 'infra') + get(counts.previous, 'integration');
  const envNow = get(counts.current, 'infra') + get(counts.current, 'integration');
  if (falling(codeBefore, codeNow) && flat(envBefore, envNow) && envNow > 0) {
    signals.push({
      code: 'environment_parity',
      message: 'code escapes fall while infra and integration escapes stay flat: invest in environment parity and contract tests, not more testing',
      evidence: { code_previous: codeBefore, code_current: codeNow, infra_integration_previous: envBefore, infra_integration_current: envNow },
    });
  }
  if (ddr && ipr && ddr.current !== null && ddr.previous !== null && ipr.current !== null && ipr.previous !== null && ddr.current < ddr.previous && ipr.current < ipr.previous) {
    signals.push({
      code: 'shallower_testing',
      message: 'issues per release fall while DDR falls too: testing got shallower, not the code better',
      evidence: { ddr_previous: ddr.previous, ddr_current: ddr.current, ipr_previous: ipr.previous, ipr_current: ipr.current },
    });
  }
  return signals;
}
