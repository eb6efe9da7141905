// How long re-mapping the signals' services takes after the services catalog changed: what the first
// step of `escapement pipeline` does when aliases were added, renamed or loaded after the signals.
//   npx tsx bench/remap.ts [--db FILE] [--names 0,1,20,all]
// FILE (default bench/data/large/escapement.db, from `npx tsx bench/pipeline.ts --scale large`) is
// copied for each count and left as it was. For each count N, the N names the signals' sources use
// most (source and service_raw) get a service of their own through a scoped alias (`source:name`),
// and the step re-maps the signals: the time, and how many signals changed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fewerCheckpoints } from '../src/store/bulk-load.ts';
import { openStore } from '../src/store/connection.ts';
import { remapSignalServices } from '../src/store/problems.ts';
import { loadServiceResolver } from '../src/store/services.ts';
import { upsertRecords } from '../src/store/upsert.ts';
import { describeMachine, machineReference } from './machine.ts';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const source = resolve(arg('db', join(here, 'data', 'large', 'escapement.db')));
if (!existsSync(source)) {
  console.error(`${source}: no database (run: npx tsx bench/pipeline.ts --scale large, or give --db FILE)`);
  process.exit(1);
}
const counts = arg('names', '0,1,20,all').split(',');
console.log(describeMachine(machineReference()));

for (const count of counts) {
  const copy = join(tmpdir(), `escapement-remap-${process.pid}.db`);
  const remove = () => ['', '-wal', '-shm'].forEach((suffix) => rmSync(copy + suffix, { force: true }));
  remove();
  copyFileSync(source, copy);
  // Else the first checkpoint waits for the disk to take what the copy left in the page cache.
  execFileSync('sync');
  const store = await openStore({ dbPath: copy });
  try {
    const names = store.sqlite!.prepare('select source, service_raw, count(*) as n from signals not indexed where service_raw is not null group by source, service_raw order by n desc, source, service_raw').all() as { source: string; service_raw: string; n: number }[];
    const chosen = count === 'all' ? names : names.slice(0, Number(count));
    if (chosen.length > 0) await upsertRecords(store.db, 'service', chosen.map((p, k) => ({ name: `remapped-${k}`, aliases: [`${p.source}:${p.service_raw}`] })));
    const resolver = await loadServiceResolver(store.db);
    const started = performance.now();
    const cpu = process.cpuUsage();
    // With the write-ahead log the pipeline runs its steps with (runPipeline).
    const restore = fewerCheckpoints(store.sqlite!);
    const changed = await remapSignalServices(store.db, resolver, store.sqlite).finally(restore);
    const used = process.cpuUsage(cpu);
    const expected = chosen.reduce((sum, p) => sum + p.n, 0);
    console.log(
      `${String(chosen.length).padStart(5)} names re-mapped (of ${names.length}): ${changed} signals changed (expected ${expected}) in ${((performance.now() - started) / 1000).toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU`,
    );
    if (changed !== expected) process.exitCode = 1;
  } finally {
    await store.close();
    remove();
  }
}
