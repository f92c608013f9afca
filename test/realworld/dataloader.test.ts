// dataloader 2.2 (graphql/dataloader), its own code with its DEFAULT batch scheduler
// (a batch is dispatched from process.nextTick once the current run of promise jobs
// ends). Loads made in one run of microtasks share a batch; loads made after a
// controlled call resolved land in the batch of whichever results were handed over
// together, so the batching window is part of the schedule lockstep explores.
import { describe, it, expect } from "vitest";
import DataLoader from "dataloader";
import { explore, replay, controlled, type ExploreOptions } from "lockstep";

const OPTS: ExploreOptions = { iterations: 500, seed: 19, traceDir: false };

interface User {
  id: number;
  name: string;
}

/** A users table behind a batch query (SELECT ... WHERE id IN (...)), each query a scheduling point. */
function usersTable() {
  const rows = new Map<number, string>([[1, "ada"], [2, "bob"], [3, "cy"]]);
  const batches: number[][] = [];
  const selectUsers = controlled(async (ids: readonly number[]) => {
    batches.push([...ids]);
    return ids.map((id) => ({ id, name: rows.get(id)! }));
  }, { name: "selectUsers" });
  const rename = controlled(async (id: number, name: string) => void rows.set(id, name), { name: "rename" });
  return { rows, batches, selectUsers, rename };
}

describe("dataloader 2.2 (default scheduler: process.nextTick)", () => {
  it("batching: loads started together share one query; loads after separate calls batch or not, both explored; each gets its own row", async () => {
    const shapes = new Set<string>();
    const r = await explore(async () => {
      const db = usersTable();
      const authorize = controlled(async (_id: number) => true, { name: "authorize" });
      const loader = new DataLoader<number, User>((ids) => db.selectUsers(ids));
      // Same microtask run: one batch.
      const [a, b] = await Promise.all([loader.load(1), loader.load(2)]);
      expect([a.name, b.name]).toEqual(["ada", "bob"]);
      expect(db.batches).toEqual([[1, 2]]);
      // Two requests each authorize, then load: one batch if both authorizations were handed back together.
      const viaAuth = async (id: number) => (await authorize(id)) && loader.load(id);
      const users = await Promise.all([viaAuth(2), viaAuth(3)]);
      expect(users.map((u) => u && u.name)).toEqual(["bob", "cy"]);
      // Key 2 is cached: only 3 is queried, alone or never twice.
      expect(db.batches.slice(1)).toEqual([[3]]);
      loader.clearAll();
      const more = await Promise.all([viaAuth(1), viaAuth(3)]);
      expect(more.map((u) => u && u.name)).toEqual(["ada", "cy"]);
      shapes.add(JSON.stringify(db.batches.slice(2)));
    }, OPTS);
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    expect([...shapes].sort()).toEqual(["[[1,3]]", "[[1],[3]]", "[[3,1]]", "[[3],[1]]"]);
  });

  // A user's cache invalidation: clear the loader's entry, then write. A read landing
  // between them caches the old row again, and later reads serve it.
  function renameScenario(fixed: boolean) {
    return async () => {
      const db = usersTable();
      const loader = new DataLoader<number, User>((ids) => db.selectUsers(ids));
      const renameUser = async (id: number, name: string) => {
        if (fixed) {
          await db.rename(id, name);
          loader.clear(id);
        } else {
          loader.clear(id); // BUG: invalidated before the write lands
          await db.rename(id, name);
        }
      };
      await Promise.all([renameUser(1, "ada lovelace"), loader.load(1)]);
      expect((await loader.load(1)).name).toBe("ada lovelace");
    };
  }

  it("clear-then-write: a read between the clear and the write caches the old row (found, replayed)", async () => {
    const body = renameScenario(false);
    const r = await explore(body, OPTS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    expect(r.bug.message).toContain("expected 'ada' to be 'ada lovelace'");
    expect((await replay(body, r.bug)).ok).toBe(false);
  });

  it("write-then-clear: later reads always see the new row", async () => {
    const r = await explore(renameScenario(true), OPTS);
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });
});
