// The recommendation that follows from the data (metrics.md §4, §9 and the structural signals):
// a spike → blameless post-mortem; integration escapes → contract tests; infra → environment parity;
// regressions → post-deploy smoke checks and canaries; recurring fingerprints → fix the root cause;
// shallower testing → review test depth. Ranked: spikes first, then by the hours each cause cost.
import type { CitationRegistry } from './cite.ts';
import { joinList } from './cite.ts';
import type { ReportInputs } from './inputs.ts';
import { typeWords } from './words.ts';

export interface Recommendation {
  code: string;
  /** For engineers (sprint, EM, weekly, crisis). */
  text: string;
  /** For the board and investment readers: the consequence and the decision, no jargon. */
  plain: string;
}

export function recommendations(inputs: ReportInputs, reg: CitationRegistry): Recommendation[] {
  const { current, period } = inputs;
  const label = period.label;
  const out: { rank: number; rec: Recommendation }[] = [];
  const name = (s: string) => reg.name(s);

  const spikes = inputs.current_epr.series.map((s, i) => ({ s, i })).filter(({ s }) => s.spike);
  if (spikes.length === 1 && current.epr.fence) {
    const { s, i } = spikes[0]!;
    const n = reg.cite(`current_epr.series[${i}].escapes`, s.escapes, { label: `escaped problems of release ${s.version ?? s.deployment_id}`, format: 'count', period: label, evidence: { problems: s.problem_ids, deployments: [s.deployment_id] }, method: 'escaped problems attributed to this release' });
    const fence = reg.cite('current.epr.fence.threshold', current.epr.fence.threshold, { label: 'spike threshold (Tukey fence)', format: 'decimal', period: label, method: current.epr.fence.method, evidence: { deployments: current.epr.releases.deployment_ids } });
    const h48 = reg.cite('postmortem_within_hours', 48, { kind: 'reference', label: 'post-mortem deadline after a spike', format: 'count', method: 'docs/metrics.md §4: one spike → blameless post-mortem within 48 h' });
    const rel = name(`${s.service} ${s.version ?? `deployment ${s.deployment_id}`}`);
    out.push({
      rank: 0,
      rec: {
        code: 'postmortem',
        text: `Hold a blameless post-mortem on release ${rel} within ${h48} hours: ${plural(reg, n, 'escaped problem', 'escaped problems')} against a spike threshold of ${fence}.`,
        plain: `Review what went wrong with release ${rel} within ${h48} hours: it let ${plural(reg, n, 'problem', 'problems')} reach customers, far more than a usual release.`,
      },
    });
  } else if (spikes.length >= 2) {
    const k = reg.cite('current.epr.spikes.length', spikes.length, { label: 'releases that spiked', format: 'count', period: label, evidence: { deployments: current.epr.spikes }, method: 'releases above the Tukey fence (metrics.md §4)' });
    out.push({
      rank: 0,
      rec: {
        code: 'systemic',
        text: `${plural(reg, k, 'release', 'releases')} spiked above the Tukey fence in ${name(label)}: treat it as a systemic problem — review the release process, not one release, in a blameless post-mortem.`,
        plain: `${plural(reg, k, 'release', 'releases')} went clearly worse than usual: the release process itself needs a review, not one team.`,
      },
    });
  }

  const byType = (type: string) => {
    const i = current.escapes.by_type.findIndex((t) => t.type === type);
    const j = current.cost.by_type.findIndex((g) => g.type === type);
    if (i < 0 || current.escapes.by_type[i]!.count === 0 || j < 0) return null;
    const t = current.escapes.by_type[i]!;
    const g = current.cost.by_type[j]!;
    const [one, many] = typeWords(type, false);
    const count = reg.cite(`current.escapes.by_type[${i}].count`, t.count, { label: many, format: 'count', period: label, evidence: { problems: t.problem_ids }, method: current.escapes.method });
    const hours = reg.cite(`current.cost.by_type[${j}].hours`, g.hours, { label: `hours spent on ${many}`, format: 'hours', period: label, evidence: { problems: g.problem_ids }, method: current.cost.method });
    const services = [...new Set(inputs.problems.filter((p) => p.type === type && p.service !== null).map((p) => p.service!))].sort();
    const [plainOne, plainMany] = typeWords(type, true);
    return { hours: g.hours, what: `${plural(reg, count, one, many)} cost about ${hours} hours`, plain: `${plural(reg, count, plainOne, plainMany)} cost about ${hours} hours`, services: services.length > 0 ? joinList(services.slice(0, 3).map(name)) : null };
  };

  const parity = current.signals.some((s) => s.code === 'environment_parity');
  const integration = byType('integration');
  if (integration) {
    const where = integration.services ? ` of ${integration.services}` : '';
    out.push({
      rank: 1 / (1 + integration.hours),
      rec: {
        code: 'contract_tests',
        text: `Add contract tests at the service and partner boundaries${where}: ${integration.what}${parity ? ', and code escapes fall while these stay flat' : ''}.`,
        plain: `Invest in automatic checks of the connections to partners and other services${integration.services ? ` for ${integration.services}` : ''}: ${integration.plain}.`,
      },
    });
  }
  const infra = byType('infra');
  if (infra) {
    const where = infra.services ? ` for ${infra.services}` : '';
    out.push({
      rank: 1 / (1 + infra.hours),
      rec: {
        code: 'environment_parity',
        text: `Work on environment parity${where} (the same configuration, checked in the pipeline, in staging and production): ${infra.what}${parity ? ', and code escapes fall while these stay flat' : ''}.`,
        plain: `Make the test environments match production${where}: ${infra.plain}.`,
      },
    });
  }
  const regression = byType('regression');
  if (regression) {
    out.push({
      rank: 1 / (1 + regression.hours),
      rec: {
        code: 'smoke_canary',
        text: `Add post-deploy smoke checks and ${regression.services ? `release ${regression.services} as canaries` : 'canary releases'}: ${regression.what}.`,
        plain: `Check every release automatically right after it goes out, and release to a small share of users first: ${regression.plain}.`,
      },
    });
  }
  for (const [i, c] of current.epr.canary.entries()) {
    if (i >= 2) break;
    const epr = reg.cite(`current.epr.canary[${i}].epr`, c.epr, { label: `escapes per release of ${c.service}`, format: 'decimal', period: label, method: 'escaped problems ÷ releases of the service', evidence: { deployments: inputs.current_epr.series.filter((s) => s.service === c.service).map((s) => s.deployment_id) } });
    const watch = reg.cite('derived.watch_hours', inputs.derived.watch_hours, { label: 'watch window after a deployment', format: 'decimal', kind: 'reference', method: 'configuration windows.watch_minutes ÷ 60' });
    const low = reg.cite('canary_share_low', 5, { kind: 'reference', label: 'canary traffic share, low end (%)', format: 'count', method: 'docs/metrics.md §4' });
    const high = reg.cite('canary_share_high', 10, { kind: 'reference', label: 'canary traffic share, high end (%)', format: 'count', method: 'docs/metrics.md §4' });
    out.push({
      rank: 0.5 + i / 100,
      rec: {
        code: 'canary',
        text: `Release ${name(c.service)} as a canary to ${low}–${high}% of traffic and watch it for ${watch} hours: its releases averaged ${epr} escaped problems.`,
        plain: `Roll out ${name(c.service)} to a small share of users first: its releases averaged ${epr} problems reaching customers.`,
      },
    });
  }
  const fingerprint = current.patterns.map((p, i) => ({ p, i })).find(({ p }) => p.kind === 'fingerprint');
  if (fingerprint) {
    const { p, i } = fingerprint;
    const r = reg.cite(`current.patterns[${i}].releases`, p.releases, { label: 'releases the pattern escaped in', format: 'count', period: label, evidence: { problems: p.problem_ids, deployments: p.deployment_ids }, method: 'distinct releases with an escaped problem of this fingerprint' });
    out.push({
      rank: 0.9,
      rec: {
        code: 'recurring',
        text: `Fix the root cause of the recurring problem ${name(p.key)}${p.service ? ` in ${name(p.service)}` : ''}: it escaped in ${plural(reg, r, 'release', 'releases')}.`,
        plain: `Fix one recurring fault once and for all: it came back in ${plural(reg, r, 'release', 'releases')}.`,
      },
    });
  }
  const shallow = current.signals.find((s) => s.code === 'shallower_testing');
  if (shallow) {
    const now = reg.cite('current.ddr.ddr.value', current.ddr.ddr.value ?? 0, { label: 'Defect Detection Rate', format: 'percent', period: label, metric: current.ddr.ddr });
    const before = reg.cite('previous.ddr.ddr.value', inputs.previous.ddr.ddr.value ?? 0, { label: 'Defect Detection Rate, previous period', format: 'percent', period: inputs.previous_period.label, metric: inputs.previous.ddr.ddr });
    out.push({
      rank: 0.95,
      rec: {
        code: 'test_depth',
        text: `Review test depth before the next release: DDR fell from ${before} to ${now} while QA found fewer issues per release.`,
        plain: `Testing caught a smaller share of problems than before (${now} against ${before}): give QA the time to test each release properly.`,
      },
    });
  }
  return out.sort((a, b) => a.rank - b.rank || a.rec.code.localeCompare(b.rec.code)).map((r) => r.rec);
}

export function plural(reg: CitationRegistry, token: string, one: string, many: string): string {
  return `${token} ${reg.valueOf(token) === 1 ? one : many}`;
}
