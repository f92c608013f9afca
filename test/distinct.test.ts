// The distinct-schedule counter: exact up to its cap, then a HyperLogLog estimate in
// bounded memory, within HLL's error bound of the exact count, deterministically.
import { describe, it, expect } from "vitest";
import { DistinctCounter } from "../src/explore/distinct.js";

/** 3 standard errors of HyperLogLog at the default precision (2^16 registers). */
const BOUND = (3 * 1.04) / Math.sqrt(1 << 16);

/** Feeds `total` values drawn from `distinct` different ones (a fixed, structured generator). */
function feed(c: DistinctCounter, total: number, distinct: number, gen: (k: number) => number): void {
  for (let k = 0; k < total; k++) c.add(gen(k % distinct));
}

// Odd multipliers are bijections on 32 bits, so the exact distinct count is known.
const weyl = (k: number) => Math.imul(k, 0x9e3779b9);
const sequential = (k: number) => k;
/** FNV-1a over the bytes of k, like the engine's schedule hash (may collide; counted exactly below cap). */
const fnv = (k: number) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < 4; i++) h = Math.imul(h ^ ((k >>> (8 * i)) & 0xff), 16777619);
  return h | 0; // the engine returns it as a signed i32
};

describe("DistinctCounter", () => {
  it("counts exactly up to its cap", () => {
    const c = new DistinctCounter();
    feed(c, 300_000, 100_000, fnv);
    const exact = new Set<number>();
    for (let k = 0; k < 100_000; k++) exact.add(fnv(k) >>> 0);
    expect(c.estimated).toBe(false);
    expect(c.count).toBe(exact.size);
    // -1 and 0xffffffff are the same 32-bit hash.
    const d = new DistinctCounter();
    d.add(-1);
    d.add(0xffffffff);
    expect(d.count).toBe(1);
  });

  for (const [name, gen] of [["weyl", weyl], ["sequential", sequential]] as const) {
    it(`estimates a few million distinct ${name} hashes within HyperLogLog's error bound`, () => {
      const distinct = name === "weyl" ? 3_000_000 : 2_000_000;
      const c = new DistinctCounter();
      feed(c, distinct + 1_000_000, distinct, gen);
      expect(c.estimated).toBe(true);
      const err = Math.abs(c.count - distinct) / distinct;
      expect(err, `estimate ${c.count} for ${distinct}`).toBeLessThan(BOUND);
    });
  }

  it("switches to the sketch past the cap, seeded with the exact values, never below the cap", () => {
    const c = new DistinctCounter(1000);
    feed(c, 1000, 1000, weyl);
    expect(c.estimated).toBe(false);
    expect(c.count).toBe(1000);
    feed(c, 1000, 1000, weyl); // repeats change nothing
    expect(c.count).toBe(1000);
    c.add(weyl(1000));
    expect(c.estimated).toBe(true);
    expect(c.count).toBeGreaterThanOrEqual(1001);
    expect(Math.abs(c.count - 1001) / 1001).toBeLessThan(BOUND);
    // Repeats after the switch leave the estimate unchanged.
    const before = c.count;
    feed(c, 5000, 1001, weyl);
    expect(c.count).toBe(before);
  });

  it("is deterministic: the same hashes give the same count", () => {
    const a = new DistinctCounter(10_000);
    const b = new DistinctCounter(10_000);
    feed(a, 200_000, 150_000, fnv);
    feed(b, 200_000, 150_000, fnv);
    expect(a.count).toBe(b.count);
    expect(Math.abs(a.count - 150_000) / 150_000).toBeLessThan(BOUND);
  });

  it("rejects a bad precision", () => {
    expect(() => new DistinctCounter(10, 3)).toThrow(/precision must be 4..18, got 3/);
  });
});

describe("DistinctCounter.merge (parallel workers)", () => {
  it("merges exact counts exactly, and sketches within the bound", () => {
    const a = new DistinctCounter();
    const b = new DistinctCounter();
    for (let k = 0; k < 60_000; k++) a.add(weyl(k));
    for (let k = 40_000; k < 100_000; k++) b.add(weyl(k)); // 20,000 shared
    const m = new DistinctCounter();
    m.merge(a.snapshot());
    m.merge(b.snapshot());
    expect(m.estimated).toBe(false);
    expect(m.count).toBe(100_000);

    const x = new DistinctCounter(10_000);
    const y = new DistinctCounter(10_000);
    for (let k = 0; k < 300_000; k++) x.add(weyl(k));
    for (let k = 200_000; k < 500_000; k++) y.add(weyl(k));
    const z = new DistinctCounter(10_000);
    z.merge(x.snapshot());
    z.merge(y.snapshot());
    expect(z.estimated).toBe(true);
    expect(Math.abs(z.count - 500_000) / 500_000).toBeLessThan(BOUND);
  });
});

describe("distinct schedules in explore()", () => {
  it("reports an exact count by default, and an estimate (printed ~N) once past the counter's cap", async () => {
    const { explore, spawn, send, receive, self } = await import("lockstep");
    const { distinctText } = await import("../src/cli/progress.js");
    const body = async () => {
      const me = self();
      for (let i = 0; i < 4; i++) await spawn(async () => send(me, i));
      for (let i = 0; i < 4; i++) await receive();
    };
    const exact = await explore(body, { seed: 1, iterations: 300, strategy: "random", traceDir: false });
    expect(exact.stats.distinctSchedulesEstimated).toBe(false);
    expect(exact.stats.distinctSchedules).toBeGreaterThan(16);
    expect(distinctText(exact.stats)).toBe(String(exact.stats.distinctSchedules));
    const est = await explore(body, { seed: 1, iterations: 300, strategy: "random", traceDir: false, distinctCounter: new DistinctCounter(16) });
    expect(est.stats.distinctSchedulesEstimated).toBe(true);
    expect(Math.abs(est.stats.distinctSchedules - exact.stats.distinctSchedules) / exact.stats.distinctSchedules).toBeLessThan(0.05);
    expect(distinctText(est.stats)).toBe(`~${est.stats.distinctSchedules}`);
  });
});
