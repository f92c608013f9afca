// History and the consistency checkers (src/check): hand-written histories, a
// property test against a brute-force enumerator of all orders, a large partitioned
// history, and an end-to-end lost update found inside explore().
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { explore, spawn, send, receive, self, SharedCell, History, linearizable, sequentiallyConsistent, Outcome, type Model, type Op, type Pid } from "lockstep";

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/** A read/write register holding a number (initially 0). */
const register: Model<number> = {
  init: () => 0,
  step: (s, name, args) => (name === "read" ? [s, s] : [undefined, args as number]),
};

/** A key-value store; operations on different keys are checked independently. */
const kv: Model<Record<string, number>> = {
  init: () => ({}),
  step(s, name, args) {
    const { key, value } = args as { key: string; value?: number };
    if (name === "get") return [s[key] ?? null, s];
    return [undefined, { ...s, [key]: value! }];
  },
  partition(ops) {
    const groups = new Map<string, Op[]>();
    for (const op of ops) {
      const k = (op.args as { key: string }).key;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(op);
    }
    return [...groups.values()];
  },
};

/** Fake process identities for histories recorded outside explore(). */
const P = [{ p: 0 }, { p: 1 }, { p: 2 }] as unknown as Pid[];

/** A history from a script of events: ["inv", proc, id, name, args] / ["ok" | "fail" | "info", id, result?]. */
function script(events: (readonly unknown[])[]): History {
  const h = new History();
  const ids = new Map<string, number>();
  for (const e of events) {
    if (e[0] === "inv") ids.set(e[2] as string, h.record(P[e[1] as number], e[3] as string, e[4]));
    else if (e[0] === "ok") h.ok(ids.get(e[1] as string)!, e[2]);
    else if (e[0] === "fail") h.fail(ids.get(e[1] as string)!, e[2]);
    else h.info(ids.get(e[1] as string)!);
  }
  return h;
}

describe("History", () => {
  it("records process, name, args, invoke and completion indices and the outcome", () => {
    const h = new History();
    const a = h.invoke("write", 1);
    const b = h.invoke("read");
    h.ok(b, 0);
    h.fail(a, "timeout");
    const c = h.invoke("write", 2);
    h.info(c);
    expect(h.ops.map((o) => [o.id, o.process, o.name, o.args, o.invoke, o.complete, o.outcome, o.result])).toEqual([
      [0, undefined, "write", 1, 0, 3, Outcome.Fail, "timeout"],
      [1, undefined, "read", undefined, 1, 2, Outcome.Ok, 0],
      [2, undefined, "write", 2, 4, Infinity, Outcome.Info, undefined],
    ]);
    expect(() => h.ok(a, 1)).toThrow(/already completed/);
    expect(() => h.ok(99, 1)).toThrow(/expects an operation returned by invoke/);
  });

  it("rejects a bad model or history with a clear error", () => {
    expect(() => linearizable(new History(), {} as Model)).toThrow(/expects a model/);
    expect(() => linearizable({} as History, register)).toThrow(/expects a History/);
  });
});

