// lockstep's engine/runtime benchmarks, reported as ratios measured in one run
// (see README "Performance"). Run: npm run bench   (node --expose-gc bench/run.mjs)
import { explore, spawn, send, receive, self, yieldNow } from "lockstep";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { TwinEngine } from "./twin.mjs";
import { bareHandoff } from "./bare-handoff.mjs";

const quick = process.argv.includes("--quick");
const scale = quick ? 0.1 : 1;
const rows = [];
const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2));

async function timed(f) {
  const t0 = performance.now();
  const r = await f();
  return { ms: performance.now() - t0, r };
}

// ---- 1. ping-pong and fan-out vs a bare promise hand-off -----------------------

const PING_ROUNDS = 50;
async function pingPongBody() {
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
}

function fanOut(n) {
  return async function fanOutBody() {
    const me = self();
    for (let i = 0; i < n; i++) await spawn(async () => { await send(me, i); });
    for (let i = 0; i < n; i++) await receive();
  };
}

async function stepsPerSec(body, iterations) {
  const { ms, r } = await timed(() => explore(body, { iterations, seed: 1, strategy: "random", traceDir: false }));
  if (!r.ok) throw new Error(r.bug.format());
  return { stepsPerSec: (r.stats.steps / ms) * 1000, iterPerSec: (iterations / ms) * 1000, steps: r.stats.steps, ms };
}

// ---- 2. lost update: lockstep vs fast-check's scheduler ------------------------
function lostUpdateLockstep() {
  return async function lostUpdate() {
    const state = { x: 0 };
    const me = self();
    const inc = async () => {
      await yieldNow(); // read is scheduled
      const v = state.x;
      await yieldNow(); // write is scheduled
      state.x = v + 1;
      await send(me, "done");
    };
    await spawn(inc); await spawn(inc); await spawn(inc);
    await receive(); await receive(); await receive();
  };
}

async function fastCheckLostUpdate(runs) {
  let decisions = 0;
  const prop = fc.asyncProperty(fc.scheduler(), async (s) => {
    const state = { x: 0 };
    const read = s.scheduleFunction(async () => state.x);
    const write = s.scheduleFunction(async (v) => { state.x = v; });
    const inc = async () => { const v = await read(); await write(v + 1); };
    // waitFor, not waitAll: each write is scheduled only after its read resolved.
    await s.waitFor(Promise.all([inc(), inc(), inc()]));
    decisions += 6;
    return true;
  });
  const { ms } = await timed(() => fc.assert(prop, { numRuns: runs, seed: 1 }));
  return { runsPerSec: (runs / ms) * 1000, decisionsPerSec: (decisions / ms) * 1000 };
}

// ---- 3. engine tables vs the typed-array twin ----------------------------------
function recordOps(n) {
  // A seeded stream of run-queue / timer / monitor operations with valid arguments.
  let s = 12345;
  const rnd = (k) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % k);
  const ops = new Int32Array(n * 2);
  let procs = 0, timers = 0, pending = 0, mons = 0;
  for (let i = 0; i < n; i++) {
    let op = rnd(10);
    if (procs < 64) op = 0;
    let arg = 0;
    switch (op) {
      case 0: if (procs >= 4000) op = 3; else procs++; break;
      case 1: case 2: arg = 1 + rnd(procs); break;
      case 4: arg = 1 + rnd(1000); timers++; pending++; break;
      case 5: arg = timers ? rnd(timers) : 0; break;
      case 6: if (pending === 0) op = 3; else pending--; break;
      case 7: arg = 1 + rnd(procs); mons++; break;
      case 8: arg = mons ? rnd(mons) : 0; break;
      case 9: arg = 1 + rnd(procs); break;
    }
    ops[2 * i] = op; ops[2 * i + 1] = arg;
  }
  return ops;
}

async function engineVsTwin(n) {
  const bytes = readFileSync(new URL("../dist/engine.wasm", import.meta.url));
  const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() { throw new Error("abort"); } } });
  const e = instance.exports;
  const ops = recordOps(n);
  const runWasm = () => {
    e.begin(1, 0, 1, 0, 0, 0, 0, 0);
    let acc = 0;
    for (let i = 0; i < ops.length; i += 2) {
      const a = ops[i + 1];
      switch (ops[i]) {
        case 0: acc += e.spawn(0); break;
        case 1: e.disable(a); break;
        case 2: e.enable(a); break;
        case 3: if (e.runnableCount() > 0) acc += e.pick(0); break;
        case 4: acc += e.addTimer(1, a); break;
        case 5: acc += e.cancelTimer(a); break;
        case 6: acc += e.popTimer(); break;
        case 7: acc += e.monAdd(1, a); break;
        case 8: acc += e.monRemove(a); break;
        case 9: acc += e.monTargetDown(a); break;
      }
    }
    return acc;
  };
  const t = new TwinEngine();
  const runTwin = () => {
    t.begin();
    let acc = 0;
    for (let i = 0; i < ops.length; i += 2) {
      const a = ops[i + 1];
      switch (ops[i]) {
        case 0: acc += t.spawn(); break;
        case 1: t.disable(a); break;
        case 2: t.enable(a); break;
        case 3: if (t.n > 0) acc += t.pickFast(); break;
        case 4: acc += t.addTimer(a); break;
        case 5: acc += t.cancelTimer(a) ? 1 : 0; break;
        case 6: acc += t.hsize > 0 ? t.popTimer() : -1; break;
        case 7: acc += t.monAdd(a); break;
        case 8: acc += t.monRemove(a) ? 1 : 0; break;
        case 9: acc += t.monDown(a); break;
      }
    }
    return acc;
  };
  // warm up both, then alternate measurements and keep the best of 5
  for (let i = 0; i < 3; i++) { runWasm(); runTwin(); }
  let bw = Infinity, bt = Infinity;
  for (let i = 0; i < 5; i++) {
    let t0 = performance.now(); runWasm(); bw = Math.min(bw, performance.now() - t0);
    t0 = performance.now(); runTwin(); bt = Math.min(bt, performance.now() - t0);
  }
  return { wasmOpsPerSec: (n / bw) * 1000, twinOpsPerSec: (n / bt) * 1000 };
}

