// Plain async JavaScript as a new user writes it (DESIGN.md, "Plain JavaScript"):
// verdicts found wrong by an adversarial probe, and programs whose verdicts are right
// kept as regressions (bug found and replayed; or no bug, with the claimed count).
import { describe, it, expect } from "vitest";
import { EventEmitter, once } from "node:events";
import { explore, replay, controlled, spawn, send, receive, self, sleep, Semaphore, Atomic, SharedCell, Mutex, Condition, type ExploreOptions, type ExploreResult } from "lockstep";

const base: ExploreOptions = { traceDir: false, seed: 1 };

describe("wrong verdicts found by the probe", () => {
  it("a real-timer await after a floating rejection is an uncontrolled await, not a deadlock, whatever the host had pending", async () => {
    // The host's own pending work (a test runner's immediate) finishes while the
    // explorer lets Node report the floating rejection; the re-run that attributes it
    // must still see the body's own setImmediate as a real resource it started.
    await explore(async () => {}, { ...base, iterations: 1 }); // the engine is loaded
    setImmediate(() => {});
    const body = async () => {
      void controlled(async () => { throw new Error("floating"); })();
      await new Promise((r) => setImmediate(r));
    };
    const r = await explore(body, { ...base, strategy: "random", iterations: 5 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("uncontrolled-await");
    expect(r.bug.format()).not.toContain("did not reproduce");
  });
});

describe("virtual timers: a clear cancels a callback that has not run", () => {
  it("a timeout cleared by the code a result resumes never runs, even if it fired in the same turn (AbortController timeout)", async () => {
    // fetchIt's result and the 100 ms abort timer can be ready together (timers: "race");
    // whichever runs first, a timer cleared before its callback ran never aborts.
    const body = async () => {
      const state = { value: "old", timedOut: false };
      const fetchIt = controlled(async () => { await new Promise((r) => setTimeout(r, 50)); return "new"; });
      const ac = new AbortController();
      const t = setTimeout(() => ac.abort(), 100);
      ac.signal.addEventListener("abort", () => { state.timedOut = true; });
      const v = await fetchIt();
      clearTimeout(t);
      if (!ac.signal.aborted) state.value = v;
      await new Promise((r) => setTimeout(r, 200));
      if (state.timedOut && state.value === "new") throw new Error("applied a result after reporting a timeout");
    };
    for (const strategy of ["random", "pos", "dpor"] as const) {
      const r = await explore(body, { ...base, strategy, iterations: 300, virtualTimers: true, timers: "race" });
      expect(r.ok, r.ok ? "" : `${strategy}: ${r.bug.format()}`).toBe(true);
    }
  });
});

describe("a body that ends in another process's turn", () => {
  it("a race whose loser is still in flight is the user's assertion, not a missing await (Promise.race timeout)", async () => {
    // Both 10 ms timers fire in Node, timeout first (created first): the race resolves
    // to "t" and the loser's write still lands. The 100 ms wait's callback may run in
    // the loser's task's turn (callbacks run in the order they became due), and the
    // body's code ends there, after the loser's result woke it: it still ends in its
    // own turn, and the failure is the user's.
    const body = async () => {
      const log: string[] = [];
      const slow = controlled(async () => { await new Promise((r) => setTimeout(r, 10)); log.push("result"); return "r"; });
      const timeout = new Promise((r) => setTimeout(() => { log.push("timeout"); r("t"); }, 10));
      const winner = await Promise.race([slow(), timeout]);
      await new Promise((r) => setTimeout(r, 100));
      if (winner === "t" && log.includes("result")) throw new Error(`timed out but the write happened: ${log}`);
    };
    for (const strategy of ["portfolio", "random", "rff", "dpor"] as const) {
      const r = await explore(body, { ...base, strategy, iterations: 100, virtualTimers: true, timers: "race" });
      expect(r.ok, strategy).toBe(false);
      if (r.ok) continue;
      expect(r.bug.kind, `${strategy}: ${r.bug.format()}`).toBe("exception");
      expect(String(r.bug.error)).toContain("timed out but the write happened");
      expect((await replay(body, r.bug)).ok).toBe(false);
    }
  });
});

describe("Promise.all rejects at the first error", () => {
  it("a body whose assertion fails while its other flows' calls are in flight reports the assertion, not a missing await", async () => {
    // Semaphore(3) lets three jobs in; the job that sees 3 active throws, Promise.all
    // rejects at once and the other jobs' decrement and release are still in flight.
    const body = async () => {
      const sem = new Semaphore(3);
      const active = new Atomic(0);
      const job = async () => {
        await sem.acquire();
        const n = await active.incrementAndGet();
        if (n > 2) throw new Error(`${n} active`);
        await active.decrementAndGet();
        await sem.release();
      };
      await Promise.all([job(), job(), job()]);
    };
    for (const strategy of ["random", "rff", "dpor"] as const) {
      const r = await explore(body, { ...base, strategy, iterations: 500 });
      expect(r.ok, strategy).toBe(false);
      if (r.ok) continue;
      expect(r.bug.kind, `${strategy}: ${r.bug.format()}`).toBe("exception");
      expect(String(r.bug.error)).toContain("3 active");
      const again = await replay(body, r.bug);
      expect(again.ok ? "passed" : again.bug.kind).toBe("exception");
    }
  });

  it("a process that returns normally with a call still floating is still a missing await", async () => {
    const r = await explore(async () => {
      const c = new SharedCell(0);
      await Promise.all([c.get(), (async () => { void c.set(1); })()]);
    }, { ...base, strategy: "random", iterations: 50 });
    expect(r.ok ? "passed" : r.bug.kind).toBe("missing-await");
  });
});

describe("virtual timers: callbacks are not lost with a task that ends", () => {
  it("two controlled calls each awaiting a timer, under timers: race, never deadlock", async () => {
    // A task whose code ended in another process's turn ends in its own turn; a timer
    // callback of another task must not be handed to it and dropped when it ends.
    const outcomes = new Set<string>();
    const body = async () => {
      const log: unknown[] = [];
      const f = controlled(async (x: number) => { await new Promise((r) => setTimeout(r, 10)); log.push(x); });
      setTimeout(() => log.push("T"), 10);
      await Promise.all([f(1), f(2)]);
      await new Promise((r) => setTimeout(r, 50));
      outcomes.add(log.join(""));
    };
    for (const strategy of ["random", "pos", "portfolio"] as const) {
      const r = await explore(body, { ...base, strategy, iterations: 300, virtualTimers: true, timers: "race" });
      expect(r.ok, r.ok ? "" : `${strategy}: ${r.bug.format()}`).toBe(true);
    }
    // dpor's complete verdict sees every order the samples saw.
    const sampled = [...outcomes].sort();
    outcomes.clear();
    const d = await explore(body, { ...base, strategy: "dpor", iterations: 5000, virtualTimers: true, timers: "race" });
    expect(d.ok && d.stats.complete).toBe(true);
    expect([...outcomes].sort()).toEqual(sampled);
  });
});

describe("dpor and controlled() stubs", () => {
  it("two different stubs sharing a variable outside lockstep are dependent: dpor finds the order that breaks it", async () => {
    // inc then dbl gives 2, dbl then inc gives 1. The stubs are what the user told
    // lockstep about: dpor must not treat them as independent and claim completeness.
    const body = async () => {
      let x = 0;
      const inc = controlled(async () => { x++; });
      const dbl = controlled(async () => { x *= 2; });
      await Promise.all([inc(), dbl()]);
      if (x !== 2) throw new Error(`x = ${x}`);
    };
    const r = await explore(body, { ...base, strategy: "dpor", iterations: 100 });
    expect(r.ok, r.ok ? `claimed complete=${r.stats.complete} with ${r.stats.traces} traces` : "").toBe(false);
    if (r.ok) return;
    expect(String(r.bug.error)).toContain("x = 1");
    expect((await replay(body, r.bug)).ok).toBe(false);
  });
});

describe("virtual timers: AbortSignal.timeout", () => {
  it("is a virtual timer: awaiting its abort is no deadlock, and it fires at its virtual deadline", async () => {
    const realTimeout = AbortSignal.timeout;
    const seen: unknown[] = [];
    const r = await explore(async () => {
      const t0 = Date.now();
      const s = AbortSignal.timeout(100);
      await new Promise((resolve) => s.addEventListener("abort", resolve));
      seen.push(Date.now() - t0, (s.reason as Error).name, s.aborted);
    }, { ...base, iterations: 3, virtualTimers: true });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    expect(seen.slice(0, 3)).toEqual([100, "TimeoutError", true]);
    expect(AbortSignal.timeout).toBe(realTimeout);
    expect(() => AbortSignal.timeout(-1)).toThrow();
  });

  it("a fetch given AbortSignal.timeout races its reply under timers: race, and the race is found", async () => {
    const body = async () => {
      const fetchIt = controlled(async (signal: AbortSignal) => {
        await new Promise((r) => setTimeout(r, 50));
        signal.throwIfAborted();
        return "reply";
      });
      // 50 ms of work against a 60 ms budget: fine in quiescent time, lost when the server is slow.
      const v = await fetchIt(AbortSignal.timeout(60));
      if (v !== "reply") throw new Error("no reply");
    };
    const calm = await explore(body, { ...base, iterations: 50, virtualTimers: true });
    expect(calm.ok, calm.ok ? "" : calm.bug.format()).toBe(true);
    const raced = await explore(body, { ...base, iterations: 300, virtualTimers: true, timers: "race" });
    expect(raced.ok).toBe(false);
    if (raced.ok) return;
    expect((raced.bug.error as Error).name).toBe("TimeoutError");
    expect((await replay(body, raced.bug)).ok).toBe(false);
  });
});

describe("a real unref'd timer", () => {
  it("is reported as a lost wake-up whose message names the unref'd timer it cannot see", async () => {
    const r = await explore(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10).unref());
    }, { ...base, iterations: 3 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("deadlock");
    expect(r.bug.format()).toContain("unref'd timer");
  });
});

// ---- programs whose verdicts were right, kept as regressions ------------------------

/** Expects a bug whose error contains `text`, of `kind`, that replays. */
async function expectBug(body: () => Promise<void>, r: ExploreResult, kind: string, text: string) {
  expect(r.ok, "expected a bug").toBe(false);
  if (r.ok) return;
  expect(r.bug.kind, r.bug.format()).toBe(kind);
  expect(String((r.bug.error as Error)?.message ?? r.bug.error)).toContain(text);
  const again = await replay(body, r.bug);
  expect(again.ok ? "passed" : again.bug.kind).toBe(kind);
}

describe("plain async JavaScript: right verdicts", () => {
  it("in-flight dedup filled after an await fetches twice; filled synchronously, every interleaving fetches once", async () => {
    const make = (dedupFirst: boolean) => async () => {
      let fetches = 0;
      const fetchUser = controlled(async (id: number) => { fetches++; return { id }; });
      const exists = controlled(async (_id: number) => false);
      const inflight = new Map<number, Promise<unknown>>();
      const get = async (id: number) => {
        if (inflight.has(id)) return inflight.get(id);
        if (dedupFirst) {
          const p = (async () => { await exists(id); return fetchUser(id); })();
          inflight.set(id, p);
          return p;
        }
        await exists(id);
        const p = fetchUser(id);
        inflight.set(id, p);
        return p;
      };
      await Promise.all([get(1), get(1)]);
      if (fetches !== 1) throw new Error(`fetched ${fetches} times`);
    };
    const bug = make(false);
    await expectBug(bug, await explore(bug, { ...base, iterations: 100 }), "exception", "fetched 2 times");
    const ok = await explore(make(true), { ...base, strategy: "dpor", iterations: 100 });
    expect(ok.ok && ok.stats.complete).toBe(true);
  });

  it("a promise mutex that waits with `if` lets two of three in; a promise-chain mutex never does (dpor: complete)", async () => {
    const work = () => controlled(async () => {});
    const ifMutex = async () => {
      const m = { locked: false, waiters: [] as (() => void)[] };
      const w = work();
      let inside = 0;
      const crit = async () => {
        await w();
        if (m.locked) await new Promise<void>((r) => m.waiters.push(r));
        m.locked = true;
        if (++inside > 1) throw new Error("two in the critical section");
        await w();
        inside--;
        m.locked = false;
        m.waiters.shift()?.();
      };
      await Promise.all([crit(), crit(), crit()]);
    };
    await expectBug(ifMutex, await explore(ifMutex, { ...base, strategy: "random", iterations: 300 }), "exception", "two in the critical section");
    const chain = async () => {
      let tail: Promise<unknown> = Promise.resolve();
      const lock = () => {
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        const prev = tail;
        tail = prev.then(() => held);
        return prev.then(() => release);
      };
      const w = work();
      let inside = 0;
      let done = 0;
      const crit = async () => {
        await w();
        const release = await lock();
        if (++inside > 1) throw new Error("two in the critical section");
        await w();
        inside--;
        done++;
        release();
      };
      await Promise.all([crit(), crit(), crit()]);
      if (done !== 3) throw new Error(`done ${done}`);
    };
    const d = await explore(chain, { ...base, strategy: "dpor", iterations: 1000 });
    expect(d.ok, d.ok ? "" : d.bug.format()).toBe(true);
    expect(d.ok && d.stats.complete).toBe(true);
  });

  it("dpor's complete set of outcomes equals what 3000 random schedules see (three read-modify-writes of a SharedCell)", async () => {
    const outcomes = new Set<string>();
    const body = async () => {
      const c = new SharedCell("");
      const w = async (x: string) => { const v = await c.get(); await c.set(v + x); };
      await Promise.all([w("a"), w("b"), w("c")]);
      outcomes.add(await c.get());
    };
    const d = await explore(body, { ...base, strategy: "dpor", iterations: 5000 });
    expect(d.ok && d.stats.complete).toBe(true);
    const exhaustive = [...outcomes].sort();
    outcomes.clear();
    await explore(body, { ...base, strategy: "random", iterations: 3000 });
    expect([...outcomes].sort()).toEqual(exhaustive);
    // a, b, c each alone, the six orders of all three, and no pair: 3 + 6 = 9.
    expect(exhaustive.length).toBe(9);
  });

  it("a work queue whose workers check, await, then shift handles undefined; shifting first is right in every interleaving", async () => {
    const make = (checkThenAwait: boolean) => async () => {
      const q = [1, 2, 3];
      const done: unknown[] = [];
      const handle = controlled(async (x: unknown) => x);
      const peek = controlled(async () => {});
      const worker = async () => {
        while (q.length > 0) {
          if (checkThenAwait) await peek();
          const item = q.shift();
          done.push(await handle(item));
        }
      };
      await Promise.all([worker(), worker()]);
      if (done.includes(undefined) || done.length !== 3) throw new Error(`handled ${done}`);
    };
    const bug = make(true);
    await expectBug(bug, await explore(bug, { ...base, iterations: 100 }), "exception", "handled");
    const ok = await explore(make(false), { ...base, iterations: 100 });
    expect(ok.ok && ok.stats.complete).toBe(true);
  });

  it("virtual timers: a debounce that does not clear its timer saves twice; retry with backoff takes exactly 100 + 200 virtual ms", async () => {
    const debounced = async () => {
      let saves = 0;
      const save = () => void setTimeout(() => saves++, 100); // BUG: the previous save's timer is not cleared
      save();
      await new Promise((r) => setTimeout(r, 50));
      save();
      await new Promise((r) => setTimeout(r, 500));
      if (saves !== 1) throw new Error(`saved ${saves} times`);
    };
    await expectBug(debounced, await explore(debounced, { ...base, iterations: 20, virtualTimers: true }), "exception", "saved 2 times");
    const elapsed: number[] = [];
    const retry = await explore(async () => {
      let n = 0;
      const flaky = controlled(async () => { if (++n < 3) throw new Error("flaky"); return "ok"; });
      const t0 = Date.now();
      let delay = 100;
      for (;;) {
        try { await flaky(); break; } catch { await new Promise((r) => setTimeout(r, delay)); delay *= 2; }
      }
      elapsed.push(Date.now() - t0);
    }, { ...base, iterations: 20, virtualTimers: true });
    expect(retry.ok).toBe(true);
    expect(new Set(elapsed)).toEqual(new Set([300]));
  });

  it("a batching loader whose batch is reset only after the load: a key that joins the dispatched batch gets undefined", async () => {
    const body = async () => {
      const batchGet = controlled(async (keys: number[]) => keys.map((k) => k * 10));
      let batch: { keys: number[]; waiters: ((v: unknown) => void)[] } | null = null;
      const load = (k: number) => {
        if (!batch) {
          const b = (batch = { keys: [] as number[], waiters: [] as ((v: unknown) => void)[] });
          setTimeout(async () => { const vals = await batchGet(b.keys); batch = null; b.waiters.forEach((w, i) => w(vals[i])); }, 0);
        }
        batch.keys.push(k);
        return new Promise((r) => batch!.waiters.push(r));
      };
      const other = controlled(async () => {});
      const [x, y] = await Promise.all([load(1), (async () => { await other(); return load(2); })()]);
      if (x !== 10 || y !== 20) throw new Error(`${x} ${y}`);
    };
    await expectBug(body, await explore(body, { ...base, iterations: 200, virtualTimers: true }), "exception", "10 undefined");
  });

  it("two consumers of a hand-written async iterator get the same pages; of an async generator, each page once", async () => {
    const iterBug = async () => {
      const fetchPage = controlled(async (i: number) => (i < 3 ? [i] : null));
      let page = 0;
      const it: AsyncIterableIterator<number> = {
        [Symbol.asyncIterator]() { return this; },
        async next() {
          const p = page;
          const items = await fetchPage(p);
          page = p + 1;
          return items ? { value: items[0], done: false } : { value: undefined, done: true };
        },
      };
      const seen: number[] = [];
      const consume = async () => { for await (const x of it) seen.push(x); };
      await Promise.all([consume(), consume()]);
      if (new Set(seen).size !== seen.length) throw new Error(`duplicate pages: ${seen}`);
    };
    await expectBug(iterBug, await explore(iterBug, { ...base, iterations: 50 }), "exception", "duplicate pages");
    const gen = await explore(async () => {
      const fetchPage = controlled(async (i: number) => (i < 3 ? [i] : null));
      async function* pages() { for (let i = 0; ; i++) { const items = await fetchPage(i); if (!items) return; yield items[0]; } }
      const g = pages();
      const seen: number[] = [];
      const consume = async () => { for await (const x of { [Symbol.asyncIterator]: () => g }) seen.push(x); };
      await Promise.all([consume(), consume()]);
      if (seen.sort().join() !== "0,1,2") throw new Error(`pages ${seen}`);
    }, { ...base, strategy: "dpor", iterations: 50 });
    expect(gen.ok && gen.stats.complete).toBe(true);
  });

  it("waiting for an EventEmitter event that may already have fired is a deadlock; listening first never is", async () => {
    const lost = async () => {
      const em = new EventEmitter();
      const init = controlled(async () => {});
      await Promise.all([(async () => { await init(); em.emit("ready"); })(), (async () => { await init(); await once(em, "ready"); })()]);
    };
    const r = await explore(lost, { ...base, iterations: 50 });
    expect(r.ok ? "passed" : r.bug.kind).toBe("deadlock");
    if (!r.ok) expect((await replay(lost, r.bug)).ok).toBe(false);
    const ok = await explore(async () => {
      const em = new EventEmitter();
      const init = controlled(async () => {});
      const ready = once(em, "ready");
      await Promise.all([(async () => { await init(); em.emit("ready"); })(), ready]);
    }, { ...base, strategy: "dpor", iterations: 50 });
    expect(ok.ok && ok.stats.complete).toBe(true);
  });

  it("a thrown undefined, null or string is a failure wherever it is thrown, never a pass", async () => {
    const cases: [string, () => Promise<void>, ExploreOptions, string][] = [
      ["body throws undefined", async () => { throw undefined; }, {}, "exception"],
      ["body rejects null", async () => { await Promise.reject(null); }, {}, "exception"],
      ["body throws a string", async () => { throw "boom"; }, {}, "exception"],
      ["process throws undefined", async () => { await spawn(async () => { throw undefined; }); await sleep(1); }, {}, "crash"],
      ["stub rejects undefined", async () => { await controlled(async () => { throw undefined; })(); }, {}, "exception"],
      ["timer callback throws null", async () => { setTimeout(() => { throw null; }, 0); await new Promise((r) => setTimeout(r, 5)); }, { virtualTimers: true }, "crash"],
      ["floating rejection with undefined", async () => { void Promise.reject(undefined); await controlled(async () => 1)(); }, {}, "crash"],
    ];
    for (const [name, body, opts, kind] of cases) {
      const r = await explore(body, { ...base, iterations: 5, ...opts });
      expect(r.ok ? "passed" : r.bug.kind, name).toBe(kind);
    }
  });

  it("a condition wait with `if` takes from an empty queue when a consumer barges in; with `while` no schedule does", async () => {
    const make = (useWhile: boolean) => async () => {
      const m = new Mutex();
      const c = new Condition(m);
      const q: number[] = [];
      const me = self();
      const consumer = async () => {
        await m.lock();
        if (useWhile) while (q.length === 0) await c.wait();
        else if (q.length === 0) await c.wait();
        const x = q.shift();
        await m.unlock();
        if (x === undefined) throw new Error("took from an empty queue");
        await send(me, x);
      };
      await spawn(consumer);
      await spawn(consumer);
      await spawn(async () => {
        for (const x of [1, 2]) { await m.lock(); q.push(x); await c.notify(); await m.unlock(); }
      });
      const got = [await receive(), await receive()].sort().join();
      if (got !== "1,2") throw new Error(got);
    };
    const bug = make(false);
    await expectBug(bug, await explore(bug, { ...base, strategy: "random", iterations: 500 }), "crash", "took from an empty queue");
    const ok = await explore(make(true), { ...base, iterations: 500 });
    expect(ok.ok, ok.ok ? "" : ok.bug.format()).toBe(true);
  });
});

describe("virtual timers: the code a callback resumes runs before the next callback", () => {
  it("a 0 ms timer cleared by the code its sibling resumed never runs (Node drains microtasks between timer callbacks)", async () => {
    const body = async () => {
      const log: string[] = [];
      let t2: ReturnType<typeof setTimeout> | undefined;
      await new Promise((resolve) => {
        setTimeout(resolve, 0);
        t2 = setTimeout(() => log.push("t2"), 0);
      });
      clearTimeout(t2);
      await new Promise((r) => setTimeout(r, 50));
      if (log.length > 0) throw new Error("t2 ran after being cleared by the code t1 resumed");
    };
    for (const strategy of ["portfolio", "random", "pos"] as const) {
      const r = await explore(body, { ...base, strategy, iterations: 200, virtualTimers: true });
      expect(r.ok, r.ok ? "" : `${strategy}: ${r.bug.format()}`).toBe(true);
    }
  });

  it("under timers: race, a refresh made by the code an earlier timer resumed restarts the countdown", async () => {
    const body = async () => {
      let fired = 0;
      const t = setTimeout(() => fired++, 100);
      await new Promise((r) => setTimeout(r, 60));
      t.refresh(); // due at 160 now
      await new Promise((r) => setTimeout(r, 60));
      if (fired !== 0) throw new Error(`fired ${fired} times by 120 ms`);
      await new Promise((r) => setTimeout(r, 60));
      if (fired !== 1) throw new Error(`fired ${fired} times by 180 ms`);
    };
    for (const strategy of ["random", "dpor"] as const) {
      const r = await explore(body, { ...base, strategy, iterations: 300, virtualTimers: true, timers: "race" });
      expect(r.ok, r.ok ? "" : `${strategy}: ${r.bug.format()}`).toBe(true);
    }
  });
});

describe("a known limit says so instead of a false deadlock", () => {
  it("a process parked in its first call while its other flow's results wait to be handed over: a UsageError naming the pattern, not a deadlock", async () => {
    // Plain JavaScript finishes: the second flow reads the cell, then releases the
    // permit the first flow waits for. lockstep hands the read's result over only when
    // the process resumes from acquire() (docs/shared-state.md, "A known limit").
    const body = async () => {
      const sem = new Semaphore(0), cell = new SharedCell(0);
      await Promise.all([sem.acquire(), (async () => { await cell.get(); await sem.release(); })()]);
    };
    for (const strategy of ["random", "portfolio", "dpor"] as const) {
      const r = await explore(body, { ...base, strategy, iterations: 20 });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.bug.kind).toBe("exception");
      expect((r.bug.error as Error).name).toBe("UsageError");
      expect(r.bug.message).toContain("cannot explore this program past this point (not a verdict on it)");
      expect(r.bug.message).toContain("its calls shared-read()");
      expect(r.bug.message).toContain("Semaphore");
    }
  });

  it("the workaround: the blocking call second (or a real deadlock with the same shape still reads as one)", async () => {
    const fine = await explore(async () => {
      const sem = new Semaphore(0), cell = new SharedCell(0);
      await Promise.all([(async () => { await cell.get(); await sem.release(); })(), sem.acquire()]);
    }, { ...base, iterations: 50 });
    expect(fine.ok).toBe(true);
    const stuck = await explore(async () => {
      const sem = new Semaphore(0), cell = new SharedCell(0);
      await Promise.all([(async () => { await cell.get(); })(), sem.acquire()]);
    }, { ...base, iterations: 5 });
    expect(stuck.ok).toBe(false);
    if (!stuck.ok) expect(stuck.bug.kind).toBe("deadlock");
  });
});
