// The larger SCTBench programs: reorder_10_bad (9 set threads, 1 check thread, main),
// reorder_20_bad (10 set and 10 check threads) and twostage_100_bad (99 funcA threads,
// 1 funcB thread), where the published RFF needs about 6, 6 and 56 schedules (Wolff
// et al., ASPLOS 2024). Kept apart from programs.mjs because their fixed twins under
// every strategy would make test/bugs.test.ts slow.
// Run: npm run build && node bench/bugs/large.mjs rff portfolio pos pct
import { explore } from "lockstep";
import { reorder } from "./reorder.mjs";
import { twostage } from "./programs/twostage.mjs";
const strategies = process.argv.slice(2);
const PROGRAMS = [
  ["reorder_10", reorder(9, false)],
  ["reorder_20", reorder(10, false, 10)],
  ["twostage_100", twostage(false, 99, 1)],
];
for (const [name, body] of PROGRAMS) {
  for (const s of strategies) {
    let sum = 0, found = 0;
    const t0 = performance.now();
    for (let seed = 1; seed <= 10; seed++) {
      const r = await explore(body, { iterations: 10000, seed, strategy: s, traceDir: false });
      if (!r.ok) { found++; sum += r.bug.iteration; }
    }
    console.log(`${name} ${s}: mean ${found ? (sum / found).toFixed(1) : "nf"} (${found}/10) ${((performance.now() - t0) / 10).toFixed(0)} ms/seed`);
  }
}
