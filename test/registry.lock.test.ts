// Registry.lock (src/otp/registry.ts; Elixir's Registry.lock/3, lib/elixir/lib/registry.ex,
// since 1.18): per-key mutual exclusion, release on return, throw and the holder's
// death. The "lock" cases port lib/elixir/test/elixir/registry_test.exs
// (describe "lock", run there for unique/duplicate keys and 1/8 partitions; here for
// unique, duplicate by pid and duplicate by key, 1 and 4 partitions).
import { describe, it, expect } from "vitest";
import { explore, spawn, send, receive, self, exit, isAlive, sleep, Registry, SharedCell, UsageError, TIMEOUT, type Pid, type RegistryOptions } from "lockstep";

const configs: RegistryOptions[] = [
  { keys: "unique" },
  { keys: "unique", partitions: 4 },
  { keys: "duplicate", partitions: 4 },
  { keys: "duplicate", partitionBy: "key", partitions: 4 },
];

/** Runs body over many schedules for every registry config; fails with the bug report. */
async function holds(body: (opts: RegistryOptions) => Promise<void>, iterations = 50): Promise<void> {
  for (const opts of configs) {
    for (const strategy of ["random", "pct"] as const) {
      const r = await explore(() => body(opts), { iterations, seed: 7, strategy, traceDir: false });
      if (!r.ok) throw new Error(`${JSON.stringify(opts)} ${strategy}: ${r.bug.format()}`);
    }
  }
}

/** A process that takes the lock, tells `parent` "locked<n>", waits for "unlock", then runs `then`. */
function locker(reg: unknown, key: unknown, parent: Pid, n: number, then: () => unknown = () => "done"): Promise<Pid> {
  return spawn(async () => {
    const v = await Registry.lock(reg as never, key, async () => {
      await send(parent, `locked${n}`);
      await receive((m) => m === "unlock");
      return then();
    });
    await send(parent, { done: n, v });
  });
}

describe("Registry.lock (registry_test.exs describe \"lock\")", () => {
  it("does not lock when using different keys", async () => {
    await holds(async (opts) => {
      const reg = await Registry.start(opts);
      const me = self();
      const t1 = await locker(reg, 1, me, 1);
      await receive((m) => m === "locked1");
      const t2 = await locker(reg, 2, me, 2);
      await receive((m) => m === "locked2"); // taken while key 1 is held
      await send(t1, "unlock");
      await send(t2, "unlock");
      expect(await receive((m) => m?.done === 1)).toEqual({ done: 1, v: "done" });
      expect(await receive((m) => m?.done === 2)).toEqual({ done: 2, v: "done" });
      expect(await Registry.lock(reg, 1, () => "done")).toBe("done");
      expect(await Registry.lock(reg, 2, () => "done")).toBe("done");
    });
  });

  it("locks when using the same key", async () => {
    await holds(async (opts) => {
      const reg = await Registry.start(opts);
      const me = self();
      const t1 = await locker(reg, "ok", me, 1);
      await receive((m) => m === "locked1");
      await spawn(async () => {
        const v = await Registry.lock(reg, "ok", async () => {
          await send(me, "locked2");
          return "done";
        });
        await send(me, { done: 2, v });
      });
      // refute_receive :locked2, 100 — a timeout fires only when nothing else can run.
      expect(await receive((m) => m === "locked2", { timeout: 100 })).toBe(TIMEOUT);
      await send(t1, "unlock");
      expect(await receive((m) => m?.done === 1)).toEqual({ done: 1, v: "done" });
      await receive((m) => m === "locked2");
      expect(await receive((m) => m?.done === 2)).toEqual({ done: 2, v: "done" });
      expect(await Registry.lock(reg, "ok", () => "done")).toBe("done");
    });
  });

  it("locks when the one holding the lock raises (the error is re-thrown, the lock released)", async () => {
    await holds(async (opts) => {
      const reg = await Registry.start(opts);
      const me = self();
      const t1 = await spawn(async () => {
        try {
          await Registry.lock(reg, "ok", async () => {
            await send(me, "locked");
            await receive((m) => m === "unlock");
            throw new Error("oops");
          });
        } catch (e) {
          await send(me, { raised: (e as Error).message });
        }
      });
      await receive((m) => m === "locked");
      await spawn(async () => {
        await send(me, { t2: await Registry.lock(reg, "ok", () => "done") });
      });
      await send(t1, "unlock");
      expect(await receive((m) => m?.raised !== undefined)).toEqual({ raised: "oops" });
      expect(await receive((m) => m?.t2 !== undefined)).toEqual({ t2: "done" });
      expect(await Registry.lock(reg, "ok", () => "done")).toBe("done");
    });
  });

  it("locks when the one holding the lock terminates (a waiter gets it after the kill)", async () => {
    await holds(async (opts) => {
      const reg = await Registry.start(opts);
      const me = self();
      const t1 = await locker(reg, "ok", me, 1);
      await receive((m) => m === "locked1");
      await spawn(async () => {
        await send(me, { t2: await Registry.lock(reg, "ok", () => "done") });
      });
      await exit(t1, "kill"); // Task.shutdown(task1, :brutal_kill)
      expect(await isAlive(t1)).toBe(false);
      expect(await receive((m) => m?.t2 !== undefined)).toEqual({ t2: "done" });
      expect(await Registry.lock(reg, "ok", () => "done")).toBe("done");
    });
  });

  it("locks when the one waiting for the lock terminates", async () => {
    await holds(async (opts) => {
      const reg = await Registry.start(opts);
      const me = self();
      const t1 = await locker(reg, "ok", me, 1);
      await receive((m) => m === "locked1");
      const t2 = await spawn(async () => {
        await Registry.lock(reg, "ok", () => "done");
        await send(me, "t2 got it");
      });
      await exit(t2, "kill");
      await send(t1, "unlock");
      expect(await receive((m) => m?.done === 1)).toEqual({ done: 1, v: "done" });
      expect(await Registry.lock(reg, "ok", () => "done")).toBe("done");
    });
  });
});

