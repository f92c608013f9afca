// The `virtualTimers` explore option (DESIGN.md "Plain JavaScript"): setTimeout,
// setInterval, setImmediate, their clear functions, Date and performance.now are
// lockstep's inside each iteration; timer callbacks are scheduled work the strategy
// orders against other processes; globals are restored after every iteration.
import { describe, it, expect } from "vitest";
import { promisify } from "node:util";
import { explore, check, replay, spawn, send, receive, self, now, yieldNow, controlled, settle, OptionsError, type ExploreOptions } from "lockstep";
import { passer } from "./helpers/explore";

const VT: ExploreOptions = { virtualTimers: true, traceDir: false, seed: 7 };
const passes = passer({ ...VT, iterations: 30 });

async function fails(body: () => Promise<void>, opts: ExploreOptions = {}) {
  const r = await explore(body, { ...VT, iterations: 200, ...opts });
  expect(r.ok, "expected a bug").toBe(false);
  if (r.ok) throw new Error("unreachable");
  return r.bug;
}

const REAL = { setTimeout, setInterval, setImmediate, clearTimeout, clearInterval, clearImmediate, Date, perfNow: performance.now };

function expectRestored(): void {
  expect(globalThis.setTimeout).toBe(REAL.setTimeout);
  expect(globalThis.setInterval).toBe(REAL.setInterval);
  expect(globalThis.setImmediate).toBe(REAL.setImmediate);
  expect(globalThis.clearTimeout).toBe(REAL.clearTimeout);
  expect(globalThis.clearInterval).toBe(REAL.clearInterval);
  expect(globalThis.clearImmediate).toBe(REAL.clearImmediate);
  expect(globalThis.Date).toBe(REAL.Date);
  expect(performance.now).toBe(REAL.perfNow);
  expect(Object.getOwnPropertyDescriptor(performance, "now")).toBeUndefined();
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("virtual clocks", () => {
  it("an awaited setTimeout is controlled: virtual time advances by its delay, with Date.now and performance.now", async () => {
    const seen: number[][] = [];
    await passes(async () => {
      const before = [now(), Date.now(), performance.now(), new Date().getTime()];
      await new Promise((r) => setTimeout(r, 10));
      seen.push([...before, now(), Date.now(), performance.now(), new Date().getTime()]);
    }, { iterations: 5 });
    for (const s of seen) expect(s).toEqual([0, 1_700_000_000_000, 0, 1_700_000_000_000, 10, 1_700_000_000_010, 10, 1_700_000_000_010]);
  });

  it("in a spawned process too, and clockStart sets the epoch", async () => {
    await passes(async () => {
      const me = self();
      await spawn(async () => {
        await sleepMs(25);
        await send(me, [now(), Date.now()]);
      });
      expect(await receive()).toEqual([25, 1000 + 25]);
    }, { virtualTimers: { clockStart: 1000 } });
  });

  it("Date: new Date(x), the statics, instanceof, Date() and subclasses keep working", async () => {
    const before = new Date(0);
    await passes(async () => {
      const d = new Date();
      expect(d.getTime()).toBe(1_700_000_000_000);
      expect(d instanceof Date && d instanceof REAL.Date && before instanceof Date).toBe(true);
      expect(new Date(5).getTime()).toBe(5);
      expect(new Date(2020, 0, 1).getFullYear()).toBe(2020);
      expect(Date.UTC(2000, 0, 1)).toBe(946684800000);
      expect(Date.parse("2000-01-01T00:00:00Z")).toBe(946684800000);
      expect(Date.prototype).toBe(REAL.Date.prototype);
      expect((Date as unknown as () => string)()).toBe(new REAL.Date(1_700_000_000_000).toString());
      class Stamp extends Date {}
      const s = new Stamp();
      expect(s instanceof Stamp && s instanceof Date).toBe(true);
      expect(s.getTime()).toBe(1_700_000_000_000);
    }, { iterations: 2 });
  });
});

describe("timers as scheduled work", () => {
  it("a 0 ms timer is a yield the strategy orders against another process's step: a batching loader sees both batchings", async () => {
    // A dataloader-style batcher: keys loaded before the 0 ms flush share a batch.
    const shapes = new Set<string>();
    await passes(async () => {
      const batches: string[][] = [];
      let queue: string[] = [];
      const load = (k: string) => {
        queue.push(k);
        if (queue.length === 1) setTimeout(() => { batches.push(queue); queue = []; }, 0);
      };
      load("a");
      await spawn(async () => load("b"));
      await sleepMs(5);
      shapes.add(JSON.stringify(batches));
    }, { iterations: 60, strategy: "random" });
    expect([...shapes].sort()).toEqual([JSON.stringify([["a"], ["b"]]), JSON.stringify([["a", "b"]])].sort());
  });

  it("setImmediate is a yield too; same-kind callbacks run in creation order", async () => {
    const orders = new Set<string>();
    await passes(async () => {
      const log: string[] = [];
      await spawn(async () => { log.push("process"); });
      setImmediate(() => log.push("i1"));
      setTimeout(() => log.push("t0"), 0);
      setImmediate(() => log.push("i2"));
      await sleepMs(1);
      expect(log.filter((x) => x !== "process")).toEqual(["i1", "t0", "i2"]);
      orders.add(log.join(","));
    }, { iterations: 80, strategy: "random" });
    expect(orders.size).toBeGreaterThan(1);
  });

  it("a race found by exploration replays from its bug (a TTL cache whose expiry timer races a refresh)", async () => {
    // Bug: set() does not cancel the previous expiry timer, so an old timer deletes a fresh value.
    const body = async () => {
      const cache = new Map<string, string>();
      const set = (k: string, v: string, ttl: number) => {
        cache.set(k, v);
        setTimeout(() => cache.delete(k), ttl);
      };
      set("k", "v1", 0);
      await spawn(async () => set("k", "v2", 100));
      await sleepMs(1);
      if (!cache.has("k")) throw new Error("fresh value expired by an old timer");
    };
    const bug = await fails(body, { strategy: "random" });
    expect(bug.kind).toBe("exception");
    const again = await replay(body, bug);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.bug.kind).toBe("exception");
  });

  it("a controlled call races a 0 ms timeout (p-timeout / async-mutex tryAcquire style): both outcomes are explored", async () => {
    const fetchIt = controlled(async () => "data");
    const outcomes = new Set<string>();
    await passes(async () => {
      const timeout = new Promise<string>((r) => setTimeout(() => r("timeout"), 0));
      outcomes.add(await Promise.race([fetchIt(), timeout]));
    }, { iterations: 60, strategy: "random" });
    expect([...outcomes].sort()).toEqual(["data", "timeout"]);
  });

  it("a controlled stub may await a virtual timer", async () => {
    const slow = controlled(async (x: number) => {
      await new Promise((r) => setTimeout(r, 30));
      return x * 2;
    });
    await passes(async () => {
      expect(await Promise.all([slow(1), slow(2)])).toEqual([2, 4]);
      expect(now()).toBe(30);
    });
  });

  it('timers: "race" lets a due timer fire while another process still runs', async () => {
    const outcomes = new Set<string>();
    await passes(async () => {
      let done = false;
      const me = self();
      await spawn(async () => {
        for (let i = 0; i < 3; i++) await yieldNow();
        done = true;
        await send(me, "worker");
      });
      const timedOut = await new Promise<boolean>((r) => setTimeout(() => r(!done), 10));
      outcomes.add(timedOut ? "timeout first" : "worker first");
      await receive();
    }, { iterations: 80, timers: "race", strategy: "random" });
    expect([...outcomes].sort()).toEqual(["timeout first", "worker first"]);
  });

  it("quiescent (default): the same timer never fires before the worker is done", async () => {
    await passes(async () => {
      let done = false;
      await spawn(async () => {
        for (let i = 0; i < 3; i++) await yieldNow();
        done = true;
      });
      expect(await new Promise<boolean>((r) => setTimeout(() => r(done), 10))).toBe(true);
    }, { iterations: 40 });
  });
});

