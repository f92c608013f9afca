// "Verdicts you can trust": a verdict (bug or no bug, and at which iteration) is a
// function of the program, the seed and the iteration alone — not of I/O timing,
// of which iterations ran before, of user formatting code, or of rejections nobody
// handled.
import { describe, it, expect } from "vitest";
import { explore, spawn, send, receive, self, yieldNow, type ExploreOptions } from "lockstep";
import { termCompare, resetTermOrder } from "../src/values/term.js";

const base: ExploreOptions = { traceDir: false, strategy: "random" };

describe("term order of functions and symbols is per iteration", () => {
  it("the same comparisons in two iterations run in different orders give the same per-iteration order", () => {
    const f = () => 1;
    const g = () => 2;
    const s = Symbol("s");
    const t = Symbol("t");
    // "Iteration" 1 meets f and s first; "iteration" 2 meets g and t first.
    resetTermOrder();
    const a = [termCompare(f, g), termCompare(s, t)];
    resetTermOrder();
    const b = [termCompare(g, f), termCompare(t, s)];
    expect(Math.sign(a[0])).toBe(-1);
    expect(Math.sign(b[0])).toBe(-1); // first seen is lower in each iteration
    expect(Math.sign(a[1])).toBe(-1);
    expect(Math.sign(b[1])).toBe(-1);
  });

  /**
   * Two processes race to compare f and g (module-level functions, so they live
   * across iterations) with a fresh function; the body then records whether f < g.
   * Which one is compared first is up to the schedule of that iteration.
   */
  function scenario(throwIfGFirst = true) {
    const f = () => "f";
    const g = () => "g";
    const outcomes: number[] = [];
    const body = async () => {
      const me = self();
      const local = () => "local";
      await spawn(async () => { await yieldNow(); termCompare(f, local); await send(me, 1); });
      await spawn(async () => { await yieldNow(); termCompare(g, local); await send(me, 2); });
      await receive();
      await receive();
      outcomes.push(Math.sign(termCompare(f, g)));
      if (throwIfGFirst && termCompare(f, g) > 0) throw new Error("g was compared first");
    };
    return { body, outcomes };
  }

  it("an iteration's outcome does not depend on which iterations ran before it", async () => {
    const all = scenario(false);
    await explore(all.body, { ...base, seed: 7, iterations: 12 });
    expect(all.outcomes.length).toBe(12);
    for (let i = 1; i <= all.outcomes.length; i++) {
      const one = scenario(false);
      await explore(one.body, { ...base, seed: 7, iterations: 1, firstIteration: i } as ExploreOptions);
      expect(one.outcomes, `iteration ${i}`).toEqual([all.outcomes[i - 1]]);
    }
    // Both orders occur, so the check above means something.
    expect(all.outcomes).toContain(1);
    expect(all.outcomes).toContain(-1);
  });

  it("a shard finds the bug at the same iteration as a plain run", async () => {
    const plain = await explore(scenario().body, { ...base, seed: 28, iterations: 40 });
    expect(plain.ok).toBe(false);
    if (plain.ok) return;
    const i = plain.bug.iteration;
    expect(i).toBe(5); // iterations 1-4 compare f first with seed 28
    // A shard that starts at the plain run's failing iteration (after other iterations
    // of other shards ran in this thread) finds it there, not earlier or later.
    await explore(scenario(false).body, { ...base, seed: 28, iterations: 5 });
    const shard = await explore(scenario().body, { ...base, seed: 28, iterations: 3, firstIteration: i, stride: 2 } as ExploreOptions);
    expect(shard.ok).toBe(false);
    if (!shard.ok) expect(shard.bug.iteration).toBe(i);
    if (i > 1) {
      const before = await explore(scenario().body, { ...base, seed: 28, iterations: i - 1 });
      expect(before.ok).toBe(true);
    }
  });
});
