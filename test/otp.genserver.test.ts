// GenServer semantics, checked against Elixir's lib/elixir/lib/gen_server.ex (docs of
// init/handle_call/handle_cast/handle_info/handle_continue/terminate, call/3, stop/3,
// the `use GenServer` defaults) and OTP's gen.erl / gen_server.erl / proc_lib.erl.
import { describe, it, expect } from "vitest";
import {
  explore, spawn, spawnLink, spawnMonitor, send, receive, self, monitor, trapExits, exit, isAlive, sleep, whereis, now,
  GenServer, CallExit, StartError, BadReturnError, From, reply, noreply, stop, TIMEOUT, Pid,
  type Behaviour, type ExploreOptions,
} from "lockstep";
import { passer, rejection, downOf } from "./helpers/explore";

const passes = passer({ iterations: 60, seed: 5, traceDir: false });

const crashes: ExploreOptions = { allowCrashes: true };

/** A counter: call "get" replies, cast n adds n. */
const counter: Behaviour<number, number> = {
  init: (n) => ({ state: n }),
  handleCall: (req, _from, n) => (req === "get" ? { reply: n, state: n } : { reply: "unknown", state: n }),
  handleCast: (by: number, n) => ({ state: n + by }),
};

/** Rejection of `p` (fails the body if it resolves). */

describe("result helpers", () => {
  it("build the contract's plain objects", () => {
    expect(reply(1, "s")).toEqual({ reply: 1, state: "s" });
    expect(reply(1, "s", { continue: "c" })).toEqual({ reply: 1, state: "s", continue: "c" });
    expect(noreply(0)).toEqual({ state: 0 });
    expect(noreply(0, { continue: undefined })).toHaveProperty("continue");
    expect(stop("normal", 3)).toEqual({ stop: "normal", state: 3 });
    expect("reply" in stop("normal", 3)).toBe(false);
    const s = stop("normal", 3, undefined);
    expect("reply" in s).toBe(true); // a reply of undefined is still a reply
  });
});