describe("setInterval, clear functions and Node's timer objects", () => {
  it("setInterval repeats at its period and clearInterval stops it", async () => {
    await passes(async () => {
      const ticks: number[] = [];
      const h = setInterval(() => {
        ticks.push(now());
        if (ticks.length === 3) clearInterval(h);
      }, 10);
      await sleepMs(100);
      expect(ticks).toEqual([10, 20, 30]);
      expect(now()).toBe(100);
    }, { iterations: 5 });
  });

  it("clearTimeout before the deadline: the callback never runs (by object, by primitive id, and clearTimeout of an interval)", async () => {
    await passes(async () => {
      let ran = 0;
      const a = setTimeout(() => ran++, 5);
      const b = setTimeout(() => ran++, 5);
      const c = setInterval(() => ran++, 5);
      const d = setImmediate(() => ran++);
      clearTimeout(a);
      clearTimeout(+b);
      clearTimeout(c);
      clearImmediate(d);
      await sleepMs(50);
      expect(ran).toBe(0);
    }, { iterations: 5 });
  });

  it("timer objects: ref/unref/hasRef return the timer, refresh restarts the countdown, util.promisify(setTimeout) works", async () => {
    await passes(async () => {
      const t = setTimeout(() => {}, 10);
      expect(t.unref()).toBe(t);
      expect(t.hasRef()).toBe(false);
      expect(t.ref()).toBe(t);
      expect(t.hasRef()).toBe(true);
      expect(typeof +t).toBe("number");
      clearTimeout(t);
      let at = -1;
      const r = setTimeout(() => (at = now()), 10);
      await sleepMs(5);
      r.refresh();
      await sleepMs(20);
      expect(at).toBe(15);
      expect(await promisify(setTimeout)(7, "v")).toBe("v");
      expect(now()).toBe(32);
    }, { iterations: 3 });
  });

  it("a timer callback set inside a timer callback (nested timers) runs later", async () => {
    await passes(async () => {
      const log: number[] = [];
      setTimeout(() => {
        log.push(now());
        setTimeout(() => log.push(now()), 5);
      }, 5);
      await sleepMs(20);
      expect(log).toEqual([5, 10]);
    }, { iterations: 3 });
  });
});

