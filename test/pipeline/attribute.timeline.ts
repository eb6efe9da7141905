// A tiny language for attribution scenarios: deployments and problems on one day's clock ("10:05"),
// or a number of days earlier ("-5d 09:00").
import type { DeploymentFact, ProblemFacts } from '../../src/pipeline/attribute.ts';

const DAY = '2025-11-10';

/** "10:05" → that time on the scenario day; "-5d 09:00" → five days earlier. */
export function at(clock: string): string {
  const m = clock.match(/^(?:(-?\d+)d\s+)?(\d{2}):(\d{2})$/);
  if (!m) throw new Error(`bad clock ${clock}`);
  const base = Date.parse(`${DAY}T${m[2]}:${m[3]}:00.000Z`);
  return new Date(base + Number(m[1] ?? 0) * 86_400_000).toISOString();
}

let nextId = 1;

export function deploy(service: string, clock: string, extra: Partial<DeploymentFact> = {}): DeploymentFact {
  const id = extra.id ?? nextId++;
  return {
    id,
    ref: `ci:${service}-${extra.version ?? id}`,
    service,
    environment: 'production',
    version: null,
    commit_sha: null,
    at: at(clock),
    status: 'success',
    kind: 'planned',
    rolls_back_to: null,
    ...extra,
  };
}

export function problem(key: string, service: string, clock: string, extra: Partial<ProblemFacts> = {}): ProblemFacts {
  return {
    id: Number(key.replace(/\D/g, '')) || 1,
    key: `pagerduty:${key}`,
    service,
    services: [service],
    environment: 'production',
    impact_start: at(clock),
    resolved_at: null,
    type: 'code',
    links: [],
    labels: {},
    ...extra,
  };
}
