// The view a report template reads: every number already a citation token, every name a verbatim
// token, plus the booleans templates branch on (empty, up/down, has_money…). Pure and deterministic.
import type { Metric } from '../metrics/result.ts';
import { AUDIENCE_NAMES, PLAIN_AUDIENCES, type Slide } from './document.ts';
import { CitationRegistry, joinList } from './cite.ts';
import type { OverviewResult, ProblemDetail, ReportInputs } from './inputs.ts';
import { plural, recommendations, type Recommendation } from './recommend.ts';
import { BAND_WORDS, typeWords } from './words.ts';

type Trend = { up: boolean; down: boolean; flat: boolean };
const trend = (before: number | null, now: number | null): Trend => ({
  up: before !== null && now !== null && now > before,
  down: before !== null && now !== null && now < before,
  flat: before !== null && now !== null && now === before,
});

export type DecisionState = Slide['decision']['state'];

export interface ReportView {
  audience: string;
  audience_name: string;
  period: string;
  previous_period: string;
  year_ago_period: string;
  scope: string;
  empty: boolean;
  has_escapes: boolean;
  has_releases: boolean;
  has_previous: boolean;
  has_year_ago: boolean;
  has_money: boolean;
  escapes: Record<string, unknown>;
  types: Record<string, unknown>[];
  cost: Record<string, unknown>;
  releases: Record<string, unknown>;
  epr: Record<string, unknown>;
  ddr: Record<string, unknown>;
  detect: Record<string, unknown>;
  dora: Record<string, unknown>;
  case: Record<string, unknown>;
  recommendations: Recommendation[];
  has_recommendations: boolean;
  first_recommendation: Recommendation | null;
  /** The first recommendation that needs time or money (not a post-mortem): what a board decides on. */
  first_investment: Recommendation | null;
  investments: Recommendation[];
  decision: { state: DecisionState; label: string; act: boolean; watch: boolean; on_track: boolean; no_data: boolean; reason: string; reason_plain: string };
  /** Up to four supporting numbers for the one-slide view. */
  slide_numbers: { label: string; value: string; comparison: string }[];
}