describe("init results", () => {
  it("{ state } starts the server; a falsy state is valid (keys are tested with `in`)", async () => {
    await passes(async () => {
      const pid = await GenServer.start(counter, 0);
      expect(pid).toBeInstanceOf(Pid);
      await GenServer.cast(pid, 2);
      await GenServer.cast(pid, 3);
      expect(await GenServer.call(pid, "get")).toBe(5);
    });
  });

  it("callbacks may be async and may be methods of a class instance", async () => {
    class Stack implements Behaviour<number[]> {
      pushes = 0;
      async init(xs: number[]) {
        await sleep(1);
        return { state: xs };
      }
      async handleCall(req: string, _f: From, xs: number[]) {
        await sleep(1);
        return req === "pop" ? { reply: xs[xs.length - 1], state: xs.slice(0, -1) } : { reply: this.pushes, state: xs };
      }
      handleCast(x: number, xs: number[]) {
        this.pushes++;
        return { state: [...xs, x] };
      }
    }
    await passes(async () => {
      const pid = await GenServer.start(new Stack(), [1]);
      await GenServer.cast(pid, 2);
      expect(await GenServer.call(pid, "pop")).toBe(2);
      expect(await GenServer.call(pid, "pushes")).toBe(1);
    });
  });

  // gen_server.ex: ":ignore ... the process will exit normally without entering the loop".
  // OTP 26 proc_lib: a failed start returns only once the process is gone.
  it("{ ignore: true } rejects with reason \"ignore\" and the process has exited", async () => {
    await passes(async () => {
      const e = await rejection(GenServer.start({ init: () => ({ ignore: true }) }, null, { name: "svc" }));
      expect(e).toBeInstanceOf(StartError);
      expect(e.reason).toBe("ignore");
      expect(await whereis("svc")).toBeUndefined();
    });
  });

  it("{ stop: reason } rejects with that reason; the process exits with it", async () => {
    await passes(async () => {
      const e = await rejection(GenServer.start({ init: () => ({ stop: "no_config" }) }, null));
      expect(e).toBeInstanceOf(StartError);
      expect(e.reason).toBe("no_config");
    });
  });

  it("an init that throws rejects with the error, and the process crashed with it", async () => {
    const boom = new Error("init failed");
    await passes(async () => {
      const e = await rejection(GenServer.start({ init: () => { throw boom; } }, null));
      expect(e.reason).toBe(boom);
    }, crashes);
  });

  it("an init returning an unknown shape rejects with a BadReturnError", async () => {
    await passes(async () => {
      const e = await rejection(GenServer.start({ init: () => ({ ok: 1 }) as any }, null));
      expect(e.reason).toBeInstanceOf(BadReturnError);
      expect(String(e.reason.message)).toMatch(/init returned \{ ok: 1 \}/);
    }, crashes);
  });

  // gen_server.ex init/1: "{:stop, reason} ... start_link/3 will return {:error, reason},
  // but only if the caller is trapping exits" — otherwise the link kills the caller.
  it("startLink: a trapping caller gets the init stop reason and no stray EXIT; a non-trapping one is killed by the link", async () => {
    await passes(async () => {
      await trapExits(true);
      const e = await rejection(GenServer.startLink({ init: () => ({ stop: "bad_env" }) }, null));
      expect(e.reason).toBe("bad_env");
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
      await trapExits(false);
      const { ref } = await spawnMonitor(async () => {
        await GenServer.startLink({ init: () => ({ stop: "bad_env" }) }, null).catch(() => {});
        await sleep(Infinity);
      });
      expect(await receive(downOf(ref))).toMatchObject({ reason: "bad_env" });
    });
  });

  it("a taken local name rejects with already_started and the owner's pid", async () => {
    await passes(async () => {
      const first = await GenServer.start(counter, 0, { name: "counter" });
      const e = await rejection(GenServer.start(counter, 0, { name: "counter" }));
      expect(e).toBeInstanceOf(StartError);
      expect(e.reason).toBe("already_started");
      expect(e.pid).toBe(first);
      expect(await GenServer.whereis("counter")).toBe(first);
      await GenServer.stop("counter");
      expect(await GenServer.whereis("counter")).toBeUndefined();
      const again = await GenServer.start(counter, 0, { name: "counter" });
      expect(again).not.toBe(first);
    });
  });

  it("two concurrent starts under one name: exactly one wins, the other names the winner", async () => {
    await passes(async () => {
      const me = self();
      for (let i = 0; i < 2; i++) {
        await spawn(async () => {
          try {
            await send(me, { ok: await GenServer.start(counter, i, { name: "one" }) });
          } catch (e: any) {
            await send(me, { err: e.reason, pid: e.pid });
          }
        });
      }
      const a: any = await receive();
      const b: any = await receive();
      const [won, lost] = "ok" in a ? [a, b] : [b, a];
      expect(won.ok).toBeInstanceOf(Pid);
      expect(lost).toEqual({ err: "already_started", pid: won.ok });
    });
  });
});

describe("handleContinue", () => {
  // gen_server.ex init/1: "{:ok, state, {:continue, arg}} ... immediately after
  // entering the loop, handle_continue/2 will be invoked".
  it("init's continue runs before any message, after start has returned", async () => {
    await passes(async () => {
      const pid = await GenServer.start({
        init: () => ({ state: "initialising", continue: "load" }),
        handleContinue: async (arg: string, _s: string) => ({ state: `loaded by ${arg}` }),
        handleCall: (_r: unknown, _f: From, s: string) => ({ reply: s, state: s }),
      }, null);
      expect(await GenServer.call(pid, "state")).toBe("loaded by load");
    });
  });

  it("a continue runs before messages already queued, and chains", async () => {
    await passes(async () => {
      const log: string[] = [];
      const pid = await GenServer.start({
        init: () => ({ state: null }),
        handleCast: (m: string, s: null) => {
          log.push(`cast ${m}`);
          return m === "first" ? { state: s, continue: 1 } : { state: s };
        },
        handleContinue: (n: number, s: null) => {
          log.push(`continue ${n}`);
          return n < 2 ? { state: s, continue: n + 1 } : { state: s };
        },
        handleCall: (_r: unknown, _f: From, s: null) => ({ reply: [...log], state: s, continue: 9 }),
      }, null);
      await GenServer.cast(pid, "first");
      await GenServer.cast(pid, "second");
      expect(await GenServer.call(pid, "log")).toEqual(["cast first", "continue 1", "continue 2", "cast second"]);
      await GenServer.cast(pid, "third");
      await GenServer.call(pid, "sync");
      expect(log.slice(4, 6)).toEqual(["continue 9", "cast third"]);
    });
  });

  const continuing = (b: Partial<Behaviour>): Behaviour => ({ init: () => ({ state: 0 }), handleCast: (_m: unknown, s: number) => ({ state: s, continue: "x" }), ...b });

  it("{ stop } from handleContinue stops the server", async () => {
    await passes(async () => {
      const pid = await GenServer.start(continuing({ handleContinue: (_a: unknown, s: number) => ({ stop: "done", state: s }) }), null);
      const ref = await monitor(pid);
      await GenServer.cast(pid, "go");
      expect(await receive(downOf(ref))).toMatchObject({ reason: "done" });
    });
  });

  it("a continue without handleContinue crashes the server", async () => {
    await passes(async () => {
      const pid = await GenServer.start(continuing({}), null);
      const ref = await monitor(pid);
      await GenServer.cast(pid, "go");
      const down: any = await receive(downOf(ref));
      expect(String(down.reason)).toMatch(/no handleContinue/);
    });
  });
});

