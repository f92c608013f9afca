// The default strategy's exhaustive pass (src/explore/small-space.ts): when the first
// runs estimate a small schedule space, the portfolio enumerates every schedule, and a
// search that completes says so (`stats.complete`, `stats.traces`). The point of the
// pass is a verdict that means "no bug in any interleaving", so the tests attack that
// claim: generated programs that race through plain JS variables (state lockstep does
// not see, where a partial-order reduction would wrongly prune), checked against what
// random search reaches.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { explore, replay, spawn, send, receive, self, SharedCell, Generator, TIMEOUT, type Pid } from "../src/index.js";
import { exploreWith } from "../src/explore/explore.js";
import { SMALL_SPACE } from "../src/explore/small-space.js";

const quiet = { traceDir: false as const };

/**
 * Two processes each read a counter and write it back plus one: the lost update, on a
 * SharedCell. The last to finish checks the total (a crash fails the iteration), so the
 * body itself only spawns: a small space.
 */
function increments(check: boolean) {
  return async () => {
    const c = new SharedCell(0);
    let finished = 0;
    const inc = async () => {
      const v = await c.get();
      await c.set(v + 1);
      if (++finished === 2 && check && (await c.get()) !== 2) throw new Error(`lost update: ${await c.get()}`);
    };
    await spawn(inc);
    await spawn(inc);
  };
}

