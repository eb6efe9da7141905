// Metric families ask for the same derived value many times over one set of facts (the overview, a
// period and the one before it): remember a pure function's result per pair of argument objects,
// for as long as both live.
export function memoByPair<A extends object, B extends object, R>(compute: (a: A, b: B) => R): (a: A, b: B) => R {
  const memo = new WeakMap<A, WeakMap<B, R>>();
  return (a, b) => {
    let byB = memo.get(a);
    if (!byB) memo.set(a, (byB = new WeakMap()));
    if (byB.has(b)) return byB.get(b)!;
    const result = compute(a, b);
    byB.set(b, result);
    return result;
  };
}
