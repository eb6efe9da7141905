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
    for (const p of problems) {
      expect(p.problem).toMatch(/^gen-p-\d{6}$/);
      expect(services.has(p.service)).toBe(true);
      expect(p.signals.length, p.problem).toBeGreaterThanOrEqual(2);
      for (const ref of p.signals) {
        expect(signals.has(ref), `${p.problem} names missing signal ${ref}`).toBe(true);
        expect(claimed.has(ref), `${ref} in two problems`).toBe(false);
        claimed.add(ref);
      }
      const occurred = p.signals.map((ref) => signals.get(ref)!.occurred_at as string).sort();
      expect(occurred[0], `${p.problem}: detected_at is its first signal`).toBe(p.detected_at);
      expect(p.impact_start <= p.detected_at && p.detected_at < p.resolved_at).toBe(true);
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