describe("linearizable / sequentiallyConsistent", () => {
  it("accepts a linearizable history with overlapping operations", () => {
    const h = script([
      ["inv", 0, "w1", "write", 1],
      ["inv", 1, "r1", "read"],
      ["ok", "r1", 1], // overlaps the write: may see it
      ["ok", "w1"],
      ["inv", 1, "r2", "read"],
      ["ok", "r2", 1],
      ["inv", 2, "r3", "read"],
      ["inv", 0, "w2", "write", 2],
      ["ok", "r3", 2],
      ["ok", "w2"],
    ]);
    expect(linearizable(h, register)).toEqual({ ok: true });
    expect(sequentiallyConsistent(h, register)).toEqual({ ok: true });
  });

  it("rejects a stale read after a completed write, which is still sequentially consistent", () => {
    const h = script([
      ["inv", 2, "r0", "read"],
      ["ok", "r0", 0],
      ["inv", 0, "w1", "write", 1],
      ["ok", "w1"],
      ["inv", 1, "r1", "read"],
      ["ok", "r1", 0], // stale: the write completed before this read began
      ["inv", 2, "r2", "read"],
      ["ok", "r2", 1],
    ]);
    const r = linearizable(h, register);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // The smallest failing subsequence: the write and the stale read.
    expect(r.ops.map((o) => `${o.name}:${String(o.result)}`).sort()).toEqual(["read:0", "write:undefined"]);
    expect(r.explanation).toMatch(/no linearization exists: #\d+ .*read\(\) -> 0 .* has no legal place/);
    expect(r.explanation).toMatch(/returns 1, not 0/);
    // Process 1 never saw anything but the stale value: ordering it first is legal.
    expect(sequentiallyConsistent(h, register)).toEqual({ ok: true });
  });

  it("rejects a history that is not even sequentially consistent (a process reads back in time)", () => {
    const h = script([
      ["inv", 0, "w1", "write", 1],
      ["ok", "w1"],
      ["inv", 1, "r1", "read"],
      ["ok", "r1", 1],
      ["inv", 1, "r2", "read"],
      ["ok", "r2", 0],
    ]);
    const r = sequentiallyConsistent(h, register);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.ops.map((o) => o.id)).toEqual([0, 1, 2]);
      expect(r.explanation).toMatch(/no sequentially consistent order exists: #2 .*read.* -> 0/);
    }
  });

  it("info ops may take effect any time after their invocation, or never; fail ops never", () => {
    const seen = (v: number, outcome: "info" | "fail") =>
      script([
        ["inv", 0, "w", "write", 1],
        [outcome, "w"],
        ["inv", 1, "r", "read"],
        ["ok", "r", v],
      ]);
    expect(linearizable(seen(1, "info"), register).ok).toBe(true); // it happened
    expect(linearizable(seen(0, "info"), register).ok).toBe(true); // not (yet)
    expect(linearizable(seen(0, "fail"), register).ok).toBe(true);
    const r = linearizable(seen(1, "fail"), register); // a failed write was observed
    expect(r.ok).toBe(false);
    // An info write seen, then unseen: once it took effect it stays.
    const flip = script([
      ["inv", 0, "w", "write", 1],
      ["info", "w"],
      ["inv", 1, "r1", "read"],
      ["ok", "r1", 1],
      ["inv", 1, "r2", "read"],
      ["ok", "r2", 0],
    ]);
    expect(linearizable(flip, register).ok).toBe(false);
    expect(sequentiallyConsistent(flip, register).ok).toBe(false);
    // An info write invoked after the read completed cannot explain it.
    const late = script([
      ["inv", 1, "r", "read"],
      ["ok", "r", 1],
      ["inv", 0, "w", "write", 1],
      ["info", "w"],
    ]);
    expect(linearizable(late, register).ok).toBe(false);
    expect(sequentiallyConsistent(late, register).ok).toBe(true);
    // A never-completed op counts as info.
    const pending = script([["inv", 0, "w", "write", 1], ["inv", 1, "r", "read"], ["ok", "r", 1]]);
    expect(linearizable(pending, register).ok).toBe(true);
  });

  it("checks each key of a partitioned model independently and names the failing key's ops", () => {
    const h = script([
      ["inv", 0, "a1", "put", { key: "a", value: 1 }],
      ["inv", 1, "b1", "put", { key: "b", value: 1 }],
      ["ok", "a1"],
      ["ok", "b1"],
      ["inv", 2, "ga", "get", { key: "a" }],
      ["ok", "ga", 1],
      ["inv", 2, "gb", "get", { key: "b" }],
      ["ok", "gb", null], // stale
    ]);
    const r = linearizable(h, kv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.ops.map((o) => (o.args as { key: string }).key)).toEqual(["b", "b"]);
    expect(sequentiallyConsistent(h, kv).ok).toBe(true);
  });

  it("compares results as Erlang terms (structural arrays and objects)", () => {
    const pairs: Model<number[]> = { init: () => [], step: (s, name, a) => (name === "push" ? [s.length + 1, [...s, a as number]] : [{ items: s }, s]) };
    const h = script([["inv", 0, "p", "push", 7], ["ok", "p", 1], ["inv", 0, "l", "list"], ["ok", "l", { items: [7] }]]);
    expect(linearizable(h, pairs)).toEqual({ ok: true });
  });
});

// ---------------------------------------------------------------------------
// Property: the checkers agree with brute force on small histories
// ---------------------------------------------------------------------------

