// Shared objects (src/shared): every method is a sync point, with the semantics each
// object documents. Races are checked both ways: the racy protocol is found, the
// atomic or locked one passes every explored schedule.
import { describe, it, expect } from "vitest";
import { OP } from "../src/engine/ops.js";
import { explore, replay, spawn, send, receive, self, sleep, yieldNow, SharedCell, SharedMap, Atomic, Mutex, Semaphore, Condition, UsageError, type ExploreOptions } from "lockstep";

const opts = (o: ExploreOptions = {}): ExploreOptions => ({ iterations: 300, seed: 7, strategy: "random", traceDir: false, ...o });

/** Runs each function as a process and waits for all of them. */
async function all(...fns: (() => Promise<unknown>)[]): Promise<void> {
  const me = self();
  for (const f of fns) await spawn(async () => { await f(); await send(me, "done"); });
  for (let i = 0; i < fns.length; i++) await receive((m) => m === "done");
}

describe("SharedCell", () => {
  it("get / set / update / compareAndSet", async () => {
    const r = await explore(async () => {
      const c = new SharedCell(1);
      expect(await c.get()).toBe(1);
      await c.set(5);
      expect(await c.update((v) => v * 2)).toBe(10);
      expect(await c.compareAndSet(3, 4)).toBe(false);
      expect(await c.compareAndSet(10, 11)).toBe(true);
      expect(await c.get()).toBe(11);
      const n = new SharedCell(NaN);
      expect(await n.compareAndSet(NaN, 0)).toBe(true); // SameValueZero
      await expect(c.update(() => { throw new Error("no"); })).rejects.toThrow("no");
      expect(await c.get()).toBe(11); // a throwing update writes nothing
    }, opts({ iterations: 3 }));
    expect(r.ok).toBe(true);
  });

  it("a get then set loses updates; update never does", async () => {
    const racy = await explore(async () => {
      const c = new SharedCell(0);
      const inc = async () => { const v = await c.get(); await c.set(v + 1); };
      await all(inc, inc);
      expect(await c.get()).toBe(2);
    }, opts());
    expect(racy.ok).toBe(false);
    if (!racy.ok) {
      expect(racy.bug.kind).toBe("exception");
      expect(racy.bug.format()).toMatch(/shared-read\s+SharedCell#1\.get\(\)/);
    }
    const atomic = await explore(async () => {
      const c = new SharedCell(0);
      const inc = async () => { await c.update((v) => v + 1); };
      await all(inc, inc, inc);
      expect(await c.get()).toBe(3);
    }, opts({ iterations: 500 }));
    expect(atomic.ok).toBe(true);
  });

  it("a failing schedule replays to the same failure", async () => {
    const body = async () => {
      const c = new SharedCell(0, { name: "counter" });
      const inc = async () => { const v = await c.get(); await c.set(v + 1); };
      await all(inc, inc);
      expect(await c.get()).toBe(2);
    };
    const r = await explore(body, opts());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    expect(r.bug.format()).toContain("counter.get()");
    const again = await replay(body, r.bug);
    expect(again.ok).toBe(false);
  });
});

describe("Atomic", () => {
  it("read-modify-write operations are atomic and return what they document", async () => {
    const r = await explore(async () => {
      const a = new Atomic(10);
      expect(await a.getAndAdd(5)).toBe(10);
      expect(await a.add(1)).toBe(16);
      expect(await a.incrementAndGet()).toBe(17);
      expect(await a.decrementAndGet()).toBe(16);
      expect(await a.getAndSet(0)).toBe(16);
      expect(await a.compareAndSet(1, 2)).toBe(false);
      expect(await a.compareAndSet(0, 2)).toBe(true);
      await a.set(9);
      expect(await a.get()).toBe(9);
      await expect(a.add("1" as unknown as number)).rejects.toThrow(TypeError);
    }, opts({ iterations: 2 }));
    expect(r.ok).toBe(true);
    const counts = await explore(async () => {
      const a = new Atomic();
      const inc = async () => { for (let i = 0; i < 3; i++) await a.incrementAndGet(); };
      await all(inc, inc, inc);
      expect(await a.get()).toBe(9);
    }, opts({ iterations: 300, strategy: "pct" }));
    expect(counts.ok).toBe(true);
  });

  it("a compareAndSet retry loop never loses an update", async () => {
    const r = await explore(async () => {
      const a = new Atomic(0);
      const inc = async () => {
        for (;;) {
          const v = await a.get();
          if (await a.compareAndSet(v, v + 1)) return;
        }
      };
      await all(inc, inc, inc);
      expect(await a.get()).toBe(3);
    }, opts({ iterations: 400 }));
    expect(r.ok).toBe(true);
  });
});

describe("SharedMap", () => {
  it("get / set / has / delete / entries / size", async () => {
    const r = await explore(async () => {
      const m = new SharedMap<string, number>([["a", 1]]);
      expect(await m.get("a")).toBe(1);
      expect(await m.has("b")).toBe(false);
      await m.set("b", 2);
      await m.set("c", 3);
      expect(await m.delete("a")).toBe(true);
      expect(await m.delete("a")).toBe(false);
      await m.set("a", 4);
      expect(await m.entries()).toEqual([["b", 2], ["c", 3], ["a", 4]]);
      expect(await m.size()).toBe(3);
      expect(await m.get("zz")).toBe(undefined);
    }, opts({ iterations: 2 }));
    expect(r.ok).toBe(true);
  });

  it("finds a check-then-insert race", async () => {
    const r = await explore(async () => {
      const m = new SharedMap<string, string>();
      let inserted = 0;
      const claim = (who: string) => async () => {
        if (!(await m.has("leader"))) {
          await m.set("leader", who);
          inserted++;
        }
      };
      await all(claim("x"), claim("y"));
      expect(inserted).toBe(1);
    }, opts());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.kind).toBe("exception");
  });
});