describe("failures and deadlocks", () => {
  it("a timer callback that throws is a crash, named as a timer callback", async () => {
    const bug = await fails(async () => {
      setTimeout(() => {
        throw new Error("boom");
      }, 5);
      await sleepMs(10);
    }, { iterations: 5 });
    expect(bug.kind).toBe("crash");
    expect(bug.message).toContain("A timer callback crashed: the setTimeout #1 callback, set by <0.1.0>");
    expect(bug.message).toContain("threw: Error: boom");
  });

  it("…also when no process waits for it and it runs as its own process", async () => {
    const bug = await fails(async () => {
      setTimeout(() => {
        throw new Error("boom");
      }, 5);
      await receive(); // parked in a lockstep call: the callback runs as a process of its own
    }, { iterations: 5 });
    expect(bug.kind).toBe("crash");
    expect(bug.message).toContain("the setTimeout #1 callback, set by <0.1.0>");
    expect(bug.message).toContain("threw: Error: boom");
  });

  it("a pending timer is not a deadlock: a receive woken by a timer callback's send passes", async () => {
    await passes(async () => {
      const me = self();
      setTimeout(() => send(me, "ping"), 50); // the runner awaits a promise the callback returns
      expect(await receive()).toBe("ping");
      expect(now()).toBe(50);
    }, { iterations: 10 });
  });

  it("a body awaiting only a cleared timer is a deadlock", async () => {
    const bug = await fails(async () => {
      await new Promise((r) => {
        const t = setTimeout(r, 10);
        clearTimeout(t);
      });
    }, { iterations: 3 });
    expect(bug.kind).toBe("deadlock");
  });

  it("a process blocked forever beside pending timers is reported once they have all run", async () => {
    const bug = await fails(async () => {
      setTimeout(() => {}, 10);
      await receive();
    }, { iterations: 3 });
    expect(bug.kind).toBe("deadlock");
  });

  it("a controlled stub awaiting its own timer, whose callback is handed to its caller (waiting on an earlier timer), resolves in its own turn", async () => {
    // p-timeout's shape (p-queue's per-job timeout): the caller races the stub against a
    // longer timer. Callbacks keep their order, so the stub's 40 ms callback may run in
    // the caller's turn; the stub's task must then still resolve in its own turn (this
    // used to hand the turn to a process that was running: "wake is not a function").
    const seen = new Set<string>();
    await passes(async () => {
      const slow = controlled(async () => {
        await sleepMs(40);
        return "result";
      });
      const timeout = new Promise<string>((r) => setTimeout(() => r("timed out"), 50));
      seen.add(await Promise.race([slow(), timeout]));
    }, { iterations: 100, timers: "race" });
    expect([...seen].sort()).toEqual(["result", "timed out"]);
  });

  it("a process woken by its call's result but not yet resumed still runs its own timer's callback, in its turn", async () => {
    // The debounced field's shape: the body waits on a timer while a call is in flight;
    // the call resolves (the body is runnable again), then the timer fires. The callback
    // continues the body's code, so it must run in the body's turn, not in the runner's
    // (there a settle() would wait for the runner's calls and never return).
    await passes(async () => {
      const f = controlled(async () => 1, { name: "f" });
      void f();
      await new Promise((r) => setTimeout(r, 10));
      expect(await settle()).toBe(0);
    }, { iterations: 100, timers: "race" });
  });

  it("without the option real timers stay real: awaiting one is an uncontrolled await", async () => {
    const bug = await fails(async () => {
      await new Promise((r) => setTimeout(r, 1));
    }, { virtualTimers: false, iterations: 1 });
    expect(bug.kind).toBe("uncontrolled-await");
  });
});