describe("handleCall results", () => {
  it("{ state } defers the reply: GenServer.reply(from, v) from another process answers", async () => {
    await passes(async () => {
      const pid = await GenServer.start({
        init: () => ({ state: 0 }),
        handleCall: async (req: number, from: From, s: number) => {
          await spawn(async () => {
            await sleep(10);
            await GenServer.reply(from, req * 2);
          });
          return { state: s + 1 };
        },
      }, null);
      expect(await GenServer.call(pid, 21)).toBe(42);
      expect(await GenServer.call(pid, 5)).toBe(10);
    });
  });

  // gen_server.ex handle_call/3: "{:stop, reason, reply, new_state} stops the loop and
  // terminate/2 is called ... Then, the reply is sent as the response to call".
  it("{ stop, reply, state }: terminate runs, then the caller gets the reply, then the server exits with the reason", async () => {
    await passes(async () => {
      const me = self();
      const pid = await GenServer.start({
        init: () => ({ state: "s0" }),
        handleCall: (_r: unknown, _f: From, s: string) => ({ stop: "finished", reply: "bye", state: `${s}!` }),
        terminate: async (reason: unknown, s: string) => { await send(me, { terminated: reason, state: s }); },
      }, null);
      const ref = await monitor(pid);
      expect(await GenServer.call(pid, "quit")).toBe("bye");
      // terminate's message was sent before the reply, so it is already here.
      expect(await receive((m: any) => "terminated" in m, { timeout: 0 })).toEqual({ terminated: "finished", state: "s0!" });
      expect(await receive(downOf(ref))).toMatchObject({ reason: "finished" });
    });
  });

  it("stop wins over reply: the server does not go on after { stop, reply }", async () => {
    await passes(async () => {
      const pid = await GenServer.start({ init: () => ({ state: 0 }), handleCall: () => ({ reply: 1, stop: "normal", state: 0 }) }, null);
      const ref = await monitor(pid);
      expect(await GenServer.call(pid, "x")).toBe(1);
      expect(await receive(downOf(ref))).toMatchObject({ reason: "normal" });
      const e = await rejection(GenServer.call(pid, "x"));
      expect(e.reason).toBe("noproc");
    });
  });

  it("a reply of undefined is a reply", async () => {
    await passes(async () => {
      const pid = await GenServer.start({ init: () => ({ state: 0 }), handleCall: () => ({ reply: undefined, state: 0 }) }, null);
      expect(await GenServer.call(pid, "x", 100)).toBeUndefined();
    });
  });

  it("an unknown result shape crashes the server with a BadReturnError; the caller exits with it", async () => {
    await passes(async () => {
      const pid = await GenServer.start({ init: () => ({ state: 0 }), handleCall: () => ({ ok: 1 }) as any }, null);
      const e = await rejection(GenServer.call(pid, "x"));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBeInstanceOf(BadReturnError);
      expect(e.reason.callback).toBe("handleCall");
    }, crashes);
  });
});

