// The linearizability checker (src/check: Wing & Gong with Lowe's memoization, plus
// P-compositionality) against a plain permutation search (the same depth-first search
// over real-time-respecting orders, without memoization or partitioning), on generated
// key-value histories of 100 to 100,000 operations: a linearizable one, and the same
// history with one stale read injected near the end (then every order must be refuted,
// which is where search strategies differ). Each measurement runs in this process, one
// after another; a plain search over its budget is reported as "> budget".
//
// Run: npm run bench:checkers   (figures: docs/checkers.md)
import { History, linearizable } from "lockstep";

const BUDGET_MS = 5_000;
const CLIENTS = 5;
const KEYS = 50;

/** splitmix32: a deterministic stream for the generator. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    let z = (s = (s + 0x9e3779b9) >>> 0);
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 0x100000000;
  };
}

/**
 * A linearizable history of `n` get/put operations by CLIENTS concurrent clients: each
 * client invokes, later takes effect atomically on the store (its linearization point),
 * later completes. With `stale`, one get near the end returns an older value of its key.
 */
function generate(n, seed, stale) {
  const rand = rng(seed);
  const h = new History();
  const pids = Array.from({ length: CLIENTS }, (_, i) => ({ client: i }));
  const store = new Map();
  const history = new Map(); // key -> values written, in order
  const state = pids.map(() => ({ phase: "idle", id: -1, result: undefined }));
  let invoked = 0;
  let done = 0;
  while (done < n) {
    const c = Math.floor(rand() * CLIENTS);
    const s = state[c];
    if (s.phase === "idle" && invoked < n) {
      const key = `k${Math.floor(rand() * KEYS)}`;
      const put = rand() < 0.5;
      s.op = { key, put, value: invoked };
      s.id = h.record(pids[c], put ? "put" : "get", put ? { key, value: invoked } : { key });
      s.phase = "invoked";
      invoked++;
    } else if (s.phase === "invoked") {
      const { key, put, value } = s.op;
      if (put) {
        store.set(key, value);
        s.result = undefined;
      } else s.result = store.get(key) ?? null;
      s.phase = "applied";
    } else if (s.phase === "applied") {
      let result = s.result;
      if (stale && done >= n - 20 && !s.op.put) {
        // A value overwritten by a put that completed before this get was invoked: stale.
        const writes = history.get(s.op.key) ?? [];
        const invokedAt = h.ops[s.id].invoke;
        const i = writes.findLastIndex((w, j) => j > 0 && w.completeAt < invokedAt);
        if (i > 0) {
          result = writes[i - 1].value;
          stale = false;
        }
      }
      h.ok(s.id, result);
      if (s.op.put) history.set(s.op.key, [...(history.get(s.op.key) ?? []), { value: s.op.value, completeAt: h.ops[s.id].complete }]);
      s.phase = "idle";
      done++;
    }
  }
  return h;
}

const step = (s, name, args) => {
  const old = s.get(args.key) ?? null;
  if (name === "get") return [old, s];
  return [undefined, new Map(s).set(args.key, args.value)];
};
const key = (s) => JSON.stringify([...s].sort());
const partitioned = {
  init: () => null,
  step: (s, name, args) => (name === "get" ? [s, s] : [undefined, args.value]),
  partition(ops) {
    const by = new Map();
    for (const op of ops) by.set(op.args.key, [...(by.get(op.args.key) ?? []), op]);
    return [...by.values()];
  },
};
const whole = { init: () => new Map(), step, key };

/** The plain search: depth-first over orders that respect real time; no memo, no partitions. */
function plainSearch(h, deadline) {
  const ops = h.ops.slice().sort((a, b) => a.invoke - b.invoke);
  const placed = new Array(ops.length).fill(false);
  let count = 0;
  let calls = 0;
  const go = (state) => {
    if (++calls % 1024 === 0 && performance.now() > deadline) throw new Error("budget");
    if (count === ops.length) return true;
    // The earliest completion among unplaced ops bounds which ops may go next.
    let minComplete = Infinity;
    for (let i = 0; i < ops.length; i++) if (!placed[i] && ops[i].complete < minComplete) minComplete = ops[i].complete;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i] || ops[i].invoke > minComplete) continue;
      const [r, next] = step(state, ops[i].name, ops[i].args);
      if (JSON.stringify(r) !== JSON.stringify(ops[i].result)) continue;
      placed[i] = true;
      count++;
      if (go(next)) return true;
      placed[i] = false;
      count--;
    }
    return false;
  };
  return go(new Map());
}

function time(f) {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
}

const fmt = (ms) => (ms === null ? `> ${BUDGET_MS / 1000} s` : ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`);

console.log(`kv histories: ${CLIENTS} clients, ${KEYS} keys, get/put 50/50; one run each, budget ${BUDGET_MS / 1000} s`);
console.log("| ops | history | partitioned (per key) | unpartitioned | plain permutation search |");
console.log("|---:|---|---:|---:|---:|");
let plainGaveUp = { valid: false, stale: false };
for (const n of [100, 1_000, 10_000, 100_000]) {
  for (const kind of ["valid", "stale"]) {
    const h = generate(n, n, kind === "stale");
    const [a, ta] = time(() => linearizable(h, partitioned).ok);
    // Unpartitioned, refuting a history means exhausting orders of every key's ops at
    // once: run it where it finishes (the point of P-compositionality is the rest).
    const runWhole = kind === "valid" ? n <= 10_000 : n <= 100;
    const [b, tb] = runWhole ? time(() => linearizable(h, whole).ok) : [a, null];
    let tc = null;
    let c = a;
    if (!plainGaveUp[kind]) {
      try {
        [c, tc] = time(() => plainSearch(h, performance.now() + BUDGET_MS));
      } catch {
        plainGaveUp[kind] = true;
      }
    }
    if (a !== b || (tc !== null && a !== c)) throw new Error(`verdicts differ on ${n} ${kind}: ${a} ${b} ${c}`);
    if (a !== (kind === "valid")) throw new Error(`${n} ${kind}: expected ${kind === "valid"}, got ${a}`);
    const un = runWhole ? fmt(tb) : "(not run)";
    console.log(`| ${n.toLocaleString("en")} | ${kind === "valid" ? "linearizable" : "one stale read"} | ${fmt(ta)} | ${un} | ${fmt(tc)} |`);
  }
}
