// fast-check's scheduler, in lockstep's terms (docs/from-fast-check.md): settle()
// (waitAll / waitIdle; { one: true } for waitOne), sequence() (scheduleSequence) and
// controlled(fn, { start: "eager" }) (scheduleFunction). Then fast-check's own race
// examples (dubzzz/fast-check: examples/005-race and the "detect race conditions"
// tutorial's queue), ported as a user would, without React: each component's logic is
// kept as plain functions. Each bug is found by lockstep; each fixed version is clean.
// Last, the recipe: fast-check arbitraries for the inputs, lockstep for the schedules.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { explore, check, controlled, settle, sequence, type ExploreOptions } from "lockstep";

const OPTS: ExploreOptions = { iterations: 300, seed: 19, traceDir: false };
const finds = async (body: () => Promise<void>, o: ExploreOptions = {}) => {
  const r = await explore(body, { ...OPTS, ...o });
  expect(r.ok, "expected a bug").toBe(false);
  return r.ok ? "" : r.bug.message;
};
const clean = async (body: () => Promise<void>, o: ExploreOptions = {}) => {
  const r = await explore(body, { ...OPTS, ...o });
  expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
};

describe("settle, sequence, eager start", () => {
  it("settle(): every result delivered and the code after it run; the delivery order is explored", async () => {
    const orders = new Set<string>();
    await clean(async () => {
      const log: string[] = [];
      const search = controlled(async (q: string) => q);
      void search("a").then((r) => log.push(r));
      void search("ab").then((r) => search(`${r}!`)).then((r) => log.push(r));
      expect(await settle()).toBe(0);
      orders.add(log.join(" "));
    });
    expect([...orders].sort()).toEqual(["a ab!", "ab! a"]);
  });

  it("settle({ one: true }): returns after each delivered result, with how many calls are still in flight", async () => {
    const counts = new Set<string>();
    await clean(async () => {
      const f = controlled(async (x: number) => x);
      void f(1);
      void f(2);
      void f(3);
      const seen: number[] = [];
      let pending: number;
      do seen.push((pending = await settle({ one: true })));
      while (pending > 0);
      counts.add(seen.join(","));
    });
    // Results handed over one at a time, or two together when both settled before the caller resumed.
    expect([...counts].every((c) => c.endsWith("0"))).toBe(true);
    expect(counts.has("2,1,0")).toBe(true);
  });

  it("sequence(): steps run in order, each a scheduled event that other work may precede", async () => {
    const orders = new Set<string>();
    await clean(async () => {
      const log: string[] = [];
      const other = controlled(async () => void log.push("other"));
      await Promise.all([sequence([() => log.push("s1"), () => log.push("s2")]), other()]);
      expect(log.indexOf("s1")).toBeLessThan(log.indexOf("s2"));
      orders.add(log.join(" "));
    });
    expect([...orders].sort()).toEqual(["other s1 s2", "s1 other s2", "s1 s2 other"]);
  });

  it("controlled(fn, { start: 'eager' }) runs fn at the call; only its result is scheduled", async () => {
    await clean(async () => {
      const started: number[] = [];
      const lazy = controlled(async (x: number) => void started.push(x));
      const eager = controlled(async (x: number) => void started.push(x), { start: "eager" });
      const p = lazy(1);
      const q = eager(2);
      expect(started).toEqual([2]); // the eager stub ran at once; the scheduled one waits for its task
      await Promise.all([p, q]);
      await expect(controlled(async () => Promise.reject(new Error("no")), { start: "eager" })()).rejects.toThrow("no");
    });
  });
});
