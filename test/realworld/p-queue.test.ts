// p-queue 9 (sindresorhus/p-queue), its own code. Its concurrency bound holds over
// jobs that await controlled calls; its rate limit (intervalCap per interval, a real
// setInterval) and its per-job timeout (p-timeout's setTimeout) run on lockstep's
// virtual timers, so the interval's ticks and a timeout racing a slow job are
// scheduled events the strategy orders against the jobs.
import { describe, it, expect } from "vitest";
import PQueue from "p-queue";
import { explore, controlled, type ExploreOptions } from "lockstep";

const OPTS: ExploreOptions = { iterations: 300, seed: 19, traceDir: false };
const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("p-queue 9", () => {
  it("concurrency 2: never more than two jobs at once; onIdle resolves when all ran", async () => {
    const r = await explore(async () => {
      const queue = new PQueue({ concurrency: 2 });
      const save = controlled(async (_n: number) => {}, { name: "save" });
      let running = 0;
      let peak = 0;
      const done: number[] = [];
      for (const n of [1, 2, 3, 4, 5]) {
        void queue.add(async () => {
          peak = Math.max(peak, ++running);
          await save(n);
          running--;
          done.push(n);
        });
      }
      await queue.onIdle();
      expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
      expect(peak).toBeLessThanOrEqual(2);
      expect([queue.size, queue.pending]).toEqual([0, 0]);
    }, OPTS);
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });

  it("intervalCap 2 per 100 ms: no 100 ms window (from the first start) sees more than two starts (virtualTimers)", async () => {
    const windows = new Set<string>();
    const r = await explore(async () => {
      const queue = new PQueue({ intervalCap: 2, interval: 100 });
      const call = controlled(async () => {}, { name: "call" });
      const starts: number[] = [];
      const t0 = Date.now();
      await Promise.all([1, 2, 3, 4, 5].map((n) => queue.add(async () => {
        starts.push(Date.now() - t0);
        await call();
        if (n % 2 === 0) await wait(30); // some jobs are slow
      })));
      const perWindow = new Map<number, number>();
      for (const s of starts) perWindow.set(Math.floor(s / 100), (perWindow.get(Math.floor(s / 100)) ?? 0) + 1);
      for (const [, k] of perWindow) expect(k).toBeLessThanOrEqual(2);
      expect(starts.length).toBe(5);
      windows.add(JSON.stringify(starts));
    }, { ...OPTS, virtualTimers: true });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    // Five starts in three windows.
    for (const w of windows) expect(JSON.parse(w).map((s: number) => Math.floor(s / 100))).toEqual([0, 0, 1, 1, 2]);
  });

  it("a per-job timeout racing a slow job: both outcomes explored, the queue always drains (virtualTimers, timers: race)", async () => {
    const outcomes = new Set<string>();
    const r = await explore(async () => {
      const queue = new PQueue({ concurrency: 1 });
      const slowCall = controlled(async () => {
        await wait(40);
        return "result";
      }, { name: "slowCall" });
      const out = await queue.add(slowCall, { timeout: 50 }).catch((e: Error) => (e.name === "TimeoutError" ? "timed out" : Promise.reject(e)));
      outcomes.add(out);
      await queue.onIdle();
      expect([queue.size, queue.pending]).toEqual([0, 0]);
    }, { ...OPTS, virtualTimers: true, timers: "race" });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    expect([...outcomes].sort()).toEqual(["result", "timed out"]);
  });
});
