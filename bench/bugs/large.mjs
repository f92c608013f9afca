// The reorder family at 10 and 20 threads (reorder_10_bad, reorder_20_bad: 9 and 19
// set threads, one check thread, main), where the published RFF needs about 6
// schedules (Wolff et al., ASPLOS 2024). Kept apart from programs.mjs because the
// fixed twins of 20 threads under every strategy would make test/bugs.test.ts slow.
// Run: npm run build && node bench/bugs/large.mjs rff portfolio pos pct
import { explore } from "lockstep";
import { reorder } from "./reorder.mjs";
const strategies = process.argv.slice(2);
for (const n of [10, 20]) {
  const body = reorder(n - 1, false);
  for (const s of strategies) {
    let sum = 0, found = 0;
    const t0 = performance.now();
    for (let seed = 1; seed <= 10; seed++) {
      const r = await explore(body, { iterations: 10000, seed, strategy: s, traceDir: false });
      if (!r.ok) { found++; sum += r.bug.iteration; }
    }
    console.log(`reorder_${n} ${s}: mean ${found ? (sum / found).toFixed(1) : "nf"} (${found}/10) ${((performance.now() - t0) / 10).toFixed(0)} ms/seed`);
  }
}
