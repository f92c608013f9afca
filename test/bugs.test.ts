// The SCTBench ports (bench/bugs/): each bug is found within 10,000 schedules by at
// least one strategy, with the failure the original's bug produces, and each fixed
// twin passes every explored schedule under every strategy.
import { describe, it, expect } from "vitest";
import { explore } from "lockstep";
// @ts-expect-error: a plain .mjs module without type declarations
import { PROGRAMS } from "../bench/bugs/programs.mjs";
import { STRATEGY_NAMES } from "../src/explore/strategies.js";
import { OP } from "../src/engine/ops.js";

interface Program {
  name: string;
  threads: number;
  bug: string;
  bad: () => Promise<void>;
  fixed: () => Promise<void>;
}

const programs = PROGRAMS as Program[];
const BUDGET = 10_000;
/** Schedules per fixed twin and strategy (about 30 s for the whole file on the debug engine). */
const TWIN_SCHEDULES = 10_000;
/** The order strategies are tried in for the bugs (the first that finds it wins). */
const HUNTERS = ["pos", "pct", "random", "portfolio"];
/**
 * The failure each port ends in: a lock-order deadlock, or its assertion failing in a
 * thread (a crash of that process) or in the main thread (the body: an exception).
 */
const KIND: Record<string, "crash" | "exception" | "deadlock"> = {
  account_bad: "crash", bluetooth_driver_bad: "exception", carter01_bad: "deadlock", circular_buffer_bad: "crash",
  deadlock01_bad: "deadlock", lazy01_bad: "crash", queue_bad: "crash", reorder_3_bad: "crash", reorder_5_bad: "crash",
  stack_bad: "crash", twostage_bad: "crash", wronglock_bad: "crash", wronglock_3_bad: "crash", token_ring_bad: "crash",
  stringbuffer_bad: "exception", workstealqueue_bad: "exception",
};

describe("SCTBench ports", () => {
  it("has the sixteen programs, each with the original's thread count", () => {
    expect(programs.map((p) => `${p.name}:${p.threads}`)).toEqual([
      "account_bad:4", "bluetooth_driver_bad:2", "carter01_bad:5", "circular_buffer_bad:3", "deadlock01_bad:3",
      "lazy01_bad:4", "queue_bad:3", "reorder_3_bad:4", "reorder_5_bad:6", "stack_bad:3", "twostage_bad:3",
      "wronglock_bad:9", "wronglock_3_bad:5", "token_ring_bad:5", "stringbuffer_bad:2",
      "workstealqueue_bad:2",
    ]);
  });

  for (const p of programs) {
    it(`${p.name}: the bug is found within ${BUDGET} schedules, with ${p.threads} processes`, async () => {
      let found: Awaited<ReturnType<typeof explore>> | undefined;
      for (const strategy of HUNTERS) {
        const r = await explore(p.bad, { iterations: BUDGET, seed: 1, strategy: strategy as "pos", traceDir: false });
        if (!r.ok) {
          found = r;
          break;
        }
      }
      expect(found?.ok).toBe(false);
      if (found === undefined || found.ok) return;
      const bug = found.bug;
      expect(bug.iteration).toBeLessThanOrEqual(BUDGET);
      const report = bug.format();
      expect(bug.kind).toBe(KIND[p.name]);
      if (p.bug.startsWith("deadlock")) {
        expect(report).toMatch(/waits for \S+\.lock held by <0\.\d\.0>/);
      } else {
        expect(String(bug.error)).toMatch(/assertion failed/);
      }
      // The original's thread count: the body (C's main thread) and the threads it created.
      const spawns = bug.trace.events.filter((e) => e[2] === OP.SPAWN).length;
      expect(1 + spawns).toBe(p.threads);
    });
  }

  for (const p of programs) {
    const twin = p.name.replace(/_bad$/, "_fixed");
    it(`${twin} passes ${TWIN_SCHEDULES} schedules under every strategy`, async () => {
      for (const strategy of STRATEGY_NAMES) {
        const r = await explore(p.fixed, { iterations: TWIN_SCHEDULES, seed: 11, strategy, traceDir: false });
        if (!r.ok) throw new Error(`${twin} failed under ${strategy}:\n${r.bug.format()}`);
        // dpor, and the portfolio's pass over a small space, stop when they have explored
        // every interleaving (then the twin is verified bug-free).
        if (strategy === "dpor") expect(r.stats.complete || r.stats.traces === TWIN_SCHEDULES).toBe(true);
        else if (r.stats.complete) expect([strategy, r.iterations]).toEqual(["portfolio", r.iterations < TWIN_SCHEDULES ? r.iterations : -1]);
        else expect(r.iterations).toBe(TWIN_SCHEDULES);
      }
    });
  }

  it("the default strategy proves stringbuffer_fixed: every one of its schedules explored, none fails", async () => {
    const p = programs.find((q) => q.name === "stringbuffer_bad")!;
    for (const seed of [1, 11]) {
      const r = await explore(p.fixed, { iterations: 10000, seed, traceDir: false });
      expect(r.ok).toBe(true);
      expect([r.stats.complete, r.stats.traces]).toEqual([true, 477]);
      // The sampled runs before the pass are schedules of the same space: nothing beyond the 477.
      expect(r.stats.distinctSchedules).toBe(477);
    }
    // The same space without the pass: random search meets no schedule outside it.
    const random = await explore(p.fixed, { iterations: 10000, seed: 1, strategy: "random", traceDir: false });
    expect(random.stats.distinctSchedules).toBeLessThanOrEqual(477);
  });

  it("rff (reads-from feedback) finds reorder_5_bad far sooner than random, and reproducibly", async () => {
    const reorder5 = programs.find((p) => p.name === "reorder_5_bad")!;
    const firstBug = async (strategy: "rff" | "random", seed: number) => {
      const r = await explore(reorder5.bad, { iterations: 2000, seed, strategy, traceDir: false });
      if (!r.ok) expect(r.bug.kind).toBe(KIND[reorder5.name]);
      return r.ok ? Infinity : r.bug.iteration;
    };
    const seeds = [1, 2, 3, 4, 5];
    const rffRuns: number[] = [];
    const randomRuns: number[] = [];
    for (const seed of seeds) rffRuns.push(await firstBug("rff", seed));
    for (const seed of seeds) randomRuns.push(await firstBug("random", seed));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.max(...rffRuns)).toBeLessThan(Infinity);
    expect(mean(rffRuns) * 4).toBeLessThan(mean(randomRuns));
    // The corpus starts afresh with each exploration: the same seed finds the same bug.
    expect(await firstBug("rff", 1)).toBe(rffRuns[0]);
  });
});

