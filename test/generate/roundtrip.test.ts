// generate → import round trip on both dialects: every generated record is stored, and a second
// import of the same files changes nothing.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistory } from '../../src/cli/commands/generate.ts';
import { RECORD_FILES, type RecordFile } from '../../src/generate/types.ts';
import { importFile, importOrder } from '../../src/ingest/files.ts';
import { countRecords } from '../../src/store/records.ts';
import { storeFactories } from '../helpers/stores.ts';

const factories = await storeFactories();
let dir: string;
let files: string[];
const lineCount = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'escapement-roundtrip-'));
  await writeHistory({ scale: 'small', seed: 11 }, dir);
  files = importOrder(RECORD_FILES.map((f) => join(dir, `${f}.jsonl`)));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

for (const factory of factories) {
  describe.skipIf(factory.skip)(`generate → import on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    it('stores every record, and a second import leaves everything unchanged', { timeout: 120_000 }, async () => {
      const store = await factory.open();
      try {
        const expected = new Map<RecordFile, number>(RECORD_FILES.map((f) => [f, lineCount(join(dir, `${f}.jsonl`))]));
        for (const file of files) {
          // With a progress callback, as the CLI and the demo import: no chunk may be lost while the
          // import waits for its first query.
          let progress = 0;
          const result = await importFile(store, file, { onProgress: (read) => (progress = read) });
          expect(progress, file).toBe(statSync(file).size);
          const name = file.slice(dir.length + 1).replace('.jsonl', '') as RecordFile;
          const counts = Object.values(result.counts);
          expect(counts.length, name).toBe(1);
          expect(counts[0], name).toEqual({ inserted: expected.get(name), updated: 0, unchanged: 0, rejected: 0 });
        }
        const stored = (await countRecords(store.db)) as Record<string, number>;
        for (const [name, lines] of expected) expect(stored[name], name).toBe(lines);

        for (const file of files) {
          const result = await importFile(store, file);
          const name = file.slice(dir.length + 1).replace('.jsonl', '') as RecordFile;
          expect(Object.values(result.counts)[0], name).toEqual({ inserted: 0, updated: 0, unchanged: expected.get(name), rejected: 0 });
        }
        // Aliases resolve: signals named by a PagerDuty id or an alert label land on a known service.
        const services = new Set((await store.db.selectFrom('services').select('name').execute()).map((r) => r.name));
        const serviceOf = await store.db.selectFrom('signals').select(['source', 'service']).where('service', 'is not', null).execute();
        const pagerduty = serviceOf.filter((r) => r.source === 'pagerduty');
        expect(pagerduty.length).toBeGreaterThan(0);
        expect(pagerduty.every((r) => services.has(r.service!))).toBe(true);
        expect(serviceOf.filter((r) => r.source === 'alertmanager').every((r) => services.has(r.service!))).toBe(true);
      } finally {
        await store.close();
      }
    });
  });
}
