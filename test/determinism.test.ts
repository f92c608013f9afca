// Determinism: an iteration is a function of (seed, iteration, options) — the same
// exploration twice gives the same outcomes, bugs and traces bit for bit, whatever
// ran in between and in whatever order iterations run. And coverage: the random
// strategy reaches every arrival order of a small program.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  explore, spawn, send, receive, self, sleep, yieldNow, sendAfter, now, TIMEOUT,
  type ExploreResult, type ExploreOptions, type Pid,
} from "lockstep";
import { runIteration, withEngine, engineMemoryBytes, setEngineKeepBytes, ENGINE_KEEP_BYTES } from "../src/explore/run.js";
import { configFor } from "../src/explore/config.js";
import { strategyFor, STRATEGY_NAMES } from "../src/explore/strategies.js";

// ---- random small programs ----------------------------------------------------------

type Op =
  | { k: "send"; to: number }
  | { k: "recv" }
  | { k: "recvT"; ms: number }
  | { k: "recvSel"; from: number; ms: number }
  | { k: "yield" }
  | { k: "sleep"; ms: number }
  | { k: "sendAfter"; to: number; ms: number }
  | { k: "spawn"; ops: Op[] };

interface Program {
  body: Op[];
  procs: Op[][];
}

const leafOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant("send" as const), to: fc.nat(4) }),
  fc.constant({ k: "recv" as const }),
  fc.record({ k: fc.constant("recvT" as const), ms: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ k: fc.constant("recvSel" as const), from: fc.nat(4), ms: fc.integer({ min: 1, max: 20 }) }),
  fc.constant({ k: "yield" as const }),
  fc.record({ k: fc.constant("sleep" as const), ms: fc.integer({ min: 0, max: 15 }) }),
  fc.record({ k: fc.constant("sendAfter" as const), to: fc.nat(4), ms: fc.integer({ min: 1, max: 15 }) }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: leafOp },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("spawn" as const), ops: fc.array(leafOp, { maxLength: 3 }) }) },
);
const program: fc.Arbitrary<Program> = fc.record({
  body: fc.array(op, { maxLength: 6 }),
  procs: fc.array(fc.array(op, { maxLength: 5 }), { minLength: 1, maxLength: 3 }),
});

/**
 * Turns a program into a test body. Every process logs what it did and saw; each
 * iteration that completes appends its log to `logs`, so two runs can be compared
 * on everything the processes observed, not only on the engine's trace.
 */
function bodyOf(prog: Program, logs: string[]): () => Promise<void> {
  return async () => {
    const log: string[] = [];
    const roster: Pid[] = [self()];
    const target = (i: number) => roster[i % roster.length];
    const run = async (ops: Op[]) => {
      const me = String(self());
      let n = 0;
      for (const o of ops) {
        switch (o.k) {
          case "send":
            await send(target(o.to), [me, n++]);
            log.push(`${me} send ${target(o.to)}`);
            break;
          case "recv":
            log.push(`${me} got ${String(await receive())}`);
            break;
          case "recvT": {
            const m = await receive(undefined, { timeout: o.ms });
            log.push(`${me} got ${m === TIMEOUT ? "timeout" : String(m)} at ${now()}`);
            break;
          }
          case "recvSel": {
            const from = String(target(o.from));
            const m = await receive((x: any) => Array.isArray(x) && x[0] === from, { timeout: o.ms });
            log.push(`${me} sel ${m === TIMEOUT ? "timeout" : String(m)} at ${now()}`);
            break;
          }
          case "yield":
            await yieldNow();
            break;
          case "sleep":
            await sleep(o.ms);
            log.push(`${me} woke at ${now()}`);
            break;
          case "sendAfter":
            await sendAfter(target(o.to), [me, "later"], o.ms);
            break;
          case "spawn":
            roster.push(await spawn(() => run(o.ops)));
            break;
        }
      }
    };
    for (const ops of prog.procs) roster.push(await spawn(() => run(ops)));
    await run(prog.body);
    logs.push(log.join("\n"));
  };
}

/** "portfolio" rotates through every strategy by iteration number. */
const strategy = fc.constantFrom({ strategy: "random" as const }, { strategy: "portfolio" as const });

interface Outcome {
  result: ExploreResult;
  logs: string[];
}

async function exploreProgram(prog: Program, seed: number, extra: ExploreOptions = {}): Promise<Outcome> {
  const logs: string[] = [];
  const result = await explore(bodyOf(prog, logs), { iterations: 25, seed, strategy: "random", traceDir: false, maxSteps: 500, ...extra });
  return { result, logs };
}

/** Everything an outcome shows that must be reproducible (not wall-clock stats). */
function fingerprint(o: Outcome) {
  const r = o.result;
  const common = { logs: o.logs, steps: r.stats.steps, distinct: r.stats.distinctSchedules, iterations: r.stats.iterations };
  if (r.ok) return { ok: true, ...common };
  const b = r.bug;
  return {
    ok: false, ...common, kind: b.kind, message: b.message, iteration: b.iteration, schedule: b.schedule,
    events: b.trace.events, traceFailure: b.trace.failure, report: b.events,
  };
}

