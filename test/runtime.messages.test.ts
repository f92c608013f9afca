// Message passing follows Erlang: FIFO per sender/receiver pair, selective receive
// that leaves the rest of the mailbox in order, timeouts in virtual time, silent
// drops to dead pids and badarg for unregistered names.
import { describe, it, expect } from "vitest";
import {
  explore, spawn, spawnMonitor, send, receive, self, now, sleep, yieldNow, register, monitor,
  TIMEOUT, ArgumentError, type ExploreOptions, type Pid,
} from "lockstep";
import { passer } from "./helpers/explore";

/** Explores `body` and fails the test with the bug report if any iteration failed. */
const passes = passer({ iterations: 200, seed: 7, traceDir: false });

const isDown = (m: any) => m?.type === "DOWN";

describe("message order", () => {
  it("is preserved per sender/receiver pair under every interleaving", async () => {
    const r = await passes(async () => {
      const me = self();
      const sender = (tag: string) => async () => {
        for (let i = 0; i < 4; i++) await send(me, [tag, i]);
      };
      await spawn(sender("a"));
      await spawn(sender("b"));
      await spawn(sender("c"));
      const seen: Record<string, number[]> = { a: [], b: [], c: [] };
      for (let k = 0; k < 12; k++) {
        const [tag, i] = (await receive()) as [string, number];
        seen[tag].push(i);
      }
      for (const tag of ["a", "b", "c"]) expect(seen[tag]).toEqual([0, 1, 2, 3]);
    }, { iterations: 300 });
    // The order held over many different interleavings, not one.
    expect(r.stats.distinctSchedules).toBeGreaterThan(100);
  });

  it("is preserved through a relay (A -> B -> C keeps A's order)", async () => {
    await passes(async () => {
      const me = self();
      const relay = await spawn(async () => {
        for (let i = 0; i < 5; i++) await send(me, await receive());
      });
      await spawn(async () => {
        for (let i = 0; i < 5; i++) await send(relay, i);
      });
      await spawn(async () => { await send(me, "noise"); });
      const got: unknown[] = [];
      for (let i = 0; i < 6; i++) got.push(await receive());
      expect(got.filter((m) => m !== "noise")).toEqual([0, 1, 2, 3, 4]);
    });
  });
});

describe("selective receive", () => {
  it("takes the first match and leaves the other messages in order", async () => {
    await passes(async () => {
      const me = self();
      for (const m of ["a", "b", "c", "d", "c2"]) await send(me, m);
      expect(await receive((m) => typeof m === "string" && m.startsWith("c"))).toBe("c");
      expect(await receive()).toBe("a");
      expect(await receive()).toBe("b");
      expect(await receive()).toBe("d");
      expect(await receive()).toBe("c2");
    }, { iterations: 5 });
  });

  it("waits for a match while other messages queue up in order behind it", async () => {
    await passes(async () => {
      const me = self();
      await spawn(async () => {
        for (let i = 1; i <= 5; i++) await send(me, i);
      });
      expect(await receive((m) => m === 5)).toBe(5);
      const rest = [];
      for (let i = 0; i < 4; i++) rest.push(await receive());
      expect(rest).toEqual([1, 2, 3, 4]);
    });
  });

  it("a predicate sees every message it skips only while scanning; skipped ones stay", async () => {
    await passes(async () => {
      const me = self();
      const other = await spawn(async () => {
        await send(me, { kind: "noise", n: 1 });
        await send(me, { kind: "reply", n: 2 });
        await send(me, { kind: "noise", n: 3 });
      });
      const reply = await receive((m: any) => m.kind === "reply");
      expect(reply).toEqual({ kind: "reply", n: 2 });
      expect(await receive()).toEqual({ kind: "noise", n: 1 });
      expect(await receive()).toEqual({ kind: "noise", n: 3 });
      expect(other).toBeDefined();
    });
  });
});

describe("receive timeouts", () => {
  it("resolves to TIMEOUT after exactly the timeout in virtual time", async () => {
    await passes(async () => {
      expect(now()).toBe(0);
      expect(await receive(undefined, { timeout: 50 })).toBe(TIMEOUT);
      expect(now()).toBe(50);
      await sleep(7);
      const t0 = now();
      expect(await receive((m) => m === "never", { timeout: 25 })).toBe(TIMEOUT);
      expect(now() - t0).toBe(25);
    }, { iterations: 5 });
  });

  it("non-matching messages arriving during a selective wait do not end it", async () => {
    await passes(async () => {
      const me = self();
      await spawn(async () => {
        await send(me, "noise 1");
        await sleep(3);
        await send(me, "noise 2");
      });
      expect(await receive((m) => m === "wanted", { timeout: 10 })).toBe(TIMEOUT);
      expect(now()).toBe(10);
      expect([await receive(), await receive()]).toEqual(["noise 1", "noise 2"]);
    });
  });

  it("a message that arrives before the timeout wins and the clock does not move", async () => {
    await passes(async () => {
      const me = self();
      await spawn(async () => {
        await yieldNow();
        await send(me, "hi");
      });
      expect(await receive(undefined, { timeout: 1000 })).toBe("hi");
      expect(now()).toBe(0);
      // The cancelled timeout must not fire later.
      expect(await receive(undefined, { timeout: 5 })).toBe(TIMEOUT);
      expect(now()).toBe(5);
    });
  });

  it("timeout 0 polls: a present message, else TIMEOUT at once", async () => {
    await passes(async () => {
      const me = self();
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
      await send(me, "x");
      expect(await receive((m) => m === "y", { timeout: 0 })).toBe(TIMEOUT);
      expect(await receive(undefined, { timeout: 0 })).toBe("x");
      expect(now()).toBe(0);
    }, { iterations: 5 });
  });

  it("timeout 0 does not wait for others: a busy process keeps running after the poll returned", async () => {
    // Erlang's `after 0` only looks at the mailbox. A zero timeout that became a timer
    // would fire only once nothing else can run (quiescent timers): after the spinner.
    const SPINS = 200;
    await passes(async () => {
      let spins = 0;
      await spawn(async () => {
        for (let i = 0; i < SPINS; i++) {
          await yieldNow();
          spins++;
        }
      });
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
      expect(spins).toBeLessThan(SPINS);
    }, { iterations: 20, strategy: "random" });
  });

  it("rejects a negative or non-numeric timeout with a TypeError", async () => {
    await passes(async () => {
      await expect(receive(undefined, { timeout: -1 })).rejects.toThrow(TypeError);
      await expect(receive(undefined, { timeout: "5" as any })).rejects.toThrow(/timeout/);
    }, { iterations: 1 });
  });

  it("takes null as no predicate, and rejects a predicate that is not a function", async () => {
    await passes(async () => {
      await send(self(), "a");
      expect(await receive(null, { timeout: 0 })).toBe("a");
      await send(self(), "b");
      expect(await receive(null)).toBe("b");
      await expect(receive("b" as any)).rejects.toThrow(/receive expects a predicate function \(or nothing\), got "b"/);
      await expect(receive({ match: 1 } as any, { timeout: 0 })).rejects.toThrow(TypeError);
    }, { iterations: 1 });
  });
});