describe("the portfolio's exhaustive pass over a small space", () => {
  it("a passing search over a small space explores every schedule and says it is complete; the count does not depend on the seed", async () => {
    const counts = new Set<number>();
    for (const seed of [1, 2, 3]) {
      const r = await explore(increments(false), { iterations: 2000, seed, ...quiet });
      expect(r.ok).toBe(true);
      expect(r.stats.complete).toBe(true);
      // The search stopped once the space was covered: sampling runs (at least two, and
      // an eighth of the estimated space), then the pass.
      expect(r.iterations).toBeGreaterThanOrEqual(r.stats.traces! + 2);
      expect(r.iterations).toBeLessThanOrEqual(r.stats.traces! + Math.max(2, Math.ceil(SMALL_SPACE / 8)));
      // Sampling first is about an eighth of the space (the estimate is near the size).
      expect(r.iterations - r.stats.traces!).toBeGreaterThanOrEqual(Math.floor(r.stats.traces! / 16));
      expect(r.stats.distinctSchedules).toBe(r.stats.traces);
      counts.add(r.stats.traces!);
    }
    expect(counts.size).toBe(1);
    // Random search over many more runs meets no schedule the pass did not count.
    const random = await explore(increments(false), { iterations: 20000, seed: 1, strategy: "random", ...quiet });
    expect(random.stats.distinctSchedules).toBeLessThanOrEqual([...counts][0]);
    expect(random.stats.distinctSchedules).toBeGreaterThan([...counts][0] / 2);
  });

  it("the bug of a small space is found and replays", async () => {
    const r = await explore(increments(true), { iterations: 2000, seed: 1, ...quiet });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.message).toMatch(/lost update: 1/);
    const again = await replay(increments(true), r.bug.trace);
    expect(again.ok).toBe(false);
  });

  it("a race through a plain JS variable is found within the pass on every seed, where dpor's reduction (which does not see the variable) says 'no bug'", async () => {
    // The race is on `x`, invisible to lockstep; the processes' sync points are sends
    // to their own mailboxes, independent of each other as far as lockstep can tell.
    const body = (check: boolean) => async () => {
      let x = 0;
      let finished = 0;
      const bump = async () => {
        const v = x;
        await send(self(), "tick");
        await receive();
        x = v + 1;
        if (++finished === 2 && check && x !== 2) throw new Error(`plain lost update: x = ${x}`);
      };
      await spawn(bump);
      await spawn(bump);
    };
    const all = await explore(body(false), { iterations: 5000, seed: 1, ...quiet });
    expect(all.stats.complete).toBe(true);
    for (let seed = 1; seed <= 5; seed++) {
      const r = await explore(body(true), { iterations: 5000, seed, ...quiet });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.bug.iteration).toBeLessThanOrEqual(all.iterations);
    }
    const d = await explore(body(true), { strategy: "dpor", iterations: 5000, ...quiet });
    expect([d.ok, d.stats.complete]).toEqual([true, true]);
  });

  it("no pass when the space is larger than the remaining budget: the randomized members run every iteration", async () => {
    const r = await explore(increments(false), { iterations: 30, seed: 1, ...quiet });
    expect(r.ok).toBe(true);
    expect(r.iterations).toBe(30);
    expect(r.stats.complete).toBeUndefined();
    expect(r.stats.traces).toBeUndefined();
    // It says how many iterations would have covered the space, and that number does.
    const hint = (r.stats.warnings ?? []).join("\n");
    const wanted = Number(/with iterations of (\d+) or more/.exec(hint)?.[1]);
    expect(wanted).toBeGreaterThan(30);
    const enough = await explore(increments(false), { iterations: wanted, seed: 1, ...quiet });
    expect(enough.stats.complete).toBe(true);
  });

  it("no pass when the body draws generated inputs (the runs differ by more than their schedule)", async () => {
    const body = async () => {
      const n = new Generator({ n: (r) => r.int(0, 1000) }).next().args as number;
      const c = new SharedCell(n);
      for (let i = 0; i < 2; i++) await spawn(async () => void (await c.set((await c.get()) + 1)));
    };
    const r = await explore(body, { iterations: 200, seed: 1, ...quiet });
    expect(r.ok).toBe(true);
    expect(r.iterations).toBe(200);
    expect(r.stats.complete).toBeUndefined();
    expect(r.stats.warnings).toBeUndefined();
    // Every run was the randomized members' (a pass stuck on its first path would repeat one schedule).
    const random = await explore(body, { iterations: 200, seed: 1, strategy: "random", ...quiet });
    expect(r.stats.distinctSchedules).toBeGreaterThan(random.stats.distinctSchedules / 2);
  });

  it("a pass whose run draws generated inputs (the first runs did not) stops without claiming anything", async () => {
    // Inputs are drawn only when the child runs before the parent's last step: schedules
    // the depth-first search reaches, whatever the first runs did.
    const body = async () => {
      const c = new SharedCell(0);
      await spawn(async () => {
        if ((await c.get()) === 0) new Generator({ n: (r) => r.int(0, 9) }).next();
      });
      await c.set(1);
    };
    for (let seed = 1; seed <= 4; seed++) {
      const r = await explore(body, { iterations: 300, seed, ...quiet });
      expect(r.ok).toBe(true);
      expect(r.stats.complete).toBeUndefined();
    }
  });

  it("a space estimated larger than SMALL_SPACE: no pass and no hint, however large the budget", async () => {
    const body = async () => {
      const me = self();
      for (let i = 0; i < 6; i++) await spawn(async () => send(me, i));
      for (let i = 0; i < 6; i++) await receive();
    };
    const r = await explore(body, { iterations: 3000, seed: 1, ...quiet });
    expect(r.iterations).toBe(3000);
    expect(r.stats.complete).toBeUndefined();
    expect(r.stats.warnings).toBeUndefined();
  });

  it("a body that does not repeat itself ends the pass with a warning, never a false bug or a false 'complete'", async () => {
    let runs = 0;
    const body = async () => {
      runs++;
      const c = new SharedCell(0);
      // Every other run, an extra process: the space changes under the pass.
      const n = runs % 2 === 0 ? 2 : 1;
      for (let i = 0; i < n; i++) await spawn(async () => void (await c.set(i)));
    };
    const r = await explore(body, { iterations: 300, seed: 1, ...quiet });
    expect(r.ok).toBe(true);
    expect(r.stats.complete).toBeUndefined();
    expect(r.iterations).toBe(300);
    expect((r.stats.warnings ?? []).join("\n")).toMatch(/exhaustive pass .* stopped .* does not repeat itself/);
  });

  it("a space larger than its estimate (a rare branch the first runs missed) ends the pass at its cap with a warning, never 'complete'", async () => {
    const body = async () => {
      const c = new SharedCell(0);
      await spawn(async () => {
        await c.set(1);
        await c.set(2);
        await c.set(3);
      });
      await spawn(async () => {
        // Only when all three writes came first: five more processes, a far larger subtree.
        if ((await c.get()) !== 3) return;
        const me = self();
        for (let i = 0; i < 5; i++) await spawn(async () => send(me, i));
        for (let i = 0; i < 5; i++) await receive();
      });
    };
    // Seed 6: the first runs miss the branch and estimate about 6 schedules.
    const r = await explore(body, { iterations: 3000, seed: 6, ...quiet });
    expect(r.ok).toBe(true);
    expect(r.stats.complete).toBeUndefined();
    expect(r.iterations).toBe(3000);
    expect((r.stats.warnings ?? []).join("\n")).toMatch(/exhaustive pass stopped after 64 runs: the schedule space is larger than the first runs estimated \(about 6\)/);
  });

  it("a search split over workers or shards makes no pass, except in the share the worker pool names (it is one depth-first search)", async () => {
    const r = await exploreWith(increments(false), { iterations: 1000, seed: 1, firstIteration: 1, stride: 2, ...quiet });
    expect(r.ok).toBe(true);
    expect(r.stats.complete).toBeUndefined();
    expect(r.iterations).toBe(1000);
    const whole = await explore(increments(false), { iterations: 1000, seed: 1, ...quiet });
    const first = await exploreWith(increments(false), { iterations: 3000, seed: 1, firstIteration: 1, stride: 2, enumerates: true, ...quiet });
    expect([first.stats.complete, first.stats.traces]).toEqual([true, whole.stats.traces]);
  });

  it("other strategies are unchanged: random keeps sampling a small space", async () => {
    const r = await explore(increments(false), { iterations: 500, seed: 1, strategy: "random", ...quiet });
    expect(r.iterations).toBe(500);
    expect(r.stats.complete).toBeUndefined();
  });
});

