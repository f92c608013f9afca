// Registry end to end: lockstep's public Registry API against the same operations
// written on JS Maps and Sets, each side in a fresh Node process of its own, cold (the
// first pass after import) and steady (the median of later passes), at 1k, 100k and
// 1M keys. Rounds alternate the sides; medians are printed as ratios.
//
// Times are CPU time of the measuring process (process.cpuUsage), so that other work
// on a shared machine inflates them less than wall time would.
//
// Both sides run the same driver inside `explore` (one process doing the operations
// back to back), and both pay one scheduling point per operation: a Registry call is a
// sync point; the Map side does `await yieldNow()` (the cheapest sync point: a step
// and nothing else) and then its Map/Set work. So "total" compares what a user's
// exploration feels per call, and "own" compares the work besides the step: a side's
// time per call minus a bare `yieldNow()`'s, measured in the same process.
//
// The Map/Set registry is what one would write in plain JS: entries as objects, a Map
// from key to entry (unique) or to a Set of entries (duplicate, insertion-ordered), a
// Map from pid to its Set of entries (for cleanup), a running count, `[pid, value]`
// tuples built for lookup and dispatch. Its cleanup is done by a process that
// monitors the owner, as the Registry's own cleanup process does.
//
// Run: npm run bench:registry            (about 4 minutes; --quick: 1k and 100k, 1 round)
//      node bench/registry.mjs --sizes 1000,100000 --rounds 3
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};


// ---- the parent: fresh processes, alternating sides, medians ----------------------

function parent() {
  const quick = args.includes("--quick");
  const sizes = opt("--sizes", quick ? "1000,100000" : "1000,100000,1000000").split(",").map(Number);
  const rounds = Number(opt("--rounds", quick ? 1 : 3));
  const self = fileURLToPath(import.meta.url);
  const results = {}; // size -> side -> [run, ...]
  for (const n of sizes) {
    results[n] = { lockstep: [], map: [] };
    const r = n >= 1_000_000 ? Math.min(rounds, 2) : rounds;
    for (let k = 0; k < r; k++) {
      for (const side of k % 2 === 0 ? ["lockstep", "map"] : ["map", "lockstep"]) {
        const out = spawnSync(process.execPath, [self, "--child", side, String(n)], { encoding: "utf8", maxBuffer: 1 << 24 });
        if (out.status !== 0) throw new Error(`${side} ${n}: ${out.stderr || out.stdout}`);
        results[n][side].push(JSON.parse(out.stdout.trim().split("\n").pop()));
      }
    }
  }
  report(sizes, rounds, results);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ns) => (ns >= 100 ? Math.round(ns).toLocaleString("en-US") : ns.toFixed(1));
const ratio = (map, ls) => (ls > 0 && map > 0 ? `${(map / ls).toFixed(2)}x` : "-");

function report(sizes, rounds, results) {
  const pad = (s, n) => String(s).padEnd(n);
  const padl = (s, n) => String(s).padStart(n);
  console.log(`Registry end to end, public API vs the same operations on JS Maps and Sets; each side in a fresh process,`);
  console.log(`medians of ${rounds} round(s) (1M keys: at most 2); ns per operation; ratio = Map/Set time / lockstep time (> 1: lockstep faster)`);
  console.log(`node ${process.version}\n`);
  console.log(
    `${pad("operation", 44)}${padl("keys", 10)}${padl("cold ls", 10)}${padl("cold map", 10)}${padl("cold", 8)}` +
      `${padl("steady ls", 11)}${padl("map", 9)}${padl("total", 8)}${padl("own ls", 9)}${padl("own map", 9)}${padl("own", 8)}`,
  );
  for (const op of OPS) {
    for (const n of sizes) {
      const ls = results[n].lockstep, mp = results[n].map;
      const m = (runs, field) => median(runs.map((r) => r[op.name][field]));
      const base = (runs) => median(runs.map((r) => r.yield.steady));
      const cl = m(ls, "cold"), cm = m(mp, "cold"), sl = m(ls, "steady"), sm = m(mp, "steady");
      // own: minus a bare step, for operations that take one step per call
      const ol = op.perCall ? sl - base(ls) : NaN, om = op.perCall ? sm - base(mp) : NaN;
      console.log(
        `${pad(op.label, 44)}${padl(n.toLocaleString("en-US"), 10)}${padl(fmt(cl), 10)}${padl(fmt(cm), 10)}${padl(ratio(cm, cl), 8)}` +
          `${padl(fmt(sl), 11)}${padl(fmt(sm), 9)}${padl(ratio(sm, sl), 8)}` +
          `${padl(op.perCall ? fmt(ol) : "", 9)}${padl(op.perCall ? fmt(om) : "", 9)}${padl(op.perCall ? ratio(om, ol) : "", 8)}`,
      );
    }
  }
  const y = (side) => median(sizes.flatMap((n) => results[n][side].map((r) => r.yield.steady)));
  console.log(`\na bare step (await yieldNow()), steady: ${fmt(y("lockstep"))} ns in the lockstep processes, ${fmt(y("map"))} ns in the Map ones`);
  console.log(`"own" = steady time per call minus a bare step's (the work besides scheduling); noisy when both are small.`);
}

