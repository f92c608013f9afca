// Scheduling strategies: each finds a seeded bug of the kind it is known for, within
// bounds that hold for every seed 1..10 (iterations to first bug), and each one's
// parameters are validated and named in reports and traces.
//
// Bounds are about five times the expected iterations, so a change to the runtime
// that reshuffles schedules keeps them with high probability; the comparisons with
// the random walk are on means over the ten seeds.
import { describe, it, expect } from "vitest";
import { explore, spawn, send, receive, self, yieldNow, OptionsError, type ExploreOptions } from "lockstep";
import { strategyFor, describeStrategy, checkStrategyParams } from "../src/explore/strategies.js";
import { Bandit, type Member } from "../src/explore/portfolio.js";
import { STRATEGY_FEEDBACK } from "../src/engine/engine.js";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** Iterations to the first bug (which must be of `kind`) for each seed; `cap` + 1 when not found. */
async function itersToBug(body: () => Promise<void>, o: ExploreOptions, cap: number, kind: string): Promise<number[]> {
  const out: number[] = [];
  for (const seed of SEEDS) {
    const r = await explore(body, { ...o, seed, iterations: cap, traceDir: false });
    if (!r.ok) expect(r.bug.kind, `seed ${seed}: ${r.bug.message}`).toBe(kind);
    out.push(r.ok ? cap + 1 : r.bug.iteration);
  }
  return out;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Depth 1, a long chain: B's first step must come after all K steps of A. A random
 * walk needs about 2^K runs; PCT needs A above B and no change point inside A's run.
 */
function chain(K: number) {
  return async function chainBody() {
    let aDone = false;
    const me = self();
    await spawn(async () => {
      for (let i = 0; i < K; i++) await yieldNow();
      aDone = true;
      await send(me, "a");
    });
    await spawn(async () => {
      if (aDone) throw new Error("A ran all its steps before B started");
      await send(me, "b");
    });
    await receive();
    await receive();
  };
}

/**
 * Depth 2: B must run after A's write (A's K + 1 steps) and before A's check, the
 * next step. Random walk probability about 2^-(K+2); PCT: B lowest (1/3) and one
 * change point at the step after the write (about 1/k).
 */
function depth2(K: number) {
  return async function depth2Body() {
    let stage = 0;
    const me = self();
    await spawn(async () => {
      if (stage === 1) stage = 2;
      await send(me, "b");
    });
    await spawn(async () => {
      for (let i = 0; i < K; i++) await yieldNow();
      stage = 1;
      await yieldNow();
      if (stage === 2) throw new Error("B ran between A's write and A's check");
      await send(me, "a");
    });
    await receive();
    await receive();
  };
}

/**
 * One process chosen over several consecutive steps: worker 0 runs K steps in a row
 * while `others` workers are busy too. Random: about (1/n)^K; POS keeps the others'
 * priorities (their steps do not race with worker 0's), so worker 0's fresh priority
 * must beat the same fixed maximum K times: m!K!/(K+m)! for m others.
 */
function exclusive(K: number, others: number) {
  return async function exclusiveBody() {
    const me = self();
    let last = -1;
    let streak = 0;
    const mark = (id: number) => {
      streak = last === id ? streak + 1 : 1;
      last = id;
      if (id === 0 && streak >= K) throw new Error(`worker 0 ran ${K} steps in a row`);
    };
    for (let j = 0; j <= others; j++) {
      await spawn(async () => {
        for (let i = 0; i < K; i++) {
          mark(j);
          await yieldNow();
        }
        await send(me, "done");
      });
    }
    for (let j = 0; j <= others; j++) await receive();
  };
}

/** A spin-wait: A yields until B sets the flag. Fine under any fair schedule. */
async function spinWait() {
  let flag = false;
  const me = self();
  await spawn(async () => {
    while (!flag) await yieldNow();
    await send(me, "a");
  });
  await spawn(async () => {
    await yieldNow();
    flag = true;
    await send(me, "b");
  });
  await receive();
  await receive();
}

describe("pct", () => {
  it("finds a depth-2 ordering bug (random walk about 2^-10) within 500 iterations for every seed", async () => {
    const pct = await itersToBug(depth2(8), { strategy: "pct" }, 500, "crash");
    expect(Math.max(...pct)).toBeLessThanOrEqual(500);
    const random = await itersToBug(depth2(8), { strategy: "random" }, 500, "crash");
    expect(mean(random)).toBeGreaterThan(3 * mean(pct));
  });

  it("finds a long chain bug within a few iterations where the random walk needs about 2^12", async () => {
    const pct = await itersToBug(chain(12), { strategy: "pct" }, 60, "crash");
    expect(Math.max(...pct)).toBeLessThanOrEqual(60);
    expect(mean(pct)).toBeLessThan(20);
    const pct1 = await itersToBug(chain(12), { strategy: "pct", depth: 1 }, 20, "crash");
    expect(Math.max(...pct1)).toBeLessThanOrEqual(20);
    const random = await itersToBug(chain(12), { strategy: "random" }, 200, "crash");
    expect(mean(random)).toBeGreaterThan(5 * mean(pct));
  });

  it("labels reports and traces with its depth and step estimate", async () => {
    const r = await explore(chain(12), { strategy: "pct", depth: 4, seed: 3, iterations: 100, traceDir: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("crash");
    expect(r.bug.strategy).toMatch(/^pct\(d=4,k=\d+\)$/);
    expect(r.bug.trace.strategy).toBe(r.bug.strategy);
    expect(r.bug.format()).toContain(`strategy ${r.bug.strategy}`);
    expect(r.stats.strategy).toBe("pct(d=4)");
  });

  it("reports a spin-wait starved by priorities as a step limit (what fair-pct is for)", async () => {
    const r = await itersToBug(spinWait, { strategy: "pct", maxSteps: 2000 }, 100, "step-limit");
    expect(Math.max(...r)).toBeLessThanOrEqual(100);
  });

  it("handles hundreds of processes (the priority heap grows past its initial size)", async () => {
    const many = async () => {
      const me = self();
      for (let i = 0; i < 300; i++) await spawn(async () => send(me, i));
      let sum = 0;
      for (let i = 0; i < 300; i++) sum += await receive();
      expect(sum).toBe((299 * 300) / 2);
    };
    for (const strategy of ["pct", "pos"] as const) {
      const r = await explore(many, { strategy, seed: 1, iterations: 3, traceDir: false });
      expect(r.ok).toBe(true);
    }
  });
});

describe("fair-pct", () => {
  it("finds the depth-2 bug like pct", async () => {
    const r = await itersToBug(depth2(8), { strategy: "fair-pct" }, 500, "crash");
    expect(Math.max(...r)).toBeLessThanOrEqual(500);
  });

  it("never reports a spin-wait as a livelock: past its prefix it chooses at random", async () => {
    const r = await itersToBug(spinWait, { strategy: "fair-pct", maxSteps: 2000 }, 100, "step-limit");
    expect(r.every((n) => n === 101)).toBe(true);
  });

  it("names its prefix (default half of maxSteps) in its label", async () => {
    const r = await explore(depth2(8), { strategy: "fair-pct", fairPrefix: 300, seed: 5, iterations: 500, traceDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.kind).toBe("crash");
    if (!r.ok) expect(r.bug.strategy).toMatch(/^fair-pct\(d=3,k=\d+,prefix=300\)$/);
    expect(strategyFor("fair-pct", 1, { depth: 3 }, { k: 10, maxSteps: 2000 }).label).toBe("fair-pct(d=3,k=10,prefix=1000)");
  });
});

describe("pos", () => {
  it("finds a bug needing one process chosen over 8 consecutive steps within 100 iterations for every seed", async () => {
    const pos = await itersToBug(exclusive(8, 3), { strategy: "pos" }, 100, "crash");
    expect(Math.max(...pos)).toBeLessThanOrEqual(100);
    const random = await itersToBug(exclusive(8, 3), { strategy: "random" }, 300, "crash");
    expect(mean(random)).toBeGreaterThan(4 * mean(pos));
  });

  it("finds the long chain bug too", async () => {
    const pos = await itersToBug(chain(12), { strategy: "pos" }, 150, "crash");
    expect(Math.max(...pos)).toBeLessThanOrEqual(150);
  });
});

describe("idpct", () => {
  it("cycles the depth from 2 to 6 by iteration index", () => {
    const ds = [1, 2, 3, 4, 5, 6, 7].map((i) => strategyFor("idpct", i, checkStrategyParams("idpct", {}), { k: 9 }).label);
    expect(ds).toEqual(["idpct:pct(d=2,k=9)", "idpct:pct(d=3,k=9)", "idpct:pct(d=4,k=9)", "idpct:pct(d=5,k=9)", "idpct:pct(d=6,k=9)", "idpct:pct(d=2,k=9)", "idpct:pct(d=3,k=9)"]);
    expect(strategyFor("idpct", 2, checkStrategyParams("idpct", { minDepth: 4, maxDepth: 4 }), { k: 9 }).params).toEqual([4, 9, 0]);
  });

  it("finds the depth-2 bug within 600 iterations for every seed", async () => {
    const r = await itersToBug(depth2(8), { strategy: "idpct" }, 600, "crash");
    expect(Math.max(...r)).toBeLessThanOrEqual(600);
  });
});

describe("portfolio", () => {
  it("is the default; alone, strategyFor rotates rff, random, pos, pct(d=3), and every member records coverage", async () => {
    const p = checkStrategyParams("portfolio", {});
    const labels = [1, 2, 3, 4, 5, 6].map((i) => strategyFor("portfolio", i, p, { k: 7, maxSteps: 100 }).label);
    expect(labels).toEqual(["portfolio:rff", "portfolio:random", "portfolio:pos", "portfolio:pct(d=3,k=7)", "portfolio:rff", "portfolio:random"]);
    // The bandit's choice wins over the rotation.
    expect(strategyFor("portfolio", 1, p, { k: 7, maxSteps: 100, member: "pct" }).label).toBe("portfolio:pct(d=3,k=7)");
    // The priority members turn random halfway to maxSteps.
    expect(strategyFor("portfolio", 4, p, { k: 7, maxSteps: 100 }).params).toEqual([3, 7, 50]);
    expect(strategyFor("portfolio", 3, p, { k: 7, maxSteps: 100 }).params[2]).toBe(50);
    // Its rff always mutates (second parameter 1: the other members make the fresh runs); rff alone does not ask that.
    expect(strategyFor("portfolio", 5, p, { k: 7, maxSteps: 100 }).params).toEqual([5, 1]);
    expect(strategyFor("rff", 5, {}, {}).params).toEqual([5]);
    for (let i = 1; i <= 4; i++) expect(strategyFor("portfolio", i, p, { k: 7 }).code & STRATEGY_FEEDBACK).toBe(STRATEGY_FEEDBACK);
    const r = await explore(chain(12), { seed: 1, iterations: 200, traceDir: false });
    expect(r.stats.strategy).toBe("portfolio(rff, random, pos, pct(d=3))");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.kind).toBe("crash");
    if (!r.ok) expect(r.bug.strategy).toMatch(/^portfolio:(random|pct\(d=3,k=\d+\)|pos|rff)$/);
  });

  it("bandit: members in turn without coverage; with coverage rff two runs in three, UCB1 and a floor for the rest", () => {
    const count = (b: Bandit, runs: number, fresh: (m: Member, run: number) => number) => {
      const n: Record<string, number> = { rff: 0, random: 0, pos: 0, pct: 0 };
      for (let run = 0; run < runs; run++) {
        const m = b.pick();
        n[m]++;
        b.reward(m, fresh(m, run));
      }
      return n;
    };
    // No reads-from coverage (message passing only): a rotation, each member a quarter.
    expect(count(new Bandit(), 400, () => 0)).toEqual({ rff: 100, random: 100, pos: 100, pct: 100 });
    // Coverage, and only pos keeps finding new pairs: rff keeps its two thirds, UCB1
    // gives pos most of the rest, and the floor keeps random and pct above 1/36 each.
    const n = count(new Bandit(), 3600, (m, run) => (run === 0 || m === "pos" ? 1 : 0));
    expect(n.rff).toBeGreaterThanOrEqual(2399);
    expect(n.pos).toBeGreaterThan(n.random + n.pct);
    expect(Math.min(n.random, n.pct)).toBeGreaterThanOrEqual(100);
  });

  it("finds the chain bug within 100 iterations for every seed, and no spin-wait livelock", async () => {
    const r = await itersToBug(chain(12), {}, 100, "crash");
    expect(Math.max(...r)).toBeLessThanOrEqual(100);
    const spin = await itersToBug(spinWait, { maxSteps: 2000 }, 60, "step-limit");
    expect(spin.every((n) => n === 61)).toBe(true);
  });

  it("keeps iteration i a function of (seed, i, options) for its non-feedback strategies: a worker starting at the failing iteration finds the same bug", async () => {
    for (const strategy of ["pct", "pos", "idpct", "fair-pct"] as const) {
      const body = depth2(6);
      const all = await explore(body, { strategy, seed: 4, iterations: 800, traceDir: false });
      expect(all.ok).toBe(false);
      if (all.ok) continue;
      expect(all.bug.kind).toBe("crash");
      const i = all.bug.iteration;
      const alone = await explore(body, { strategy, seed: 4, firstIteration: i, iterations: 1, traceDir: false });
      expect(alone.ok).toBe(false);
      if (alone.ok) continue;
      expect(alone.bug.iteration).toBe(i);
      expect(alone.bug.strategy).toBe(all.bug.strategy);
      expect(alone.bug.schedule).toEqual(all.bug.schedule);
      // A worker of a 3-way split that owns iteration i finds it at the same place.
      const first = ((i - 1) % 3) + 1;
      const sharded = await explore(body, { strategy, seed: 4, firstIteration: first, stride: 3, iterations: Math.ceil(800 / 3), traceDir: false });
      expect(sharded.ok).toBe(false);
      if (!sharded.ok) {
        expect(sharded.bug.iteration).toBe(i);
        expect(sharded.bug.schedule).toEqual(all.bug.schedule);
      }
    }
  });
});

describe("strategy options", () => {
  const body = async () => {};
  const bad = (o: ExploreOptions, msg: RegExp) => expect(explore(body, { ...o, traceDir: false })).rejects.toThrow(msg);

  it("validates each strategy's parameters with clear errors", async () => {
    await bad({ strategy: "pct", depth: 0 }, /depth must be an integer 1\.\.20, got 0/);
    await bad({ strategy: "pct", depth: 21 }, /depth must be an integer 1\.\.20/);
    await bad({ strategy: "pct", depth: 2.5 }, /depth must be an integer 1\.\.20, got 2\.5/);
    await bad({ strategy: "pct", depth: "3" as never }, /depth must be an integer 1\.\.20/);
    await bad({ strategy: "pct", changePoints: 20 }, /changePoints must be an integer 0\.\.19/);
    await bad({ strategy: "pct", depth: 3, changePoints: 2 }, /depth or changePoints/);
    await bad({ strategy: "random", depth: 3 }, /depth applies to strategy portfolio \/ pct \/ fair-pct, not "random"/);
    await bad({ strategy: "pos", fairPrefix: 10 }, /fairPrefix applies to strategy fair-pct, not "pos"/);
    await bad({ strategy: "pct", minDepth: 2 }, /minDepth applies to strategy idpct/);
    await bad({ strategy: "fair-pct", fairPrefix: 0 }, /fairPrefix must be an integer >= 1, got 0/);
    await bad({ strategy: "idpct", minDepth: 5, maxDepth: 3 }, /minDepth \(5\) must not exceed maxDepth \(3\)/);
    await bad({ strategy: "idpct", maxDepth: 30 }, /maxDepth must be an integer 1\.\.20/);
    await bad({ strategy: "dfs" as never }, /unknown strategy "dfs" \(choose one of portfolio, random, pct, fair-pct, pos, idpct/);
    await expect(explore(body, { strategy: "pct", depth: 0, traceDir: false })).rejects.toBeInstanceOf(OptionsError);
  });

  it("accepts changePoints as depth - 1 and describes every strategy", () => {
    expect(checkStrategyParams("pct", { changePoints: 0 })).toEqual({ depth: 1 });
    expect(checkStrategyParams("pct", {})).toEqual({ depth: 3 });
    expect(describeStrategy("random", {})).toBe("random");
    expect(describeStrategy("pos", {})).toBe("pos");
    expect(describeStrategy("pct", { depth: 2 })).toBe("pct(d=2)");
    expect(describeStrategy("fair-pct", { depth: 3, fairPrefix: 9 })).toBe("fair-pct(d=3,prefix=9)");
    expect(describeStrategy("idpct", checkStrategyParams("idpct", {}))).toBe("idpct(d=2..6)");
  });

  it("uses a default step estimate bounded by maxSteps when none was measured", () => {
    expect(strategyFor("pct", 1, { depth: 3 }, { maxSteps: 40 }).params).toEqual([3, 40, 0]);
    expect(strategyFor("pct", 1, { depth: 3 }, {}).params).toEqual([3, 100, 0]);
  });

  it("is deterministic: the same seed gives the same schedules under every strategy", async () => {
    for (const strategy of ["random", "pct", "fair-pct", "pos", "idpct", "portfolio"] as const) {
      const a = await explore(exclusive(5, 2), { strategy, seed: 9, iterations: 300, traceDir: false });
      const b = await explore(exclusive(5, 2), { strategy, seed: 9, iterations: 300, traceDir: false });
      expect(a.ok).toBe(b.ok);
      expect(a.stats.distinctSchedules).toBe(b.stats.distinctSchedules);
      if (!a.ok && !b.ok) expect(a.bug.schedule).toEqual(b.bug.schedule);
    }
  });
});

describe("portfolio reproducibility", () => {
  it("is reproducible for a given seed and worker split, and its member's label is in the bug", async () => {
    const body = depth2(6);
    for (const split of [{}, { firstIteration: 2, stride: 3 }]) {
      const a = await explore(body, { seed: 4, iterations: 800, traceDir: false, ...split });
      const b = await explore(body, { seed: 4, iterations: 800, traceDir: false, ...split });
      expect(a.ok).toBe(false);
      if (a.ok || b.ok) continue;
      expect(b.bug.iteration).toBe(a.bug.iteration);
      expect(b.bug.schedule).toEqual(a.bug.schedule);
      expect(a.bug.strategy).toMatch(/^portfolio:(random|pct\(d=3,k=\d+\)|pos|rff)$/);
    }
  });
});