export function buildView(inputs: ReportInputs, reg: CitationRegistry): ReportView {
  const { current, previous, year_ago, period, previous_period } = inputs;
  const P = period.label;
  const PP = previous_period.label;
  const YP = inputs.year_ago_period?.label ?? null;
  const name = (s: string) => reg.name(s);
  const count = (path: string, value: number, label: string, evidence: Metric['evidence'], per: string | null = P) =>
    reg.cite(path, value, { label, format: 'count', period: per, evidence, method: current.escapes.method });
  const fromMetric = (path: string, m: Metric, label: string, format: 'percent' | 'decimal' | 'duration' | 'hours', per: string | null) =>
    m.value === null ? '' : reg.cite(path, m.value, { label, format, period: per, metric: m });

  const empty = current.escapes.total === 0 && current.epr.releases.count === 0;
  const prevHasData = previous.escapes.total > 0 || previous.epr.releases.count > 0;
  const money = current.cost.total.money;
  const currency = inputs.derived.currency;

  // Escapes and their breakdown by type.
  const total = count('current.escapes.total', current.escapes.total, 'escaped problems', { problems: current.cost.total.problem_ids });
  const aside = current.escapes.set_aside?.count ?? 0;
  const prevTotal = prevHasData ? count('previous.escapes.total', previous.escapes.total, 'escaped problems, previous period', { problems: previous.cost.total.problem_ids }, PP) : '';
  const yearTotal = year_ago && YP ? count('year_ago.escapes.total', year_ago.escapes.total, 'escaped problems, same period a year earlier', { problems: year_ago.cost.total.problem_ids }, YP) : '';
  const typeTokens = (plain: boolean) =>
    current.escapes.by_type
      .map((t, i) => ({ t, i }))
      .filter(({ t }) => t.count > 0)
      .map(({ t, i }) => {
        const [one, many] = typeWords(t.type, plain);
        return plural(reg, count(`current.escapes.by_type[${i}].count`, t.count, typeWords(t.type, false)[1], { problems: t.problem_ids }), one, many);
      });
  const types = current.escapes.by_type
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t.count > 0 || t.previous_count > 0)
    .map(({ t, i }) => {
      const g = current.cost.by_type.findIndex((c) => c.type === t.type);
      const group = g >= 0 ? current.cost.by_type[g]! : null;
      const [one, many] = typeWords(t.type, false);
      const now = count(`current.escapes.by_type[${i}].count`, t.count, many, { problems: t.problem_ids });
      const prevIdx = previous.escapes.by_type.findIndex((x) => x.type === t.type);
      const before = prevHasData ? count(`current.escapes.by_type[${i}].previous_count`, t.previous_count, `${many}, previous period`, { problems: prevIdx >= 0 ? previous.escapes.by_type[prevIdx]!.problem_ids : [] }, PP) : '';
      return {
        type: t.type,
        words: many,
        count: now,
        counted: plural(reg, now, one, many),
        previous: before,
        has_previous: prevHasData,
        ...trend(prevHasData ? t.previous_count : null, t.count),
        hours: group ? reg.cite(`current.cost.by_type[${g}].hours`, group.hours, { label: `hours spent on ${many}`, format: 'hours', period: P, evidence: { problems: group.problem_ids }, method: current.cost.method }) : '',
        has_hours: group !== null,
      };
    });

  // Cost.
  const hours = reg.cite('current.cost.total.hours', current.cost.total.hours, { label: 'hours spent on escaped problems', format: 'hours', period: P, evidence: { problems: current.cost.total.problem_ids }, method: current.cost.method });
  const prevHours = prevHasData ? reg.cite('previous.cost.total.hours', previous.cost.total.hours, { label: 'hours spent on escaped problems, previous period', format: 'hours', period: PP, evidence: { problems: previous.cost.total.problem_ids }, method: previous.cost.method }) : '';
  const yearHours = year_ago && YP ? reg.cite('year_ago.cost.total.hours', year_ago.cost.total.hours, { label: 'hours spent on escaped problems, same period a year earlier', format: 'hours', period: YP, evidence: { problems: year_ago.cost.total.problem_ids }, method: year_ago.cost.method }) : '';
  const moneyToken = money !== null && current.escapes.total > 0 ? reg.cite('current.cost.total.money', money, { label: 'cost of escaped problems', format: 'money', currency, period: P, evidence: { problems: current.cost.total.problem_ids }, method: current.cost.method }) : '';
  const perProblem = current.cost.total.hours_per_problem !== null ? reg.cite('current.cost.total.hours_per_problem', current.cost.total.hours_per_problem, { label: 'hours per escaped problem', format: 'hours', period: P, evidence: { problems: current.cost.total.problem_ids }, method: current.cost.method }) : '';
  const hpr = fromMetric('derived.hours_per_release.value', inputs.derived.hours_per_release, 'hours spent on escaped problems per release', 'hours', P);
  const prevHpr = prevHasData ? fromMetric('derived.previous_hours_per_release.value', inputs.derived.previous_hours_per_release, 'hours per release, previous period', 'hours', PP) : '';

  // Releases, escapes per release, DDR.
  const releaseCount = (path: string, o: OverviewResult, label: string, per: string) =>
    reg.cite(path, o.epr.releases.count, { label, format: 'count', period: per, evidence: { deployments: o.epr.releases.deployment_ids }, method: o.epr.releases.counting.rule });
  const releases = releaseCount('current.epr.releases.count', current, 'releases', P);
  const prevReleases = prevHasData ? releaseCount('previous.epr.releases.count', previous, 'releases, previous period', PP) : '';
  const epr = fromMetric('current.epr.epr.value', current.epr.epr, 'escaped problems per release', 'decimal', P);
  const prevEpr = prevHasData ? fromMetric('previous.epr.epr.value', previous.epr.epr, 'escaped problems per release, previous period', 'decimal', PP) : '';
  const yearEpr = year_ago && YP ? fromMetric('year_ago.epr.epr.value', year_ago.epr.epr, 'escaped problems per release, same period a year earlier', 'decimal', YP) : '';
  const ddr = fromMetric('current.ddr.ddr.value', current.ddr.ddr, 'Defect Detection Rate', 'percent', P);
  const prevDdr = prevHasData ? fromMetric('previous.ddr.ddr.value', previous.ddr.ddr, 'Defect Detection Rate, previous period', 'percent', PP) : '';

  // Detection and repair, delivery.
  const ttd = fromMetric('current.cost.total.time_to_detect.median.value', current.cost.total.time_to_detect.median, 'median time to detect, hours', 'duration', P);
  const ttf = fromMetric('current.cost.total.time_to_fix.median.value', current.cost.total.time_to_fix.median, 'median time to fix, hours', 'duration', P);
  const cfr = fromMetric('current.dora.change_fail_rate.value', current.dora.change_fail_rate, 'change fail rate', 'percent', P);
  const prevCfr = prevHasData ? fromMetric('previous.dora.change_fail_rate.value', previous.dora.change_fail_rate, 'change fail rate, previous period', 'percent', PP) : '';
  const recovery = fromMetric('current.dora.recovery_time.median.value', current.dora.recovery_time.median, current.dora.recovery_time.name, 'duration', P);

  const theCase = caseOf(inputs, reg);
  const recs = empty ? [] : recommendations(inputs, reg);
  const decision = decide(inputs, reg, { total, prevTotal, epr, ddr, hours, prevHours });

  const plainWords = PLAIN_AUDIENCES.has(inputs.audience);
  const prevMoney = prevHasData && moneyToken && previous.cost.total.money !== null
    ? reg.cite('previous.cost.total.money', previous.cost.total.money, { label: 'cost of escaped problems, previous period', format: 'money', currency, period: PP, evidence: { problems: previous.cost.total.problem_ids }, method: previous.cost.method })
    : '';
  const slide_numbers: ReportView['slide_numbers'] = [];
  if (!empty) {
    slide_numbers.push({ label: plainWords ? 'problems that reached customers' : 'escaped problems', value: total, comparison: prevTotal ? `${prevTotal} in ${name(PP)}` : '' });
    if (moneyToken) slide_numbers.push({ label: plainWords ? 'what they cost' : 'cost of escaped problems', value: moneyToken, comparison: prevMoney ? `${prevMoney} in ${name(PP)}` : `about ${hours} hours` });
    else slide_numbers.push({ label: plainWords ? 'engineering hours they took' : 'hours lost to escaped problems', value: hours, comparison: prevHours ? `${prevHours} in ${name(PP)}` : '' });
    if (epr) slide_numbers.push({ label: plainWords ? 'problems per release' : 'escaped problems per release', value: epr, comparison: prevEpr ? `${prevEpr} in ${name(PP)}` : `over ${plural(reg, releases, 'release', 'releases')}` });
    if (ddr) slide_numbers.push({ label: plainWords ? 'defects caught before customers saw them' : 'caught before release (DDR)', value: ddr, comparison: prevDdr ? `${prevDdr} in ${name(PP)}` : '' });
  }

  return {
    audience: inputs.audience,
    audience_name: AUDIENCE_NAMES[inputs.audience],
    // "all time" reads badly inside a sentence ("in all time").
    period: name(P === 'all time' ? 'the whole history' : P),
    previous_period: name(PP),
    year_ago_period: YP ? name(YP) : '',
    scope: inputs.service ? name(inputs.service) : 'any service',
    empty,
    has_escapes: current.escapes.total > 0,
    has_releases: current.epr.releases.count > 0,
    has_previous: prevHasData,
    has_year_ago: year_ago !== null,
    has_money: moneyToken !== '',
    escapes: {
      total,
      counted: plural(reg, total, 'escaped problem', 'escaped problems'),
      counted_plain: plural(reg, total, 'problem reached customers', 'problems reached customers'),
      previous: prevTotal,
      year_ago: yearTotal,
      ...trend(prevHasData ? previous.escapes.total : null, current.escapes.total),
      breakdown: joinList(typeTokens(false)),
      breakdown_plain: joinList(typeTokens(true)),
      to_verify: current.escapes.to_verify > 0 ? count('current.escapes.to_verify', current.escapes.to_verify, 'problems whose type no person has confirmed', { problems: current.escapes.to_verify_ids ?? current.cost.total.problem_ids }) : '',
      has_to_verify: current.escapes.to_verify > 0,
      set_aside: aside > 0 ? count('current.escapes.set_aside.count', aside, 'problems set aside as noise (flapping alerts, support questions, chatter): in no count', { problems: current.escapes.set_aside?.problem_ids ?? [] }) : '',
      has_set_aside: aside > 0,
    },
    types,
    cost: {
      hours,
      previous_hours: prevHours,
      year_ago_hours: yearHours,
      ...trend(prevHasData ? previous.cost.total.hours : null, current.cost.total.hours),
      money: moneyToken,
      per_problem: perProblem,
      per_release: hpr,
      previous_per_release: prevHpr,
      has_per_release: hpr !== '',
      estimated: current.cost.total.estimated_hours > 0,
    },
    releases: { count: releases, counted: plural(reg, releases, 'release', 'releases'), previous: prevReleases },
    epr: {
      value: epr,
      previous: prevEpr,
      year_ago: yearEpr,
      has_value: epr !== '',
      has_previous: prevEpr !== '',
      ...trend(prevEpr ? previous.epr.epr.value : null, current.epr.epr.value),
      band: current.epr.epr.band ? BAND_WORDS[current.epr.epr.band] : '',
      has_unattributed: current.ddr.unattributed > 0,
      unattributed: current.ddr.unattributed > 0
        ? reg.cite('current.ddr.unattributed', current.ddr.unattributed, { label: 'escaped problems of the period not attributed to any release', format: 'count', period: P, evidence: { problems: inputs.current_epr.unattributed_problem_ids }, method: 'escaped problems with impact start in the period and no release attributed' })
        : '',
    },
    ddr: {
      value: ddr,
      previous: prevDdr,
      has_value: ddr !== '',
      has_previous: prevDdr !== '',
      ...trend(prevDdr ? previous.ddr.ddr.value : null, current.ddr.ddr.value),
      band: current.ddr.ddr.band ? BAND_WORDS[current.ddr.ddr.band] : '',
    },
    detect: { ttd, ttf, has_ttd: ttd !== '', has_ttf: ttf !== '' },
    dora: { cfr, previous_cfr: prevCfr, has_cfr: cfr !== '', has_previous_cfr: prevCfr !== '', recovery, has_recovery: recovery !== '', recovery_name: current.dora.recovery_time.name },
    case: theCase,
    recommendations: recs,
    has_recommendations: recs.length > 0,
    first_recommendation: recs[0] ?? null,
    first_investment: recs.find((r) => !ACTIONS.has(r.code)) ?? recs[0] ?? null,
    investments: recs.filter((r) => !ACTIONS.has(r.code)),
    decision,
    slide_numbers: slide_numbers.slice(0, 4),
  };
}

