// stats.readsFrom: how much shared-state behaviour a passing search covered (rff's
// reads-from pairs, fed by every portfolio run).
import { describe, expect, it } from "vitest";
import { explore, spawn, SharedCell } from "../src/index.js";

/** n writers and one reader of a cell, correctly: no bug, and more readers see more writes. */
const readersOf = (writers: number) => async () => {
  const cell = new SharedCell(0);
  for (let w = 1; w <= writers; w++) await spawn(async () => { await cell.set(w); });
  await spawn(async () => { await cell.get(); });
};

describe("stats.readsFrom", () => {
  it("counts the reads-from pairs a portfolio or rff search covered; a strategy that records none leaves it out", async () => {
    const one = await explore(readersOf(1), { iterations: 200, seed: 1, traceDir: false });
    const three = await explore(readersOf(3), { iterations: 200, seed: 1, traceDir: false });
    const rff = await explore(readersOf(3), { iterations: 200, seed: 1, strategy: "rff", traceDir: false });
    const random = await explore(readersOf(3), { iterations: 200, seed: 1, strategy: "random", traceDir: false });
    expect(one.ok && three.ok && rff.ok && random.ok).toBe(true);
    // One writer: the read saw the initial value or the write (plus the writes' own pairs).
    expect(one.stats.readsFrom).toBeGreaterThanOrEqual(2);
    // Three writers: the read can see any of four values, so strictly more pairs.
    expect(three.stats.readsFrom).toBeGreaterThan(one.stats.readsFrom!);
    expect(rff.stats.readsFrom).toBeGreaterThan(one.stats.readsFrom!);
    expect(random.stats.readsFrom).toBeUndefined();
  });

  it("starts from nothing in each exploration (the same search twice counts the same)", async () => {
    const a = await explore(readersOf(2), { iterations: 100, seed: 7, traceDir: false });
    const b = await explore(readersOf(2), { iterations: 100, seed: 7, traceDir: false });
    expect(a.stats.readsFrom).toBeGreaterThan(0);
    expect(b.stats.readsFrom).toBe(a.stats.readsFrom);
  });

  it("is 0 for a program without shared objects", async () => {
    const r = await explore(async () => { await spawn(async () => {}); }, { iterations: 20, seed: 1, traceDir: false });
    expect(r.ok && r.stats.readsFrom).toBe(0);
  });
});
