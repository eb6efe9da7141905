// The generated history: deterministic for a seed, valid import lines, ground truth that agrees with
// the records, and type shares near metrics.md §1.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistory, type GenerateSummary } from '../../src/cli/commands/generate.ts';
import { generateHistory } from '../../src/generate/history.ts';
import { RECORD_FILES, type DeploymentLine, type DeploymentTruth, type ProblemTruth, type SignalLine } from '../../src/generate/types.ts';
import { kindFromFileName, parseJsonLine } from '../../src/ingest/parse-record.ts';
import { summariseProblem } from '../../src/pipeline/assemble.ts';

/** The pipeline's own summary of a group of signals, as it would store them. */
function pipelineDetected(group: SignalLine[]): string | null {
  const signals = [...group]
    .sort((a, b) => String(a.occurred_at).localeCompare(String(b.occurred_at)))
    .map((s, id) => ({
      id, source: s.source!, external_id: s.external_id, kind: s.kind, url: s.url ?? null, occurred_at: String(s.occurred_at),
      detected_at: s.detected_at ? String(s.detected_at) : null, resolved_at: s.resolved_at ? String(s.resolved_at) : null, title: s.title,
      body: s.body ?? null, severity: s.severity ?? null, status: s.status ?? 'open', service: s.service ?? null, environment: s.environment ?? null,
      labels: s.labels ?? {}, links: s.links ?? [],
    }));
  return summariseProblem(signals).detected_at;
}

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'escapement-gen-'));
  dirs.push(dir);
  return dir;
};
const readLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
const readJsonl = <T>(path: string): T[] => readLines(path).map((l) => JSON.parse(l) as T);

let first: string;
let summary: GenerateSummary;