describe("receive predicates that throw", () => {
  it("crash the receiver (scanning the mailbox): its monitor sees the error", async () => {
    const boom = new Error("bad predicate");
    await passes(async () => {
      const { pid, ref } = await spawnMonitor(async () => {
        await send(self(), "m");
        await receive(() => { throw boom; });
      });
      const down: any = await receive(isDown);
      expect(down).toEqual({ type: "DOWN", ref, pid, reason: boom });
    });
  });

  it("crash the receiver (on a message arriving while it waits)", async () => {
    const boom = new Error("bad predicate");
    await passes(async () => {
      const { pid, ref } = await spawnMonitor(async () => {
        await receive(() => { throw boom; });
      });
      await send(pid, "m");
      const down: any = await receive(isDown);
      expect(down).toEqual({ type: "DOWN", ref, pid, reason: boom });
    });
  });

  it("is an unwatched crash (a bug) unless allowCrashes", async () => {
    const body = async () => {
      const p = await spawn(async () => { await receive(() => { throw new Error("pred"); }); });
      await send(p, 1);
      await receive(undefined, { timeout: 10 });
    };
    const r = await explore(body, { iterations: 20, seed: 1, traceDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.bug.kind).toBe("crash");
      expect(r.bug.message).toMatch(/<0\.2\.0> crashed: Error: pred/);
    }
    await passes(body, { iterations: 20, allowCrashes: true });
  });

  it("can be caught by the receiver, and the message stays in the mailbox", async () => {
    await passes(async () => {
      const me = self();
      await send(me, "early");
      await spawn(async () => { await send(me, "late"); });
      let err: unknown;
      try {
        await receive((m) => { throw new Error(`no ${m}`); });
      } catch (e) {
        err = e;
      }
      expect((err as Error).message).toBe("no early");
      expect(await receive()).toBe("early");
      expect(await receive()).toBe("late");
    });
  });
});

describe("send to dead or unknown destinations", () => {
  it("a send to a dead pid is dropped silently", async () => {
    await passes(async () => {
      const { pid } = await spawnMonitor(async () => {});
      expect(await receive(isDown)).toMatchObject({ reason: "normal" });
      await expect(send(pid, "into the void")).resolves.toBeUndefined();
    });
  });

  it("a send to a pid of an earlier iteration is dropped silently", async () => {
    let old: Pid | undefined;
    await passes(async () => {
      if (old) await send(old, "stale");
      old = await spawn(async () => {
        const m = await receive(undefined, { timeout: 10 });
        // The pid of iteration i never reaches a process of iteration i+1.
        expect(m).toBe(TIMEOUT);
      });
    }, { iterations: 20 });
  });

  it("a send to an unregistered name rejects with an ArgumentError naming it", async () => {
    await passes(async () => {
      const err = await send("nobody_here", 1).catch((e) => e);
      expect(err).toBeInstanceOf(ArgumentError);
      expect(err.reason).toBe("badarg");
      expect(err.message).toContain('"nobody_here"');
      const sym = Symbol("ghost");
      const err2 = await send(sym, 1).catch((e) => e);
      expect(err2).toBeInstanceOf(ArgumentError);
      expect(err2.message).toContain("Symbol(ghost)");
    }, { iterations: 3 });
  });

  it("a send to the name of a dead process rejects with an ArgumentError naming it", async () => {
    await passes(async () => {
      const pid = await spawn(async () => { await receive(); });
      await register("worker", pid);
      const ref = await monitor(pid);
      await send("worker", "stop");
      expect(await receive(isDown)).toMatchObject({ ref, reason: "normal" });
      const err = await send("worker", 1).catch((e) => e);
      expect(err).toBeInstanceOf(ArgumentError);
      expect(err.message).toContain('"worker"');
    });
  });

  it("a send to something that is not a destination is a TypeError", async () => {
    await passes(async () => {
      await expect(send(42 as any, 1)).rejects.toThrow(TypeError);
    }, { iterations: 1 });
  });
});
