// Plain async JavaScript as a new user writes it (DESIGN.md, "Plain JavaScript"):
// verdicts found wrong by an adversarial probe, and programs whose verdicts are right
// kept as regressions (bug found and replayed; or no bug, with the claimed count).
import { describe, it, expect } from "vitest";
import { explore, replay, controlled, Semaphore, Atomic, SharedCell, type ExploreOptions } from "lockstep";

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