/** The concrete case: the costliest escaped problem of the period (ties: lowest id). */
function caseOf(inputs: ReportInputs, reg: CitationRegistry): Record<string, unknown> {
  const p: ProblemDetail | undefined = inputs.problems[0];
  if (!p) return { has: false };
  const P = inputs.period.label;
  const [one] = typeWords(p.type, false);
  const [plainOne] = typeWords(p.type, true);
  const evidence = { problems: [p.id], ...(p.deployment_id !== null ? { deployments: [p.deployment_id] } : {}) };
  return {
    has: true,
    id: p.id,
    title: reg.name(p.title),
    service: p.service ? reg.name(p.service) : '',
    has_service: p.service !== null,
    type: one,
    type_plain: plainOne,
    a_type: `${article(one)} ${one}`,
    a_type_plain: `${article(plainOne)} ${plainOne}`,
    hours: reg.cite('problems[0].hours', p.hours, { label: `hours spent on problem ${p.key}`, format: 'hours', period: P, evidence, method: 'Σ hours per role of this problem (actual entries, else its type’s defaults)' }),
    estimated: p.estimated,
    money: p.money !== null ? reg.cite('problems[0].money', p.money, { label: `cost of problem ${p.key}`, format: 'money', currency: inputs.derived.currency, period: P, evidence, method: 'hours × role rate' }) : '',
    has_money: p.money !== null,
    release: p.release ? reg.name(p.release) : '',
    has_release: p.release !== null,
    started: reg.name(`${p.impact_start.slice(0, 10)} ${p.impact_start.slice(11, 16)} UTC`),
    resolved: p.resolved_at !== null,
    downtime: p.downtime_minutes !== null && p.downtime_minutes > 0 ? reg.cite('problems[0].downtime_minutes', p.downtime_minutes, { label: `downtime of problem ${p.key}, minutes`, format: 'count', period: P, evidence, method: 'recorded user impact' }) : '',
    has_downtime: p.downtime_minutes !== null && p.downtime_minutes > 0,
  };
}

