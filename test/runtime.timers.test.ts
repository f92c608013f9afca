// Virtual time: timers fire in (deadline, creation) order, the clock moves only when
// a timer fires, cancelTimer follows erlang:cancel_timer/1, and the two timer
// policies ("quiescent", "race") decide when a due timer may fire.
import { describe, it, expect } from "vitest";
import {
  explore, spawn, spawnMonitor, send, receive, self, now, sleep, yieldNow, sendAfter, cancelTimer,
  exit, register, makeRef, TIMEOUT, type ExploreOptions, type Ref,
} from "lockstep";
import { passer } from "./helpers/explore";

const passes = passer({ iterations: 200, seed: 5, traceDir: false });

describe("timer order and the virtual clock", () => {
  it("timers fire in deadline order, equal deadlines in creation order, moving now() to each deadline", async () => {
    await passes(async () => {
      const me = self();
      await sendAfter(me, "c", 30);
      await sendAfter(me, "b1", 20);
      await sendAfter(me, "a", 10);
      await sendAfter(me, "b2", 20);
      await sendAfter(me, "b3", 20);
      const got: [unknown, number][] = [];
      for (let i = 0; i < 5; i++) got.push([await receive(), now()]);
      expect(got).toEqual([["a", 10], ["b1", 20], ["b2", 20], ["b3", 20], ["c", 30]]);
    }, { iterations: 5 });
  });

  it("timers set by different processes interleave by deadline, not by who set them", async () => {
    await passes(async () => {
      const me = self();
      await spawn(async () => {
        await sendAfter(me, "p2@15", 15);
        await sendAfter(me, "p2@5", 5);
      });
      await spawn(async () => {
        await sendAfter(me, "p3@10", 10);
      });
      const got = [await receive(), await receive(), await receive()];
      expect(got).toEqual(["p2@5", "p3@10", "p2@15"]);
      expect(now()).toBe(15);
    });
  });

  it("a tie between a message timer and a receive timeout goes to the one created first", async () => {
    const orders = new Set<boolean>();
    await passes(async () => {
      const me = self();
      await sendAfter(me, "first", 10);
      expect(await receive(undefined, { timeout: 10 })).toBe("first");
      expect(now()).toBe(10);
      // Now another process's timer races the receive's own timeout (both due at 20);
      // only one process runs between sync points, so the flags record which came first.
      let waiting = false;
      let timerFirst = false;
      await spawn(async () => {
        timerFirst = !waiting;
        await sendAfter(me, "second", 10);
      });
      waiting = true;
      const r = await receive(undefined, { timeout: 10 });
      expect(r).toBe(timerFirst ? "second" : TIMEOUT);
      expect(now()).toBe(20);
      if (r === TIMEOUT) expect(await receive()).toBe("second");
      orders.add(timerFirst);
    });
    expect(orders.size).toBe(2); // both creation orders were explored
  });

  it("sleep advances now() by exactly its duration; sleep(0) does not", async () => {
    await passes(async () => {
      await sleep(25);
      expect(now()).toBe(25);
      await sleep(0);
      expect(now()).toBe(25);
      await sleep(0.5);
      expect(now()).toBe(25.5);
    }, { iterations: 5 });
  });

  it("a sleeping process and a receive timeout wake in deadline order", async () => {
    await passes(async () => {
      const me = self();
      await spawn(async () => {
        await sleep(5);
        await send(me, "slept 5");
      });
      expect(await receive(undefined, { timeout: 3 })).toBe(TIMEOUT);
      expect(now()).toBe(3);
      expect(await receive(undefined, { timeout: 10 })).toBe("slept 5");
      expect(now()).toBe(5);
    });
  });
});

describe("cancelTimer", () => {
  it("returns the virtual ms left and prevents delivery", async () => {
    await passes(async () => {
      const me = self();
      const t = await sendAfter(me, "never", 100);
      await sleep(30);
      expect(await cancelTimer(t)).toBe(70);
      expect(await receive(undefined, { timeout: 500 })).toBe(TIMEOUT);
      expect(now()).toBe(530);
    }, { iterations: 5 });
  });

  it("returns false once the timer fired, and on a second cancel", async () => {
    await passes(async () => {
      const me = self();
      const fired = await sendAfter(me, "x", 10);
      expect(await receive()).toBe("x");
      expect(await cancelTimer(fired)).toBe(false);
      const t = await sendAfter(me, "y", 10);
      expect(await cancelTimer(t)).toBe(10);
      expect(await cancelTimer(t)).toBe(false);
      expect(await cancelTimer(makeRef())).toBe(false);
      await expect(cancelTimer("nope" as unknown as Ref)).rejects.toThrow(TypeError);
    }, { iterations: 5 });
  });

  it("cancelling a timer mid-heap keeps the rest in deadline order (the heap re-sifts up)", async () => {
    // Heap after adding 0,10,2,11,12,30,4: [0,10,2,11,12,30,4]. Cancelling 11 (index 3)
    // moves 4 into its place under 10; only a sift-up restores the order, else 10 fires before 4.
    await passes(async () => {
      const me = self();
      const refs: Record<number, Ref> = {};
      for (const d of [0, 10, 2, 11, 12, 30, 4]) refs[d] = await sendAfter(me, d, d);
      expect(await cancelTimer(refs[11])).toBe(11);
      const got: [unknown, number][] = [];
      for (let i = 0; i < 6; i++) got.push([await receive(), now()]);
      expect(got).toEqual([[0, 0], [2, 2], [4, 4], [10, 10], [12, 12], [30, 30]]);
    }, { iterations: 5 });
  });

  it("a timer of an earlier iteration is not cancellable in a later one", async () => {
    let old: Ref | undefined;
    await passes(async () => {
      if (old) expect(await cancelTimer(old)).toBe(false);
      old = await sendAfter(self(), "tick", 10);
    }, { iterations: 5 });
  });
});

