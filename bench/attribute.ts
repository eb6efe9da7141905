// Attribution over a generated history, measured against the generator's ground truth.
//   npx tsx bench/attribute.ts [DIR]      (DIR from `escapement generate --scale large --out DIR`)
// Problems are built straight from the ground truth's signal groups (service, impact start, links, labels
// and titles taken from the signals themselves; the type from the ground truth), so attribution is measured
// on its own, without correlation or classification errors. Reports agreement (recall) on the problems the
// generator tied to a release, precision over every attribution made, attributions to another service,
// deployment outcomes against the ground truth, and the time attribution takes.
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DEFAULT_CONFIG } from '../src/domain/config.ts';
import { toIsoTimestamp } from '../src/domain/fields.ts';
import { attributeProblems, attributionOptions, type ChangeFact, type DeploymentFact, indexDeployments, type ProblemFacts } from '../src/pipeline/attribute.ts';
import { attributedProblems, deploymentOutcomes } from '../src/pipeline/outcomes.ts';

const dir = process.argv[2] ?? '/tmp/attr6-large';
if (!existsSync(join(dir, 'ground-truth', 'problems.jsonl'))) {
  console.error(`${dir}: no generated history (run: escapement generate --scale large --out ${dir})`);
  process.exit(1);
}

async function* lines(file: string): AsyncGenerator<Record<string, unknown>> {
  const rl = createInterface({ input: createReadStream(join(dir, file)), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) yield JSON.parse(line) as Record<string, unknown>;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const iso = (v: unknown): string | null => (typeof v === 'string' ? (toIsoTimestamp(v) ?? null) : null);

// Service names as the sources spell them → canonical names, like the store's resolver.
const plain = new Map<string, string>();
const scoped = new Map<string, string>();
for await (const s of lines('services.jsonl')) {
  const name = String(s.name);
  plain.set(name.toLowerCase(), name);
  for (const alias of (s.aliases as string[] | undefined) ?? []) {
    const colon = alias.indexOf(':');
    if (colon > 0) scoped.set(alias.toLowerCase(), name);
    else plain.set(alias.toLowerCase(), name);
  }
}
const resolveService = (value: string, source: string) => scoped.get(`${source}:${value}`.toLowerCase()) ?? plain.get(value.toLowerCase()) ?? value;

const t0 = performance.now();
const deployments: DeploymentFact[] = [];
for await (const d of lines('deployments.jsonl')) {
  deployments.push({
    id: deployments.length + 1,
    ref: `${String(d.source)}:${String(d.external_id)}`,
    service: resolveService(String(d.service), String(d.source)),
    environment: str(d.environment) ?? 'production',
    version: str(d.version),
    commit_sha: str(d.commit_sha),
    at: iso(d.finished_at) ?? iso(d.started_at),
    status: str(d.status) ?? 'success',
    kind: str(d.kind) ?? 'planned',
    rolls_back_to: str(d.rolls_back_to),
  });
}
const changes: ChangeFact[] = [];
for await (const c of lines('changes.jsonl')) {
  changes.push({ sha: str(c.sha), pr_number: typeof c.pr_number === 'number' ? c.pr_number : null, repository: str(c.repository), deployment_ref: str(c.deployment_ref) });
}

interface Truth {
  problem: string;
  type: string;
  service: string;
  signals: string[];
  deployment: string | null;
  unattributed_reason: string | null;
}
const truths: Truth[] = [];
for await (const t of lines('ground-truth/problems.jsonl')) truths.push(t as unknown as Truth);
const problemOfSignal = new Map<string, number>();
truths.forEach((t, i) => t.signals.forEach((ref) => problemOfSignal.set(ref, i)));

interface Acc {
  start: string;
  resolved: string | null;
  services: Map<string, number>;
  links: Set<string>;
  labels: Record<string, string>;
  texts: string[];
}
const accs: (Acc | undefined)[] = new Array(truths.length);
for await (const s of lines('signals.jsonl')) {
  const i = problemOfSignal.get(`${String(s.source)}:${String(s.external_id)}`);
  if (i === undefined) continue;
  const occurred = iso(s.occurred_at) as string;
  const acc: Acc = (accs[i] ??= { start: occurred, resolved: null, services: new Map(), links: new Set(), labels: {}, texts: [] });
  if (occurred < acc.start) acc.start = occurred;
  const resolved = iso(s.resolved_at);
  if (resolved && (!acc.resolved || resolved > acc.resolved)) acc.resolved = resolved;
  if (typeof s.service === 'string') {
    const service = resolveService(s.service, String(s.source));
    acc.services.set(service, (acc.services.get(service) ?? 0) + 1);
  }
  for (const l of (s.links as string[] | undefined) ?? []) acc.links.add(l);
  const labels: Record<string, string> = (s.labels as Record<string, string> | undefined) ?? {};
  for (const [k, v] of Object.entries(labels)) if (!(k in acc.labels)) acc.labels[k] = v;
  if (!acc.texts.includes(String(s.title))) acc.texts.push(String(s.title));
}
const problems: ProblemFacts[] = truths.map((t, i) => {
  const acc = accs[i];
  // The service most of its signals name; ties by name so the bench is deterministic.
  const ranked = acc ? [...acc.services].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) : [];
  return {
    id: i + 1,
    key: t.signals[0] ?? t.problem,
    service: ranked[0]?.[0] ?? null,
    services: ranked.map(([s]) => s),
    environment: 'production',
    impact_start: acc?.start ?? '1970-01-01T00:00:00.000Z',
    resolved_at: acc?.resolved ?? null,
    type: t.type,
    links: acc ? [...acc.links] : [],
    labels: acc?.labels ?? {},
    texts: acc?.texts ?? [],
  };
});
const loadSeconds = (performance.now() - t0) / 1000;

const options = attributionOptions(DEFAULT_CONFIG);
const t1 = performance.now();
const cpu0 = process.cpuUsage();
const index = indexDeployments(deployments, changes);
const indexSeconds = (performance.now() - t1) / 1000;
const results = attributeProblems(problems, index, options);
const attributeSeconds = (performance.now() - t1) / 1000;
const attributeCpuSeconds = process.cpuUsage(cpu0).user / 1e6;
const t2 = performance.now();
const outcomes = deploymentOutcomes(deployments, attributedProblems(results, problems), undefined, undefined, index);
const outcomeSeconds = (performance.now() - t2) / 1000;

// Agreement with the ground truth.
let tied = 0;
let agreed = 0;
let attributed = 0;
let correct = 0;
let otherService = 0;
let falseOnUnattributed = 0;
let unattributedTruth = 0;
let unattributedAgreed = 0;
const missesByType: Record<string, number> = {};
const tiedByType: Record<string, number> = {};
const missReasons: Record<string, number> = {};
const falseByMethod: Record<string, number> = {};
const examples: unknown[] = [];
const wrongExamples: unknown[] = [];
const dump: string[] = [];
results.forEach((r, i) => {
  const truth = truths[i] as Truth;
  const ref = r.attribution.deployment_ref;
  if (ref) {
    attributed++;
    const d = index.byRef.get(ref) as DeploymentFact;
    if (d.service !== truth.service) otherService++;
    if (ref === truth.deployment) correct++;
    else {
      falseByMethod[r.attribution.method] = (falseByMethod[r.attribution.method] ?? 0) + 1;
      if (wrongExamples.length < 8) wrongExamples.push({ truth: { deployment: truth.deployment, type: truth.type, reason: truth.unattributed_reason }, got: { ref, method: r.attribution.method, evidence: r.attribution.evidence.slice(0, 3) }, impact_start: (problems[i] as ProblemFacts).impact_start, texts: (problems[i] as ProblemFacts).texts?.slice(0, 4) });
    }
  }
  if (truth.deployment) {
    tied++;
    tiedByType[truth.type] = (tiedByType[truth.type] ?? 0) + 1;
    if (ref === truth.deployment) agreed++;
    else {
      missesByType[truth.type] = (missesByType[truth.type] ?? 0) + 1;
      const why = ref ? `other deployment (${r.attribution.method})` : `unattributed: ${r.attribution.unattributed?.reason}`;
      missReasons[why] = (missReasons[why] ?? 0) + 1;
      if (process.env.BENCH_DUMP) {
        const truthDeployment = index.byRef.get(truth.deployment);
        const p = problems[i] as ProblemFacts;
        dump.push(JSON.stringify({ type: truth.type, truth: [truth.deployment, truthDeployment?.version, truthDeployment?.at], got: [ref, r.attribution.method, r.attribution.confidence], impact: p.impact_start, links: p.links.filter((l) => l.startsWith('version:')), release: p.labels.release, cands: r.attribution.candidates.map((c) => [c.deployment_ref, c.version, c.at, c.score]), ev: r.attribution.evidence.map((e) => [e.kind, e.deployment_ref, e.weight]) }));
      }
      if (examples.length < 8) examples.push({ truth: { deployment: truth.deployment, type: truth.type, service: truth.service }, got: { ref, method: r.attribution.method, confidence: r.attribution.confidence, candidates: r.attribution.candidates, unattributed: r.attribution.unattributed }, impact_start: (problems[i] as ProblemFacts).impact_start });
    }
  } else {
    unattributedTruth++;
    if (ref) {
      falseOnUnattributed++;
      if (process.env.BENCH_DUMP) {
        const p = problems[i] as ProblemFacts;
        dump.push(JSON.stringify({ fp: true, type: truth.type, reason: truth.unattributed_reason, got: [ref, r.attribution.method, r.attribution.confidence], ev: r.attribution.evidence.map((e) => [e.kind, e.deployment_ref, e.weight, e.detail]), texts: p.texts?.slice(0, 6) }));
      }
    }
    else unattributedAgreed++;
  }
});

const truthDeployments = new Map<string, { failed: boolean; rework: boolean }>();
for await (const d of lines('ground-truth/deployments.jsonl')) truthDeployments.set(String(d.deployment), { failed: Boolean(d.failed), rework: Boolean(d.rework) });
const confusion = { failed: { tp: 0, fp: 0, fn: 0, tn: 0 }, rework: { tp: 0, fp: 0, fn: 0, tn: 0 } };
for (const o of outcomes) {
  const d = deployments[o.deployment_id - 1] as DeploymentFact;
  const truth = truthDeployments.get(d.ref);
  if (!truth || o.failed === null) continue;
  for (const flag of ['failed', 'rework'] as const) {
    const c = confusion[flag];
    const got = o[flag] === true;
    if (got && truth[flag]) c.tp++;
    else if (got) c.fp++;
    else if (truth[flag]) c.fn++;
    else c.tn++;
  }
}
const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(2)}%`);
const report = {
  dir,
  problems: problems.length,
  deployments: deployments.length,
  changes: changes.length,
  seconds: { load: +loadSeconds.toFixed(2), attribute: +attributeSeconds.toFixed(2), attribute_cpu: +attributeCpuSeconds.toFixed(2), of_which_index: +indexSeconds.toFixed(2), outcomes: +outcomeSeconds.toFixed(2) },
  tied_to_a_release: tied,
  agreement_on_tied: pct(agreed, tied),
  recall: pct(agreed, tied),
  precision: pct(correct, attributed),
  attributed,
  attributed_to_another_service: otherService,
  unattributed_in_truth: unattributedTruth,
  left_unattributed_correctly: pct(unattributedAgreed, unattributedTruth),
  attributed_although_truth_has_none: falseOnUnattributed,
  tied_by_type: tiedByType,
  misses_by_type: missesByType,
  miss_reasons: missReasons,
  wrong_attributions_by_method: falseByMethod,
  to_review: results.filter((r) => r.attribution.needs_review).length,
  outcomes: {
    failed: { ...confusion.failed, precision: pct(confusion.failed.tp, confusion.failed.tp + confusion.failed.fp), recall: pct(confusion.failed.tp, confusion.failed.tp + confusion.failed.fn) },
    rework: { ...confusion.rework, precision: pct(confusion.rework.tp, confusion.rework.tp + confusion.rework.fp), recall: pct(confusion.rework.tp, confusion.rework.tp + confusion.rework.fn) },
  },
};
console.log(JSON.stringify(report, null, 2));
if (process.env.BENCH_EXAMPLES) console.log(JSON.stringify({ misses: examples, wrong: wrongExamples }, null, 2));
mkdirSync('bench/results', { recursive: true });
if (dump.length > 0) writeFileSync('bench/results/attribute-misses.jsonl', `${dump.join('\n')}\n`);
writeFileSync('bench/results/attribute.json', `${JSON.stringify({ ...report, misses: examples, wrong: wrongExamples }, null, 2)}\n`);
