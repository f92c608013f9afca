// Agent (lib/elixir/lib/agent.ex) and Task (lib/elixir/lib/task.ex): agents are
// GenServers whose functions run in the agent process; tasks are linked (async) or
// only monitored (Task.Supervisor.async_nolink) processes whose owner awaits them.
import { describe, it, expect } from "vitest";
import {
  explore, spawn, spawnMonitor, send, receive, self, monitor, trapExits, isAlive, sleep, now,
  Agent, Task, CallExit, StartError, ArgumentError, TIMEOUT, Pid,
  type ExploreOptions,
} from "lockstep";
import { passer, rejection, downOf } from "./helpers/explore";

const passes = passer({ iterations: 50, seed: 3, traceDir: false });



describe("Agent", () => {
  it("start, get, update, getAndUpdate, cast and stop", async () => {
    await passes(async () => {
      const a = await Agent.start(() => ({ n: 1 }), { name: "cfg" });
      expect(a).toBeInstanceOf(Pid);
      expect(await Agent.get("cfg", (s: { n: number }) => s.n)).toBe(1);
      expect(await Agent.update(a, (s: { n: number }) => ({ n: s.n + 1 }))).toBeUndefined();
      expect(await Agent.getAndUpdate(a, (s: { n: number }) => [s.n, { n: s.n * 10 }])).toBe(2);
      await Agent.cast(a, (s: { n: number }) => ({ n: s.n + 5 }));
      expect(await Agent.get(a, async (s: { n: number }) => { await sleep(1); return s.n; })).toBe(25);
      await Agent.stop(a);
      expect(await isAlive(a)).toBe(false);
      expect((await rejection(Agent.get(a, (s) => s))).reason).toBe("noproc");
    });
  });

  // The point of an Agent: update runs read-modify-write inside the agent, atomically;
  // a get followed by an update is two messages, and another client can get in between.
  it("concurrent updates never lose one; get-then-update does, and lockstep finds it", async () => {
    const twoClients = (step: (a: Pid) => Promise<void>) => async () => {
      const me = self();
      const a = await Agent.start(() => 0);
      for (let i = 0; i < 2; i++) await spawn(async () => { await step(a); await send(me, "done"); });
      await receive();
      await receive();
      expect(await Agent.get(a, (n: number) => n)).toBe(2);
    };
    await passes(twoClients((a) => Agent.update(a, (n: number) => n + 1)), { iterations: 200 });
    const r = await explore(twoClients(async (a) => {
      const v = await Agent.get(a, (n: number) => n);
      await Agent.update(a, () => v + 1);
    }), { iterations: 200, seed: 3, traceDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.kind).toBe("exception");
    if (!r.ok) expect(String(r.bug.error)).toMatch(/expected 1 to be 2/);
  });

  it("a function that throws crashes the agent; the caller exits with the error", async () => {
    const oops = new Error("oops");
    await passes(async () => {
      const a = await Agent.start(() => 0);
      const e = await rejection(Agent.get(a, () => { throw oops; }));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBe(oops);
      const b = await Agent.start(() => 0);
      const e2 = await rejection(Agent.getAndUpdate(b, () => 5 as any));
      expect(e2.reason).toBeInstanceOf(TypeError);
      expect(e2.reason.message).toMatch(/must return \[reply, newState\], got 5/);
    }, { allowCrashes: true });
  });

  // agent.ex start/2: `{:error, {exception, _}} = Agent.start(fn -> raise "oops" end)`.
  it("a start function that throws rejects the start", async () => {
    const oops = new Error("oops");
    await passes(async () => {
      const e = await rejection(Agent.start(() => { throw oops; }));
      expect(e).toBeInstanceOf(StartError);
      expect(e.reason).toBe(oops);
    }, { allowCrashes: true });
  });

  it("get times out in virtual time", async () => {
    await passes(async () => {
      const a = await Agent.start(() => 0);
      const e = await rejection(Agent.get(a, async () => { await sleep(100); return 1; }, 10));
      expect(e.reason).toBe("timeout");
      expect(await Agent.get(a, (n: number) => n)).toBe(0);
    });
  });

  it("rejects functions that are not functions", async () => {
    await passes(async () => {
      await expect(Agent.start(5 as any)).rejects.toThrow(/Agent.start expects a function, got 5/);
      const a = await Agent.start(() => 0);
      await expect(Agent.get(a, "n" as any)).rejects.toThrow(/Agent.get expects a function/);
      await expect(Agent.update(a, null as any)).rejects.toThrow(/Agent.update expects a function/);
      await expect(Agent.cast(a, 1 as any)).rejects.toThrow(/Agent.cast expects a function/);
      await expect(Agent.get(a, (n) => n, -3)).rejects.toThrow(/timeout must be a non-negative number/);
    }, { iterations: 2 });
  });
});

describe("Task", () => {
  it("async/await returns the result", async () => {
    await passes(async () => {
      const t = await Task.async(async () => {
        await sleep(5);
        return 1 + 1;
      });
      expect(t.owner).toBe(self());
      expect(await Task.await(t)).toBe(2);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT); // no DOWN or reply left behind
    });
  });

  // task.ex await/2: on timeout the caller exits; the task keeps running, and its
  // late result is dropped (the alias was deactivated).
  it("await times out; the task keeps running and its late result never arrives", async () => {
    await passes(async () => {
      const t = await Task.async(async () => {
        await sleep(1000);
        return "late";
      });
      const e = await rejection(Task.await(t, 100));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBe("timeout");
      expect(await isAlive(t.pid)).toBe(true);
      expect(await receive(undefined, { timeout: 5000 })).toBe(TIMEOUT);
      expect(await isAlive(t.pid)).toBe(false);
    });
  });

  // task.ex "Linking": if the task fails, the owner fails with it, unless it traps exits;
  // "even when trapping exits, calling await will still exit if the task has terminated".
  it("async: a crashing task takes a non-trapping owner down; a trapping owner's await exits with the reason", async () => {
    const boom = new Error("task failed");
    await passes(async () => {
      const { ref } = await spawnMonitor(async () => {
        const t = await Task.async(async () => { await sleep(1); throw boom; });
        await Task.await(t);
      });
      expect(await receive(downOf(ref))).toMatchObject({ reason: boom });
      await trapExits(true);
      const t = await Task.async(async () => { throw boom; });
      const e = await rejection(Task.await(t));
      expect(e.reason).toBe(boom);
      expect(await receive((m: any) => m?.type === "EXIT")).toEqual({ type: "EXIT", from: t.pid, reason: boom });
    }, { allowCrashes: true });
  });

  it("asyncNolink: the owner survives the crash and sees it in await; the crash counts as handled", async () => {
    const boom = new Error("nolink failed");
    await passes(async () => {
      const t = await Task.asyncNolink(async () => { await sleep(1); throw boom; });
      const e = await rejection(Task.await(t));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBe(boom);
    }); // no allowCrashes: the owner's monitor handles the crash
  });

  // task.ex yield/2: "{:ok, reply} ..., nil if no reply has arrived, or {:exit, reason}";
  // after nil the monitor stays active, so yield can be called again.
  it("yield: TIMEOUT while running, then the result; { ok: false, exit } for a dead task", async () => {
    await passes(async () => {
      const t = await Task.async(async () => {
        await sleep(100);
        return "done";
      });
      expect(await Task.yield(t, 10)).toBe(TIMEOUT);
      expect(await Task.yield(t, 1000)).toEqual({ ok: true, value: "done" });
      const n = await Task.asyncNolink(async () => { throw "bad"; });
      expect(await Task.yield(n)).toEqual({ ok: false, exit: "bad" });
    }, { allowCrashes: true });
  });

  // task.ex await_many/2: "returns a list of the results, in the same order as the tasks".
  it("awaitMany returns results in task order whatever order they finish in", async () => {
    await passes(async () => {
      const ts = [];
      for (const [v, ms] of [["a", 30], ["b", 10], ["c", 20]] as const) {
        ts.push(await Task.async(async () => { await sleep(ms); return v; }));
      }
      expect(await Task.awaitMany(ts)).toEqual(["a", "b", "c"]);
      expect(now()).toBe(30);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  it("awaitMany exits with the first task exit, or on timeout", async () => {
    await passes(async () => {
      const ok = await Task.asyncNolink(async () => { await sleep(50); return 1; });
      const bad = await Task.asyncNolink(async () => { await sleep(10); throw "broken"; });
      expect((await rejection(Task.awaitMany([ok, bad]))).reason).toBe("broken");
      const slow = await Task.async(async () => { await sleep(1000); return 1; });
      const start = now();
      expect((await rejection(Task.awaitMany([slow], 100))).reason).toBe("timeout");
      expect(now() - start).toBe(100);
    });
  });

  it("only the owner may await a task", async () => {
    await passes(async () => {
      const me = self();
      const t = await Task.async(async () => 1);
      await spawn(async () => {
        try {
          await Task.await(t);
        } catch (e) {
          await send(me, e);
        }
      });
      const e: any = await receive((m) => m instanceof Error);
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toMatch(/belongs to <0\.1\.0>/);
      expect(await Task.await(t)).toBe(1);
    });
  });

  it("start and startLink run a function in a process nobody awaits", async () => {
    await passes(async () => {
      const me = self();
      const p = await Task.start(async () => { await send(me, "side effect"); });
      expect(p).toBeInstanceOf(Pid);
      expect(await receive()).toBe("side effect");
      const ref = await monitor(await Task.startLink(async () => { await sleep(1); }));
      expect(await receive(downOf(ref))).toMatchObject({ reason: "normal" });
    });
  });

  it("rejects bad input", async () => {
    await passes(async () => {
      await expect(Task.async(5 as any)).rejects.toThrow(/Task.async expects a function/);
      await expect(Task.await("t" as any)).rejects.toThrow(/Task.await expects a task from Task.async/);
      await expect(Task.awaitMany("x" as any)).rejects.toThrow(/expects an array of tasks/);
      await expect(Task.start(null as any)).rejects.toThrow(/Task.start expects a function/);
      const t = await Task.async(async () => 1);
      await expect(Task.await(t, NaN)).rejects.toThrow(/timeout must be/);
      expect(await Task.await(t)).toBe(1);
    }, { iterations: 2 });
  });
});
