// The history ends at a moment (the demo's ends now), but a day's events reach past it: tomorrow's
// fix, a ticket answered next week, hours booked after the fact. What has not happened by the end is
// cut off here, and the ground truth follows: a problem not yet resolved is still open.
import { detectedFrom } from './detection.ts';
import { refOf, type Sink } from './delivery.ts';
import { iso } from './time.ts';

/** Removes from one day's output everything dated after `endMs`, and what only made sense with it. */
export function clipToEnd(sink: Sink, endMs: number): void {
  const end = iso(endMs);
  const after = (at: string | undefined | null) => at !== undefined && at !== null && String(at) > end;
  const { records, truth } = sink;

  const droppedDeployments = new Set<string>();
  records.deployments = records.deployments.filter((d) => {
    if (!after(d.started_at as string) && !after(d.finished_at as string | undefined)) return true;
    droppedDeployments.add(refOf(d));
    return false;
  });
  truth.deployments = truth.deployments.filter((d) => !droppedDeployments.has(d.deployment));
  records.changes = records.changes.filter((c) => !after(c.merged_at as string | undefined) && !droppedDeployments.has(String(c.deployment_ref)));
  records.test_runs = records.test_runs.filter((t) => !after(t.finished_at as string | undefined) && !after(t.started_at as string | undefined));
  records.defects = records.defects.filter((d) => !after(d.found_at as string | undefined));
  for (const d of records.defects) {
    if (after(d.resolved_at as string | undefined)) {
      delete d.resolved_at;
      d.status = 'open';
    }
  }

  // A signal exists once a person or pager could see it; one resolved later is still open.
  const droppedSignals = new Set<string>();
  records.signals = records.signals.filter((s) => {
    if (!after(s.occurred_at as string) && !after(s.detected_at as string | undefined)) return true;
    droppedSignals.add(refOf(s));
    return false;
  });
  for (const s of records.signals) {
    if (after(s.resolved_at as string | undefined)) {
      delete s.resolved_at;
      s.status = 'open';
    }
  }
  records.cost_entries = records.cost_entries.filter((c) => !after(c.entered_at as string | undefined) && !droppedSignals.has(String(c.problem_ref)));

  if (droppedSignals.size === 0 && !truth.problems.some((p) => after(p.resolved_at))) return;
  const byRef = new Map(records.signals.map((s) => [refOf(s), s]));
  truth.problems = truth.problems.flatMap((p) => {
    const signals = p.signals.filter((ref) => !droppedSignals.has(ref));
    if (signals.length === 0) return [];
    const kept = signals.map((ref) => byRef.get(ref)).filter((s) => s !== undefined);
    return [{ ...p, signals, detected_at: detectedFrom(kept) ?? p.detected_at, resolved_at: after(p.resolved_at) ? null : p.resolved_at }];
  });
}
