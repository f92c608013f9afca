// p-limit 7 (sindresorhus/p-limit), its own code: jobs that await controlled calls
// (each a scheduling point) never run more than `concurrency` at once, in any
// interleaving the default strategy tries, and every job's result reaches its caller.
import { describe, it, expect } from "vitest";
import pLimit from "p-limit";
import { explore, controlled } from "lockstep";

describe("p-limit 7", () => {
  it("limit(2): never more than two jobs at once, every result delivered, counts back to zero", async () => {
    const most = new Set<number>();
    const r = await explore(async () => {
      const limit = pLimit(2);
      const fetchPage = controlled(async (n: number) => `page ${n}`, { name: "fetchPage" });
      let running = 0;
      let peak = 0;
      const job = async (n: number) => {
        peak = Math.max(peak, ++running);
        const page = await fetchPage(n);
        running--;
        return page;
      };
      const pages = await Promise.all([1, 2, 3, 4, 5].map((n) => limit(job, n)));
      expect(pages).toEqual(["page 1", "page 2", "page 3", "page 4", "page 5"]);
      expect(peak).toBeLessThanOrEqual(2);
      expect([limit.activeCount, limit.pendingCount]).toEqual([0, 0]);
      most.add(peak);
    }, { iterations: 500, seed: 19, traceDir: false });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    expect(r.stats.distinctSchedules).toBeGreaterThan(50);
    expect([...most]).toEqual([2]);
  });

  it("a job that throws frees its slot (the queue drains)", async () => {
    const r = await explore(async () => {
      const limit = pLimit(1);
      const call = controlled(async (fail: boolean) => {
        if (fail) throw new Error("503");
        return "ok";
      }, { name: "call" });
      const out = await Promise.allSettled([limit(call, true), limit(call, false), limit(call, false)]);
      expect(out.map((o) => o.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
      expect(limit.activeCount).toBe(0);
    }, { iterations: 300, seed: 19, traceDir: false });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });
});