beforeAll(async () => {
  first = tempDir();
  summary = await writeHistory({ scale: 'small', seed: 42 }, first);
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('generate', () => {
  it('writes every record file and the ground truth, with the counts it reports', () => {
    expect(readdirSync(first).sort()).toEqual([...RECORD_FILES.map((f) => `${f}.jsonl`), 'ground-truth'].sort());
    expect(readdirSync(join(first, 'ground-truth')).sort()).toEqual(['deployments.jsonl', 'problems.jsonl']);
    for (const file of RECORD_FILES) expect(readLines(join(first, `${file}.jsonl`)).length).toBe(summary.files[`${file}.jsonl`]);
    expect(summary.files['services.jsonl']).toBe(8);
    expect(summary.files['teams.jsonl']).toBe(3);
    expect(summary.from).toBe('2025-10-02');
    expect(summary.to).toBe('2025-12-31');
    // "small": a few hundred deployments, a few thousand signals.
    expect(summary.files['deployments.jsonl']).toBeGreaterThan(200);
    expect(summary.files['deployments.jsonl']).toBeLessThan(800);
    expect(summary.files['signals.jsonl']).toBeGreaterThan(1500);
    expect(summary.files['signals.jsonl']).toBeLessThan(8000);
  });

  it('gives byte-identical files for the same seed and different ones for another seed', async () => {
    const again = tempDir();
    await writeHistory({ scale: 'small', seed: 42 }, again);
    for (const file of [...RECORD_FILES.map((f) => `${f}.jsonl`), 'ground-truth/problems.jsonl', 'ground-truth/deployments.jsonl']) {
      expect(readFileSync(join(again, file)).equals(readFileSync(join(first, file))), file).toBe(true);
    }
    const other = tempDir();
    await writeHistory({ scale: 'small', seed: 43 }, other);
    expect(readFileSync(join(other, 'signals.jsonl')).equals(readFileSync(join(first, 'signals.jsonl')))).toBe(false);
    expect(readFileSync(join(other, 'deployments.jsonl')).equals(readFileSync(join(first, 'deployments.jsonl')))).toBe(false);
  });

  it('writes only lines the import schemas accept, each key once', () => {
    for (const file of RECORD_FILES) {
      const kind = kindFromFileName(`${file}.jsonl`);
      expect(kind, file).toBeDefined();
      const keys = new Set<string>();
      for (const [index, line] of readLines(join(first, `${file}.jsonl`)).entries()) {
        const parsed = parseJsonLine(line, kind);
        if (!parsed.ok) throw new Error(`${file}.jsonl:${index + 1}: ${JSON.stringify(parsed.error)}`);
        expect(parsed.value.kind).toBe(kind);
        const record = parsed.value.record as { source?: string; external_id?: string; name?: string };
        const key = record.name ?? `${record.source}:${record.external_id}`;
        expect(keys.has(key), `${file} repeats ${key}`).toBe(false);
        keys.add(key);
      }
    }
  });

  it('has ground truth that agrees with the records', () => {
    const signals = new Map(readJsonl<SignalLine>(join(first, 'signals.jsonl')).map((s) => [`${s.source}:${s.external_id}`, s]));
    const deployments = new Map(readJsonl<DeploymentLine>(join(first, 'deployments.jsonl')).map((d) => [`${d.source}:${d.external_id}`, d]));
    const problems = readJsonl<ProblemTruth>(join(first, 'ground-truth/problems.jsonl'));
    const truthDeployments = readJsonl<DeploymentTruth>(join(first, 'ground-truth/deployments.jsonl'));
    const services = new Set(readJsonl<{ name: string }>(join(first, 'services.jsonl')).map((s) => s.name));
    expect(problems.length).toBeGreaterThan(50);

    const claimed = new Set<string>();
    let startsWithSignal = 0;
    let detectedLater = 0;
    for (const p of problems) {
      expect(p.problem).toMatch(/^gen-p-\d{6}$/);
      expect(services.has(p.service)).toBe(true);
      expect(p.signals.length, p.problem).toBeGreaterThanOrEqual(1);
      for (const ref of p.signals) {
        expect(signals.has(ref), `${p.problem} names missing signal ${ref}`).toBe(true);
        expect(claimed.has(ref), `${ref} in two problems`).toBe(false);
        claimed.add(ref);
      }
      const occurred = p.signals.map((ref) => signals.get(ref)!.occurred_at as string).sort();
      // Impact starts with the first signal, or before it when nothing recorded the start.
      expect(p.impact_start <= occurred[0]!, p.problem).toBe(true);
      if (p.impact_start === occurred[0]) startsWithSignal++;
      // detected_at is what the pipeline derives from the signals: the first one a person or pager saw.
      expect(p.detected_at, p.problem).toBe(pipelineDetected(p.signals.map((ref) => signals.get(ref)!)));
      expect(p.impact_start <= p.detected_at, p.problem).toBe(true);
      if (p.detected_at > p.impact_start) detectedLater++;
      if (p.resolved_at !== null) expect(p.detected_at < p.resolved_at, p.problem).toBe(true);
      expect(new Set(p.signals.map((ref) => signals.get(ref)!.source)).size, `${p.problem} has several sources`).toBeGreaterThanOrEqual(1);

      if (p.deployment === null) {
        expect(p.unattributed_reason, p.problem).not.toBeNull();
        expect(['code', 'regression']).not.toContain(p.type);
      } else {
        expect(p.unattributed_reason).toBeNull();
        const deployment = deployments.get(p.deployment);
        expect(deployment, `${p.problem} names missing deployment ${p.deployment}`).toBeDefined();
        expect(deployment!.service).toBe(p.service);
        expect(deployment!.environment).toBe('production');
        expect(deployment!.status).toBe('success');
        expect(String(deployment!.finished_at) <= p.impact_start).toBe(true);
        if (p.type === 'regression') {
          const hours = (Date.parse(p.impact_start) - Date.parse(String(deployment!.finished_at))) / 3_600_000;
          expect(hours).toBeLessThanOrEqual(8);
        }
      }
    }
    // Time to detect is not zero: alerts fire after their condition held, people notice later still.
    expect(detectedLater / problems.length).toBeGreaterThan(0.95);
    expect(startsWithSignal / problems.length).toBeGreaterThan(0.8);
    expect(problems.filter((p) => p.signals.length >= 2).length / problems.length).toBeGreaterThan(0.9);
    // Most problems show up in several sources.
    const multiSource = problems.filter((p) => new Set(p.signals.map((ref) => signals.get(ref)!.source)).size >= 3).length;
    expect(multiSource / problems.length).toBeGreaterThan(0.7);

    // Every production deployment has a truth line and nothing else does.
    const production = [...deployments.entries()].filter(([, d]) => d.environment === 'production');
    expect(truthDeployments.map((t) => t.deployment).sort()).toEqual(production.map(([ref]) => ref).sort());
    const failed = new Set(truthDeployments.filter((t) => t.failed).map((t) => t.deployment));
    expect(failed).toEqual(new Set(problems.flatMap((p) => (p.deployment ? [p.deployment] : []))));
    for (const t of truthDeployments) expect(t.rework).toBe(deployments.get(t.deployment)!.kind !== 'planned');
  });

  it('links signals to each other and names versions the way sources do', () => {
    const signals = readJsonl<SignalLine>(join(first, 'signals.jsonl'));
    const refs = new Set(signals.map((s) => `${s.source}:${s.external_id}`));
    const links = signals.flatMap((s) => s.links ?? []);
    const pointing = links.filter((l) => /^(jira|pagerduty|zendesk):/.test(l));
    expect(pointing.length).toBeGreaterThan(100);
    // A link names a signal that exists.
    for (const l of pointing) expect(refs.has(l), l).toBe(true);
    expect(signals.filter((s) => s.source === 'sentry').every((s) => s.links?.some((l) => /^version:\d+\.\d+\.\d+$/.test(l)))).toBe(true);
    expect(new Set(signals.map((s) => s.kind))).toEqual(new Set(['alert', 'incident', 'ticket', 'support', 'chat', 'log']));
    // PagerDuty names the service by its id, declared as a scoped alias.
    const services = readJsonl<{ name: string; aliases: string[] }>(join(first, 'services.jsonl'));
    const pagerduty = signals.find((s) => s.source === 'pagerduty')!;
    expect(services.some((s) => s.aliases.includes(`pagerduty:${pagerduty.service}`))).toBe(true);
  });

  it('delivers like a team does: commits before merges before the deploy, rollbacks to the previous version', () => {
    type Change = { first_commit_at: string; merged_at: string; deployment_ref: string };
    type TestRun = { service: string; release: string; suite_kind: string; critical_total: number; critical_passed: number };
    const deployments = readJsonl<DeploymentLine>(join(first, 'deployments.jsonl'));
    const byRef = new Map(deployments.map((d) => [`${d.source}:${d.external_id}`, d]));
    const changes = readJsonl<Change>(join(first, 'changes.jsonl'));
    for (const c of changes) {
      const deployment = byRef.get(c.deployment_ref);
      expect(deployment, c.deployment_ref).toBeDefined();
      expect(c.first_commit_at < c.merged_at && c.merged_at < String(deployment!.started_at)).toBe(true);
    }
    const kinds = new Set(deployments.map((d) => d.kind));
    expect(kinds).toEqual(new Set(['planned', 'hotfix', 'rollback', 'fix_forward']));
    expect(deployments.some((d) => d.status === 'failure')).toBe(true);
    expect(deployments.some((d) => d.environment === 'staging')).toBe(true);

    // A rollback returns to a version the service ran in production before it.
    const production = deployments.filter((d) => d.environment === 'production' && d.status === 'success').sort((a, b) => String(a.started_at).localeCompare(String(b.started_at)));
    const rollbacks = production.filter((d) => d.kind === 'rollback');
    expect(rollbacks.length).toBeGreaterThan(0);
    for (const r of rollbacks) {
      expect(r.version).toBe(r.rolls_back_to);
      const earlier = production.filter((d) => d.service === r.service && String(d.started_at) < String(r.started_at) && d.kind !== 'rollback');
      expect(earlier.map((d) => d.version), `${r.external_id} rolls back to ${r.rolls_back_to}`).toContain(r.rolls_back_to);
    }

    // Per service, one production deployment at a time and versions in the order they were numbered:
    // a failed deployment's retry never lands after a newer release, and only a rollback goes back.
    const semver = (v: string) => v.split('.').map(Number) as [number, number, number];
    const compare = (x: string, y: string) => { const [a, b] = [semver(x), semver(y)]; return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; };
    const byService = new Map<string, DeploymentLine[]>();
    for (const d of deployments) if (d.environment === 'production') byService.set(d.service, [...(byService.get(d.service) ?? []), d]);
    let retried = 0;
    for (const [service, list] of byService) {
      list.sort((a, b) => String(a.started_at).localeCompare(String(b.started_at)));
      let highest: string | null = null;
      let running: string | null = null;
      for (const [i, d] of list.entries()) {
        const version = String(d.version);
        const where = `${service} ${d.external_id} ${d.kind} ${d.version}`;
        if (i > 0) expect(String(d.started_at) >= String(list[i - 1]!.finished_at), `${where} overlaps the one before`).toBe(true);
        if (d.kind === 'rollback') {
          expect(running !== null && compare(version, running) < 0, `${where} goes back from ${running}`).toBe(true);
        } else {
          if (highest !== null) expect(compare(version, highest), `${where} after ${highest}`).toBeGreaterThanOrEqual(0);
          if (highest === version) retried++;
          highest = version;
        }
        if (d.status === 'success') running = version;
      }
    }
    expect(retried).toBeGreaterThan(0);

    // Test runs and defects name releases that shipped; smoke runs cover 3–6 critical paths.
    const versions = new Set(production.map((d) => `${d.service}@${d.version}`));
    const runs = readJsonl<TestRun>(join(first, 'test_runs.jsonl'));
    for (const run of runs) expect(versions.has(`${run.service}@${run.release}`), `${run.service}@${run.release}`).toBe(true);
    const smoke = runs.filter((r) => r.suite_kind === 'smoke');
    expect(smoke.length).toBeGreaterThan(0);
    for (const run of smoke) {
      expect(run.critical_total).toBeGreaterThanOrEqual(3);
      expect(run.critical_total).toBeLessThanOrEqual(6);
      expect(run.critical_passed).toBeLessThanOrEqual(run.critical_total);
    }
    const defects = readJsonl<{ service: string; release: string; blocker: boolean }>(join(first, 'defects.jsonl'));
    for (const d of defects) expect(versions.has(`${d.service}@${d.release}`)).toBe(true);
    expect(defects.some((d) => d.blocker)).toBe(true);
  });

  it('keeps the type shares near metrics.md §1', () => {
    const counts = { code: 0, infra: 0, integration: 0, regression: 0, mixed: 0 };
    let total = 0;
    for (const seed of [1, 2, 3, 4]) {
      for (const chunk of generateHistory({ scale: 'small', seed })) {
        for (const p of chunk.truth.problems) {
          counts[p.type]++;
          total++;
        }
      }
    }
    expect(total).toBeGreaterThan(400);
    const share = (n: number) => n / total;
    expect(share(counts.code)).toBeGreaterThan(0.45);
    expect(share(counts.code)).toBeLessThan(0.62);
    expect(share(counts.infra)).toBeGreaterThan(0.13);
    expect(share(counts.infra)).toBeLessThan(0.27);
    expect(share(counts.integration)).toBeGreaterThan(0.09);
    expect(share(counts.integration)).toBeLessThan(0.21);
    expect(share(counts.regression)).toBeGreaterThan(0.05);
    expect(share(counts.regression)).toBeLessThan(0.15);
    expect(share(counts.mixed)).toBeGreaterThan(0.005);
    expect(share(counts.mixed)).toBeLessThan(0.07);
  });
});
