// How fast this machine is, so that benchmark numbers from different machines (or from one shared VM at
// different hours) can be compared: the CPU time of a fixed JavaScript workload (integer arithmetic, JSON,
// a Map of strings), the kind of work the pipeline and the import do. The benches print it beside their
// numbers; docs/performance/ gives it with every measurement since it was added.

/** CPU seconds of the fixed workload (the best of three, so a moment's interference counts less). */
export function machineReference(): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = process.cpuUsage();
    let x = 0;
    for (let i = 0; i < 5e7; i++) x = (x * 31 + i) | 0;
    const seen = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      const row = JSON.parse(JSON.stringify({ id: i, title: `disk usage high on node-${i % 997}`, links: [`jira:OPS-${i}`] })) as { id: number; title: string };
      seen.set(row.title, (seen.get(row.title) ?? 0) + row.id + x);
    }
    const used = process.cpuUsage(started);
    if (seen.size !== 997) throw new Error('machine reference: unexpected result');
    best = Math.min(best, (used.user + used.system) / 1e6);
  }
  return best;
}

export const describeMachine = (seconds: number) => `machine reference ${seconds.toFixed(2)} s CPU (a fixed JavaScript workload, bench/machine.ts; lower is faster)`;
