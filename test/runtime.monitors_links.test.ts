// Monitors, links and exit signals follow Erlang's rules (erlang:monitor/2,
// erlang:demonitor/2, link/1, exit/2, process_flag(trap_exit, true); see the
// "Processes" chapter of the Erlang reference manual, sections on links, monitors
// and receiving exit signals).
import { describe, it, expect } from "vitest";
import {
  explore, spawn, spawnLink, spawnMonitor, send, receive, self, monitor, demonitor, link, unlink,
  trapExits, exit, isAlive, register, unregister, whereis, TIMEOUT, ArgumentError, Pid, Ref, sendAfter,
  type ExploreOptions,
} from "lockstep";
import { passer } from "./helpers/explore";

const passes = passer({ iterations: 200, seed: 11, traceDir: false });

const downOf = (ref: Ref) => (m: any) => m?.type === "DOWN" && m.ref === ref;
const isExit = (m: any) => m?.type === "EXIT";
/** A process that waits for one message and then returns normally. */
const waiter = async () => { await receive(); };

describe("monitors", () => {
  it("deliver DOWN with the exit reason: normal, a thrown error, an exit signal", async () => {
    const boom = new Error("boom");
    await passes(async () => {
      const a = await spawn(waiter);
      const ra = await monitor(a);
      const b = await spawn(async () => { await receive(); throw boom; });
      const rb = await monitor(b);
      const c = await spawn(waiter);
      const rc = await monitor(c);
      await send(a, "go");
      await send(b, "go");
      await exit(c, "shutdown");
      expect(await receive(downOf(ra))).toEqual({ type: "DOWN", ref: ra, pid: a, reason: "normal" });
      expect(await receive(downOf(rb))).toEqual({ type: "DOWN", ref: rb, pid: b, reason: boom });
      expect(await receive(downOf(rc))).toEqual({ type: "DOWN", ref: rc, pid: c, reason: "shutdown" });
    });
  });

  it("every monitor of a target fires, each with its own ref", async () => {
    await passes(async () => {
      const t = await spawn(waiter);
      const r1 = await monitor(t);
      const r2 = await monitor(t);
      expect(r1).not.toBe(r2);
      await send(t, "go");
      const d1: any = await receive((m: any) => m?.type === "DOWN");
      const d2: any = await receive((m: any) => m?.type === "DOWN");
      expect([d1.ref, d2.ref]).toEqual([r1, r2]); // creation order
    });
  });

  it("a dead target gives an immediate DOWN with noproc", async () => {
    await passes(async () => {
      const { pid, ref } = await spawnMonitor(async () => {});
      await receive(downOf(ref));
      const r2 = await monitor(pid);
      expect(await receive(undefined, { timeout: 0 })).toEqual({ type: "DOWN", ref: r2, pid, reason: "noproc" });
    });
  });

  it("an unregistered name gives an immediate DOWN with noproc naming it", async () => {
    await passes(async () => {
      const ref = await monitor("nobody");
      expect(await receive(undefined, { timeout: 0 })).toEqual({ type: "DOWN", ref, pid: "nobody", reason: "noproc" });
    }, { iterations: 3 });
  });

  // Erlang puts {Name, Node} in the DOWN of a monitor taken by name; lockstep's
  // contract (DESIGN.md) always reports the process in `pid` when there is one.
  it("monitor by name watches the process holding it", async () => {
    await passes(async () => {
      const t = await spawn(waiter);
      await register("svc", t);
      const ref = await monitor("svc");
      await send("svc", "go");
      expect(await receive(downOf(ref))).toMatchObject({ pid: t, reason: "normal" });
    });
  });

  it("demonitor: no DOWN arrives afterwards", async () => {
    await passes(async () => {
      const t = await spawn(waiter);
      const ref = await monitor(t);
      expect(await demonitor(ref)).toBe(true);
      await send(t, "go");
      // Quiescent timers: the timeout fires only once t has run and exited.
      expect(await receive(undefined, { timeout: 10 })).toBe(TIMEOUT);
      expect(await isAlive(t)).toBe(false);
    });
  });

  it("demonitor without flush leaves an already-delivered DOWN; with flush removes it", async () => {
    await passes(async () => {
      const t1 = await spawn(waiter);
      const r1 = await monitor(t1);
      await exit(t1, "kill"); // the DOWN is in our mailbox when exit resolves
      await demonitor(r1);
      expect(await receive(downOf(r1), { timeout: 0 })).toMatchObject({ reason: "killed" });

      const t2 = await spawn(waiter);
      const r2 = await monitor(t2);
      await send(self(), "keep me");
      await exit(t2, "kill");
      await demonitor(r2, { flush: true });
      expect(await receive(downOf(r2), { timeout: 0 })).toBe(TIMEOUT);
      expect(await receive(undefined, { timeout: 0 })).toBe("keep me");
    });
  });

  it("a monitor of a dead monitoring process is released (the target's death sends nothing)", async () => {
    await passes(async () => {
      const target = await spawn(waiter);
      const { pid: watcher, ref } = await spawnMonitor(async () => {
        await monitor(target);
      });
      await receive(downOf(ref));
      expect(await isAlive(watcher)).toBe(false);
      await send(target, "go"); // would deliver to a dead watcher: nothing may break
      expect(await receive(undefined, { timeout: 5 })).toBe(TIMEOUT);
    });
  });
});