/** Recommendations a team just does, without a decision above it. */
const ACTIONS = new Set(['postmortem', 'systemic']);

const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');

/** The decision indicator: act on a spike or an alarm band, watch a rising trend, else on track. */
function decide(inputs: ReportInputs, reg: CitationRegistry, t: { total: string; prevTotal: string; epr: string; ddr: string; hours: string; prevHours: string }): ReportView['decision'] {
  const { current } = inputs;
  const mk = (state: DecisionState, reason: string, reason_plain: string): ReportView['decision'] => ({
    state,
    label: { act: 'Act', watch: 'Watch', on_track: 'On track', no_data: 'No data' }[state],
    act: state === 'act',
    watch: state === 'watch',
    on_track: state === 'on_track',
    no_data: state === 'no_data',
    reason,
    reason_plain,
  });
  if (current.escapes.total === 0 && current.epr.releases.count === 0) return mk('no_data', 'nothing was recorded for this period', 'nothing was recorded for this period');
  const spikes = current.epr.spikes.length;
  if (spikes > 0) {
    const k = reg.cite('current.epr.spikes.length', spikes, { label: 'releases that spiked', format: 'count', period: inputs.period.label, evidence: { deployments: current.epr.spikes }, method: 'releases above the Tukey fence (metrics.md §4)' });
    return mk('act', `${plural(reg, k, 'release', 'releases')} spiked above the usual escape level`, `${plural(reg, k, 'release', 'releases')} let far more problems through than usual`);
  }
  if (current.epr.epr.band === 'alarm') return mk('act', `escapes per release are in the alarm band at ${t.epr}`, `each release lets ${t.epr} problems reach customers on average`);
  if (current.ddr.ddr.band === 'alarm') return mk('act', `only ${t.ddr} of defects were caught before release (DDR, alarm band)`, `testing caught only ${t.ddr} of defects before customers saw them`);
  const prevData = inputs.previous.escapes.total > 0 || inputs.previous.epr.releases.count > 0;
  if (prevData && current.escapes.total > inputs.previous.escapes.total) return mk('watch', `escaped problems rose from ${t.prevTotal} to ${t.total}`, `problems reaching customers rose from ${t.prevTotal} to ${t.total}`);
  if (current.epr.epr.band === 'needs_attention') return mk('watch', `escapes per release need attention at ${t.epr}`, `each release lets ${t.epr} problems reach customers on average`);
  if (prevData && current.cost.total.hours > inputs.previous.cost.total.hours) return mk('watch', `the hours lost to escaped problems rose from ${t.prevHours} to ${t.hours}`, `the hours lost to production problems rose from ${t.prevHours} to ${t.hours}`);
  if (prevData && current.escapes.total < inputs.previous.escapes.total) return mk('on_track', `escaped problems fell from ${t.prevTotal} to ${t.total}`, `problems reaching customers fell from ${t.prevTotal} to ${t.total}`);
  return mk('on_track', `${plural(reg, t.total, 'escaped problem', 'escaped problems')}, no spike and no alarm band`, `${plural(reg, t.total, 'problem', 'problems')} reached customers, within the usual range`);
}

