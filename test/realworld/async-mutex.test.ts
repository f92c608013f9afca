// async-mutex 0.5 (DirtyHairy/async-mutex), its own code, with the shared state it
// guards behind controlled() calls (each read and write is a scheduling point). Held:
// mutual exclusion, a semaphore's bound, cancel(); tryAcquire (withTimeout(…, 0) on a
// setTimeout(0)) refuses under contention only with virtualTimers, and then a user's
// check-then-act is found.
import { describe, it, expect } from "vitest";
import { Mutex, Semaphore, tryAcquire, E_ALREADY_LOCKED, E_CANCELED } from "async-mutex";
import { explore, replay, controlled, spawn, self, send, receive, type ExploreOptions } from "lockstep";

const OPTS: ExploreOptions = { iterations: 2000, seed: 19, traceDir: false };

/** A value in a store (a database row): every read and write is a scheduling point. */
function row(initial: number) {
  let v = initial;
  return {
    read: controlled(async () => v, { name: "read" }),
    write: controlled(async (x: number) => void (v = x), { name: "write" }),
    get value() {
      return v;
    },
  };
}

describe("async-mutex 0.5", () => {
  it("Mutex.runExclusive: read-modify-write increments are never lost", async () => {
    const r = await explore(async () => {
      const counter = row(0);
      const mutex = new Mutex();
      await Promise.all([0, 1, 2].map(() => mutex.runExclusive(async () => counter.write((await counter.read()) + 1))));
      expect(counter.value).toBe(3);
      expect(mutex.isLocked()).toBe(false);
    }, OPTS);
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });

  it("the same increments without the mutex are lost (the property is not vacuous)", async () => {
    const r = await explore(async () => {
      const counter = row(0);
      await Promise.all([0, 1, 2].map(async () => counter.write((await counter.read()) + 1)));
      expect(counter.value).toBe(3);
    }, OPTS);
    expect(r.ok).toBe(false);
  });

  it("Semaphore(2): never more than two holders, and cancel() rejects only the waiters", async () => {
    const kinds = new Set<string>();
    const r = await explore(async () => {
      const sem = new Semaphore(2);
      const work = controlled(async () => {}, { name: "work" });
      let holders = 0;
      let most = 0;
      const outcomes: string[] = [];
      const job = async () => {
        try {
          await sem.runExclusive(async () => {
            most = Math.max(most, ++holders);
            await work();
            holders--;
          });
          outcomes.push("ran");
        } catch (e) {
          expect(e).toBe(E_CANCELED);
          outcomes.push("canceled");
        }
      };
      await Promise.all([job(), job(), job(), job(), (async () => {
        await work();
        sem.cancel();
      })()]);
      expect(most).toBeLessThanOrEqual(2);
      // The two first jobs held a slot at once; a cancel never takes a held slot back.
      expect(outcomes.filter((o) => o === "ran").length).toBeGreaterThanOrEqual(2);
      expect(sem.getValue()).toBe(2);
      kinds.add(outcomes.sort().join(","));
    }, OPTS);
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    // Explored: the cancel before either waiter got a slot, between them, and after both.
    expect([...kinds].sort()).toEqual(["canceled,canceled,ran,ran", "canceled,ran,ran,ran", "ran,ran,ran,ran"]);
  });

  it("tryAcquire refuses under contention and succeeds without (virtualTimers: its withTimeout is a setTimeout(0))", async () => {
    const seen = new Set<string>();
    const r = await explore(async () => {
      const mutex = new Mutex();
      const work = controlled(async () => {}, { name: "work" });
      // Uncontended: always acquired.
      await tryAcquire(mutex).runExclusive(async () => {});
      const holder = mutex.runExclusive(() => work());
      const tried = tryAcquire(mutex)
        .runExclusive(async () => "acquired")
        .catch((e) => (e === E_ALREADY_LOCKED ? "refused" : Promise.reject(e)));
      const [, outcome] = await Promise.all([holder, tried]);
      seen.add(outcome);
      expect(mutex.isLocked()).toBe(false);
    }, { ...OPTS, iterations: 200, virtualTimers: true });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    expect([...seen].sort()).toEqual(["acquired", "refused"]);
  });

  // A user's bug: "reserve a seat if one is left", checked outside the lock.
  function seats(fixed: boolean) {
    return async () => {
      const left = row(1);
      let sold = 0;
      const mutex = new Mutex();
      const reserve = async () => {
        if (fixed) return mutex.runExclusive(async () => {
          const n = await left.read();
          if (n > 0) {
            await left.write(n - 1);
            sold++;
          }
        });
        const n = await left.read(); // BUG: checked outside the lock
        if (n > 0) {
          await mutex.runExclusive(() => left.write(n - 1));
          sold++;
        }
      };
      // Two buyers: flows of the body (one process), their cache calls interleaved.
      await Promise.all([reserve(), reserve()]);
      expect(sold).toBe(1);
    };
  }

  it("a check-then-act outside the lock oversells: found, and replayed", async () => {
    const body = seats(false);
    const r = await explore(body, OPTS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    expect(r.bug.message).toMatch(/expected 2 to be 1/);
    expect((await replay(body, r.bug)).ok).toBe(false);
  });

  it("the check inside the lock never oversells", async () => {
    const r = await explore(seats(true), OPTS);
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });

  it("a library lock shared between spawned processes is named in the report as a plain promise between processes (a known limit)", async () => {
    const r = await explore(async () => {
      const mutex = new Mutex();
      const work = controlled(async () => {}, { name: "work" });
      const me = self();
      for (let i = 0; i < 2; i++) {
        await spawn(async () => {
          await mutex.runExclusive(() => work());
          await send(me, "done");
        });
      }
      await receive();
      await receive();
    }, { ...OPTS, iterations: 50 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("deadlock");
    expect(r.bug.message).toContain("a plain promise between processes is not a scheduling point");
  });
});