describe("determinism", () => {
  it("same program, seed and iterations => identical outcomes, bugs and traces, whatever ran in between", async () => {
    await fc.assert(
      fc.asyncProperty(program, program, fc.nat(1_000_000), fc.nat(1_000_000), strategy, async (prog, other, seed, otherSeed, s) => {
        const first = fingerprint(await exploreProgram(prog, seed, s));
        expect(fingerprint(await exploreProgram(prog, seed, s))).toEqual(first);
        await exploreProgram(other, otherSeed, { timers: "race", iterations: 7 }); // disturb any leftover state
        expect(fingerprint(await exploreProgram(prog, seed, s))).toEqual(first);
      }),
      { numRuns: 60, seed: 20240601 },
    );
  });

  it("iteration i is the same when run alone (firstIteration), so workers and shards agree", async () => {
    await fc.assert(
      // "random" only: PCT members of the portfolio first run the body once more to
      // calibrate (iteration 0), which would shift the per-iteration logs compared here.
      fc.asyncProperty(program, fc.nat(1_000_000), fc.integer({ min: 1, max: 25 }), async (prog, seed, i) => {
        const all = await exploreProgram(prog, seed);
        if (!all.result.ok && all.result.bug.iteration <= i) return; // iteration i never ran (or failed)
        const alone = await exploreProgram(prog, seed, { firstIteration: i, iterations: 1 });
        expect(alone.result.ok).toBe(true);
        expect(alone.logs).toEqual([all.logs[i - 1]]);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it("different seeds explore different schedules (the seed is actually used)", async () => {
    const prog: Program = {
      body: [{ k: "recv" }, { k: "recv" }, { k: "recv" }],
      procs: [[{ k: "send", to: 0 }], [{ k: "yield" }, { k: "send", to: 0 }], [{ k: "send", to: 0 }]],
    };
    const a = await exploreProgram(prog, 1);
    const b = await exploreProgram(prog, 2);
    expect(a.result.ok && b.result.ok).toBe(true);
    expect(a.logs).not.toEqual(b.logs);
  });
});

describe("an engine grown large is replaced between explorations", () => {
  it("the next exploration runs on a fresh instance, back to its first size, with the same outcome", async () => {
    const prog: Program = {
      body: [{ k: "recv" }, { k: "recvT", ms: 5 }, { k: "send", to: 1 }],
      procs: [[{ k: "send", to: 0 }, { k: "recv" }], [{ k: "sleep", ms: 3 }, { k: "send", to: 0 }]],
    };
    const first = fingerprint(await exploreProgram(prog, 11));
    const fresh = engineMemoryBytes();
    expect(fresh).toBeGreaterThan(0);
    setEngineKeepBytes(fresh);
    try {
      // 20,000 processes in one iteration grow the engine's tables past their first size.
      const r = await explore(async () => {
        for (let i = 0; i < 20000; i++) await spawn(async () => {});
      }, { iterations: 1, seed: 1, strategy: "random", traceDir: false });
      expect(r.ok).toBe(true);
      expect(engineMemoryBytes()).toBe(0); // dropped: its memory goes with it
      expect(fingerprint(await exploreProgram(prog, 11))).toEqual(first);
      expect(engineMemoryBytes()).toBe(fresh);
    } finally {
      setEngineKeepBytes(ENGINE_KEEP_BYTES);
    }
  });
});

describe("operation records change no decision", () => {
  // The search keeps decisions only (assembly/trace.ts); replays and reports keep every
  // operation. The schedule must not depend on which: a bug found lean is re-run with
  // records and must take the same decisions.
  it("same seed and iteration => same decisions and schedule hash, lean, recorded or detailed", async () => {
    const names = STRATEGY_NAMES.filter((n) => n !== "dpor"); // dpor: its search tree advances between runs (strategies.dpor.test.ts)
    await fc.assert(
      fc.asyncProperty(program, fc.nat(1_000_000), fc.constantFrom(...names), fc.boolean(), async (prog, seed, name, race) => {
        const o = { seed, maxSteps: 500, timers: race ? "race" as const : "quiescent" as const, allowCrashes: true, strategy: name };
        // Each mode runs iterations 1..8 in order (rff keeps a corpus across them).
        const runAll = (records: boolean, detail: boolean) => withEngine("test", async (e) => {
          const out: { decisions: number[]; hash: number; events: number }[] = [];
          for (let i = 1; i <= 8; i++) {
            const s = strategyFor(name, i, {}, { k: 20, maxSteps: 500 });
            await runIteration(e, bodyOf(prog, []), configFor(o, i, { strategy: s }, detail, records));
            out.push({ decisions: e.decisions(), hash: e.x.scheduleHash(), events: e.x.events() });
          }
          return out;
        });
        const lean = await runAll(false, false);
        const recorded = await runAll(true, false);
        const detailed = await runAll(false, true);
        const strip = (xs: typeof lean) => xs.map(({ decisions, hash }) => ({ decisions, hash }));
        expect(strip(recorded)).toEqual(strip(lean));
        expect(strip(detailed)).toEqual(strip(lean));
        expect(lean.every((r) => r.events === 0)).toBe(true);
        expect(recorded.every((r) => r.events > 0)).toBe(true);
      }),
      { numRuns: 40, seed: 5 },
    );
  });
});

describe("coverage of the random strategy", () => {
  it("reaches all 90 arrival orders of 3 senders x 2 messages within 20,000 iterations", async () => {
    const orders = new Set<string>();
    const r = await explore(async () => {
      const me = self();
      for (const tag of ["a", "b", "c"]) {
        await spawn(async () => {
          await send(me, tag);
          await send(me, tag);
        });
      }
      let order = "";
      for (let i = 0; i < 6; i++) order += await receive();
      orders.add(order);
    }, {
      iterations: 20000, seed: 99, strategy: "random", traceDir: false,
      shouldContinue: () => orders.size < 90,
    });
    expect(r.ok).toBe(true);
    // 6! / (2! 2! 2!) = 90 interleavings of the three pairs.
    expect(orders.size).toBe(90);
    for (const o of orders) for (const t of "abc") expect(o.split(t).length - 1).toBe(2);
  });
});
