// Nothing in a history is dated after its end (the demo's ends now), and the ground truth follows.
import { describe, expect, it } from 'vitest';
import { clipToEnd } from '../../src/generate/horizon.ts';
import { generateHistory, historyWindow } from '../../src/generate/history.ts';
import { emptyRecordLines, type HistoryChunk, type SignalLine } from '../../src/generate/types.ts';

const DATE_FIELDS = ['occurred_at', 'detected_at', 'resolved_at', 'started_at', 'finished_at', 'merged_at', 'first_commit_at', 'found_at', 'entered_at'];

function datesAfter(chunk: HistoryChunk, end: string): string[] {
  const late: string[] = [];
  for (const [file, lines] of Object.entries(chunk.records)) {
    for (const line of lines as Record<string, unknown>[]) {
      for (const f of DATE_FIELDS) if (typeof line[f] === 'string' && (line[f] as string) > end) late.push(`${file} ${String(line.external_id)} ${f}=${String(line[f])}`);
    }
  }
  for (const p of chunk.truth.problems) for (const f of ['impact_start', 'detected_at', 'resolved_at'] as const) if (p[f] !== null && p[f] > end) late.push(`${p.problem} ${f}`);
  return late;
}

describe('history end', () => {
  it('accepts a day or a UTC moment, and rejects a day that does not exist', () => {
    expect(historyWindow({ scale: 'small', seed: 1, end: '2025-06-30' })).toEqual({ startMs: Date.parse('2025-04-01T00:00:00Z'), endMs: Date.parse('2025-07-01T00:00:00Z'), days: 91 });
    expect(historyWindow({ scale: 'small', seed: 1, end: '2025-06-30T13:37:42.5Z' })).toEqual({ startMs: Date.parse('2025-04-01T00:00:00Z'), endMs: Date.parse('2025-06-30T13:37:42Z'), days: 91 });
    expect(() => historyWindow({ scale: 'small', seed: 1, end: '2025-02-30' })).toThrow(/end: expected a date/);
    expect(() => historyWindow({ scale: 'small', seed: 1, end: '2025-06-30 13:00' })).toThrow(/end: expected a date/);
  });

  it('dates nothing after an end in the middle of a day, and leaves problems open that were not resolved by then', () => {
    const end = '2025-06-30T13:37:00Z';
    let problems = 0;
    let open = 0;
    let last = '';
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      for (const chunk of generateHistory({ scale: 'small', seed, end })) {
        expect(datesAfter(chunk, end)).toEqual([]);
        const signals = new Map(chunk.records.signals.map((s) => [`${s.source}:${s.external_id}`, s]));
        for (const p of chunk.truth.problems) {
          problems++;
          for (const ref of p.signals) expect(signals.has(ref), ref).toBe(true);
          if (p.resolved_at === null) {
            open++;
            // The pipeline sees it open too: one of its signals with a life cycle is not resolved.
            expect(p.signals.some((ref) => signals.get(ref)!.status === 'open'), p.problem).toBe(true);
          }
        }
        for (const s of chunk.records.signals) if (String(s.occurred_at) > last) last = String(s.occurred_at);
      }
    }
    expect(problems).toBeGreaterThan(500);
    // The history runs right up to its end.
    expect(last > '2025-06-30T00:00:00Z').toBe(true);
    expect(open).toBeGreaterThan(0);
  });

  it('clips one day: late signals go, their problem keeps the rest, a late resolution leaves it open', () => {
    const signal = (id: string, occurred: string, extra: Partial<SignalLine> = {}): SignalLine => ({ source: 'alertmanager', external_id: id, kind: 'alert', occurred_at: occurred, title: id, ...extra });
    const records = emptyRecordLines();
    records.signals.push(
      signal('a', '2025-06-30T10:00:00Z', { detected_at: '2025-06-30T10:05:00Z', resolved_at: '2025-06-30T15:00:00Z', status: 'resolved' }),
      signal('b', '2025-06-30T10:30:00Z', { detected_at: '2025-06-30T14:00:00Z' }),
      signal('c', '2025-06-30T14:10:00Z'),
    );
    records.deployments.push({ source: 'github', external_id: 'd1', service: 's', version: '1.0.1', started_at: '2025-06-30T13:59:00Z', finished_at: '2025-06-30T14:03:00Z' });
    records.changes.push({ source: 'github', external_id: 'c1', service: 's', repository: 'acme/s', sha: 'abc', first_commit_at: '2025-06-30T11:00:00Z', merged_at: '2025-06-30T12:00:00Z', deployment_ref: 'github:d1' });
    records.cost_entries.push({ source: 'timesheet', external_id: 't1', problem_ref: 'alertmanager:a', role: 'dev', hours: 1, entered_at: '2025-07-01T09:00:00Z' });
    const sink = {
      records,
      truth: {
        problems: [{ problem: 'p', type: 'code' as const, service: 's', signals: ['alertmanager:a', 'alertmanager:b', 'alertmanager:c'], deployment: null, unattributed_reason: null, impact_start: '2025-06-30T10:00:00Z', detected_at: '2025-06-30T10:05:00Z', resolved_at: '2025-06-30T15:00:00Z' }],
        deployments: [{ deployment: 'github:d1', failed: false, rework: true }],
      },
    };
    clipToEnd(sink, Date.parse('2025-06-30T13:37:00Z'));
    expect(sink.records.signals.map((s) => s.external_id)).toEqual(['a']);
    expect(sink.records.signals[0]!.status).toBe('open');
    expect(sink.records.signals[0]!.resolved_at).toBeUndefined();
    expect(sink.records.deployments).toEqual([]);
    expect(sink.records.changes).toEqual([]);
    expect(sink.records.cost_entries).toEqual([]);
    expect(sink.truth.deployments).toEqual([]);
    expect(sink.truth.problems).toEqual([{ ...sink.truth.problems[0], signals: ['alertmanager:a'], detected_at: '2025-06-30T10:05:00Z', resolved_at: null }]);
  });
});