// ---- generated programs: "complete" must mean every reachable outcome was reached ----

type Op =
  | { k: "read" } // local = x (a plain JS variable)
  | { k: "write" } // x = local + 1
  | { k: "tick" } // a sync point on the process's own mailbox
  | { k: "get" } // local = await cell.get()
  | { k: "set"; v: number }
  | { k: "send"; v: number } // to the other process (through a SharedCell of pids)
  | { k: "recv0" }; // receive with timeout 0

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ k: "read" as const }),
  fc.constant({ k: "write" as const }),
  fc.constant({ k: "tick" as const }),
  fc.constant({ k: "get" as const }),
  fc.record({ k: fc.constant("set" as const), v: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ k: fc.constant("send" as const), v: fc.integer({ min: 1, max: 2 }) }),
  fc.constant({ k: "recv0" as const }),
);
const programArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 2 });

/**
 * The body running `prog`: it only spawns the two processes; the last to finish records
 * the outcome and fails (a crash) when it is `target` (null: never).
 */
function bodyOf(prog: Op[][], target: string | null, seen?: Set<string>) {
  return async () => {
    let x = 0;
    let finished = 0;
    const cell = new SharedCell(0);
    const peers = new SharedCell<Pid[]>([]);
    const obs: unknown[][] = prog.map(() => []);
    const proc = (i: number) => async () => {
      let local = 0;
      for (const op of prog[i]) {
        switch (op.k) {
          case "read":
            local = x;
            break;
          case "write":
            x = local + 1;
            break;
          case "tick":
            await send(self(), "tick");
            await receive((m) => m === "tick");
            break;
          case "get":
            local = await cell.get();
            obs[i].push(local);
            break;
          case "set":
            await cell.set(op.v);
            break;
          case "send": {
            const pids = await peers.get();
            if (pids.length === 2) await send(pids[1 - i], op.v);
            break;
          }
          case "recv0": {
            const m = await receive((v) => v !== "tick", { timeout: 0 });
            obs[i].push(m === TIMEOUT ? "T" : m);
            break;
          }
        }
      }
      if (++finished < prog.length) return;
      const outcome = JSON.stringify([x, obs]);
      seen?.add(outcome);
      if (outcome === target) throw new Error(`outcome ${outcome}`);
    };
    const pids = [await spawn(proc(0)), await spawn(proc(1))];
    if (prog.some((ops) => ops.some((op) => op.k === "send"))) await peers.set(pids);
  };
}

describe("the exhaustive pass on generated programs with plain-variable races", () => {
  it("when the pass completes, every outcome random search reaches is found within the pass, and random meets no more schedules", async () => {
    let completed = 0;
    let foundByPass = 0;
    await fc.assert(
      fc.asyncProperty(programArb, async (prog) => {
        const reached = new Set<string>();
        const random = await explore(bodyOf(prog, null, reached), { iterations: 300, seed: 11, strategy: "random", ...quiet });
        expect(random.ok).toBe(true);
        const pass = await explore(bodyOf(prog, null), { iterations: 2 * SMALL_SPACE, seed: 5, ...quiet });
        // The hunts below use the same seed, so they run the same sampling runs first and the same pass.
        expect(pass.ok).toBe(true);
        if (!pass.stats.complete) return; // the estimate said large: nothing is claimed
        completed++;
        const traces = pass.stats.traces!;
        expect(random.stats.distinctSchedules).toBeLessThanOrEqual(traces);
        for (const outcome of reached) {
          const hunt = await explore(bodyOf(prog, outcome), { iterations: 2 * SMALL_SPACE, seed: 5, ...quiet });
          expect(hunt.ok).toBe(false);
          // Found by the sampling runs or by the pass itself, never after it; the pass's
          // runs are labelled as such in the trace.
          if (hunt.ok) continue;
          expect(hunt.bug.iteration).toBeLessThanOrEqual(pass.iterations);
          const inPass = hunt.bug.iteration > pass.iterations - traces;
          expect(hunt.bug.trace.strategy === "portfolio:dfs").toBe(inPass);
          if (inPass) foundByPass++;
        }
      }),
      { seed: 20261127, numRuns: 300 },
    );
    expect(completed).toBeGreaterThanOrEqual(200);
    expect(foundByPass).toBeGreaterThan(20);
  }, 180_000);
});