// ---- the operations -------------------------------------------------------------------

/** perCall: one sync point per timed operation, so "own" (minus a bare step) means something. */
const OPS = [
  { name: "register", label: "register a new unique key", perCall: true },
  { name: "lookup", label: "lookup a unique key", perCall: true },
  { name: "count", label: "count", perCall: true },
  { name: "dispatch", label: "dispatch to 1k entries, per entry", perCall: false },
  { name: "select", label: "select, simple spec, per entry scanned", perCall: false },
  { name: "cleanup", label: "cleanup of a dead owner's 1k keys, per key", perCall: false },
  { name: "yield", label: "bare step (await yieldNow())", perCall: false },
];

/**
 * Milliseconds of CPU time this process used (user + system), not wall time: the
 * machine is shared, and time spent descheduled is nobody's cost here.
 */
function cpuNow() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const FAN = 1000; // entries under the dispatched key
const OWNED = 1000; // keys of the owner that dies

/** The Map/Set registry (see the header). */
class MapRegistry {
  constructor(unique) {
    this.unique = unique;
    this.keys = new Map();
    this.pids = new Map();
    this.size = 0;
  }
  register(key, pid, value) {
    if (this.unique) {
      const cur = this.keys.get(key);
      if (cur !== undefined) return { ok: false, error: "already_registered", pid: cur.pid };
    }
    const e = { key, pid, value };
    if (this.unique) this.keys.set(key, e);
    else {
      let s = this.keys.get(key);
      if (s === undefined) this.keys.set(key, (s = new Set()));
      s.add(e);
    }
    let ps = this.pids.get(pid);
    if (ps === undefined) this.pids.set(pid, (ps = new Set()));
    ps.add(e);
    this.size++;
    return { ok: true };
  }
  lookup(key) {
    if (this.unique) {
      const e = this.keys.get(key);
      return e === undefined ? [] : [[e.pid, e.value]];
    }
    const s = this.keys.get(key);
    if (s === undefined) return [];
    const out = [];
    for (const e of s) out.push([e.pid, e.value]);
    return out;
  }
  pidDown(pid) {
    const ps = this.pids.get(pid);
    if (ps === undefined) return 0;
    for (const e of ps) {
      if (this.unique) this.keys.delete(e.key);
      else {
        const s = this.keys.get(e.key);
        s.delete(e);
        if (s.size === 0) this.keys.delete(e.key);
      }
    }
    this.pids.delete(pid);
    this.size -= ps.size;
    return ps.size;
  }
}

