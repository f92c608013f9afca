// Parallel search speed-up: the same CLI exploration with 1 and with 2 worker threads
// (`lockstep explore --workers N`), timed end to end (process start to exit), rounds
// alternating the two, medians: one scenario, and four scenarios in one run (where the
// worker pool started once serves all four). Results must be identical (same
// iterations, same distinct schedules): the bench checks it.
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
const several = fileURLToPath(new URL("./scenarios/rings.mjs", import.meta.url));

/** One CLI run; `file` with several scenarios explores each for iterations / 4. */
function run(workers, file = scenario) {
  const n = file === scenario ? iterations : iterations / 4;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, "explore", file, "--iterations", String(n), "--seed", "1", "--strategy", "random", "--workers", String(workers), "--json"], { encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(r.stderr || r.stdout);
  const js = [JSON.parse(r.stdout)].flat();
  return { ms, key: js.map((j) => `${j.iterations} iterations, ${j.distinctSchedules} distinct schedules`).join("; ") };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Rounds alternating 1 and 2 workers; returns the medians and each round's speed-up. */
function compare(file) {
  const one = [], two = [], ratios = [];
  for (let k = 0; k < rounds; k++) {
    const pair = k % 2 === 0 ? [run(1, file), run(2, file)] : [run(2, file), run(1, file)].reverse();
    if (pair[0].key !== pair[1].key) throw new Error(`1 and 2 workers disagree: ${pair[0].key} vs ${pair[1].key}`);
    one.push(pair[0].ms);
    two.push(pair[1].ms);
    ratios.push(pair[0].ms / pair[1].ms);
  }
  return { one: median(one), two: median(two), ratios };
}

function print(title, c) {
  console.log(title);
  console.log(`  1 worker : ${(c.one / 1000).toFixed(2)} s  (${Math.round((iterations / c.one) * 1000).toLocaleString("en-US")} iterations/s)`);
  console.log(`  2 workers: ${(c.two / 1000).toFixed(2)} s  (${Math.round((iterations / c.two) * 1000).toLocaleString("en-US")} iterations/s)`);
  console.log(`  speed-up : ${median(c.ratios).toFixed(2)}x (rounds: ${c.ratios.map((r) => r.toFixed(2)).join(", ")}) on ${availableParallelism()} cores`);
}

run(1); // warm the file system cache
const load0 = loadavg()[0];
const single = compare(scenario);
const multi = compare(several);
const load1 = loadavg()[0];
console.log(`parallel search, CLI end to end (process start to exit), random strategy, seed 1, ${rounds} rounds alternating, medians`);
print(`${iterations.toLocaleString("en-US")} iterations of bench/scenarios/ring.mjs`, single);
print(`4 scenarios x ${(iterations / 4).toLocaleString("en-US")} iterations (bench/scenarios/rings.mjs, one run)`, multi);
console.log(`load average (1 min) ${load0.toFixed(1)} before, ${load1.toFixed(1)} after: anything above ~0 is other work sharing the cores`);
