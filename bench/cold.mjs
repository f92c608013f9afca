// Cold vs steady: what a user's `ctest` of 1,000-2,000 iterations feels, against the
// warmed-up rate. Each measurement runs in a fresh Node process of its own (this file
// with --side), so one tool's JIT state and leftover work never touch the other's:
//   cold    the first 2,000 iterations after import, engine load included;
//   steady  10,000 iterations after 10,000 of warm-up, best of 3 rounds (a window long
//           enough that one pause of the shared machine does not decide it).
// Two pairs, each the same program on both sides:
//   lost update  the 3-task read/await/write race, lockstep's controlled() vs
//                fast-check's fc.scheduler + scheduleFunction (bench/controlled-vs-fastcheck.mjs);
//   ping-pong    50 round trips between two processes vs a bare promise hand-off doing
//                the same number of round trips (bench/run.mjs).
// Sides alternate over 3 rounds (1 with --quick) and the medians are printed as ratios.
// First-call latency: a fresh process per measurement, from `import` of the tool to the
// result of one iteration of the lost update (lockstep's explore against fast-check's
// fc.assert with a scheduler, numRuns 1), 7 rounds alternating (3 with --quick).
//
// Run: npm run bench:cold   (npm run build && node bench/cold.mjs [--quick])
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const WINDOW = 2000;
const STEADY_WINDOW = 10000;
const WARMUP = 10000;
const PING_ROUNDS = 50;

const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : null);

// ---- the lost update, the same program on both sides ----------------------------------
const lostUpdate = (controlled) => async () => {
  let value = 0;
  const read = controlled(async () => value);
  const write = controlled(async (v) => { value = v; });
  const inc = async () => { const v = await read(); await write(v + 1); };
  await Promise.all([inc(), inc(), inc()]);
};
const lostUpdateProperty = (fc) =>
  fc.asyncProperty(fc.scheduler(), async (s) => {
    let value = 0;
    const read = s.scheduleFunction(async () => value);
    const write = s.scheduleFunction(async (v) => { value = v; });
    const inc = async () => { const v = await read(); await write(v + 1); };
    await s.waitFor(Promise.all([inc(), inc(), inc()]));
    return true; // throughput over every run, not the time to the first failure
  });

// ---- the four sides: each runs `n` iterations (or the same work) and returns ms -------
const sides = {
  async lockstep(n) {
    const { explore, controlled } = await import("lockstep");
    const body = lostUpdate(controlled);
    const t0 = performance.now();
    const r = await explore(body, { iterations: n, seed: 1, strategy: "random", traceDir: false });
    const ms = performance.now() - t0;
    if (!r.ok) throw new Error(r.bug.format());
    return ms;
  },
  async fastcheck(n) {
    const { default: fc } = await import("fast-check");
    const prop = lostUpdateProperty(fc);
    const t0 = performance.now();
    await fc.assert(prop, { numRuns: n, seed: 1 });
    return performance.now() - t0;
  },
  async pingpong(n) {
    const { explore, spawn, send, receive, self } = await import("lockstep");
    const body = async () => {
      const me = self();
      const peer = await spawn(async () => {
        for (let i = 0; i < PING_ROUNDS; i++) {
          const m = await receive();
          await send(m, "pong");
        }
      });
      for (let i = 0; i < PING_ROUNDS; i++) {
        await send(peer, me);
        await receive();
      }
    };
    const t0 = performance.now();
    const r = await explore(body, { iterations: n, seed: 1, strategy: "random", traceDir: false });
    const ms = performance.now() - t0;
    if (!r.ok) throw new Error(r.bug.format());
    return ms;
  },
  async bare(n) {
    // n * PING_ROUNDS round trips, two hand-offs each.
    const { bareHandoff } = await import("./bare-handoff.mjs");
    const t0 = performance.now();
    await bareHandoff(2 * n * PING_ROUNDS);
    return performance.now() - t0;
  },
};

// ---- first-call latency: import, one iteration, result; ms since before the import ---
// process.hrtime, not performance.now: reading `performance` loads Node's perf_hooks
// (a few ms), which only a tool that uses it should pay.
const hrMs = () => {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
};
const firsts = {
  async lockstep() {
    const t0 = hrMs();
    const { explore, controlled } = await import("lockstep");
    const body = lostUpdate(controlled);
    const r = await explore(body, { iterations: 1, seed: 1, strategy: "random", traceDir: false });
    if (!r.ok) throw new Error(r.bug.format());
    return hrMs() - t0;
  },
  async fastcheck() {
    const t0 = hrMs();
    const { default: fc } = await import("fast-check");
    const prop = lostUpdateProperty(fc);
    await fc.assert(prop, { numRuns: 1, seed: 1 });
    return hrMs() - t0;
  },
};

