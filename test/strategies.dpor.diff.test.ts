// Differential test of strategy "dpor" (assembly/strategies/dpor.ts): generated small
// programs run under dpor and under a naive depth-first enumeration of every schedule
// (the same engine's stack with reduction off: every candidate of every node). The
// sets of reachable outcomes must be equal, dpor must explore no more runs than the
// naive search, and no two traces dpor explores may be equivalent (compared by a
// canonical form computed here, independently of the engine, from the recorded events).
//
// It drives iterations itself (src/explore/run.ts), so the program imports the
// primitives from src/ too: the same module instance as the controller that runs them.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { spawn, send, receive, self, sleep, SharedCell, Mutex, TIMEOUT, type Pid } from "../src/index.js";
import { runIteration, withEngine } from "../src/explore/run.js";
import { configFor } from "../src/explore/config.js";
import { STRATEGY_CODE, type Engine } from "../src/engine/engine.js";
import { OP } from "../src/engine/ops.js";

type Op =
  | { k: "get"; cell: number }
  | { k: "set"; cell: number; v: number }
  | { k: "send"; to: number; v: number }
  | { k: "recv0" } // receive anything, timeout 0
  | { k: "recvMatch"; v: number } // selective receive of one value, timeout 0
  | { k: "recvWait" } // receive anything, waiting (possibly forever: dropped at the end)
  | { k: "locked"; cell: number } // lock; get; set(+1); unlock
  | { k: "spawn"; cell: number; v: number }; // spawn a child that sets the cell
type Program = Op[][];

const opArb = (procs: number): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({ k: fc.constant("get" as const), cell: fc.integer({ min: 0, max: 1 }) }),
    fc.record({ k: fc.constant("set" as const), cell: fc.integer({ min: 0, max: 1 }), v: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ k: fc.constant("send" as const), to: fc.integer({ min: 0, max: procs - 1 }), v: fc.integer({ min: 1, max: 2 }) }),
    fc.constant({ k: "recv0" as const }),
    fc.record({ k: fc.constant("recvMatch" as const), v: fc.integer({ min: 1, max: 2 }) }),
    fc.constant({ k: "recvWait" as const }),
    fc.record({ k: fc.constant("locked" as const), cell: fc.integer({ min: 0, max: 1 }) }),
    fc.record({ k: fc.constant("spawn" as const), cell: fc.integer({ min: 0, max: 1 }), v: fc.integer({ min: 4, max: 5 }) }),
  );

