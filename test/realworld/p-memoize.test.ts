// p-memoize 8 (sindresorhus/p-memoize), its own code: a memoized call checks its cache
// with `await cache.has(key)` and then reads it with `await cache.get(key)`. The cache
// is an async store (the README's shape: a Redis or a KeyV), here a Map behind
// controlled() calls, so each cache call is a scheduling point. A `pMemoizeClear`
// landing between `has` and `get` makes the call resolve to undefined: found by the
// default strategy, replayed from its trace.
import { describe, it, expect } from "vitest";
import pMemoize, { pMemoizeClear } from "p-memoize";
import { explore, replay, spawn, controlled } from "lockstep";

/** An async cache (what p-memoize's `cache` option takes) whose every call is a scheduling point. */
function asyncCache<V>() {
  const store = new Map<unknown, V>();
  return {
    has: controlled(async (k: unknown) => store.has(k), { name: "cache.has" }),
    get: controlled(async (k: unknown) => store.get(k), { name: "cache.get" }),
    set: controlled(async (k: unknown, v: V) => void store.set(k, v), { name: "cache.set" }),
    delete: controlled(async (k: unknown) => store.delete(k), { name: "cache.delete" }),
    clear: () => store.clear(),
  };
}

async function body() {
  const fetchUser = controlled(async (id: number) => ({ id, name: `user ${id}` }), { name: "fetchUser" });
  const getUser = pMemoize(fetchUser, { cache: asyncCache<{ id: number; name: string }>() });
  await getUser(1); // cached
  await spawn(async () => pMemoizeClear(getUser)); // e.g. a logout, on another flow
  const user = await getUser(1);
  expect(user).toEqual({ id: 1, name: "user 1" });
}

describe("p-memoize 8", () => {
  it("a pMemoizeClear between the cache's has and get makes a call resolve to undefined: found by the default strategy, and replayed", async () => {
    const r = await explore(body, { iterations: 2000, seed: 19, traceDir: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    expect(r.bug.message).toMatch(/expected undefined to deeply equal/);
    expect(r.bug.iteration).toBeLessThanOrEqual(2000);
    // The interleaving: has() answered true, the clear ran, get() found nothing.
    const ops = r.bug.format();
    expect(ops).toMatch(/cache\.has\(1\)/);
    expect(ops).toMatch(/cache\.get\(1\)/);
    if (process.env.SHOW) console.log(r.bug.iteration, ops);
    const again = await replay(body, r.bug);
    expect(again.ok).toBe(false);
  });
});