// ---- 4. per-step cost by process count, heap over iterations -------------------
async function heapAfter(iterations) {
  await explore(pingPongBody, { iterations, seed: 7, strategy: "random", traceDir: false });
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

async function main() {
  console.log(`lockstep benchmarks (node ${process.version}${quick ? ", --quick" : ""})\n`);
  await explore(pingPongBody, { iterations: 50, seed: 1, traceDir: false });

  const rounds = Math.round(200000 * scale);
  await bareHandoff(1000);
  const bare = await timed(() => bareHandoff(rounds));
  const bareRate = (rounds / bare.ms) * 1000;
  const pp = await stepsPerSec(pingPongBody, Math.round(2000 * scale));
  const fo = await stepsPerSec(fanOut(100), Math.round(200 * scale));
  // A ping-pong round (send, receive, send back, receive) is two hand-offs between
  // the processes; compare rounds with the bare floor's pairs of hand-offs.
  const bareRounds = bareRate / 2;
  const ppRounds = (pp.iterPerSec * PING_ROUNDS);
  rows.push(["bare promise hand-off (floor)", `${fmt(bareRounds)} round trips/s`, "1.00x"]);
  rows.push(["ping-pong, 2 processes (random)", `${fmt(ppRounds)} round trips/s, ${fmt(pp.stepsPerSec)} steps/s`, `${(bareRounds / ppRounds).toFixed(2)}x the floor's time per round trip`]);
  rows.push(["fan-out, 100 processes (random)", `${fmt(fo.stepsPerSec)} steps/s`, ""]);

  const runs = Math.round(20000 * scale);
  const fcr = await fastCheckLostUpdate(Math.round(runs / 4));
  const lu = await stepsPerSec(lostUpdateLockstep(), runs);
  rows.push(["lost update, fast-check fc.scheduler", `${fmt(fcr.decisionsPerSec)} decisions/s, ${fmt(fcr.runsPerSec)} runs/s`, "1.00x"]);
  rows.push(["lost update, lockstep (random)", `${fmt(lu.stepsPerSec)} decisions/s, ${fmt(lu.iterPerSec)} iterations/s`, `${(lu.stepsPerSec / fcr.decisionsPerSec).toFixed(1)}x decisions/s, ${(lu.iterPerSec / fcr.runsPerSec).toFixed(1)}x runs/s`]);

  const tw = await engineVsTwin(Math.round(2000000 * scale));
  rows.push(["engine tables (wasm), recorded op stream", `${fmt(tw.wasmOpsPerSec)} ops/s`, `${(tw.wasmOpsPerSec / tw.twinOpsPerSec).toFixed(2)}x the typed-array twin`]);
  rows.push(["typed-array JS twin, same stream", `${fmt(tw.twinOpsPerSec)} ops/s`, "1.00x"]);

  for (const n of [10, 100, 1000, 10000]) {
    const iters = Math.max(2, Math.round((quick ? 2000 : 20000) / n));
    const r = await stepsPerSec(fanOut(n), iters);
    rows.push([`fan-out, ${n} processes`, `${fmt(1e9 / r.stepsPerSec)} ns/step`, ""]);
  }
  const h1 = await heapAfter(1000);
  const h2 = await heapAfter(Math.round(100000 * scale));
  rows.push(["heap after 1,000 iterations", `${(h1 / 1048576).toFixed(1)} MiB`, ""]);
  rows.push([`heap after ${Math.round(100000 * scale).toLocaleString("en-US")} iterations`, `${(h2 / 1048576).toFixed(1)} MiB`, `${(h2 / h1).toFixed(2)}x${globalThis.gc ? "" : " (run with --expose-gc for exact figures)"}`]);

  const w = [0, 0, 0];
  for (const r of rows) r.forEach((c, i) => (w[i] = Math.max(w[i], c.length)));
  console.log(rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join("  ")).join("\n"));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