async function child(side, n) {
  const L = await import("../dist/index.js");
  const { explore, Registry, yieldNow, self, spawn, send, receive, exit, monitor } = L;
  const passes = n >= 1_000_000 ? 2 : n >= 100_000 ? 4 : 30;
  const keys = Array.from({ length: n }, (_, i) => `room:${i}`);
  const lookups = Math.min(n, 200_000);
  const stride = 7919; // visits keys spread over the whole table
  const counts = Math.min(Math.max(n, 10_000), 50_000);
  const dispatches = 200;
  const cleanups = 20;
  const half = n >> 1;
  const runs = {}; // op -> [ns per op, per pass]
  const note = (op, ms, ops) => (runs[op] ??= []).push((ms * 1e6) / ops);
  let sink = 0;

  const lockstep = {
    async fill(me) {
      const reg = await Registry.start({ keys: "unique", name: "u" });
      const t0 = cpuNow();
      for (let i = 0; i < n; i++) await Registry.register(reg, keys[i], i);
      note("register", cpuNow() - t0, n);
      return reg;
    },
    async lookup(reg) {
      for (let j = 0, i = 0; j < lookups; j++, i = (i + stride) % n) sink += (await Registry.lookup(reg, keys[i])).length;
    },
    async count(reg) {
      for (let j = 0; j < counts; j++) sink += await Registry.count(reg);
    },
    async select(reg) {
      sink += (await Registry.select(reg, [[["$1", "_", "$3"], [[">=", "$3", half]], ["$1"]]])).length;
    },
    async fan(me) {
      const d = await Registry.start({ keys: "duplicate" });
      for (let i = 0; i < FAN; i++) await Registry.register(d, "topic", i);
      return d;
    },
    async dispatch(d) {
      const cb = (entries) => {
        for (const [, v] of entries) sink += v;
      };
      for (let j = 0; j < dispatches; j++) await Registry.dispatch(d, "topic", cb);
    },
    /** An owner registers OWNED keys and dies; time from the kill until its entries are gone. */
    async cleanup(reg, me, round) {
      const owner = await spawn(async () => {
        for (let i = 0; i < OWNED; i++) await Registry.register(reg, `owned:${round}:${i}`, i);
        await send(me, "ready");
        await receive();
      });
      await receive();
      const before = await Registry.count(reg);
      const t0 = cpuNow();
      await exit(owner, "kill");
      while ((await Registry.count(reg)) > before - OWNED) {}
      return cpuNow() - t0;
    },
  };

  const map = {
    async fill(me) {
      const reg = new MapRegistry(true);
      reg.cleaner = await spawn(async () => {
        for (;;) {
          const m = await receive();
          if (m.watch) {
            await monitor(m.watch);
            await send(m.watch, "watched");
          } else if (m.type === "DOWN") reg.pidDown(m.pid);
        }
      });
      const t0 = cpuNow();
      for (let i = 0; i < n; i++) {
        await yieldNow();
        reg.register(keys[i], me, i);
      }
      note("register", cpuNow() - t0, n);
      return reg;
    },
    async lookup(reg) {
      for (let j = 0, i = 0; j < lookups; j++, i = (i + stride) % n) {
        await yieldNow();
        sink += reg.lookup(keys[i]).length;
      }
    },
    async count(reg) {
      for (let j = 0; j < counts; j++) {
        await yieldNow();
        sink += reg.size;
      }
    },
    async select(reg) {
      await yieldNow();
      const out = [];
      for (const e of reg.keys.values()) if (e.value >= half) out.push(e.key);
      sink += out.length;
    },
    async fan(me) {
      const d = new MapRegistry(false);
      for (let i = 0; i < FAN; i++) {
        await yieldNow();
        d.register("topic", me, i);
      }
      return d;
    },
    async dispatch(d) {
      const cb = (entries) => {
        for (const [, v] of entries) sink += v;
      };
      for (let j = 0; j < dispatches; j++) {
        await yieldNow();
        const entries = d.lookup("topic");
        if (entries.length > 0) await cb(entries);
      }
    },
    async cleanup(reg, me, round) {
      const owner = await spawn(async () => {
        const p = self();
        await send(reg.cleaner, { watch: p });
        await receive();
        for (let i = 0; i < OWNED; i++) {
          await yieldNow();
          reg.register(`owned:${round}:${i}`, p, i);
        }
        await send(me, "ready");
        await receive();
      });
      await receive();
      await yieldNow();
      const before = reg.size;
      const t0 = cpuNow();
      await exit(owner, "kill");
      for (;;) {
        await yieldNow();
        if (reg.size <= before - OWNED) break;
      }
      return cpuNow() - t0;
    },
  };

  const S = side === "lockstep" ? lockstep : map;
  // No gc() between operations: V8 flushes the compiled code of functions that did not
  // run across a few full collections, which would make every pass cold again.
  const time = async (op, ops, f) => {
    const t0 = cpuNow();
    await f();
    note(op, cpuNow() - t0, ops);
  };
  const r = await explore(
    async () => {
      const me = self();
      const bare = async () => {
        for (let j = 0; j < counts; j++) await yieldNow();
      };
      await time("yield", counts, bare);
      const reg = await S.fill(me);
      await time("lookup", lookups, () => S.lookup(reg));
      await time("count", counts, () => S.count(reg));
      await time("select", n, () => S.select(reg));
      const d = await S.fan(me);
      await time("dispatch", dispatches * FAN, () => S.dispatch(d));
      let ms = 0;
      for (let k = 0; k < cleanups; k++) ms += await S.cleanup(reg, me, k);
      note("cleanup", ms, cleanups * OWNED);
      await time("yield2", counts, bare);
    },
    { iterations: passes, seed: 1, strategy: "random", maxSteps: 1e9, traceDir: false },
  );
  if (!r.ok) throw new Error(r.bug.message);
  const out = { sink };
  // the bare step's steady figure: the faster of its two measurements per pass
  runs.yield = runs.yield.map((y, i) => (i === 0 ? y : Math.min(y, runs.yield2[i])));
  delete runs.yield2;
  for (const [op, xs] of Object.entries(runs)) out[op] = { cold: xs[0], steady: median(xs.slice(1)) };
  console.log(JSON.stringify(out));
}

if (args[0] === "--child") await child(args[1], Number(args[2]));
else parent();