const programArb: fc.Arbitrary<Program> = fc.constantFrom(2, 2, 3).chain((n) => fc.array(fc.array(opArb(n), { minLength: 1, maxLength: 2 }), { minLength: n, maxLength: n }));
/** Smaller programs (two processes of 1-2 operations) for the many-programs run. */
const smallArb: fc.Arbitrary<Program> = fc.array(fc.array(opArb(2), { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 2 });

/** The body running `prog`: records every observation into `out` (set when the body ends). */
function bodyOf(prog: Program, out: { value: string }) {
  return async () => {
    const cells = [new SharedCell(0), new SharedCell(0)];
    const m = new Mutex();
    const obs: unknown[][] = prog.map(() => []);
    const peers = new SharedCell<Pid[]>([]);
    const proc = (i: number) => async () => {
      for (const op of prog[i]) {
        switch (op.k) {
          case "get":
            obs[i].push(await cells[op.cell].get());
            break;
          case "set":
            await cells[op.cell].set(op.v);
            break;
          case "send": {
            // The peers' pids go through a SharedCell, never a plain variable: a process
            // may run before the body spawned its peer, and lockstep must see that read.
            const pids = await peers.get();
            await send(pids[op.to] ?? self(), op.v);
            break;
          }
          case "recv0": {
            const r = await receive(undefined, { timeout: 0 });
            obs[i].push(r === TIMEOUT ? "T" : r);
            break;
          }
          case "recvMatch": {
            const r = await receive((x) => x === op.v, { timeout: 0 });
            obs[i].push(r === TIMEOUT ? "T" : r);
            break;
          }
          case "recvWait":
            obs[i].push(await receive());
            break;
          case "locked": {
            await m.lock();
            const v = await cells[op.cell].get();
            await cells[op.cell].set(v + 1);
            await m.unlock();
            break;
          }
          case "spawn":
            await spawn(async () => void (await cells[op.cell].set(op.v)));
            break;
        }
      }
      obs[i].push("end");
    };
    const pids: Pid[] = [];
    for (let i = 0; i < prog.length; i++) pids.push(await spawn(proc(i)));
    if (prog.some((ops) => ops.some((op) => op.k === "send"))) await peers.set(pids);
    await sleep(1);
    out.value = JSON.stringify([obs, await cells[0].get(), await cells[1].get()]);
  };
}

/** Naive searches longer than this many runs are abandoned (the program is skipped). */
const NAIVE_CAP = 1500;
/** Generated programs. */
const RUNS = 220;
/** Small generated programs (about two thirds fit the naive cap: at least 2,000 are compared, in about 35 s). */
const SMALL_RUNS = 3200;
const SMALL_NAIVE_CAP = 1000;

const READS: ReadonlySet<number> = new Set([OP.SHARED_READ, OP.REG_READ, OP.WHEREIS, OP.IS_ALIVE]);

/**
 * A canonical form of the run's Mazurkiewicz trace: per resource, the order of its
 * conflicting accesses (writes in order, the reads between two writes as a set), plus
 * the global transitions (a timer firing, the end) with what preceded them. Two runs
 * with the same events have the same form exactly when they order every dependent pair
 * alike.
 */
function canonical(e: Engine): string {
  const decisions = e.decisions();
  const events = e.events();
  const count = new Map<number, number>();
  const names: string[] = decisions.map((pid) => {
    const c = (count.get(pid) ?? 0) + 1;
    count.set(pid, c);
    return `${pid}.${c}`;
  });
  const perRes = new Map<number, { w: boolean; t: string }[]>();
  const globals: string[] = [];
  const seen = new Map<number, number>();
  const byStep: number[][][] = decisions.map(() => []);
  for (const ev of events) if (ev[0] >= 1 && ev[0] <= decisions.length) byStep[ev[0] - 1].push(ev);
  for (let k = 0; k < decisions.length; k++) {
    const pid = decisions[k];
    const isGlobal = pid === 0 || k === decisions.length - 1;
    if (isGlobal) globals.push(`${names[k]}@${[...seen.entries()].sort((a, b) => a[0] - b[0]).map(([p, c]) => `${p}:${c}`).join(",")}`);
    seen.set(pid, (seen.get(pid) ?? 0) + 1);
    for (const [, , op, res] of byStep[k]) {
      if (res === 0) continue;
      const list = perRes.get(res) ?? [];
      list.push({ w: !READS.has(op), t: names[k] });
      perRes.set(res, list);
    }
  }
  const parts: string[] = [globals.join(" ")];
  for (const [res, list] of [...perRes.entries()].sort((a, b) => a[0] - b[0])) {
    const out: string[] = [];
    let reads: string[] = [];
    for (const a of list) {
      if (a.w) {
        if (reads.length) out.push(`{${reads.sort().join(",")}}`);
        reads = [];
        out.push(a.t);
      } else reads.push(a.t);
    }
    if (reads.length) out.push(`{${[...new Set(reads)].sort().join(",")}}`);
    parts.push(`${res}:${out.join(" ")}`);
  }
  return parts.join("|");
}

/** Runs the whole search (dpor or naive) and collects outcomes, run counts and canonical forms. */
async function search(e: Engine, prog: Program, naive: boolean, cap = Infinity) {
  const out = { value: "" };
  const body = bodyOf(prog, out);
  const outcomes = new Set<string>();
  const forms: string[] = [];
  let runs = 0;
  for (let i = 1; ; i++) {
    if (i > cap) return null;
    out.value = "";
    const it = await runIteration(e, body, configFor({ seed: 1, maxSteps: 1000, timers: "quiescent", allowCrashes: false }, i, { strategy: { code: STRATEGY_CODE.dpor, label: "dpor", params: [i, -1, naive ? 1 : 0] } }, false, true));
    if (!it.pruned) {
      runs++;
      outcomes.add(it.failure ? `failure:${it.failure.kind}` : out.value);
      if (!naive) forms.push(canonical(e));
    }
    const ended = it.pruned ? 0 : it.failure?.kind === "deadlock" ? 0 : 1;
    if (e.x.dporNext(ended) === 0) break;
  }
  return { outcomes, forms, runs };
}

/** The property: equal outcomes, no more runs, no equivalent traces; returns how many programs were compared and reduced. */
async function differential(arb: fc.Arbitrary<Program>, seed: number, numRuns: number, naiveCap: number) {
  return withEngine("diff", async (e) => {
    let reduced = 0;
    let skipped = 0;
    await fc.assert(
      fc.asyncProperty(arb, async (prog) => {
        // Programs whose naive space is too large for the test's time are skipped (counted).
        const naive = await search(e, prog, true, naiveCap);
        if (naive === null) {
          skipped++;
          return;
        }
        const dpor = (await search(e, prog, false))!;
        expect([...dpor.outcomes].sort()).toEqual([...naive.outcomes].sort());
        expect(dpor.runs).toBeLessThanOrEqual(naive.runs);
        expect(new Set(dpor.forms).size).toBe(dpor.forms.length);
        if (dpor.runs < naive.runs) reduced++;
      }),
      { seed, numRuns },
    );
    return { compared: numRuns - skipped, reduced };
  });
}

describe("dpor against a naive enumeration of every schedule", () => {
  it("same reachable outcomes, no more runs, no two equivalent traces (at least 2,000 small generated programs)", async () => {
    const { compared, reduced } = await differential(smallArb, 20240614, SMALL_RUNS, SMALL_NAIVE_CAP);
    expect(compared).toBeGreaterThanOrEqual(2000); // of 3,200 generated, the rest over the naive cap
    expect(reduced).toBeGreaterThan(1000);
  }, 180_000);

  it("same reachable outcomes, no more runs, no two equivalent traces (220 generated programs)", async () => {
    const { compared, reduced } = await differential(programArb, 20240613, RUNS, NAIVE_CAP);
    // At least 100 programs compared (the rest had a naive space over NAIVE_CAP runs).
    expect(compared).toBeGreaterThanOrEqual(100);
    expect(reduced).toBeGreaterThan(50); // the reduction does something
  }, 120_000);
});
