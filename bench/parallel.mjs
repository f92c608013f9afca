// Parallel search speed-up: the same CLI exploration with 1 and with 2 worker threads
// (`lockstep explore --workers N`), timed end to end (process start to exit), rounds
// alternating the two, medians. Results must be identical (same iterations, same
// distinct schedules): the bench checks it.
//
// Run: npm run bench:parallel            (100,000 iterations, 5 rounds)
//      node bench/parallel.mjs [iterations] [rounds]
// A speed-up needs two idle cores: the load average printed with the figures says how
// much else the machine was doing.
import { spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const iterations = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);
const bin = fileURLToPath(new URL("../bin/lockstep.mjs", import.meta.url));
const scenario = fileURLToPath(new URL("./scenarios/ring.mjs", import.meta.url));

function run(workers) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, "explore", scenario, "--iterations", String(iterations), "--seed", "1", "--strategy", "random", "--workers", String(workers), "--json"], { encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(r.stderr || r.stdout);
  const j = JSON.parse(r.stdout);
  return { ms, key: `${j.iterations} iterations, ${j.distinctSchedules} distinct schedules` };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

run(1); // warm the file system cache
const one = [], two = [], ratios = [];
const load0 = loadavg()[0];
for (let k = 0; k < rounds; k++) {
  const pair = k % 2 === 0 ? [run(1), run(2)] : [run(2), run(1)].reverse();
  if (pair[0].key !== pair[1].key) throw new Error(`1 and 2 workers disagree: ${pair[0].key} vs ${pair[1].key}`);
  one.push(pair[0].ms);
  two.push(pair[1].ms);
  ratios.push(pair[0].ms / pair[1].ms);
}
const load1 = loadavg()[0];
console.log(`parallel search, ${iterations.toLocaleString("en-US")} iterations of bench/scenarios/ring.mjs (random, seed 1), ${rounds} rounds alternating, medians`);
console.log(`  1 worker : ${(median(one) / 1000).toFixed(2)} s  (${Math.round((iterations / median(one)) * 1000).toLocaleString("en-US")} iterations/s)`);
console.log(`  2 workers: ${(median(two) / 1000).toFixed(2)} s  (${Math.round((iterations / median(two)) * 1000).toLocaleString("en-US")} iterations/s)`);
console.log(`  speed-up : ${median(ratios).toFixed(2)}x (rounds: ${ratios.map((r) => r.toFixed(2)).join(", ")}) on ${availableParallelism()} cores`);
console.log(`  load average (1 min) ${load0.toFixed(1)} before, ${load1.toFixed(1)} after: anything above ~0 is other work sharing the cores`);
