// Computing the overview ahead at server start: which quarters, and that it runs over a real store.
import { describe, expect, it, vi } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { overviewQuarters, quarterBefore, warmOverview } from '../../src/server/warm.ts';
import { openStore } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { DeploymentSchema, SignalSchema } from '../../src/domain/records.ts';
import { DEFAULT_CONFIG } from '../../src/domain/config.ts';

describe('overview warm-up', () => {
  it('counts quarters back across years', () => {
    expect(quarterBefore('2026-Q1', 1)).toBe('2025-Q4');
    expect(quarterBefore('2026-Q3', 0)).toBe('2026-Q3');
    expect(quarterBefore('2026-Q2', 6)).toBe('2024-Q4');
  });

  it('takes the four quarters ending at the data, as the dashboard opens', () => {
    expect(overviewQuarters('2026-02-11T08:00:00.000Z')).toEqual(['2026-Q1', '2025-Q4', '2025-Q3', '2025-Q2']);
  });

  it('computes them over a store with data and says when they are ready', async () => {
    const store = await openStore({ dbPath: ':memory:' });
    try {
      await upsertRecords(store.db, 'deployment', [DeploymentSchema.parse({ source: 'ci', external_id: 'd1', service: 'checkout', version: '1.0.0', finished_at: '2026-02-10T10:00:00Z' })]);
      await upsertRecords(store.db, 'signal', [SignalSchema.parse({ source: 'alertmanager', external_id: 'a1', kind: 'alert', occurred_at: '2026-02-11T08:00:00Z', title: 'Checkout 5xx', service: 'checkout' })]);
      const info = vi.fn();
      await warmOverview({ store, config: DEFAULT_CONFIG }, { info } as unknown as FastifyBaseLogger);
      expect(info).toHaveBeenCalledWith(expect.objectContaining({ ms: expect.any(Number) }), 'overview metrics ready');
    } finally {
      await store.close();
    }
  });
});