const first = arg("--first");
const side = arg("--side");
if (first !== null) {
  // A child: one first call; prints its latency in ms.
  const c0 = process.cpuUsage();
  const ms = await firsts[first]();
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ first, ms, cpuMs: (c.user + c.system) / 1000 }));
} else if (side !== null) {
  // A child: one side, one window; prints iterations per second.
  const run = sides[side];
  const steady = arg("--window") === "steady";
  const window = Number(arg("--iterations") ?? (steady ? STEADY_WINDOW : WINDOW));
  // Also the window's CPU time (user + system, this process): on a shared machine it
  // moves less than wall time when other work takes the cores.
  const cpuMs = (c) => (c.user + c.system) / 1000;
  let ms;
  let cpu;
  if (steady) {
    await run(WARMUP);
    ms = Infinity;
    cpu = Infinity;
    for (let round = 0; round < 3; round++) {
      const c0 = process.cpuUsage();
      ms = Math.min(ms, await run(window));
      cpu = Math.min(cpu, cpuMs(process.cpuUsage(c0)));
    }
  } else {
    const c0 = process.cpuUsage();
    ms = await run(window);
    cpu = cpuMs(process.cpuUsage(c0));
  }
  console.log(JSON.stringify({ side, perSec: (window / ms) * 1000, perCpuSec: (window / cpu) * 1000 }));
} else {
  const self = fileURLToPath(import.meta.url);
  const rounds = process.argv.includes("--quick") ? 1 : 3;
  const measure = (s, w) => JSON.parse(execFileSync(process.execPath, [self, "--side", s, "--window", w], { encoding: "utf8" }).trim().split("\n").pop());
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  // Wall-clock rates, and rates per second of the process's own CPU time (user +
  // system), which a busy shared machine disturbs less: both are printed.
  const rate = {};
  const cpuRate = {};
  for (const w of ["cold", "steady"]) for (const s of Object.keys(sides)) rate[`${s}/${w}`] = [];
  for (const w of ["cold", "steady"]) for (const s of Object.keys(sides)) cpuRate[`${s}/${w}`] = [];
  for (let round = 0; round < rounds; round++) {
    for (const w of ["cold", "steady"]) {
      for (const s of Object.keys(sides)) {
        const r = measure(s, w);
        rate[`${s}/${w}`].push(r.perSec);
        cpuRate[`${s}/${w}`].push(r.perCpuSec);
      }
    }
  }
  const m = (k) => median(rate[k]);
  const mc = (k) => median(cpuRate[k]);
  const fmt = (n) => Math.round(n).toLocaleString("en-US");
  const rows = [];
  for (const w of ["cold", "steady"]) {
    const what = w === "cold" ? `first ${WINDOW.toLocaleString("en-US")} iterations` : "steady";
    rows.push([`lost update, ${what}`, `${fmt(m(`lockstep/${w}`))} vs ${fmt(m(`fastcheck/${w}`))} iterations/s`, `${(m(`lockstep/${w}`) / m(`fastcheck/${w}`)).toFixed(1)}x fast-check`, `${(mc(`lockstep/${w}`) / mc(`fastcheck/${w}`)).toFixed(1)}x`]);
  }
  for (const w of ["cold", "steady"]) {
    const what = w === "cold" ? `first ${WINDOW.toLocaleString("en-US")} iterations` : "steady";
    const pp = m(`pingpong/${w}`) * PING_ROUNDS;
    const bare = m(`bare/${w}`) * PING_ROUNDS;
    rows.push([`ping-pong, ${what}`, `${fmt(pp)} vs ${fmt(bare)} round trips/s`, `${(pp / bare).toFixed(2)} of the bare hand-off`, `${(mc(`pingpong/${w}`) / mc(`bare/${w}`)).toFixed(2)}`]);
  }
  const firstRounds = process.argv.includes("--quick") ? 3 : 7;
  const latency = { lockstep: [], fastcheck: [] };
  for (let round = 0; round < firstRounds; round++) {
    for (const f of Object.keys(firsts)) latency[f].push(JSON.parse(execFileSync(process.execPath, [self, "--first", f], { encoding: "utf8" }).trim().split("\n").pop()));
  }
  const ls = median(latency.lockstep.map((x) => x.ms));
  const fcMs = median(latency.fastcheck.map((x) => x.ms));
  const lsCpu = median(latency.lockstep.map((x) => x.cpuMs));
  const fcCpu = median(latency.fastcheck.map((x) => x.cpuMs));
  rows.push([`first call (import to result, 1 iteration)`, `${ls.toFixed(1)} vs ${fcMs.toFixed(1)} ms`, `${(fcMs / ls).toFixed(2)}x fast-check's speed`, `${(fcCpu / lsCpu).toFixed(2)}x`]);
  const cs = m("lockstep/cold") / m("lockstep/steady");
  rows.unshift(["", "lockstep vs the other (wall clock)", "ratio (wall clock)", "ratio (CPU time)"]);
  const width = [0, 0, 0, 0];
  for (const r of rows) r.forEach((c, i) => (width[i] = Math.max(width[i], c.length)));
  console.log(`cold (fresh process, first ${WINDOW} iterations) vs steady (${STEADY_WINDOW} after ${WARMUP} of warm-up); medians of ${rounds} round(s), node ${process.version}\n`);
  console.log(rows.map((r) => r.map((c, i) => c.padEnd(width[i])).join("  ")).join("\n"));
  console.log(`\nlockstep's lost update runs cold at ${(100 * cs).toFixed(0)}% of its steady rate; first call: medians of ${firstRounds} fresh processes per side`);
}