/** All orders of the ops (each info op included or not), kept if `before` and the model allow. */
function bruteForce(h: History, model: Model<number>, before: (a: Op, b: Op) => boolean): boolean {
  const ops = h.ops.filter((o) => o.outcome !== Outcome.Fail);
  const optional = ops.filter((o) => o.outcome !== Outcome.Ok);
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const chosen = ops.filter((o) => o.outcome === Outcome.Ok || (mask >> optional.indexOf(o)) & 1);
    if (permutations(chosen).some((order) => legal(order))) return true;
  }
  return false;

  function legal(order: Op[]): boolean {
    for (let i = 0; i < order.length; i++) for (let j = i + 1; j < order.length; j++) if (before(order[j], order[i])) return false;
    let s = model.init();
    for (const op of order) {
      const [r, next] = model.step(s, op.name, op.args);
      if (op.outcome === Outcome.Ok && r !== op.result) return false;
      s = next;
    }
    return true;
  }
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

const realTime = (a: Op, b: Op) => a.complete < b.invoke;
const programOrder = (a: Op, b: Op) => a.process === b.process && a.invoke < b.invoke;

interface GenOp {
  proc: number;
  write: boolean;
  value: number;
  outcome: "ok" | "info" | "fail";
  /** Take effect at invocation (true) or completion; a read reports the value then. */
  early: boolean;
  /** Report this value instead (0..2), or -1 for the true one. */
  lie: number;
}

const genOp: fc.Arbitrary<GenOp> = fc.record({
  proc: fc.nat(2),
  write: fc.boolean(),
  value: fc.integer({ min: 1, max: 2 }),
  outcome: fc.constantFrom("ok", "ok", "ok", "info", "fail"),
  early: fc.boolean(),
  lie: fc.constantFrom(-1, -1, 0, 1, 2),
});

/** Runs the ops on a real register under a schedule: each process does its ops in turn. */
function simulate(gen: GenOp[], schedule: number[]): History {
  const h = new History();
  const queues = [0, 1, 2].map((p) => gen.filter((g) => g.proc === p));
  const inFlight: ({ id: number; g: GenOp; seen: number } | null)[] = [null, null, null];
  let reg = 0;
  const apply = (g: GenOp) => {
    if (g.write && g.outcome !== "fail") reg = g.value;
    return reg;
  };
  let step = 0;
  while (queues.some((q) => q.length > 0) || inFlight.some((f) => f !== null)) {
    const live = [0, 1, 2].filter((p) => queues[p].length > 0 || inFlight[p] !== null);
    const p = live[schedule[step++ % schedule.length] % live.length];
    const f = inFlight[p];
    if (f === null) {
      const g = queues[p].shift()!;
      const id = h.record(P[p], g.write ? "write" : "read", g.write ? g.value : undefined);
      inFlight[p] = { id, g, seen: g.early ? apply(g) : -1 };
    } else {
      const seen = f.g.early ? f.seen : apply(f.g);
      const result = f.g.write ? undefined : f.g.lie >= 0 ? f.g.lie : seen;
      if (f.g.outcome === "ok") h.ok(f.id, result);
      else if (f.g.outcome === "fail") h.fail(f.id);
      else h.info(f.id);
      inFlight[p] = null;
    }
  }
  return h;
}

/** A FIFO queue: enq(x) -> undefined, deq() -> the oldest element, or "empty". */
const queue: Model<readonly unknown[]> = {
  init: () => [],
  step: (q, name, args) => (name === "enq" ? [undefined, [...q, args]] : q.length === 0 ? ["empty", q] : [q[0], q.slice(1)]),
};