describe("links and exit signals", () => {
  it("a normal exit does not kill a linked process", async () => {
    await passes(async () => {
      const child = await spawnLink(async () => {});
      const ref = await monitor(child);
      await receive(downOf(ref));
      expect(await receive(undefined, { timeout: 5 })).toBe(TIMEOUT);
      expect(await isAlive(self())).toBe(true);
    });
  });

  it("a crash kills a non-trapping linked process, along a whole chain", async () => {
    const boom = new Error("chain");
    await passes(async () => {
      const me = self();
      const a = await spawn(async () => {
        const b = await spawnLink(async () => {
          const c = await spawnLink(async () => { await receive(); throw boom; });
          await send(me, { c });
          await receive();
        });
        await send(me, { b });
        await receive();
      });
      const { b } = (await receive((m: any) => m?.b)) as { b: Pid };
      const { c } = (await receive((m: any) => m?.c)) as { c: Pid };
      const refs = [await monitor(a), await monitor(b), await monitor(c)];
      await send(c, "crash now");
      for (const ref of refs) expect(await receive(downOf(ref))).toMatchObject({ reason: boom });
      expect([await isAlive(a), await isAlive(b), await isAlive(c)]).toEqual([false, false, false]);
    });
  });

  it("a trapping process receives { type: 'EXIT', from, reason } instead", async () => {
    const boom = new Error("trapped");
    await passes(async () => {
      expect(await trapExits(true)).toBe(false);
      const bad = await spawnLink(async () => { throw boom; });
      const good = await spawnLink(async () => {});
      const e1: any = await receive((m: any) => isExit(m) && m.from === bad);
      const e2: any = await receive((m: any) => isExit(m) && m.from === good);
      expect(e1).toEqual({ type: "EXIT", from: bad, reason: boom });
      expect(e2).toEqual({ type: "EXIT", from: good, reason: "normal" });
      expect(await trapExits(false)).toBe(true);
    });
  });

  it('exit(pid, "kill") kills even a trapping process, with reason "killed"', async () => {
    await passes(async () => {
      const me = self();
      const t = await spawn(async () => {
        await trapExits(true);
        await send(me, "trapping");
        for (;;) await receive();
      });
      await receive((m) => m === "trapping");
      const ref = await monitor(t);
      await exit(t, "kill");
      expect(await isAlive(t)).toBe(false);
      expect(await receive(downOf(ref))).toMatchObject({ pid: t, reason: "killed" });
    });
  });

  it('processes linked to a killed process get the exit reason "killed"', async () => {
    await passes(async () => {
      await trapExits(true);
      const t = await spawnLink(waiter);
      await exit(t, "kill");
      expect(await receive(isExit, { timeout: 0 })).toEqual({ type: "EXIT", from: t, reason: "killed" });
    });
  });

  it("exit(pid, reason) to a trapping process becomes an EXIT message from the caller", async () => {
    await passes(async () => {
      const me = self();
      const t = await spawn(async () => {
        await trapExits(true);
        await send(me, "ready");
        await send(me, { got: await receive() });
        await send(me, { got: await receive() });
      });
      await receive((m) => m === "ready");
      await exit(t, "shutdown");
      await exit(t, "normal");
      expect(await receive()).toEqual({ got: { type: "EXIT", from: me, reason: "shutdown" } });
      expect(await receive()).toEqual({ got: { type: "EXIT", from: me, reason: "normal" } });
    });
  });

  it('exit(pid, "normal") does nothing to another non-trapping process', async () => {
    await passes(async () => {
      const t = await spawn(waiter);
      await exit(t, "normal");
      expect(await isAlive(t)).toBe(true);
      await send(t, "go");
    });
  });

  // Elixir's Process.exit/2 docs: with :normal, "pid will not exit unless it is the
  // calling process, in which case it will exit with the reason :normal".
  it('exit(self(), "normal") ends the caller with reason normal', async () => {
    await passes(async () => {
      const me = self();
      const { pid, ref } = await spawnMonitor(async () => {
        await exit(self(), "normal");
        await send(me, "still running?");
      });
      expect(await receive(downOf(ref))).toEqual({ type: "DOWN", ref, pid, reason: "normal" });
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  it("after `await exit(pid, reason)` the target is already dead", async () => {
    await passes(async () => {
      const ts = [await spawn(waiter), await spawn(waiter), await spawnLink(waiter)];
      await trapExits(true);
      await exit(ts[0], "shutdown");
      await exit(ts[1], "kill");
      await exit(ts[2], { custom: "reason" });
      for (const t of ts) expect(await isAlive(t)).toBe(false);
      // ts[2] was linked: its death came back as an EXIT with the same reason.
      expect(await receive(isExit, { timeout: 0 })).toEqual({ type: "EXIT", from: ts[2], reason: { custom: "reason" } });
    });
  });

  it("link to a dead pid: a non-trapping caller dies with noproc, a trapping one gets EXIT noproc", async () => {
    await passes(async () => {
      const { pid: dead, ref: r0 } = await spawnMonitor(async () => {});
      await receive(downOf(r0));
      const { ref } = await spawnMonitor(async () => {
        await link(dead);
        throw new Error("unreachable: link should have killed me");
      });
      expect(await receive(downOf(ref))).toMatchObject({ reason: "noproc" });
      await trapExits(true);
      expect(await link(dead)).toBe(true);
      expect(await receive(undefined, { timeout: 0 })).toEqual({ type: "EXIT", from: dead, reason: "noproc" });
    });
  });

  it("link / unlink: an unlinked crash does not propagate", async () => {
    await passes(async () => {
      const me = self();
      const { pid: mid, ref } = await spawnMonitor(async () => {
        const t = await spawn(async () => { await receive(); throw new Error("alone"); });
        await link(t);
        await unlink(t);
        await send(me, t);
        await receive();
      });
      const t = (await receive((m) => m instanceof Pid)) as Pid;
      const rt = await monitor(t); // watches the crash, so it is handled
      await send(t, "crash");
      expect(await receive(downOf(rt))).toMatchObject({ reason: { message: "alone" } });
      expect(await isAlive(mid)).toBe(true);
      await send(mid, "done");
      expect(await receive(downOf(ref))).toMatchObject({ reason: "normal" });
    });
  });

  it("spawnLink links both ways; spawnMonitor returns { pid, ref } and the DOWN uses that ref", async () => {
    const boom = new Error("child");
    await passes(async () => {
      const { pid: parent, ref } = await spawnMonitor(async () => {
        await spawnLink(async () => { throw boom; });
        await receive(); // killed by the link before any message comes
      });
      expect(parent).toBeInstanceOf(Pid);
      expect(ref).toBeInstanceOf(Ref);
      expect(await receive(downOf(ref))).toEqual({ type: "DOWN", ref, pid: parent, reason: boom });
    }, { allowCrashes: true }); // the child's crash is watched by nobody (only its non-trapping parent)
  });
});

describe("local names", () => {
  it("are freed when their process dies", async () => {
    await passes(async () => {
      const { pid, ref } = await spawnMonitor(async () => {
        await register("short_lived");
        await receive();
      });
      // Whoever runs first, the name ends up held by pid or is already free again.
      await send(pid, "go");
      await receive(downOf(ref));
      expect(await whereis("short_lived")).toBeUndefined();
      await register("short_lived"); // reusable
      expect(await whereis("short_lived")).toBe(self());
    });
  });

  it("register errors: a taken name, a second name, a dead pid (ArgumentError naming the name)", async () => {
    await passes(async () => {
      const other = await spawn(waiter);
      await register("taken", other);
      const e1 = await register("taken").catch((e) => e);
      expect(e1).toBeInstanceOf(ArgumentError);
      expect(e1.message).toContain('"taken"');
      expect(e1.message).toContain(String(other));
      const e2 = await register("second", other).catch((e) => e);
      expect(e2).toBeInstanceOf(ArgumentError);
      expect(e2.message).toContain('"taken"');
      await send(other, "go");
      const ref = await monitor(other);
      await receive(downOf(ref));
      const e3 = await register("late", other).catch((e) => e);
      expect(e3).toBeInstanceOf(ArgumentError);
      expect(e3.message).toContain("not alive");
      await expect(unregister("never")).rejects.toThrow(ArgumentError);
      await expect(register(42 as any)).rejects.toThrow(TypeError);
    });
  });

  it("unregister frees the name for someone else", async () => {
    await passes(async () => {
      await register("a");
      await unregister("a");
      expect(await whereis("a")).toBeUndefined();
      const t = await spawn(waiter);
      await register("a", t);
      expect(await whereis("a")).toBe(t);
      await send("a", "go");
    });
  });
});

describe("nothing an iteration leaves live reaches the next one", () => {
  // Iterations alternate: one ends with a monitor, a link, a pending timer, a name and a
  // queued message all on the same pids the next one reuses; the next kills that pid
  // (a death the engine takes in one call when nothing watches it) and must see no
  // DOWN, no exit signal, no timer message, no name and an empty mailbox.
  it("monitors, links, timers, names and messages are per iteration", async () => {
    let n = 0;
    const r = await explore(async () => {
      const me = self();
      const leave = n++ % 2 === 0;
      const a = await spawn(async () => {
        await receive();
      });
      if (leave) {
        await monitor(a);
        await link(a);
        await sendAfter(me, "late", 5);
        await register("leftover", a);
        await send(me, "stale");
        return; // a waits on; the iteration ends with all of it live
      }
      await exit(a, "kill");
      expect(await isAlive(a)).toBe(false);
      expect(await whereis("leftover")).toBeUndefined();
      expect(await receive(undefined, { timeout: 10 })).toBe(TIMEOUT);
    }, { iterations: 40, seed: 3, strategy: "random", traceDir: false });
    expect(r.ok).toBe(true);
    expect(n).toBe(40);
  });
});