describe("Mutex", () => {
  it("excludes: critical sections never overlap", async () => {
    const r = await explore(async () => {
      const m = new Mutex();
      let inside = 0;
      let total = 0;
      const worker = async () => {
        for (let i = 0; i < 2; i++) {
          await m.lock();
          inside++;
          expect(inside).toBe(1);
          await yieldNow();
          total++;
          inside--;
          await m.unlock();
        }
      };
      await all(worker, worker, worker);
      expect(total).toBe(6);
    }, opts({ iterations: 400, strategy: "pos" }));
    expect(r.ok).toBe(true);
  });

  it("lets the strategy choose which waiter gets the lock (and barging)", async () => {
    const orders = new Set<string>();
    const r = await explore(async () => {
      const m = new Mutex();
      const order: string[] = [];
      await m.lock();
      const me = self();
      for (const name of ["a", "b"]) {
        await spawn(async () => {
          await m.lock();
          order.push(name);
          await m.unlock();
          await send(me, "done");
        });
      }
      await yieldNow();
      await yieldNow();
      await m.unlock();
      await m.lock(); // the body competes again
      order.push("body");
      await m.unlock();
      await receive();
      await receive();
      orders.add(order.join(","));
    }, opts({ iterations: 300 }));
    expect(r.ok).toBe(true);
    expect(orders.has("a,b,body")).toBe(true);
    expect(orders.has("b,a,body")).toBe(true);
    expect([...orders].some((o) => o.startsWith("body"))).toBe(true);
  });

  it("reports a lock-order deadlock as a deadlock naming the mutexes and their holders", async () => {
    const r = await explore(async () => {
      const a = new Mutex();
      const b = new Mutex();
      await all(
        async () => { await a.lock(); await b.lock(); await b.unlock(); await a.unlock(); },
        async () => { await b.lock(); await a.lock(); await a.unlock(); await b.unlock(); },
      );
    }, opts());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("deadlock");
    expect(r.bug.format()).toMatch(/<0\.2\.0> waits for Mutex#\d\.lock held by <0\.3\.0>/);
    expect(r.bug.format()).toMatch(/<0\.3\.0> waits for Mutex#\d\.lock held by <0\.2\.0>/);
  });

  it("rejects unlocking a mutex the caller does not hold, and relocking one it holds", async () => {
    const r = await explore(async () => {
      const m = new Mutex();
      await expect(m.unlock()).rejects.toThrow(/Mutex#1\.unlock\(\): <0\.1\.0> does not hold it \(it is not locked\)/);
      await m.lock();
      await expect(m.lock()).rejects.toThrow(/already holds it/);
      const me = self();
      await spawn(async () => {
        await m.unlock().catch((e) => send(me, e));
      });
      const err = await receive();
      expect(err).toBeInstanceOf(UsageError);
      expect(String(err)).toMatch(/<0\.2\.0> does not hold it \(held by <0\.1\.0>\)/);
      await m.unlock();
    }, opts({ iterations: 5 }));
    expect(r.ok).toBe(true);
  });

  it("tryLock and withLock", async () => {
    const r = await explore(async () => {
      const m = new Mutex();
      expect(await m.tryLock()).toBe(true);
      const me = self();
      await spawn(async () => { await send(me, await m.tryLock()); });
      expect(await receive()).toBe(false);
      await m.unlock();
      await expect(m.withLock(async () => { throw new Error("inside"); })).rejects.toThrow("inside");
      expect(await m.tryLock()).toBe(true); // withLock released it
      await m.unlock();
      expect(await m.withLock(() => 42)).toBe(42);
    }, opts({ iterations: 20 }));
    expect(r.ok).toBe(true);
  });
});

describe("Semaphore", () => {
  let seenPeak2 = false;
  it("admits at most n holders, and blocks the rest until a release", async () => {
    const r = await explore(async () => {
      const s = new Semaphore(2);
      let inside = 0;
      let peak = 0;
      const worker = async () => {
        await s.acquire();
        inside++;
        peak = Math.max(peak, inside);
        expect(inside).toBeLessThanOrEqual(2);
        await yieldNow();
        inside--;
        await s.release();
      };
      await all(worker, worker, worker, worker);
      expect(await s.available()).toBe(2);
      if (peak === 2) seenPeak2 = true;
    }, opts({ iterations: 300 }));
    expect(r.ok).toBe(true);
    expect(seenPeak2).toBe(true);
  });

  it("tryAcquire never waits; an acquire with no permit and no releaser deadlocks", async () => {
    const r = await explore(async () => {
      const s = new Semaphore(1);
      expect(await s.tryAcquire()).toBe(true);
      expect(await s.tryAcquire()).toBe(false);
      await s.acquire();
    }, opts({ iterations: 3 }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.bug.kind).toBe("deadlock");
      expect(r.bug.format()).toMatch(/waits for Semaphore#1\.acquire \(no permit left\)/);
    }
    const bad = await explore(async () => { new Semaphore(-1); }, opts({ iterations: 1 }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(String(bad.bug.error)).toMatch(/non-negative integer/);
  });
});

describe("Condition", () => {
  /** A one-slot buffer with a producer and two consumers; `loop` re-checks the predicate. */
  function buffer(loop: boolean, consumers: number) {
    return async () => {
      const m = new Mutex();
      const nonEmpty = new Condition(m);
      const items: number[] = [];
      const consume = async () => {
        await m.lock();
        if (loop) while (items.length === 0) await nonEmpty.wait();
        else if (items.length === 0) await nonEmpty.wait();
        const item = items.shift();
        expect(item).toBeDefined();
        await m.unlock();
      };
      const produce = async () => {
        for (let i = 0; i < consumers; i++) {
          await m.lock();
          items.push(i);
          await nonEmpty.notify();
          await m.unlock();
        }
      };
      await all(produce, ...Array.from({ length: consumers }, () => consume));
    };
  }

  it("Mesa semantics: a while loop is correct, an if is not (a third process can take the item first)", async () => {
    expect((await explore(buffer(true, 2), opts({ iterations: 500 }))).ok).toBe(true);
    const r = await explore(buffer(false, 2), opts({ iterations: 500 }));
    expect(r.ok).toBe(false);
  });

  it("without spurious wake-ups an if with one consumer is enough; with them (race timers) it is not", async () => {
    expect((await explore(buffer(false, 1), opts({ iterations: 300, timers: "race" }))).ok).toBe(true);
    const spurious = async () => {
      const m = new Mutex();
      const c = new Condition(m, { spuriousWakeups: true });
      let ready = false;
      await all(
        async () => { await m.lock(); if (!ready) await c.wait(); expect(ready).toBe(true); await m.unlock(); },
        async () => { await yieldNow(); await m.lock(); ready = true; await c.notify(); await m.unlock(); },
      );
    };
    const r = await explore(spurious, opts({ iterations: 300, timers: "race" }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.format()).toContain("spurious wake-up");
  });

  it("wait requires the mutex; a notify with no waiter is lost; notifyAll wakes every waiter", async () => {
    const r = await explore(async () => {
      const m = new Mutex();
      const c = new Condition(m);
      await expect(c.wait()).rejects.toThrow(/must hold Mutex#1/);
      await c.notify(); // nobody waits: lost
      let woken = 0;
      let waiting = 0; // guarded by m: a waiter counts itself, then wait releases m atomically
      const waiter = async () => { await m.lock(); waiting++; await c.wait(); woken++; await m.unlock(); };
      const me = self();
      await spawn(async () => { await waiter(); await send(me, 1); });
      await spawn(async () => { await waiter(); await send(me, 1); });
      for (;;) {
        await m.lock();
        if (waiting === 2) break; // both are inside wait
        await m.unlock();
        await yieldNow();
      }
      await c.notifyAll();
      await m.unlock();
      await receive();
      await receive();
      expect(woken).toBe(2);
    }, opts({ iterations: 100 }));
    expect(r.ok).toBe(true);
    const lost = await explore(async () => {
      const m = new Mutex();
      const c = new Condition(m);
      await c.notify();
      await m.lock();
      await c.wait(); // the notify came before: waits forever
    }, opts({ iterations: 1 }));
    expect(lost.ok).toBe(false);
    if (!lost.ok) {
      expect(lost.bug.kind).toBe("deadlock");
      expect(lost.bug.format()).toContain("waits for Condition#2.wait (a notify)");
    }
  });
});

describe("shared objects and iterations", () => {
  it("creating one outside a lockstep process is a clear error", () => {
    expect(() => new SharedCell(0)).toThrow(/new SharedCell\(\) was called outside a lockstep process/);
    expect(() => new Mutex()).toThrow(UsageError);
  });

  it("using one in a later iteration is a clear error", async () => {
    let kept: SharedCell<number> | undefined;
    const r = await explore(async () => {
      if (kept === undefined) {
        kept = new SharedCell(0);
        await kept.set(1);
        return;
      }
      await kept.get();
    }, opts({ iterations: 2 }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(String(r.bug.error)).toMatch(/SharedCell#1\.get\(\): this object was created in iteration 1, which has ended/);
  });

  it("ids restart every iteration, so traces replay with the same resources", async () => {
    const labels = new Set<string>();
    const r = await explore(async () => {
      const a = new Atomic();
      const m = new Mutex();
      labels.add(`${a} ${m}`);
      await sleep(1);
    }, opts({ iterations: 5 }));
    expect(r.ok).toBe(true);
    expect([...labels]).toEqual(["Atomic#1 Mutex#2"]);
  });
});

describe("write counters in the recorded events (rff feedback reads them)", () => {
  // bug.trace.events are [step, pid, op, resource, aux]; a shared object's aux is the
  // number of writes so far: a write records the new count, a read the count it saw.
  async function cellEvents(body: () => Promise<void>): Promise<[number, number][]> {
    const r = await explore(async () => {
      await body();
      throw new Error("stop here");
    }, opts({ iterations: 1 }));
    expect(r.ok).toBe(false);
    if (r.ok) return [];
    expect(r.bug.kind).toBe("exception");
    const shared = r.bug.trace.events.filter((e) => e[2] === OP.SHARED_READ || e[2] === OP.SHARED_WRITE);
    expect(new Set(shared.map((e) => e[3])).size).toBe(1); // one object
    return shared.map((e) => [e[2], e[4]]);
  }
  const R = OP.SHARED_READ;
  const W = OP.SHARED_WRITE;

  it("SharedCell: a successful compareAndSet bumps the counter, a failed one reads it", async () => {
    const events = await cellEvents(async () => {
      const c = new SharedCell(0);
      await c.set(1);
      expect(await c.compareAndSet(1, 2)).toBe(true);
      expect(await c.compareAndSet(1, 3)).toBe(false);
      expect(await c.get()).toBe(2);
      await c.update((v) => v + 1);
      expect(await c.get()).toBe(3);
    });
    expect(events).toEqual([[W, 1], [W, 2], [R, 2], [R, 2], [W, 3], [R, 3]]);
  });

  it("Atomic: a successful compareAndSet bumps the counter, a failed one reads it", async () => {
    const events = await cellEvents(async () => {
      const a = new Atomic(0);
      await a.set(1);
      expect(await a.compareAndSet(1, 2)).toBe(true);
      expect(await a.compareAndSet(1, 3)).toBe(false);
      expect(await a.get()).toBe(2);
      expect(await a.incrementAndGet()).toBe(3);
      expect(await a.get()).toBe(3);
    });
    expect(events).toEqual([[W, 1], [W, 2], [R, 2], [R, 2], [W, 3], [R, 3]]);
  });
});