describe("sendAfter destinations", () => {
  // erlang:send_after/3: a timer aimed at a pid "is automatically canceled if the
  // process referred to by the pid() is not alive"; an atom is looked up at delivery.
  it("a timer aimed at a process that died is cancelled", async () => {
    await passes(async () => {
      const { pid, ref } = await spawnMonitor(async () => { await receive(); });
      const t = await sendAfter(pid, "late", 50);
      await exit(pid, "kill");
      await receive((m: any) => m?.type === "DOWN" && m.ref === ref);
      expect(await cancelTimer(t)).toBe(false);
      // Nothing is pending any more: the next timeout fires at its own deadline.
      expect(await receive(undefined, { timeout: 7 })).toBe(TIMEOUT);
      expect(now()).toBe(7);
    });
  });

  it("a name is resolved when the timer fires", async () => {
    await passes(async () => {
      const me = self();
      await sendAfter("late_comer", "hello", 10);
      await sendAfter("nobody", "dropped", 5);
      await spawn(async () => {
        await register("late_comer");
        await send(me, { got: await receive() });
      });
      expect(await receive()).toEqual({ got: "hello" });
      expect(now()).toBe(10);
    });
  });

  it("rejects an infinite or negative delay", async () => {
    await passes(async () => {
      await expect(sendAfter(self(), 1, Infinity)).rejects.toThrow(TypeError);
      await expect(sendAfter(self(), 1, -5)).rejects.toThrow(TypeError);
      await expect(sleep(-1)).rejects.toThrow(TypeError);
    }, { iterations: 1 });
  });
});

/** A worker that takes `spins` steps of computation, then replies; the body waits 1 virtual ms. */
function raceProgram(spins: number, outcomes?: Set<string>) {
  return async () => {
    const me = self();
    await spawn(async () => {
      for (let i = 0; i < spins; i++) await yieldNow();
      await send(me, "reply");
    });
    const r = await receive(undefined, { timeout: 1 });
    outcomes?.add(r === TIMEOUT ? "timeout" : String(r));
  };
}

describe("timer policies", () => {
  it("quiescent (default): a timer never fires while some process can run", async () => {
    const outcomes = new Set<string>();
    const body = raceProgram(8, outcomes);
    for (const seed of [1, 2, 3]) {
      const r = await passes(async () => {
        await body();
        expect(now()).toBe(0);
      }, { seed, iterations: 300 });
      expect(r.stats.distinctSchedules).toBeGreaterThan(1);
    }
    expect([...outcomes]).toEqual(["reply"]);
  });

  it('race: the same program sometimes times out (explore finds both outcomes)', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const outcomes = new Set<string>();
      await passes(raceProgram(3, outcomes), { seed, iterations: 200, timers: "race" });
      expect(outcomes).toEqual(new Set(["timeout", "reply"]));
    }
  });

  it("race: timers still fire in (deadline, creation) order", async () => {
    await passes(async () => {
      const me = self();
      await sendAfter(me, 1, 10);
      await sendAfter(me, 2, 10);
      // Under "race" the first timers may already have fired (moving the clock):
      // a deadline is relative to the moment its timer was set.
      const set3 = now();
      await sendAfter(me, 3, 20);
      await spawn(async () => { for (let i = 0; i < 5; i++) await yieldNow(); });
      const got = [await receive(), await receive(), await receive()];
      expect(got).toEqual([1, 2, 3]);
      expect(now()).toBe(set3 + 20);
    }, { timers: "race" });
  });
});

describe("end of an iteration", () => {
  it("the body returning with processes still blocked, sleeping or runnable is not a deadlock", async () => {
    await passes(async () => {
      await spawn(async () => { await receive(); });
      await spawn(async () => { await sleep(1000); });
      // Bounded: an endless yield loop starves the body under priority strategies (PCT).
      await spawn(async () => { for (let i = 0; i < 50; i++) await yieldNow(); });
      await sendAfter(self(), "never read", 50);
    });
  });
});