describe("iterations are isolated", () => {
  it("timers pending when an iteration ends, or set by a process that died, never fire later", async () => {
    let fired = 0;
    let leftover: typeof setTimeout | undefined;
    await passes(async () => {
      leftover ??= setTimeout;
      setTimeout(() => fired++, 1000);
      await spawn(async () => {
        setTimeout(() => fired++, 500);
        throw Object.assign(new Error("dies"), {});
      }).catch(() => {});
    }, { iterations: 20, allowCrashes: true });
    expect(fired).toBe(0);
    // A reference kept past its iteration makes a timer that never fires.
    let late = false;
    leftover!(() => (late = true), 0);
    await new Promise((r) => REAL.setTimeout(r, 20));
    expect(late).toBe(false);
    expectRestored();
  });

  it("globals are restored after explore resolves, after it rejects, and after an abandoned iteration", async () => {
    await passes(async () => {
      expect(globalThis.setTimeout).not.toBe(REAL.setTimeout);
      expect(performance.now()).toBe(0);
    }, { iterations: 3 });
    expectRestored();
    await expect(check(async () => { throw new Error("fails"); }, { ...VT, iterations: 3 })).rejects.toThrow(/fails/);
    expectRestored();
    const bug = await fails(async () => {
      await new Promise((r) => REAL.setTimeout(r, 1)); // a real timer: abandoned as an uncontrolled await
    }, { iterations: 1 });
    expect(bug.kind).toBe("uncontrolled-await");
    expectRestored();
    await new Promise((r) => REAL.setTimeout(r, 10));
    expectRestored();
  });

  it("same seed: same schedule and the same Date.now() values", async () => {
    const run = async () => {
      const stamps: number[] = [];
      const r = await explore(async () => {
        const me = self();
        for (const d of [3, 0, 7]) await spawn(async () => {
          await sleepMs(d);
          stamps.push(Date.now());
          await send(me, d);
        });
        setTimeout(() => stamps.push(Date.now()), 0);
        for (let i = 0; i < 3; i++) await receive();
        if (stamps.length > 0 && stamps[0] === 1_700_000_000_000 + 7) throw new Error("slowest first");
      }, { ...VT, iterations: 50, seed: 11 });
      return { stamps, r };
    };
    const a = await run();
    const b = await run();
    expect(b.stamps).toEqual(a.stamps);
    expect(b.r.ok).toBe(a.r.ok);
    if (!a.r.ok && !b.r.ok) expect(b.r.bug.schedule).toEqual(a.r.bug.schedule);
  });
});

describe("options", () => {
  it("bad virtualTimers values are OptionsErrors naming the problem", async () => {
    const body = async () => {};
    for (const bad of ["yes", 1, null, [], { clockStart: Number.NaN }, { clockStart: -1 }, { clockStart: "0" }, { clockStart: Infinity }, { other: 1 }]) {
      const err = await explore(body, { virtualTimers: bad as never }).catch((e: unknown) => e);
      expect(err, JSON.stringify(bad)).toBeInstanceOf(OptionsError);
      expect((err as Error).message).toMatch(/virtualTimers/);
    }
    expectRestored();
  });

  it("the trace records the option, so replay runs under virtual timers", async () => {
    const body = async () => {
      await sleepMs(10);
      if (Date.now() === 5_010) throw new Error("at 5010");
    };
    const bug = await fails(body, { virtualTimers: { clockStart: 5000 }, iterations: 1 });
    expect(bug.trace.options.virtualTimers).toEqual({ clockStart: 5000 });
    const again = await replay(body, bug);
    expect(again.ok).toBe(false);
    expectRestored();
  });
});
