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
import { mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const iterations = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);
const bin = fileURLToPath(new URL("../bin/lockstep.mjs", import.meta.url));
const scenario = fileURLToPath(new URL("./scenarios/ring.mjs", import.meta.url));
const several = fileURLToPath(new URL("./scenarios/rings.mjs", import.meta.url));

const out = join(mkdtempSync(join(tmpdir(), "lockstep-parallel-")), "result.json");

/**
 * One CLI run; `file` with several scenarios explores each for iterations / 4. Run
 * under bash so that its `times` reports the CPU the run used (all its threads):
 * on a busy machine wall time says little, CPU time says what parallelism costs.
 */
function run(workers, file = scenario) {
  const n = file === scenario ? iterations : iterations / 4;
  const cmd = [process.execPath, bin, "explore", file, "--iterations", String(n), "--seed", "1", "--strategy", "random", "--workers", String(workers), "--json", "--output", out];
  const t0 = performance.now();
  const r = spawnSync("bash", ["-c", `${cmd.map((a) => JSON.stringify(a)).join(" ")} > /dev/null; s=$?; times; exit $s`], { encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(r.stderr || r.stdout);
  // `times`: the shell's user and system time, then its children's.
  const [user, sys] = r.stdout.trim().split("\n")[1].split(" ").map((t) => {
    const [, m, sec] = /^(\d+)m([\d.]+)s$/.exec(t);
    return Number(m) * 60 + Number(sec);
  });
  const js = [JSON.parse(readFileSync(out, "utf8"))].flat();
  return { ms, cpu: (user + sys) * 1000, key: js.map((j) => `${j.iterations} iterations, ${j.distinctSchedules} distinct schedules`).join("; ") };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Rounds alternating 1 and 2 workers; returns the medians and each round's speed-up. */
function compare(file) {
  const one = [], two = [], ratios = [], cpu1 = [], cpu2 = [];
  for (let k = 0; k < rounds; k++) {
    const pair = k % 2 === 0 ? [run(1, file), run(2, file)] : [run(2, file), run(1, file)].reverse();
    if (pair[0].key !== pair[1].key) throw new Error(`1 and 2 workers disagree: ${pair[0].key} vs ${pair[1].key}`);
    one.push(pair[0].ms);
    two.push(pair[1].ms);
    ratios.push(pair[0].ms / pair[1].ms);
    cpu1.push(pair[0].cpu);
    cpu2.push(pair[1].cpu);
  }
  return { one: median(one), two: median(two), ratios, cpu1: median(cpu1), cpu2: median(cpu2) };
}

function print(title, c) {
  console.log(title);
  console.log(`  1 worker : ${(c.one / 1000).toFixed(2)} s  (${Math.round((iterations / c.one) * 1000).toLocaleString("en-US")} iterations/s)`);
  console.log(`  2 workers: ${(c.two / 1000).toFixed(2)} s  (${Math.round((iterations / c.two) * 1000).toLocaleString("en-US")} iterations/s)`);
  console.log(`  speed-up : ${median(c.ratios).toFixed(2)}x (rounds: ${c.ratios.map((r) => r.toFixed(2)).join(", ")}) on ${availableParallelism()} cores`);
  // With two idle cores the two workers' halves run side by side and the wall time is
  // about half the 2-worker run's CPU: 2 x (1-worker CPU) / (2-worker CPU) estimates the
  // speed-up the machine would give if nothing else ran on it.
  console.log(`  CPU      : ${(c.cpu1 / 1000).toFixed(2)} s with 1 worker, ${(c.cpu2 / 1000).toFixed(2)} s with 2 (all threads): about ${((2 * c.cpu1) / c.cpu2).toFixed(2)}x on two idle cores`);
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