describe("Registry.lock under exploration", () => {
  /** N processes each increment a SharedCell by read-then-write, under the lock or not. */
  async function increments(locked: boolean): Promise<void> {
    const reg = await Registry.start({ keys: "unique", partitions: 2 });
    const cell = new SharedCell(0);
    const me = self();
    const N = 3;
    for (let i = 0; i < N; i++) {
      await spawn(async () => {
        const rmw = async () => {
          const v = await cell.get();
          await cell.set(v + 1);
        };
        if (locked) await Registry.lock(reg, "counter", rmw);
        else await rmw();
        await send(me, "done");
      });
    }
    for (let i = 0; i < N; i++) await receive((m) => m === "done");
    expect(await cell.get()).toBe(N);
  }

  it("a read-modify-write under the lock never loses an update (200 iterations, random and pct)", async () => {
    for (const strategy of ["random", "pct"] as const) {
      const r = await explore(() => increments(true), { iterations: 200, seed: 3, strategy, traceDir: false });
      expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
      expect(r.iterations).toBe(200);
    }
  });

  it("without the lock the lost update is found (kind \"exception\")", async () => {
    const r = await explore(() => increments(false), { iterations: 200, seed: 3, traceDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.kind).toBe("exception");
  });

  it("each waiter can be the next holder: the order after a release is a scheduling decision", async () => {
    const firsts = new Set<number>();
    const r = await explore(
      async () => {
        const reg = await Registry.start({ keys: "duplicate" });
        const me = self();
        const order: number[] = [];
        const t0 = await locker(reg, "k", me, 0);
        await receive((m) => m === "locked0");
        for (let i = 1; i <= 3; i++) {
          await spawn(async () => {
            await Registry.lock(reg, "k", () => order.push(i));
            await send(me, "done");
          });
        }
        await sleep(10); // all three are parked on the lock now
        await send(t0, "unlock");
        for (let i = 0; i < 3; i++) await receive((m) => m === "done");
        expect(order.slice().sort()).toEqual([1, 2, 3]);
        firsts.add(order[0]);
      },
      { iterations: 100, seed: 9, traceDir: false },
    );
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    expect([...firsts].sort()).toEqual([1, 2, 3]);
  });

  it("nested locks on different keys; the value of fn comes back; same key again is a UsageError", async () => {
    await holds(async (opts) => {
      const reg = await Registry.start(opts);
      const me = self();
      const cell = new SharedCell<string[]>([]);
      for (let i = 0; i < 2; i++) {
        await spawn(async () => {
          // Same order a then b in both: no deadlock.
          const v = await Registry.lock(reg, "a", () =>
            Registry.lock(reg, "b", async () => {
              await cell.update((xs) => [...xs, `in${i}`]);
              await cell.update((xs) => [...xs, `out${i}`]);
              return i * 10;
            }),
          );
          await send(me, { v });
        });
      }
      const vs = [(await receive((m) => m?.v !== undefined)).v, (await receive((m) => m?.v !== undefined)).v].sort();
      expect(vs).toEqual([0, 10]);
      const xs = await cell.get();
      // Never interleaved: each in is followed by its own out.
      expect(xs[0].slice(2)).toBe(xs[1].slice(3));
      expect(xs[2].slice(2)).toBe(xs[3].slice(3));
      const err = await Registry.lock(reg, "a", () => Registry.lock(reg, "a", () => 1)).catch((e) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect(String(err.message)).toMatch(/not reentrant/);
      // The outer lock was released although the inner call threw.
      expect(await Registry.lock(reg, "a", () => "free")).toBe("free");
    }, 25);
  });

  it("opposite lock orders on two keys are found as a deadlock naming the lock and its holder", async () => {
    const r = await explore(
      async () => {
        const reg = await Registry.start({ keys: "unique" });
        const me = self();
        for (const [x, y] of [["a", "b"], ["b", "a"]]) {
          await spawn(async () => {
            await Registry.lock(reg, x, () => Registry.lock(reg, y, () => null));
            await send(me, "done");
          });
        }
        for (let i = 0; i < 2; i++) await receive((m) => m === "done");
      },
      { iterations: 200, seed: 5, traceDir: false },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.bug.kind).toBe("deadlock");
      expect(r.bug.format()).toMatch(/Registry\.lock\(#1, "[ab]"\) held by/);
    }
  });

  it("locks are independent of registrations and of other registries", async () => {
    await holds(async (opts) => {
      const a = await Registry.start(opts);
      const b = await Registry.start({ keys: "unique" });
      await Registry.lock(a, "k", async () => {
        expect(await Registry.register(a, "k", 1)).toMatchObject({ ok: true });
        expect(await Registry.lock(b, "k", () => "other registry")).toBe("other registry");
      });
      expect(await Registry.lookup(a, "k")).toEqual([[self(), 1]]);
      expect(await Registry.count(a)).toBe(1);
    }, 10);
  });

  it("rejects bad arguments", async () => {
    const r = await explore(
      async () => {
        const reg = await Registry.start({ keys: "unique" });
        await expect(Registry.lock(reg, "k", 42 as never)).rejects.toThrow(TypeError);
        await expect(Registry.lock("nope", "k", () => 1)).rejects.toThrow(/unknown registry/);
      },
      { iterations: 1, traceDir: false },
    );
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });
});