describe("known answers from the literature", () => {
  // Herlihy & Wing, "Linearizability" (TOPLAS 1990), Figure 1: FIFO queue histories
  // H1-H4 of processes A, B, C (written here with the same overlaps).
  it("H&W H1: concurrent enqueues may take effect in either order (linearizable)", () => {
    const h = script([
      ["inv", 0, "ea", "enq", "x"],
      ["inv", 1, "eb", "enq", "y"],
      ["ok", "eb"],
      ["inv", 1, "db", "deq"],
      ["ok", "ea"],
      ["ok", "db", "x"],
      ["inv", 0, "da", "deq"],
      ["ok", "da", "y"],
    ]);
    expect(linearizable(h, queue)).toEqual({ ok: true });
  });

  it("H&W H2: x enqueued before y completes first, yet y is dequeued first (not linearizable)", () => {
    const h = script([
      ["inv", 0, "ea", "enq", "x"],
      ["ok", "ea"],
      ["inv", 1, "eb", "enq", "y"],
      ["ok", "eb"],
      ["inv", 0, "da", "deq"],
      ["ok", "da", "y"],
    ]);
    const r = linearizable(h, queue);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.explanation).toMatch(/deq\(\) -> "y"/);
    // Sequential consistency only keeps each process's order: B's enqueue may go first.
    expect(sequentiallyConsistent(h, queue)).toEqual({ ok: true });
  });

  it("H&W H3: a dequeue overlapping the enqueue may see its element (linearizable)", () => {
    const h = script([
      ["inv", 0, "ea", "enq", "x"],
      ["inv", 1, "db", "deq"],
      ["ok", "ea"],
      ["ok", "db", "x"],
    ]);
    expect(linearizable(h, queue)).toEqual({ ok: true });
  });

  it("H&W H4: one element dequeued twice (not linearizable, not sequentially consistent)", () => {
    const h = script([
      ["inv", 0, "ea", "enq", "x"],
      ["inv", 1, "eb", "enq", "y"],
      ["ok", "ea"],
      ["ok", "eb"],
      ["inv", 0, "da", "deq"],
      ["inv", 1, "db", "deq"],
      ["ok", "da", "y"],
      ["ok", "db", "y"],
    ]);
    expect(linearizable(h, queue).ok).toBe(false);
    expect(sequentiallyConsistent(h, queue).ok).toBe(false);
  });

  it("a lost write: two writes complete, a later read sees the initial value (not linearizable)", () => {
    const h = script([
      ["inv", 0, "w1", "write", 1],
      ["inv", 1, "w2", "write", 2],
      ["ok", "w1"],
      ["ok", "w2"],
      ["inv", 2, "r", "read"],
      ["ok", "r", 0],
    ]);
    const r = linearizable(h, register);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.ops.map((o) => o.name).sort()).toEqual(["read", "write"]);
  });

  it("a read overlapping two writes may see either, but a later read may not go back", () => {
    const ok = script([
      ["inv", 0, "w1", "write", 1],
      ["ok", "w1"],
      ["inv", 1, "w2", "write", 2],
      ["inv", 2, "r1", "read"],
      ["ok", "r1", 1],
      ["inv", 2, "r2", "read"],
      ["ok", "r2", 2],
      ["ok", "w2"],
    ]);
    expect(linearizable(ok, register)).toEqual({ ok: true });
    const back = script([
      ["inv", 0, "w1", "write", 1],
      ["ok", "w1"],
      ["inv", 1, "w2", "write", 2],
      ["inv", 2, "r1", "read"],
      ["ok", "r1", 2],
      ["inv", 2, "r2", "read"],
      ["ok", "r2", 1],
      ["ok", "w2"],
    ]);
    expect(linearizable(back, register).ok).toBe(false);
  });
});

describe("property: agrees with a brute-force enumerator of all orders (≤ 6 ops)", () => {
  it("linearizable and sequentiallyConsistent", () => {
    let failures = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.array(genOp, { minLength: 2, maxLength: 6 }), fc.array(fc.nat(5), { minLength: 12, maxLength: 12 }), (gen, schedule) => {
        const h = simulate(gen, schedule);
        const lin = linearizable(h, register);
        const sc = sequentiallyConsistent(h, register);
        runs++;
        if (!lin.ok) failures++;
        expect(lin.ok).toBe(bruteForce(h, register, realTime));
        expect(sc.ok).toBe(bruteForce(h, register, programOrder));
        if (!lin.ok) {
          // The reported subsequence fails on its own, and every op it names is in the history.
          const sub = new History();
          for (const op of lin.ops) sub.ops.push({ ...op, id: sub.ops.length });
          expect(bruteForce(sub, register, realTime)).toBe(false);
          expect(lin.ops.every((o) => h.ops.includes(o))).toBe(true);
        }
      }),
      { seed: 20261127, numRuns: 10_000 },
    );
    // Both verdicts occur often enough for the comparison to mean something.
    expect(failures).toBeGreaterThan(runs / 10);
    expect(failures).toBeLessThan(runs - runs / 10);
  });
});

