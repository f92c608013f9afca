// lru-cache 11 (isaacs/node-lru-cache), its own code, on lockstep's virtual clock.
// Its fetch() dedups concurrent loads of a key; with a ttl and allowStale it serves
// the stale value while one background fetch revalidates (stale-while-revalidate).
//
// The clock: lru-cache reads time through its `perf` option (default: the global
// `performance`) and treats a start time of 0 as "no TTL"; under virtualTimers
// performance.now() is 0 when an iteration begins, so an entry stored then would never
// go stale. Give it `perf: Date` (Date.now() starts at virtualTimers.clockStart) and
// build the cache inside the body, so each iteration's cache reads that iteration's clock.
import { describe, it, expect } from "vitest";
import { LRUCache } from "lru-cache";
import { explore, controlled, type ExploreOptions } from "lockstep";

const OPTS: ExploreOptions = { iterations: 500, seed: 19, traceDir: false, virtualTimers: true };
const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A backing store whose value changes on every load ("v1", "v2", ...). */
function origin() {
  let version = 0;
  const load = controlled(async (_key: string) => `v${++version}`, { name: "load" });
  return { load, loads: () => version };
}

describe("lru-cache 11", () => {
  it("fetch(): concurrent fetches of a missing key share one load", async () => {
    const r = await explore(async () => {
      const { load, loads } = origin();
      const cache = new LRUCache<string, string>({ max: 10, fetchMethod: (k) => load(k) });
      const got = await Promise.all([cache.fetch("user"), cache.fetch("user"), cache.fetch("user")]);
      expect(got).toEqual(["v1", "v1", "v1"]);
      expect(loads()).toBe(1);
    }, OPTS);
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });

  it("stale-while-revalidate on the virtual clock: readers get the stale or the fresh value, never nothing; one revalidation", async () => {
    const seen = new Set<string>();
    const r = await explore(async () => {
      const { load, loads } = origin();
      const cache = new LRUCache<string, string>({ max: 10, ttl: 100, allowStale: true, perf: Date, fetchMethod: (k) => load(k) });
      expect(await cache.fetch("user")).toBe("v1");
      await wait(150); // the entry is stale now
      const readers = await Promise.all([cache.fetch("user"), cache.fetch("user"), (async () => {
        await wait(1);
        return cache.fetch("user");
      })()]);
      for (const v of readers) expect(["v1", "v2"]).toContain(v);
      seen.add(readers.join(","));
      // Not stale-tolerant: waits for the one revalidation in flight (or reads its result).
      expect(await cache.fetch("user", { allowStale: false })).toBe("v2");
      expect(loads()).toBe(2);
    }, { ...OPTS, timers: "race" }); // the late reader's 1 ms may pass before or after the load

    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    // The late reader sees the stale value while the revalidation is in flight, or the fresh one.
    expect([...seen].sort()).toEqual(["v1,v1,v1", "v1,v1,v2"]);
  });

  it("why `perf`: with the default clock (performance.now() is 0 when an iteration starts) the entry never goes stale", async () => {
    const r = await explore(async () => {
      const { load } = origin();
      const cache = new LRUCache<string, string>({ max: 10, ttl: 100, fetchMethod: (k) => load(k) });
      await cache.fetch("user");
      await wait(150);
      expect(cache.getRemainingTTL("user")).toBe(Infinity); // stored at time 0: "no TTL"
    }, { ...OPTS, iterations: 5 });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });
});