describe("handleCast and handleInfo", () => {
  it("handleInfo gets plain messages; { stop } from handleCast/handleInfo stops with the reason", async () => {
    await passes(async () => {
      const me = self();
      const b: Behaviour<string[]> = {
        init: () => ({ state: [] }),
        handleInfo: (m, s) => (m === "quit" ? { stop: "info_quit", state: s } : { state: [...s, m] }),
        handleCast: (m, s) => (m === "quit" ? { stop: "cast_quit", state: s } : { state: s }),
        handleCall: (_r, _f, s) => ({ reply: s, state: s }),
        terminate: async (reason) => { await send(me, { terminate: reason }); },
      };
      const a = await GenServer.start(b, null);
      await send(a, "hello");
      await send(a, 42);
      expect(await GenServer.call(a, "log")).toEqual(["hello", 42]);
      const ra = await monitor(a);
      await send(a, "quit");
      expect(await receive(downOf(ra))).toMatchObject({ reason: "info_quit" });
      expect(await receive((m: any) => "terminate" in m)).toEqual({ terminate: "info_quit" });
      const c = await GenServer.start(b, null);
      const rc = await monitor(c);
      await GenServer.cast(c, "quit");
      expect(await receive(downOf(rc))).toMatchObject({ reason: "cast_quit" });
      expect(await receive((m: any) => "terminate" in m)).toEqual({ terminate: "cast_quit" });
    });
  });

  // gen_server.ex `use GenServer`: the default handle_info logs and returns {:noreply, state}.
  it("without handleInfo, unexpected messages are ignored", async () => {
    await passes(async () => {
      const pid = await GenServer.start(counter, 1);
      await send(pid, "stray");
      await send(pid, { type: "EXIT", from: self(), reason: "fake" });
      expect(await GenServer.call(pid, "get")).toBe(1);
    });
  });

  // gen_server.ex `use GenServer`: the default handle_call/handle_cast raise
  // "attempted to call GenServer ... but no handle_call/3 clause was provided".
  it("without handleCall, a call crashes the server and the caller exits with that error", async () => {
    await passes(async () => {
      const pid = await GenServer.start({ init: () => ({ state: 0 }) }, null, { name: "bare" });
      const e = await rejection(GenServer.call(pid, "hi"));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBeInstanceOf(Error);
      expect(e.reason.message).toBe('attempted to call GenServer "bare" but no handleCall callback was provided');
    }, crashes);
  });

  it("without handleCast, a cast crashes the server", async () => {
    await passes(async () => {
      const pid = await GenServer.start({ init: () => ({ state: 0 }) }, null);
      const ref = await monitor(pid);
      await GenServer.cast(pid, "hi");
      const down: any = await receive(downOf(ref));
      expect(down.reason.message).toMatch(/attempted to cast GenServer <0\.\d+\.0> but no handleCast/);
    }, crashes);
  });

  it("cast never fails: to an unregistered name or a dead pid", async () => {
    await passes(async () => {
      await GenServer.cast("nobody", 1);
      const pid = await GenServer.start(counter, 0);
      await GenServer.stop(pid);
      await GenServer.cast(pid, 1);
    }, { iterations: 5 });
  });
});

