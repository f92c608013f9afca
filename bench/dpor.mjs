// readers(N) under strategy "dpor": one process sets a SharedCell once, N processes
// get it once; the body spawns them and sleeps. Exactly 2^N Mazurkiewicz traces.
// Prints traces, runs (pruned runs included), time and traces/s for N = 4..10
// (override with `node bench/dpor.mjs 4 12`).
import { explore, spawn, sleep, SharedCell } from "lockstep";

function readers(n) {
  return async () => {
    const c = new SharedCell(0);
    await spawn(async () => { await c.set(1); });
    for (let i = 0; i < n; i++) await spawn(async () => { await c.get(); });
    await sleep(1);
  };
}

const lo = Number(process.argv[2] ?? 4);
const hi = Number(process.argv[3] ?? 10);
console.log("N   traces  expected  complete  runs     ms      traces/s");
for (let n = lo; n <= hi; n++) {
  const t0 = performance.now();
  const r = await explore(readers(n), { strategy: "dpor", iterations: 1e9, seed: 1, traceDir: false });
  const ms = performance.now() - t0;
  const s = r.stats;
  console.log(`${String(n).padEnd(4)}${String(s.traces).padEnd(8)}${String(2 ** n).padEnd(10)}${String(s.complete).padEnd(10)}${String(s.iterations).padEnd(9)}${ms.toFixed(0).padEnd(8)}${((s.traces * 1000) / ms).toFixed(0)}`);
  if (s.traces !== 2 ** n || !s.complete) process.exitCode = 1;
}
