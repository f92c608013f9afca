// readers(N) under strategy "dpor": one process sets a SharedCell once, N processes
// get it once; the body spawns them and sleeps. Exactly 2^N Mazurkiewicz traces.
// Prints traces, runs (pruned runs included), time and traces/s for N = 1..12
// (override with `tsx bench/dpor.mjs 4 10`), beside the naive depth-first enumeration
// of every schedule (the engine's dpor stack with the reduction off, as
// test/strategies.dpor.diff.test.ts uses it) until it exceeds NAIVE_BUDGET runs. Then
// the SCTBench fixed twins (bench/bugs) under dpor: verified bug-free when complete.
//
// The naive mode is not an explore option, so this runs under tsx and drives it through
// the sources (src/explore/run.ts); its body uses the sources' primitives, the same
// module instance as that controller.
import { explore, spawn, sleep, SharedCell } from "lockstep";
import { PROGRAMS } from "./bugs/programs.mjs";

const src = await import("../src/index.ts");
const { runIteration, withEngine } = await import("../src/explore/run.ts");
const { configFor } = await import("../src/explore/config.ts");
const { STRATEGY_CODE } = await import("../src/engine/engine.ts");

function readers(n, lib = { spawn, sleep, SharedCell }) {
  return async () => {
    const c = new lib.SharedCell(0);
    await lib.spawn(async () => { await c.set(1); });
    for (let i = 0; i < n; i++) await lib.spawn(async () => { await c.get(); });
    await lib.sleep(1);
  };
}

/** Runs of the naive enumeration of readers(n)'s schedules, or null past `budget` runs. */
async function naive(n, budget) {
  const body = readers(n, src);
  return withEngine("naive", async (e) => {
    for (let i = 1; ; i++) {
      if (i > budget) return null;
      const it = await runIteration(e, body, configFor({ seed: 1, maxSteps: 1000, timers: "quiescent", allowCrashes: false }, i, { strategy: { code: STRATEGY_CODE.dpor, label: "dpor", params: [i, -1, 1] } }));
      if (e.x.dporNext(it.pruned ? 0 : 1) === 0) return i;
    }
  });
}

const NAIVE_BUDGET = 200_000;
const lo = Number(process.argv[2] ?? 1);
const hi = Number(process.argv[3] ?? 12);
console.log(`readers(N) under dpor, beside the naive DFS of every schedule (given up past ${NAIVE_BUDGET} runs)\n`);
console.log("N   traces  expected  complete  runs     ms      traces/s  | naive runs  naive ms");
let naiveOver = false;
for (let n = lo; n <= hi; n++) {
  const t0 = performance.now();
  const r = await explore(readers(n), { strategy: "dpor", iterations: 1e9, seed: 1, traceDir: false });
  const ms = performance.now() - t0;
  const s = r.stats;
  let nv = "> budget", nms = "";
  if (!naiveOver) {
    const t1 = performance.now();
    const runs = await naive(n, NAIVE_BUDGET);
    nms = (performance.now() - t1).toFixed(0);
    if (runs === null) naiveOver = true;
    else nv = String(runs);
  }
  console.log(`${String(n).padEnd(4)}${String(s.traces).padEnd(8)}${String(2 ** n).padEnd(10)}${String(s.complete).padEnd(10)}${String(s.iterations).padEnd(9)}${ms.toFixed(0).padEnd(8)}${((s.traces * 1000) / ms).toFixed(0).padEnd(10)}| ${nv.padEnd(12)}${nms}`);
  if (s.traces !== 2 ** n || !s.complete) process.exitCode = 1;
}

// The fixed twins: every interleaving explored (up to a cap of TWIN_CAP traces).
const TWIN_CAP = 100_000;
console.log(`\nSCTBench fixed twins under dpor (cap ${TWIN_CAP} traces)\n`);
console.log("program               traces   complete  verdict   ms");
for (const p of PROGRAMS) {
  const t0 = performance.now();
  const r = await explore(p.fixed, { strategy: "dpor", iterations: TWIN_CAP, seed: 1, traceDir: false, timeLimitMs: 120_000 });
  const ms = performance.now() - t0;
  const verdict = !r.ok ? `BUG ${r.bug.kind}` : r.stats.complete ? "no bug" : "-";
  console.log(`${p.name.replace(/_bad$/, "").padEnd(22)}${String(r.stats.traces).padEnd(9)}${String(r.stats.complete).padEnd(10)}${verdict.padEnd(10)}${ms.toFixed(0)}`);
  if (!r.ok) process.exitCode = 1;
}