// ---------------------------------------------------------------------------
// A large partitioned history
// ---------------------------------------------------------------------------

/** A seeded LCG. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** 10,000 ops by 8 processes on 10 keys of a real store, each taking effect inside its interval. */
function bigKvHistory(seed: number): History {
  const rand = rng(seed);
  const h = new History();
  const store: Record<string, number> = {};
  const inFlight: ({ id: number; put: boolean; key: string; value: number; done: boolean; seen: number | null } | null)[] = new Array(8).fill(null);
  let invoked = 0;
  while (invoked < 10_000 || inFlight.some((f) => f !== null)) {
    const p = Math.floor(rand() * 8);
    const f = inFlight[p];
    if (f === null) {
      if (invoked >= 10_000) continue;
      invoked++;
      const key = `k${Math.floor(rand() * 10)}`;
      const put = rand() < 0.5;
      const value = Math.floor(rand() * 1000);
      const id = h.record(P[p % 3], put ? "put" : "get", put ? { key, value } : { key });
      inFlight[p] = { id, put, key, value, done: false, seen: null };
    } else if (!f.done && rand() < 0.5) {
      // The linearization point.
      f.done = true;
      if (f.put) store[f.key] = f.value;
      else f.seen = store[f.key] ?? null;
    } else {
      if (!f.done) {
        if (f.put) store[f.key] = f.value;
        else f.seen = store[f.key] ?? null;
      }
      if (rand() < 0.01) h.info(f.id);
      else h.ok(f.id, f.put ? undefined : f.seen);
      inFlight[p] = null;
    }
  }
  return h;
}

describe("a 10,000-op partitioned key-value history", () => {
  it("is checked (and a single stale read in it found and shrunk)", () => {
    const h = bigKvHistory(7);
    expect(h.ops.length).toBe(10_000);
    expect(linearizable(h, kv)).toEqual({ ok: true });
    // Unpartitioned, as one group of 10,000 ops (with its info ops pending throughout).
    const { partition: _, ...whole } = kv;
    expect(linearizable(h, whole)).toEqual({ ok: true });
    // Corrupt one get that read a value written by a put: it now reports an older value.
    const victim = h.ops.find((o, i) => i > 5000 && o.name === "get" && o.outcome === Outcome.Ok && o.result !== null)!;
    victim.result = -1;
    const r = linearizable(h, kv);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.ops).toContain(victim);
      expect(r.ops.length).toBeLessThanOrEqual(3);
      expect(r.explanation).toContain(`#${victim.id} `);
    }
  });
});

// ---------------------------------------------------------------------------
// End to end: a lost update inside explore()
// ---------------------------------------------------------------------------

/** A counter register: incr returns the new value. */
const counter: Model<number> = { init: () => 0, step: (s, name) => (name === "incr" ? [s + 1, s + 1] : [s, s]) };

describe("end to end", () => {
  it("explore() finds the lost update of read-then-write increments as a linearizability violation", async () => {
    const r = await explore(
      async () => {
        const h = new History();
        const cell = new SharedCell(0);
        const me = self();
        const incr = async () => {
          const op = h.invoke("incr", []);
          const v = await cell.get();
          await cell.set(v + 1);
          h.ok(op, v + 1);
          await send(me, "done");
        };
        await spawn(incr);
        await spawn(incr);
        await receive((m) => m === "done");
        await receive((m) => m === "done");
        const read = h.invoke("read", []);
        h.ok(read, await cell.get());
        expect(h.ops.every((o) => o.process !== undefined)).toBe(true);
        const verdict = linearizable(h, counter);
        if (!verdict.ok) throw new Error(verdict.explanation);
      },
      { iterations: 200, seed: 3, strategy: "random", traceDir: false },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.bug.kind).toBe("exception");
      expect(r.bug.message).toMatch(/no linearization exists: #\d+ <[\d.]+> incr\(\) -> 1 .* has no legal place/);
      expect(r.bug.message).toMatch(/returns 2, not 1/);
    }
  });
});