describe("call exits", () => {
  it("noproc: an unregistered name, a dead pid", async () => {
    await passes(async () => {
      expect((await rejection(GenServer.call("missing", 1))).reason).toBe("noproc");
      const pid = await GenServer.start(counter, 0);
      await GenServer.stop(pid);
      const e = await rejection(GenServer.call(pid, "get"));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBe("noproc");
      expect(e.message).toMatch(/GenServer\.call\(<0\.\d+\.0>, "get"\) exited: "noproc"/);
    });
  });

  it("calling_self: a server calling itself exits at once instead of deadlocking", async () => {
    await passes(async () => {
      const pid = await GenServer.start({
        init: () => ({ state: 0 }),
        handleCall: async (req: string, _f: From, s: number) => {
          if (req === "outer") {
            const e = await rejection(GenServer.call(self(), "inner"));
            return { reply: e.reason, state: s };
          }
          return { reply: "inner", state: s };
        },
      }, null);
      expect(await GenServer.call(pid, "outer")).toBe("calling_self");
    });
  });

  it("timeout: the server never answers", async () => {
    await passes(async () => {
      const pid = await GenServer.start({ init: () => ({ state: 0 }), handleCall: (_r: unknown, _f: From, s: number) => ({ state: s }) }, null);
      const e = await rejection(GenServer.call(pid, "x", 250));
      expect(e.reason).toBe("timeout");
    });
  });

  it("without a timeout, call gives up after exactly 5000 virtual ms (gen_server's default)", async () => {
    await passes(async () => {
      const pid = await GenServer.start({ init: () => ({ state: 0 }), handleCall: (_r: unknown, _f: From, s: number) => ({ state: s }) }, null);
      expect(now()).toBe(0);
      const e = await rejection(GenServer.call(pid, "x"));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBe("timeout");
      expect(now()).toBe(5000);
    }, { iterations: 10 });
  });

  it("normal, shutdown and a custom reason: the server stops during the call without replying", async () => {
    await passes(async () => {
      for (const why of ["normal", "shutdown", { shutdown: "maintenance" }]) {
        const pid = await GenServer.start({ init: () => ({ state: 0 }), handleCall: (_r: unknown, _f: From, s: number) => ({ stop: why, state: s }) }, null);
        expect((await rejection(GenServer.call(pid, "x"))).reason).toBe(why);
      }
    });
  });

  it("the crash reason: handleCall throws; terminate runs with the error (gen_server.ex terminate/2)", async () => {
    const boom = new Error("boom");
    await passes(async () => {
      const me = self();
      const pid = await GenServer.start({
        init: () => ({ state: 7 }),
        handleCall: () => { throw boom; },
        terminate: async (reason: unknown, s: number) => { await send(me, { reason, s }); },
      }, null);
      const e = await rejection(GenServer.call(pid, "x"));
      expect(e.reason).toBe(boom);
      expect(await receive()).toEqual({ reason: boom, s: 7 });
    }, crashes);
  });

  it("a server killed during the call: the caller exits with the kill reason", async () => {
    await passes(async () => {
      const killer = await spawn(async () => {
        const { server } = await receive();
        await exit(server, "kill");
      });
      const pid = await GenServer.start({
        init: () => ({ state: 0 }),
        handleCall: async (_r: unknown, _f: From, s: number) => {
          await send(killer, { server: self() }); // killed while the call is in progress
          return { state: s };
        },
      }, null);
      expect((await rejection(GenServer.call(pid, "x", Infinity))).reason).toBe("killed");
    });
  });

  it("the call's monitor is internal: an unwatched crash is still reported as a crash bug", async () => {
    const r = await explore(async () => {
      const pid = await GenServer.start({ init: () => ({ state: 0 }), handleCall: () => { throw new Error("unhandled"); } }, null);
      await GenServer.call(pid, "x").catch(() => {});
    }, { iterations: 5, seed: 1, traceDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.bug.kind).toBe("crash");
      expect(String((r.bug.error as Error).message)).toBe("unhandled");
    }
  });

  it("rejects bad arguments with clear errors", async () => {
    await passes(async () => {
      await expect(GenServer.call(42 as any, "x")).rejects.toThrow(/GenServer.call expects a pid, a name or via/);
      await expect(GenServer.call("x", "y", -1)).rejects.toThrow(/timeout must be a non-negative number/);
      await expect(GenServer.reply({ pid: self() } as any, 1)).rejects.toThrow(/GenServer.reply expects the `from`/);
      await expect(GenServer.stop(null as any)).rejects.toThrow(TypeError);
    }, { iterations: 2 });
  });
});

describe("late replies", () => {
  // gen_server.ex call/3 warns that without aliases a late reply lands in the caller's
  // mailbox; OTP 24+ calls go through an alias, so it is dropped. lockstep does the same.
  it("a reply after the timeout never reaches the caller's mailbox", async () => {
    await passes(async () => {
      const pid = await GenServer.start({
        init: () => ({ state: 0 }),
        handleCall: async (req: string, _f: From, n: number) => {
          if (req === "slow") await sleep(1000);
          return { reply: `${req}:${n}`, state: n + 1 };
        },
      }, null);
      expect((await rejection(GenServer.call(pid, "slow", 100))).reason).toBe("timeout");
      expect(await receive(undefined, { timeout: 5000 })).toBe(TIMEOUT); // the server replied at t=1000: dropped
      expect(await GenServer.call(pid, "fast")).toBe("fast:1");
    });
  });

  it("a deferred reply sent after the caller gave up is dropped as well", async () => {
    await passes(async () => {
      const me = self();
      const pid = await GenServer.start({
        init: () => ({ state: null as From | null }),
        handleCall: (req: string, from: From, kept: From | null) => (req === "park" ? { state: from } : { reply: "ok", state: kept }),
        handleCast: async (_m: unknown, kept: From | null) => {
          await GenServer.reply(kept!, "too late");
          await send(me, "replied");
          return { state: null };
        },
      }, null);
      expect((await rejection(GenServer.call(pid, "park", 10))).reason).toBe("timeout");
      await GenServer.cast(pid, "answer now");
      expect(await receive()).toBe("replied");
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });
});

describe("a reply racing the call's timeout", () => {
  // gen.erl do_call: when the timeout fires, the caller flushes and checks its mailbox
  // once more, so a reply that was already delivered wins over the timeout. The server
  // replies at exactly the call's deadline; under timers: "race" the caller's timeout
  // and the server's wake-up are both due at t=10 and the strategy orders them (and the
  // caller's resumption) every way. The alias flag read just before the reply says
  // whether the reply reached the caller (it stays active until the call returns).
  it("a reply delivered before the caller resumed wins, in every schedule; a later one is dropped", async () => {
    const seen = new Set<string>();
    await passes(async () => {
      let delivered: boolean | undefined;
      const pid = await GenServer.start({
        init: () => ({ state: 0 }),
        handleCall: async (_r: unknown, from: From, n: number) => {
          await sleep(10);
          delivered = (from as unknown as { active: boolean }).active;
          await GenServer.reply(from, "value");
          return { state: n };
        },
      }, null);
      let outcome: string;
      try {
        outcome = await GenServer.call(pid, "x", 10);
      } catch (e: any) {
        outcome = e.reason;
      }
      // The server's reply is its next sync point: wait for it if the call ended first.
      while (delivered === undefined) await sleep(1);
      expect(outcome).toBe(delivered ? "value" : "timeout");
      seen.add(outcome);
      expect(await receive(undefined, { timeout: 100 })).toBe(TIMEOUT); // never a stale reply
    }, { timers: "race", iterations: 150, strategy: "random", seed: 7 });
    expect([...seen].sort()).toEqual(["timeout", "value"]);
  });
});

describe("terminate and exit signals", () => {
  // gen_server.ex terminate/2: called "if the GenServer traps exits and the parent
  // process (the one which called start_link/1) sends an exit signal".
  it("a trapping server whose parent dies runs terminate with the parent's reason", async () => {
    await passes(async () => {
      const me = self();
      const parent = await spawn(async () => {
        const pid = await GenServer.startLink({
          init: async () => { await trapExits(true); return { state: "s" }; },
          terminate: async (reason: unknown, s: string) => { await send(me, { terminate: reason, s }); },
        }, null);
        await send(me, { server: pid });
        await sleep(Infinity);
      });
      const { server } = (await receive((m: any) => "server" in m)) as { server: Pid };
      const ref = await monitor(server);
      await exit(parent, "shutdown");
      expect(await receive((m: any) => "terminate" in m)).toEqual({ terminate: "shutdown", s: "s" });
      expect(await receive(downOf(ref))).toMatchObject({ reason: "shutdown" });
    });
  });

  it("a server that does not trap exits is killed by the parent's signal without terminate", async () => {
    await passes(async () => {
      const me = self();
      const parent = await spawn(async () => {
        const pid = await GenServer.startLink({ init: () => ({ state: 0 }), terminate: async () => { await send(me, "terminate ran"); } }, null);
        await send(me, { server: pid });
        await sleep(Infinity);
      });
      const { server } = (await receive((m: any) => "server" in m)) as { server: Pid };
      const ref = await monitor(server);
      await exit(parent, "shutdown");
      expect(await receive(downOf(ref))).toMatchObject({ reason: "shutdown" });
      expect(await receive((m) => m === "terminate ran", { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  it("EXIT messages from linked processes other than the parent go to handleInfo", async () => {
    await passes(async () => {
      const pid = await GenServer.start({
        init: async () => {
          await trapExits(true);
          await spawnLink(async () => { throw new Error("worker died"); });
          return { state: null as unknown };
        },
        handleInfo: (m: any, s: unknown) => ({ state: m?.type === "EXIT" ? m.reason : s }),
        handleCall: (_r: unknown, _f: From, s: unknown) => ({ reply: s, state: s }),
      }, null);
      let got: unknown = null;
      while (got === null) got = await GenServer.call(pid, "last");
      expect((got as Error).message).toBe("worker died");
    });
  });

  it("a terminate that throws replaces the exit reason", async () => {
    const bad = new Error("terminate failed");
    await passes(async () => {
      const pid = await GenServer.start({ init: () => ({ state: 0 }), terminate: () => { throw bad; } }, null);
      const e = await rejection(GenServer.stop(pid, "normal"));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBe(bad);
    }, crashes);
  });
});

describe("GenServer.stop", () => {
  // gen_server.ex stop/3 / proc_lib:stop: waits until the process exited with the reason.
  it("runs terminate, resolves once the server is gone; the reason defaults to normal", async () => {
    await passes(async () => {
      const me = self();
      const b = { init: () => ({ state: 1 }), terminate: async (reason: unknown) => { await send(me, reason); } };
      const a = await GenServer.start(b, null, { name: "a" });
      await GenServer.stop("a");
      expect(await isAlive(a)).toBe(false);
      expect(await receive()).toBe("normal");
      const c = await GenServer.start(b, null);
      await GenServer.stop(c, { shutdown: "bye" });
      expect(await receive()).toEqual({ shutdown: "bye" });
    });
  });

  it("exits noproc for a dead server and timeout for one stuck in a callback", async () => {
    await passes(async () => {
      expect((await rejection(GenServer.stop("ghost"))).reason).toBe("noproc");
      const pid = await GenServer.start({ init: () => ({ state: 0 }), handleCast: async (_m: unknown, s: number) => { await sleep(Infinity); return { state: s }; } }, null);
      await GenServer.cast(pid, "hang");
      expect((await rejection(GenServer.stop(pid, "normal", 500))).reason).toBe("timeout");
    });
  });
});

describe("bad input", () => {
  it("start rejects a behaviour without init, a non-object, a non-function callback, bad options", async () => {
    await passes(async () => {
      await expect(GenServer.start({ handleCall: () => ({ state: 0 }) } as any, null)).rejects.toThrow(/the behaviour has no init\(arg\) callback/);
      await expect(GenServer.start(null as any, null)).rejects.toThrow(/expects a behaviour/);
      await expect(GenServer.start({ init: () => ({ state: 0 }), handleCast: 3 } as any, null)).rejects.toThrow(/handleCast must be a function/);
      await expect(GenServer.start(counter, 0, { nam: "x" } as any)).rejects.toThrow(/unknown option "nam"/);
      await expect(GenServer.start(counter, 0, { name: 5 } as any)).rejects.toThrow(/name must be a string, a symbol or via/);
    }, { iterations: 2 });
  });
});

describe("callback timeouts (gen_server's {noreply, State, Timeout})", () => {
  /** Records when handleInfo("timeout") runs; casts restart the wait. */
  const idle: Behaviour<number[], number> = {
    init: (ms) => ({ state: [], timeout: ms }),
    handleCast: (_msg, seen) => ({ state: seen, timeout: 50 }),
    handleInfo: (msg, seen) => (msg === "timeout" ? { state: [...seen, now()] } : { state: seen }),
    handleCall: (_req, _from, seen) => ({ reply: seen, state: seen }),
  };

  it("no message within the timeout: handleInfo('timeout') at exactly that virtual time, once", async () => {
    await passes(async () => {
      const s = await GenServer.start(idle, 100);
      await sleep(1000);
      expect(await GenServer.call(s, "seen")).toEqual([100]);
    });
  });

  it("a message cancels the timeout; the callback's new timeout starts from it; a reply without timeout sets none", async () => {
    await passes(async () => {
      const s = await GenServer.start(idle, 100);
      await sleep(30);
      await GenServer.cast(s, "poke"); // at 30: cancels the init timeout, sets 50
      await sleep(1000);
      expect(await GenServer.call(s, "seen")).toEqual([80]);
      await sleep(1000);
      expect(await GenServer.call(s, "seen")).toEqual([80]); // the call's reply set no timeout
    });
  });

  it("a timeout with continue, or a negative timeout, is a bad return; hibernate is accepted", async () => {
    await passes(async () => {
      const bad = await GenServer.start({ init: () => ({ state: 0 }), handleCast: (m: string, n: number) => (m === "both" ? { state: n, timeout: 5, continue: 1 } : { state: n, timeout: -1 }) }, undefined);
      const ref = await monitor(bad);
      await GenServer.cast(bad, "both");
      const down = await receive(downOf(ref));
      expect(down.reason).toBeInstanceOf(BadReturnError);
      const h = await GenServer.start({ init: () => ({ state: 1, hibernate: true }), handleCall: (_r: unknown, _f: unknown, n: number) => ({ reply: n, state: n, hibernate: true }) }, undefined);
      expect(await GenServer.call(h, "x")).toBe(1);
    }, crashes);
  });
});

// ---- start timeout (gen_server:start/4 with {timeout, T}; proc_lib:sync_start/2) -------

describe("start timeout", () => {
  // gen_server_SUITE start: {error, timeout} = gen_server:start(?MODULE, sleep, [{timeout, 1000}]):
  // init that does not return in time fails the start with reason timeout, and the
  // server is killed (its name freed).
  it("init slower than the start timeout: StartError \"timeout\", the server is killed and its name freed", async () => {
    await passes(async () => {
      let started: Pid | undefined;
      const slow = { init: async () => { started = self(); await sleep(2000); return { state: 0 }; } };
      const e = await rejection(GenServer.start(slow, null, { name: "slow", timeout: 1000 }));
      expect(e).toBeInstanceOf(StartError);
      expect(e.reason).toBe("timeout");
      expect(now()).toBe(1000);
      expect(await isAlive(started!)).toBe(false);
      expect(await whereis("slow")).toBe(undefined);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT); // no stray ack or DOWN
      // In time: a normal start. Infinity (the default) never times out.
      const fast = await GenServer.start({ init: async () => { await sleep(999); return { state: 1 }; } }, null, { timeout: 1000 });
      expect(await isAlive(fast)).toBe(true);
    });
  });

  it("startLink with a timeout: the caller is unlinked before the kill and gets no EXIT", async () => {
    await passes(async () => {
      await trapExits(true);
      const e = await rejection(GenServer.startLink({ init: () => sleep(Infinity) as never }, null, { timeout: 10 }));
      expect(e.reason).toBe("timeout");
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // The ack and the timeout fall due together under timers: "race": either the start
  // succeeds (the ack came first) or it fails with "timeout" and the server is dead —
  // never a live server behind a failed start.
  it("an init finishing exactly at the timeout: started, or timeout with the server dead", async () => {
    const outcomes = new Set<string>();
    await passes(async () => {
      let server: Pid | undefined;
      try {
        const pid = await GenServer.start({ init: async () => { server = self(); await sleep(100); return { state: 0 }; } }, null, { timeout: 100 });
        expect(await isAlive(pid)).toBe(true);
        outcomes.add("started");
      } catch (e: any) {
        expect(e.reason).toBe("timeout");
        if (server !== undefined) expect(await isAlive(server)).toBe(false); // (under race it may be killed before it ever ran)
        outcomes.add("timeout");
      }
    }, { timers: "race", iterations: 100 });
    expect([...outcomes].sort()).toEqual(["started", "timeout"]);
  });

  it("rejects a bad timeout option", async () => {
    await passes(async () => {
      await expect(GenServer.start({ init: () => ({ state: 0 }) }, null, { timeout: -1 })).rejects.toThrow(/timeout must be a non-negative number/);
    }, { iterations: 1 });
  });
});
