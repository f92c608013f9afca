// Adversarial probe of lockstep's OTP semantics: edge cases ported from Elixir's and
// Erlang/OTP's own test suites (each names the suite and case it comes from), run
// under explore so the OTP outcome must hold in every explored interleaving.
import { describe, it, expect } from "vitest";
import {
  spawn, spawnLink, spawnMonitor, send, receive, self, monitor, demonitor, link, unlink,
  trapExits, exit, isAlive, register, whereis, via, sendAfter, cancelTimer, sleep, now, TIMEOUT,
  GenServer, GenStatem, Supervisor, DynamicSupervisor, Registry, Agent, Task, CallExit, StartError, Pid, Cluster,
} from "lockstep";
import { passer, rejection, downOf } from "./helpers/explore";

const passes = passer({ iterations: 200, seed: 7, traceDir: false });
const isExit = (m: any) => m?.type === "EXIT";
const exitFrom = (pid: unknown) => (m: any) => m?.type === "EXIT" && m.from === pid;
const waiter = async () => { await receive(); };

describe("exit signals (erts process_SUITE, exception_SUITE)", () => {
  // process_SUITE exit_and_timeout / t_exit_2_other: exit(self(), kill) kills even a trapping caller with killed.
  it("exit(self(), 'kill') kills a trapping caller with reason killed", async () => {
    await passes(async () => {
      const { pid, ref } = await spawnMonitor(async () => {
        await trapExits(true);
        await exit(self(), "kill");
        await receive();
      });
      expect(await receive(downOf(ref))).toEqual({ type: "DOWN", ref, pid, reason: "killed" });
    });
  });

  // Erlang reference manual, "Receiving Exit Signals": a link signal with reason kill is
  // not the untrappable exit/2 kill: a trapping process gets {'EXIT', P, kill}.
  it("a linked process that exits with reason 'kill' sends a trappable kill", async () => {
    await passes(async () => {
      await trapExits(true);
      const p = await spawnLink(async () => { await receive(); throw "kill"; });
      await send(p, "go");
      expect(await receive(exitFrom(p))).toEqual({ type: "EXIT", from: p, reason: "kill" });
      expect(await isAlive(self())).toBe(true);
    });
  });

  // process_SUITE trap_exit_badarg-like: exit(self(), reason) while trapping is a message from self.
  it("exit(self(), reason) while trapping becomes an EXIT message from self", async () => {
    await passes(async () => {
      await trapExits(true);
      await exit(self(), "shutdown");
      expect(await receive(undefined, { timeout: 0 })).toEqual({ type: "EXIT", from: self(), reason: "shutdown" });
    });
  });

  // exit/2 with {shutdown, x}: a tuple reason kills a non-trapping process with that term.
  it("exit(pid, { shutdown: x }) kills with the tuple reason; linked get it too", async () => {
    await passes(async () => {
      await trapExits(true);
      const a = await spawnLink(waiter);
      const r = await monitor(a);
      await exit(a, { shutdown: "bye" });
      expect(await receive(downOf(r))).toMatchObject({ reason: { shutdown: "bye" } });
      expect(await receive(exitFrom(a))).toEqual({ type: "EXIT", from: a, reason: { shutdown: "bye" } });
    });
  });

  // Links are bidirectional: when the *caller* of link/1 dies, the target gets the signal.
  it("link/1 made by a child takes the parent down when the child crashes", async () => {
    await passes(async () => {
      await trapExits(true);
      const me = self();
      const c = await spawn(async () => { await link(me); await send(me, "linked"); await receive(); throw "boom"; });
      await receive((m) => m === "linked");
      await send(c, "go");
      expect(await receive(exitFrom(c))).toEqual({ type: "EXIT", from: c, reason: "boom" });
    });
  });

  // unlink/1 removes the link both ways: no EXIT from a process we unlinked from, even a trapping one.
  it("after unlink neither side gets a signal", async () => {
    await passes(async () => {
      await trapExits(true);
      const c = await spawnLink(async () => { await receive(); throw "boom"; });
      const r = await monitor(c);
      await unlink(c);
      await send(c, "go");
      await receive(downOf(r));
      expect(await receive(isExit, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // A process turning trapping off again: the next signal kills it.
  it("trapExits(false) restores the default: a later crash signal kills", async () => {
    await passes(async () => {
      const { pid, ref } = await spawnMonitor(async () => {
        expect(await trapExits(true)).toBe(false);
        expect(await trapExits(false)).toBe(true);
        const c = await spawnLink(async () => { await receive(); });
        await exit(c, "boom");
        await receive();
      });
      expect(await receive(downOf(ref))).toEqual({ type: "DOWN", ref, pid, reason: "boom" });
    });
  });

  // Signal order: a message sent before dying arrives before the DOWN/EXIT it causes.
  it("a message sent before death is received before the DOWN and the EXIT", async () => {
    await passes(async () => {
      await trapExits(true);
      const me = self();
      const c = await spawnLink(async () => { await send(me, "last words"); });
      const r = await monitor(c);
      const got: unknown[] = [];
      for (let i = 0; i < 3; i++) got.push(await receive());
      const msgAt = got.indexOf("last words");
      const downAt = got.findIndex((m: any) => m?.type === "DOWN" || (m?.type === "EXIT" && m.from === c));
      // DOWN may be noproc when the child was dead before monitor; then there is still only one msg.
      expect(msgAt).toBe(0);
      expect(downAt).toBeGreaterThan(0);
      void r;
    });
  });
});

describe("monitors (erts monitor_SUITE)", () => {
  // monitor_SUITE case_1/ demon_1: demonitor of a fired monitor is still true, and flush removes only that DOWN.
  it("demonitor(flush) removes only that monitor's DOWN", async () => {
    await passes(async () => {
      const t = await spawn(waiter);
      const r1 = await monitor(t);
      const r2 = await monitor(t);
      await exit(t, "kill");
      expect(await demonitor(r1, { flush: true })).toBe(true);
      expect(await receive(undefined, { timeout: 0 })).toEqual({ type: "DOWN", ref: r2, pid: t, reason: "killed" });
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // monitor_SUITE mon_1: a monitor survives the watcher's own trap_exit changes; a DOWN per monitor.
  it("monitoring self never fires and demonitor of it is fine", async () => {
    await passes(async () => {
      const r = await monitor(self());
      expect(await demonitor(r)).toBe(true);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // monitor_SUITE: demonitor of another process's ref does nothing (returns true).
  it("demonitor of a ref owned by another process leaves that monitor in place", async () => {
    await passes(async () => {
      const me = self();
      const t = await spawn(waiter);
      const w = await spawn(async () => { const r = await monitor(t); await send(me, r); const d = await receive(); await send(me, d); });
      const r = await receive();
      expect(await demonitor(r)).toBe(true);
      await exit(t, "bye");
      expect(await receive()).toMatchObject({ type: "DOWN", ref: r, reason: "bye" });
      void w;
    });
  });

  // A DOWN for a monitor on a registered name that is not registered carries noproc.
  it("monitor of a pid killed between lookup and monitor gives noproc", async () => {
    await passes(async () => {
      const t = await spawn(waiter);
      await exit(t, "kill");
      const r = await monitor(t);
      expect(await receive(downOf(r))).toEqual({ type: "DOWN", ref: r, pid: t, reason: "noproc" });
    });
  });
});

describe("timers", () => {
  // erlang:cancel_timer/1 after the timeout fired: false; the message is in the mailbox.
  it("cancelTimer after firing is false; before firing gives the time left", async () => {
    await passes(async () => {
      const t1 = await sendAfter(self(), "a", 10);
      const t2 = await sendAfter(self(), "b", 30);
      expect(await receive((m) => m === "a")).toBe("a");
      expect(now()).toBe(10);
      expect(await cancelTimer(t1)).toBe(false);
      expect(await cancelTimer(t2)).toBe(20);
      expect(await cancelTimer(t2)).toBe(false);
      expect(await receive(undefined, { timeout: 100 })).toBe(TIMEOUT);
    });
  });

  // send_after to a name resolves at expiry: a name registered later gets it.
  it("sendAfter to a name resolves the name when it fires", async () => {
    await passes(async () => {
      await sendAfter("later", "hi", 5);
      const me = self();
      const p = await spawn(async () => { await send(me, await receive()); });
      await register("later", p);
      expect(await receive()).toBe("hi");
    });
  });
});

// A stack server (gen_server_test.exs's Stack) with a few extra requests.
const stack = {
  init: (items: unknown[]) => ({ state: items }),
  handleCall: (req: any, from: any, s: unknown[]) => {
    if (req === "pop") { const [h, ...t] = s; return { reply: h, state: t }; }
    if (req === "noreply") return { state: s };
    if (req === "stop_self") return (async () => { const e = await rejection(GenServer.stop(self())); return { reply: e.reason, state: s }; })();
    if (req?.continue !== undefined) return (async () => { await GenServer.cast(self(), "selfcast"); return { reply: "ok", state: s, continue: req.continue }; })();
    if (req?.stopWith !== undefined) return { stop: req.stopWith, state: s };
    return { reply: s, state: s };
  },
  handleCast: (m: any, s: unknown[]) => ({ state: [m, ...s] }),
  handleContinue: (c: any, s: unknown[]) => ({ state: [c, ...s] }),
};

describe("GenServer (gen_server_test.exs, gen_server_SUITE)", () => {
  // gen_server_test.exs "stop/3": calling_self from inside a callback.
  it("GenServer.stop(self()) from a callback exits calling_self", async () => {
    await passes(async () => {
      const pid = await GenServer.start(stack, []);
      expect(await GenServer.call(pid, "stop_self")).toBe("calling_self");
    });
  });

  // gen_server_test.exs "stop/3": stopping a stopped pid exits noproc.
  it("stop of a stopped server: noproc; stop by name works", async () => {
    await passes(async () => {
      const pid = await GenServer.start(stack, []);
      await GenServer.stop(pid, "normal");
      expect(await isAlive(pid)).toBe(false);
      expect((await rejection(GenServer.stop(pid))).reason).toBe("noproc");
      await GenServer.start(stack, [], { name: "named" });
      await GenServer.stop("named", "normal");
      expect(await whereis("named")).toBe(undefined);
    });
  });

  // gen_server_test.exs "call/3 exit messages": timeout with a server that never replies, then the server is still alive.
  it("call timeout leaves the server running and a late reply out of the mailbox", async () => {
    await passes(async () => {
      const pid = await GenServer.start(stack, ["x"]);
      const e = await rejection(GenServer.call(pid, "noreply", 1));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBe("timeout");
      expect(await GenServer.call(pid, "pop")).toBe("x");
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // gen_server_SUITE continue: a call returning continue replies first, then handle_continue runs before the next message.
  it("{ reply, continue } replies, then continue runs before a message already queued", async () => {
    await passes(async () => {
      const pid = await GenServer.start(stack, []);
      expect(await GenServer.call(pid, { continue: "cont" })).toBe("ok");
      // handleCall cast to itself before returning: the continue still runs first.
      expect(await GenServer.call(pid, "peek")).toEqual(["selfcast", "cont"]);
    });
  });

  // gen_server_SUITE start: init {stop, normal} with start_link: the non-trapping caller survives.
  it("startLink with init { stop: 'normal' }: StartError normal, the caller survives", async () => {
    await passes(async () => {
      const e = await rejection(GenServer.startLink({ init: () => ({ stop: "normal" }) }, null));
      expect(e).toBeInstanceOf(StartError);
      expect(e.reason).toBe("normal");
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // gen_server start: init ignore with start_link: the caller survives, no EXIT left when trapping.
  it("startLink with init ignore: rejects ignore; a trapping caller has no EXIT left", async () => {
    await passes(async () => {
      await trapExits(true);
      const e = await rejection(GenServer.startLink({ init: () => ({ ignore: true }) }, null));
      expect(e.reason).toBe("ignore");
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // gen_server: {stop, shutdown} from a call without a reply: the caller exits with shutdown.
  it("{ stop: { shutdown: x } } from handleCall: the caller exits with { shutdown: x }", async () => {
    await passes(async () => {
      const pid = await GenServer.start(stack, []);
      const e = await rejection(GenServer.call(pid, { stopWith: { shutdown: "x" } }));
      expect(e.reason).toEqual({ shutdown: "x" });
      expect(await isAlive(pid)).toBe(false);
    });
  });

  // A name is freed at death: a new server can take it at once (gen_server_test.exs Stack.terminate comment).
  it("the name of a stopped server can be taken at once", async () => {
    await passes(async () => {
      const a = await GenServer.start(stack, [], { name: "s" });
      await GenServer.stop("s");
      const b = await GenServer.start(stack, [], { name: "s" });
      expect(b).not.toBe(a);
      expect(await whereis("s")).toBe(b);
    });
  });

  // A via name of a stopped server can be taken at once, before the registry's cleanup runs.
  it("a via name of a killed server can be taken at once", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const a = await GenServer.start(stack, [1], { name: via(reg, "w") });
      await exit(a, "kill");
      expect(await GenServer.whereis(via(reg, "w"))).toBe(undefined);
      const b = await GenServer.start(stack, [2], { name: via(reg, "w") });
      expect(await GenServer.call(via(reg, "w"), "pop")).toBe(2);
      expect(await Registry.lookup(reg, "w")).toEqual([[b, undefined]]);
    });
  });

  // gen_server: terminate runs on GenServer.stop with the given reason, also { shutdown: x }.
  it("terminate sees the stop reason; stop with a non-normal reason resolves", async () => {
    await passes(async () => {
      const me = self();
      const pid = await GenServer.start({ ...stack, terminate: async (r: unknown) => { await send(me, { terminated: r }); } }, []);
      await GenServer.stop(pid, { shutdown: "bye" });
      expect(await receive()).toEqual({ terminated: { shutdown: "bye" } });
    });
  });

  // gen_server: a call to a process that exits normal while the call is pending: the caller exits normal.
  it("a server that exits normal in the middle of a call makes the call exit normal", async () => {
    await passes(async () => {
      const pid = await GenServer.start(stack, []);
      const e = await rejection(GenServer.call(pid, { stopWith: "normal" }));
      expect(e.reason).toBe("normal");
    });
  });

  // A trapping caller of startLink whose server crashes later gets an EXIT with the crash reason.
  it("a trapping startLink caller gets EXIT with the server's stop reason", async () => {
    await passes(async () => {
      await trapExits(true);
      const pid = await GenServer.startLink(stack, []);
      await GenServer.cast(pid, "x");
      await GenServer.call(pid, { stopWith: "bad" }).catch(() => {});
      expect(await receive(exitFrom(pid))).toEqual({ type: "EXIT", from: pid, reason: "bad" });
    });
  });
});

/** A GenServer child that reports its start to `log` and stops with whatever reason it is cast. */
const worker = (id: string, log: string[]) => () =>
  GenServer.startLink({
    init: () => { log.push(`start ${id}`); return { state: id }; },
    handleCast: (reason: unknown, s: string) => ({ stop: reason, state: s }),
    handleCall: (_r: unknown, _f: unknown, s: string) => ({ reply: s, state: s }),
  }, null);

async function pidOf(sup: Pid, id: string): Promise<Pid> {
  return (await Supervisor.whichChildren(sup)).find((c) => c.id === id)!.pid as Pid;
}

/** Stops child `id` with `reason` and waits until the supervisor has handled its EXIT. */
async function stopChild(sup: Pid, id: string, reason: unknown): Promise<void> {
  const pid = await pidOf(sup, id);
  const r = await monitor(pid);
  await GenServer.cast(pid, reason);
  await receive(downOf(r));
  await Supervisor.countChildren(sup); // a call: the EXIT was queued before it
}

describe("Supervisor (supervisor_SUITE, supervisor_test.exs)", () => {
  // supervisor_SUITE one_for_all / rest_for_one: two children dying together count as one restart.
  it("one_for_all: two children killed together cause one restart of all", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([
        { id: "a", start: worker("a", log) }, { id: "b", start: worker("b", log) }, { id: "c", start: worker("c", log) },
      ], { strategy: "one_for_all", maxRestarts: 1 });
      const a = await pidOf(sup, "a");
      const b = await pidOf(sup, "b");
      const ref = await monitor(sup);
      await spawn(() => exit(a, "boom"));
      await spawn(() => exit(b, "boom"));
      await sleep(1);
      await Supervisor.countChildren(sup);
      // Either both EXITs were handled by one restart (when b died before a's restart
      // terminated it), or b's old pid was already shut down: never a second restart.
      expect(await receive(downOf(ref), { timeout: 0 })).toBe(TIMEOUT);
      expect(log.filter((l) => l === "start c").length).toBe(2);
    });
  });

  // supervisor_SUITE permanent_normal / transient_normal / temporary_normal with each reason.
  it.each([
    ["permanent", "normal", true], ["permanent", "shutdown", true], ["permanent", { shutdown: 1 }, true], ["permanent", "killed", true],
    ["transient", "normal", false], ["transient", "shutdown", false], ["transient", { shutdown: 1 }, false], ["transient", "killed", true], ["transient", "boom", true],
    ["temporary", "normal", false], ["temporary", "boom", false], ["temporary", "killed", false],
  ] as const)("a %s child exiting with %o is restarted: %s", async (restart, reason, restarted) => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([{ id: "w", start: worker("w", log), restart }], { strategy: "one_for_one" });
      const pid = await pidOf(sup, "w");
      const r = await monitor(pid);
      if (reason === "killed") await exit(pid, "kill");
      else await GenServer.cast(pid, reason);
      await receive(downOf(r));
      const kids = await Supervisor.whichChildren(sup);
      expect(log.length).toBe(restarted ? 2 : 1);
      if (restart === "temporary") expect(kids).toEqual([]);
      else expect(kids[0].pid instanceof Pid).toBe(restarted);
    }, { iterations: 50 });
  });

  // supervisor_SUITE rest_for_one: only the later children restart, in order; earlier ones keep their pids.
  it("rest_for_one: a middle child's crash restarts it and the later ones, not the earlier", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start(["a", "b", "c"].map((id) => ({ id, start: worker(id, log) })), { strategy: "rest_for_one" });
      const a0 = await pidOf(sup, "a");
      const c0 = await pidOf(sup, "c");
      await stopChild(sup, "b", "boom");
      expect(await pidOf(sup, "a")).toBe(a0);
      expect(await pidOf(sup, "c")).not.toBe(c0);
      expect(log).toEqual(["start a", "start b", "start c", "start b", "start c"]);
    });
  });

  // supervisor.ex: a supervisor started with start_link exits when its parent does, stopping children first.
  it("a supervisor's children die before the supervisor's DOWN arrives", async () => {
    await passes(async () => {
      const outer = self();
      const { pid: parent, ref } = await spawnMonitor(async () => {
        const sup = await Supervisor.startLink([{ id: "a", start: worker("a", []) }], { strategy: "one_for_one" });
        await send(outer, await pidOf(sup, "a"));
        await send(outer, sup);
        await receive();
      });
      const a = (await receive()) as Pid;
      const sup = (await receive()) as Pid;
      const rs = await monitor(sup);
      await exit(parent, "shutdown");
      await receive(downOf(ref));
      expect(await receive(downOf(rs))).toMatchObject({ reason: "shutdown" });
      expect(await isAlive(a)).toBe(false);
    });
  });

  // supervisor_SUITE child_unlink: a child that unlinked itself is still terminated (the supervisor monitors).
  it("terminateChild stops a child that unlinked from its supervisor", async () => {
    await passes(async () => {
      const sup = await Supervisor.start([{
        id: "u",
        start: () => GenServer.startLink({
          init: () => ({ state: null }),
          handleCall: async (_r: unknown, _f: unknown, s: unknown) => { await unlink(sup); return { reply: "ok", state: s }; },
        }, null),
      }], { strategy: "one_for_one" });
      const u = await pidOf(sup, "u");
      expect(await GenServer.call(u, "unlink")).toBe("ok");
      expect(await Supervisor.terminateChild(sup, "u")).toEqual({ ok: true });
      expect(await isAlive(u)).toBe(false);
    });
  });
});

describe("DynamicSupervisor (dynamic_supervisor_test.exs)", () => {
  // "child is restarted with different values": a restart that returns ignore drops the child.
  it("a restart whose start ignores removes the child", async () => {
    await passes(async () => {
      let n = 0;
      const sup = await DynamicSupervisor.start({ maxRestarts: 100 });
      const r = await DynamicSupervisor.startChild(sup, {
        start: () => (n++ === 0 ? GenServer.startLink({ init: () => ({ state: 0 }) }, null) : GenServer.startLink({ init: () => ({ ignore: true }) }, null)),
      });
      const pid = (r as any).pid as Pid;
      const m = await monitor(pid);
      await exit(pid, "boom");
      await receive(downOf(m));
      expect(await DynamicSupervisor.countChildren(sup)).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
    });
  });

  // "restarting on exit children counted in max_children".
  it("a restarted child still counts against maxChildren", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start({ maxChildren: 1, maxRestarts: 100 });
      const r: any = await DynamicSupervisor.startChild(sup, { start: () => GenServer.startLink({ init: () => ({ state: 0 }) }, null) });
      const m = await monitor(r.pid);
      await exit(r.pid, "shutdown");
      await receive(downOf(m));
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 1, active: 1 });
      expect(await DynamicSupervisor.startChild(sup, { start: () => GenServer.startLink({ init: () => ({ state: 0 }) }, null) })).toEqual({ ok: false, error: "max_children" });
    });
  });

  // "child triggers maximum restarts": the supervisor exits shutdown, seen by a trapping linked parent.
  it("exceeding the intensity: a trapping parent gets EXIT shutdown", async () => {
    await passes(async () => {
      await trapExits(true);
      const sup = await DynamicSupervisor.startLink({ maxRestarts: 1 });
      let n = 0;
      const r: any = await DynamicSupervisor.startChild(sup, {
        start: () => (n++ === 0 ? GenServer.startLink({ init: () => ({ state: 0 }) }, null) : Promise.reject(new Error("no"))),
      });
      await exit(r.pid, "shutdown");
      expect(await receive(exitFrom(sup))).toEqual({ type: "EXIT", from: sup, reason: "shutdown" });
    });
  });
});

describe("Task (task_test.exs)", () => {
  // "returns nil on killing task" (shutdown/2): a trapping task killed after the shutdown timeout → {:exit, :killed}
  // in current Elixir (task.ex shutdown_receive/5: only :shutdown DOWNs map to nil after :timeout_kill).
  it("shutdown of a task that ignores the shutdown signal: killed after the timeout, { exit: 'killed' }", async () => {
    await passes(async () => {
      const me = self();
      const t = await Task.async(async () => { await trapExits(true); await send(me, "ready"); await sleep(Infinity); });
      await receive((m) => m === "ready");
      expect(await Task.shutdown(t, 1)).toEqual({ ok: false, exit: "killed" });
      expect(await isAlive(t.pid)).toBe(false);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // "returns nil on shutting down task".
  it("shutdown of a running task gives undefined and the owner survives (it was unlinked)", async () => {
    await passes(async () => {
      const t = await Task.async(() => sleep(Infinity));
      expect(await Task.shutdown(t)).toBe(undefined);
      expect(await Task.shutdown(t, "brutal_kill")).toEqual({ ok: false, exit: "noproc" });
    });
  });

  // "return exit on normal exit" (yield/2): a task that exits normal without a reply.
  it("yield of a task that exited normal without replying: { exit: 'normal' }", async () => {
    await passes(async () => {
      const t = await Task.async(() => exit(self(), "normal"));
      expect(await Task.yield(t)).toEqual({ ok: false, exit: "normal" });
    });
  });

  // yield keeps the monitor on timeout: a second yield gets the result.
  it("yield after a yield timeout still gets the result; a third yield times out", async () => {
    await passes(async () => {
      const t = await Task.async(async () => { await sleep(10); return 42; });
      expect(await Task.yield(t, 5)).toBe(TIMEOUT);
      expect(await Task.yield(t, 100)).toEqual({ ok: true, value: 42 });
      expect(await Task.yield(t, 0)).toBe(TIMEOUT);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // "raises when invoked from a non-owner process".
  it("await from a non-owner raises ArgumentError", async () => {
    await passes(async () => {
      const t = await Task.async(async () => 1);
      const me = self();
      await spawn(async () => { try { await Task.await(t); await send(me, "no error"); } catch (e: any) { await send(me, e.name); } });
      expect(await receive((m) => typeof m === "string")).toBe("ArgumentError");
      expect(await Task.await(t)).toBe(1);
    });
  });

  // await/2 "exits on task exit": a trapping owner's await exits with the crash reason; the EXIT stays queued.
  it("a trapping owner's await of a crashing async task exits with the reason", async () => {
    await passes(async () => {
      await trapExits(true);
      const t = await Task.async(async () => { throw "oops"; });
      expect((await rejection(Task.await(t))).reason).toBe("oops");
      expect(await receive(exitFrom(t.pid))).toEqual({ type: "EXIT", from: t.pid, reason: "oops" });
    });
  });

  // yield_many "returns results from multiple tasks": input order, mixed outcomes.
  it("yieldMany: results in input order with ok, exit and timeout", async () => {
    await passes(async () => {
      const t1 = await Task.asyncNolink(async () => { await sleep(5); return 1; });
      const t2 = await Task.asyncNolink(() => sleep(Infinity));
      const t3 = await Task.asyncNolink(async () => { throw "bad"; });
      expect(await Task.yieldMany([t1, t2, t3], 10)).toEqual([{ ok: true, value: 1 }, TIMEOUT, { ok: false, exit: "bad" }]);
    });
  });
});

describe("Agent (agent_test.exs)", () => {
  // agent_test.exs "start_link/2 with a function that raises": an update that throws crashes the agent; the caller exits with it.
  it("an update function that throws: the caller exits with the error, the agent is dead", async () => {
    const boom = new Error("boom");
    await passes(async () => {
      const a = await Agent.start(() => 0);
      const r = await monitor(a);
      expect((await rejection(Agent.update(a, () => { throw boom; }))).reason).toBe(boom);
      expect(await receive(downOf(r))).toMatchObject({ reason: boom });
    });
  });

  // agent_test.exs "get_and_update/3", "cast/2", "stop/3".
  it("cast, getAndUpdate and stop keep FIFO order from one caller", async () => {
    await passes(async () => {
      const a = await Agent.start(() => [] as number[]);
      await Agent.cast(a, (s: number[]) => [...s, 1]);
      expect(await Agent.getAndUpdate(a, (s: number[]) => [s.length, [...s, 2]])).toBe(1);
      expect(await Agent.get(a, (s: number[]) => s)).toEqual([1, 2]);
      await Agent.stop(a, "shutdown");
      expect(await isAlive(a)).toBe(false);
      expect((await rejection(Agent.get(a, (s: unknown) => s))).reason).toBe("noproc");
    });
  });

  // Agent.start with a name already taken: already_started with the pid.
  it("a taken name rejects already_started with the holder", async () => {
    await passes(async () => {
      const a = await Agent.start(() => 0, { name: "ag" });
      const e = await rejection(Agent.start(() => 1, { name: "ag" }));
      expect(e.reason).toBe("already_started");
      expect(e.pid).toBe(a);
    });
  });
});

/** registry_test.exs register_task/3: a process that registers `key` and then waits; resolves to its pid once registered. */
async function registerTask(reg: unknown, key: unknown, value: unknown): Promise<Pid> {
  const me = self();
  const pid = await spawn(async () => { await send(me, await Registry.register(reg as any, key, value)); await receive(); });
  const r: any = await receive((m: any) => m?.ok !== undefined);
  expect(r.ok).toBe(true);
  return pid;
}

async function killAndAssertDown(pid: Pid): Promise<void> {
  const ref = await monitor(pid);
  await exit(pid, "kill");
  await receive(downOf(ref));
}

describe("Registry (registry/unique_test.exs, duplicate_test.exs, registry_test.exs)", () => {
  for (const partitions of [1, 8]) {
    // unique_test.exs "has unique registrations even if partition is delayed": the
    // dead owner's key is taken over at once, and the later cleanup of the dead owner
    // does not remove the new owner's entry.
    it(`unique, ${partitions} partitions: a dead owner's key is taken over; its cleanup spares the new entry`, async () => {
      await passes(async () => {
        const reg = await Registry.start({ keys: "unique", partitions });
        const task = await registerTask(reg, "hello", "value");
        expect(await Registry.register(reg, "hello", "other")).toEqual({ ok: false, error: "already_registered", pid: task });
        await killAndAssertDown(task);
        expect((await Registry.register(reg, "hello", "other")).ok).toBe(true);
        expect(await Registry.lookup(reg, "hello")).toEqual([[self(), "other"]]);
        await sleep(1); // every cleanup has run
        expect(await Registry.lookup(reg, "hello")).toEqual([[self(), "other"]]);
        expect(await Registry.keys(reg, self())).toEqual(["hello"]);
        expect(await Registry.keys(reg, task)).toEqual([]);
        expect(await Registry.count(reg)).toBe(1);
      });
    });

    // registry_test.exs "clean up registry on process crash", duplicate flavour.
    it(`duplicate, ${partitions} partitions: only the dead process's entries go, the survivor's stay in order`, async () => {
      await passes(async () => {
        const reg = await Registry.start({ keys: "duplicate", partitions });
        await Registry.register(reg, "t", 1);
        const task = await registerTask(reg, "t", 2);
        await Registry.register(reg, "t", 3);
        await killAndAssertDown(task);
        const seen = await Registry.lookup(reg, "t");
        // Before the cleanup runs the dead entry may still show; it is never reordered.
        expect([[[self(), 1], [self(), 3]], [[self(), 1], [task, 2], [self(), 3]]]).toContainEqual(seen);
        await sleep(1);
        expect(await Registry.lookup(reg, "t")).toEqual([[self(), 1], [self(), 3]]);
        expect(await Registry.countMatch(reg, "t", "_")).toBe(2);
        expect(await Registry.select(reg, [[["$1", "$2", "$3"], [], [["$1", "$3"]]]])).toEqual([["t", 1], ["t", 3]]);
      });
    });
  }

  // A registrant that unregistered everything and registered again is still cleaned up at death.
  it("register, unregister, register again, die: cleaned up", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const me = self();
      const p = await spawn(async () => {
        await Registry.register(reg, "a", 1);
        await Registry.unregister(reg, "a");
        await Registry.register(reg, "b", 2);
        await send(me, "ready");
        await receive();
      });
      await receive((m) => m === "ready");
      await killAndAssertDown(p);
      await sleep(1);
      expect(await Registry.count(reg)).toBe(0);
      expect(await Registry.keys(reg, p)).toEqual([]);
    });
  });

  // unique_test.exs "updates current process value": :error for a key of another process or none.
  it("updateValue: only the owner's key; another's or a missing key is { ok: false }", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      expect(await Registry.updateValue(reg, "hello", () => { throw new Error("never"); })).toEqual({ ok: false });
      await registerTask(reg, "hello", "value");
      expect(await Registry.updateValue(reg, "hello", () => { throw new Error("never"); })).toEqual({ ok: false });
      await Registry.register(reg, "world", 1);
      expect(await Registry.updateValue(reg, "world", (n: number) => n + 1)).toEqual({ ok: true, value: 2, old: 1 });
      expect(await Registry.lookup(reg, "world")).toEqual([[self(), 2]]);
    });
  });

  // unique_test.exs "allows listeners": register and unregister events, none at death.
  it("listeners get register/unregister events, nothing when a registrant dies", async () => {
    await passes(async () => {
      const me = self();
      await register("listener", me);
      const reg = await Registry.start({ keys: "unique", listeners: ["listener"] });
      const task = await registerTask(reg, "hello", "world");
      expect(await receive((m: any) => m?.type === "register")).toEqual({ type: "register", registry: reg, key: "hello", pid: task, value: "world" });
      await Registry.register(reg, "w", "v");
      expect(await receive((m: any) => m?.type === "register")).toMatchObject({ key: "w", pid: me });
      await Registry.unregister(reg, "w");
      expect(await receive((m: any) => m?.type === "unregister")).toEqual({ type: "unregister", registry: reg, key: "w", pid: me });
      await killAndAssertDown(task);
      await sleep(1);
      expect(await receive((m: any) => m?.type === "unregister" || m?.type === "register", { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // registry.ex meta/2, put_meta/3, delete_meta/2.
  it("meta: start meta, putMeta, deleteMeta; missing is { ok: false }", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "duplicate", meta: { custom: "v" } });
      expect(await Registry.meta(reg, "custom")).toEqual({ ok: true, value: "v" });
      expect(await Registry.meta(reg, "nope")).toEqual({ ok: false });
      await Registry.putMeta(reg, ["tuple", 1], { a: 1 });
      expect(await Registry.meta(reg, ["tuple", 1])).toEqual({ ok: true, value: { a: 1 } });
      await Registry.deleteMeta(reg, ["tuple", 1]);
      expect(await Registry.meta(reg, ["tuple", 1])).toEqual({ ok: false });
    });
  });

  // Two processes racing for one unique key: exactly one wins, the loser names the winner, in every interleaving.
  it("two racing registrants: one wins, the other gets already_registered naming it", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique", partitions: 4 });
      const me = self();
      const [a, b] = [await spawn(async () => { await send(me, [self(), await Registry.register(reg, "k", "a")]); await receive(); }),
        await spawn(async () => { await send(me, [self(), await Registry.register(reg, "k", "b")]); await receive(); })];
      const r1: any = await receive();
      const r2: any = await receive();
      const winners = [r1, r2].filter(([, r]) => r.ok);
      const losers = [r1, r2].filter(([, r]) => !r.ok);
      expect(winners.length).toBe(1);
      expect(losers[0][1]).toEqual({ ok: false, error: "already_registered", pid: winners[0][0] });
      expect(await Registry.lookup(reg, "k")).toEqual([[winners[0][0], winners[0][0] === a ? "a" : "b"]]);
      void b;
    });
  });

  // dispatch with no entries never calls the callback (unique_test.exs "dispatches to a single key").
  it("dispatch: not called without entries; called with [pid, value] entries", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      await Registry.dispatch(reg, "hello", () => { throw new Error("will never be invoked"); });
      await Registry.register(reg, "hello", "value");
      await Registry.dispatch(reg, "hello", async (entries: any) => { for (const [pid, v] of entries) await send(pid, { dispatch: v }); });
      expect(await receive(undefined, { timeout: 0 })).toEqual({ dispatch: "value" });
    });
  });

  // via: whereis never returns the dead owner (registry.ex whereis_name/2 checks Process.alive?);
  // Registry.send/2 goes through lookup, so it drops the message until the cleanup ran, then raises badarg.
  it("via to a dead owner: whereis undefined at once, send rejects once the cleanup ran", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const task = await registerTask(reg, "svc", null);
      await killAndAssertDown(task);
      expect(await GenServer.whereis(via(reg, "svc"))).toBe(undefined);
      await sleep(1);
      const e = await rejection(send(via(reg, "svc"), "hi"));
      expect(e.name).toBe("ArgumentError");
      expect((await rejection(GenServer.call(via(reg, "svc"), "x"))).reason).toBe("noproc");
    });
  });
});

describe("virtual time and receive (DESIGN.md 'Virtual time')", () => {
  // Equal deadlines fire in creation order, whoever the targets are.
  it("timers with equal deadlines fire in creation order, across targets", async () => {
    await passes(async () => {
      const me = self();
      const p = await spawn(async () => { await send(me, ["p", await receive(), now()]); });
      await sendAfter(p, "first", 10);
      await sendAfter(me, "second", 10);
      const got = [await receive(), await receive()];
      expect(got).toEqual([["p", "first", 10], "second"]);
    }, { timers: "quiescent" });
  });

  // A message timer created before the receive's timeout, with the same deadline, wins.
  it("a sendAfter due at the receive's deadline, created first, is received (not TIMEOUT)", async () => {
    await passes(async () => {
      await sendAfter(self(), "m", 10);
      expect(await receive(undefined, { timeout: 10 })).toBe("m");
      expect(now()).toBe(10);
      expect(await receive(undefined, { timeout: 5 })).toBe(TIMEOUT);
      expect(now()).toBe(15);
    });
  });

  // A receive predicate that throws rejects that receive; the message stays queued.
  it("a throwing receive predicate rejects the receive and leaves the message", async () => {
    await passes(async () => {
      await send(self(), "x");
      const e = await rejection(receive(() => { throw new Error("pred"); }));
      expect(e.message).toBe("pred");
      expect(await receive(undefined, { timeout: 0 })).toBe("x");
    });
  });

  // Under timers "race" a call's timeout may fire before a fast server replies: both outcomes
  // happen, and a timed-out call never leaves the late reply in the caller's mailbox.
  it("race: call timeout vs reply, both explored, no stray reply", async () => {
    const outcomes = new Set<string>();
    await passes(async () => {
      const pid = await GenServer.start(stack, ["v"]);
      try {
        await GenServer.call(pid, "pop", 10);
        outcomes.add("reply");
      } catch (e: any) {
        expect(e.reason).toBe("timeout");
        outcomes.add("timeout");
      }
      await sleep(100);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    }, { timers: "race", iterations: 300 });
    expect([...outcomes].sort()).toEqual(["reply", "timeout"]);
  });
});

describe("Task.asyncStream (task_test.exs async_stream/3)", () => {
  const collect = async <T,>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const x of it) out.push(x); return out; };
  const nap = async (ms: number) => { await sleep(ms); return ms; };

  // "streams an enumerable with ordered: false, on_timeout: :kill_task".
  it("ordered: false with killTask: finished items first, then the timeouts", async () => {
    await passes(async () => {
      const r = await collect(Task.asyncStream([100, 1, 100, 1], nap, { maxConcurrency: 4, ordered: false, onTimeout: "killTask", timeout: 50 }));
      expect(r).toEqual([{ ok: true, value: 1 }, { ok: true, value: 1 }, { ok: false, exit: "timeout" }, { ok: false, exit: "timeout" }]);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // "streams an enumerable with ordered: false": with max_concurrency 1 the input order stays.
  it("ordered: false with maxConcurrency 1 keeps input order; 4 gives finishing order", async () => {
    await passes(async () => {
      expect(await collect(Task.asyncStream([4, 3, 2, 1], nap, { maxConcurrency: 1, ordered: false }))).toEqual([4, 3, 2, 1].map((value) => ({ ok: true, value })));
      expect(await collect(Task.asyncStream([4, 3, 2, 1], nap, { maxConcurrency: 4, ordered: false }))).toEqual([1, 2, 3, 4].map((value) => ({ ok: true, value })));
    });
  });

  // "streams an enumerable with exits": a trapping consumer sees { exit } per item, in order.
  it("a trapping consumer gets { exit: reason } for each exiting task, in order", async () => {
    await passes(async () => {
      await trapExits(true);
      const r = await collect(Task.asyncStream([1, 2, 3], (n: number) => exit(self(), n)));
      expect(r).toEqual([{ ok: false, exit: 1 }, { ok: false, exit: 2 }, { ok: false, exit: 3 }]);
    });
  });

  // "timeout": the default on_timeout exits the consumer with timeout.
  it("a task over its timeout makes the consumer exit timeout", async () => {
    await passes(async () => {
      const e = await rejection(collect(Task.asyncStream([Infinity], (ms: number) => sleep(ms), { timeout: 0 })));
      expect(e.reason).toBe("timeout");
    });
  });
});

describe("Registry result order (DESIGN.md: results come in registration order)", () => {
  for (const partitions of [1, 8]) {
    it(`unique, ${partitions} partitions: a taken-over key counts as registered when it was taken over`, async () => {
      await passes(async () => {
        const reg = await Registry.start({ keys: "unique", partitions });
        const a = await registerTask(reg, "a", 1);
        await registerTask(reg, "b", 2);
        await killAndAssertDown(a);
        await Registry.register(reg, "a", 3);
        const order = [["b", 2], ["a", 3]];
        expect(await Registry.select(reg, [[["$1", "_", "$3"], [], [["$1", "$3"]]]])).toEqual(order);
        await sleep(1);
        expect(await Registry.select(reg, [[["$1", "_", "$3"], [], [["$1", "$3"]]]])).toEqual(order);
      });
    });

    it(`duplicate, ${partitions} partitions: select, keys and lookup follow registration order across processes`, async () => {
      await passes(async () => {
        const reg = await Registry.start({ keys: "duplicate", partitions });
        const me = self();
        const p = await registerTask(reg, "x", "p1");
        await Registry.register(reg, "y", "me1");
        await Registry.register(reg, "x", "me2");
        await Registry.unregister(reg, "y");
        await Registry.register(reg, "y", "me3");
        expect(await Registry.lookup(reg, "x")).toEqual([[p, "p1"], [me, "me2"]]);
        expect(await Registry.keys(reg, me)).toEqual(["x", "y"]);
        expect(await Registry.select(reg, [[["$1", "_", "$3"], [], ["$3"]]])).toEqual(["p1", "me2", "me3"]);
      });
    });
  }
});

describe("killed processes never run again (process_SUITE exit_twice, spawn + kill races)", () => {
  it("a process killed before or after its first step never sends after its death", async () => {
    await passes(async () => {
      const me = self();
      const p = await spawn(async () => { await send(me, "ran"); await send(me, "again"); });
      await exit(p, "kill");
      const before = [await receive((m) => m === "ran", { timeout: 0 }), await receive((m) => m === "again", { timeout: 0 })];
      await sleep(10);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
      // Whatever it managed to send before the kill is a prefix of its program.
      expect([[TIMEOUT, TIMEOUT], ["ran", TIMEOUT], ["ran", "again"]]).toContainEqual(before);
    });
  });

  // exit_twice: the first exit signal decides the reason; a second one is ignored.
  it("two exit signals: the DOWN carries the first reason", async () => {
    await passes(async () => {
      const p = await spawn(waiter);
      const r = await monitor(p);
      const k1 = await spawn(() => exit(p, "first"));
      const k2 = await spawn(() => exit(p, "second"));
      const d: any = await receive(downOf(r));
      expect(["first", "second"]).toContain(d.reason);
      await sleep(1);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
      void k1; void k2;
    });
  });

  // A process killed while waiting in a call: the server's later reply goes nowhere, nothing crashes.
  it("a caller killed mid-call: the server goes on serving others", async () => {
    await passes(async () => {
      const pid = await GenServer.start({ ...stack, handleCall: async (r: any, f: any, s: any) => { await sleep(5); return { reply: r, state: s }; } }, []);
      const c = await spawn(() => GenServer.call(pid, "slow"));
      await sleep(1);
      await exit(c, "kill");
      expect(await GenServer.call(pid, "next")).toBe("next");
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });
});

describe("noconnection (monitor_SUITE / dist: a lost connection)", () => {
  it("stopNode: remote monitors get DOWN noconnection, trapping links EXIT noconnection, a call exits nodedown", async () => {
    await passes(async () => {
      await trapExits(true);
      const [b] = await Cluster.startNodes(["b"]);
      const srv = await Cluster.spawn(b, async () => { for (;;) await receive(); });
      const linked = await Cluster.spawnLink(b, waiter);
      const r = await monitor(srv);
      await Cluster.stopNode(b);
      expect(await receive(downOf(r))).toEqual({ type: "DOWN", ref: r, pid: srv, reason: "noconnection" });
      expect(await receive(exitFrom(linked))).toEqual({ type: "EXIT", from: linked, reason: "noconnection" });
      const r2 = await monitor(srv);
      expect(await receive(downOf(r2))).toMatchObject({ reason: "noconnection" });
    });
  });

  it("drop partition: a call to a server across it exits { nodedown }, and works again after the heal", async () => {
    await passes(async () => {
      const [b] = await Cluster.startNodes(["b"]);
      const me = self();
      await Cluster.spawn(b, async () => { await send(me, await GenServer.start(stack, ["x", "y"])); await receive(); });
      const srv = (await receive()) as Pid;
      await Cluster.partition([b], ["main"], { mode: "drop" });
      expect((await rejection(GenServer.call(srv, "pop"))).reason).toEqual({ nodedown: b });
      await Cluster.heal();
      expect(await GenServer.call(srv, "pop")).toBe("x");
    });
  });
});

describe("sendAfter to a dead pid (erl_hl_timer.c setup_bif_timer)", () => {
  // OTP destroys a timer aimed at a pid that is not alive when it is set: the ref is
  // returned, cancel_timer answers false, and nothing is ever delivered.
  it("a timer aimed at an already dead pid is cancelled at once: cancelTimer is false", async () => {
    await passes(async () => {
      const { pid, ref } = await spawnMonitor(async () => {});
      await receive(downOf(ref));
      const t = await sendAfter(pid, "late", 10);
      expect(await cancelTimer(t)).toBe(false);
      const live = await spawn(waiter);
      const t2 = await sendAfter(live, "x", 10);
      expect(await cancelTimer(t2)).toBe(10);
    });
  });
});

describe("link cascades (process_SUITE link_fun / exit propagation)", () => {
  it("killing a linked process takes the non-trapping killer down with 'killed'", async () => {
    await passes(async () => {
      const { pid, ref } = await spawnMonitor(async () => {
        const q = await spawnLink(waiter);
        await exit(q, "kill");
        await send(self(), "still alive");
        await receive();
      });
      expect(await receive(downOf(ref))).toEqual({ type: "DOWN", ref, pid, reason: "killed" });
    });
  });

  it("a cycle of links dies once, every member with the first reason", async () => {
    await passes(async () => {
      const me = self();
      const a = await spawn(async () => { await receive(); });
      const b = await spawn(async () => { await link(a); await send(me, "b"); await receive(); });
      const c = await spawn(async () => { await link(b); await link(a); await send(me, "c"); await receive(); });
      await receive((m) => m === "b");
      await receive((m) => m === "c");
      const refs = [await monitor(a), await monitor(b), await monitor(c)];
      await exit(b, "boom");
      for (const r of refs) expect(await receive(downOf(r))).toMatchObject({ reason: "boom" });
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });
});

// gen_statem.erl terminate/7 calls the optional Module:terminate(Reason, State, Data)
// before the process exits: on a stop result (after stop_and_reply's replies), on
// gen_statem:stop/3, on the parent's EXIT when trapping exits, and when a state
// callback throws (then the process exits with the thrown value).
describe("GenStatem terminate (gen_statem.erl terminate/7)", () => {
  const machine = (log: unknown[]) => ({
    init: async (trap: boolean) => { if (trap) await trapExits(true); return { state: "idle", data: 0 }; },
    handleEvent: (type: any, content: any, state: string, data: number): any => {
      if (typeof type === "object" && "call" in type) {
        if (content === "stop") return { stop: "bye", data: data + 1, actions: [{ reply: [type.call, "replied"] }] };
        if (content === "crash") throw new Error("handler crashed");
        return { data: data + 1, actions: [{ reply: [type.call, data + 1] }] };
      }
      return {};
    },
    terminate: async (reason: unknown, state: string, data: number) => { log.push([reason instanceof Error ? reason.message : reason, state, data]); },
  });

  it("GenStatem.stop runs terminate with the reason, state and data", async () => {
    await passes(async () => {
      const log: unknown[] = [];
      const pid = await GenStatem.start(machine(log), false);
      expect(await GenStatem.call(pid, "inc")).toBe(1);
      await GenStatem.stop(pid, "shutdown");
      expect(log).toEqual([["shutdown", "idle", 1]]);
    });
  });

  it("{ stop, data, actions }: the reply is sent, then terminate runs with the new data", async () => {
    await passes(async () => {
      const log: unknown[] = [];
      const pid = await GenStatem.start(machine(log), false);
      const r = await monitor(pid);
      expect(await GenStatem.call(pid, "stop")).toBe("replied");
      expect(await receive(downOf(r))).toMatchObject({ reason: "bye" });
      expect(log).toEqual([["bye", "idle", 1]]);
    });
  });

  it("a throwing handleEvent runs terminate with the error; the machine exits with it", async () => {
    await passes(async () => {
      const log: unknown[] = [];
      const pid = await GenStatem.start(machine(log), false);
      const r = await monitor(pid);
      expect((await rejection(GenStatem.call(pid, "crash"))).reason.message).toBe("handler crashed");
      expect((await receive(downOf(r))).reason.message).toBe("handler crashed");
      expect(log).toEqual([["handler crashed", "idle", 0]]);
    });
  });

  it("a trapping machine whose parent exits runs terminate with the parent's reason", async () => {
    await passes(async () => {
      const log: unknown[] = [];
      const me = self();
      const parent = await spawn(async () => { await send(me, await GenStatem.startLink(machine(log), true)); await receive(); });
      const pid = (await receive()) as Pid;
      const r = await monitor(pid);
      await exit(parent, "shutdown");
      expect(await receive(downOf(r))).toMatchObject({ reason: "shutdown" });
      expect(log).toEqual([["shutdown", "idle", 0]]);
    });
  });
});

describe("Task.yieldMany options (task_test.exs yield_many/2)", () => {
  // "returns results from multiple tasks with limit and on timeout".
  it("limit 1 returns once one task replied; killTask only kills on the timeout", async () => {
    await passes(async () => {
      await trapExits(true);
      const t1 = await Task.async(() => sleep(Infinity));
      const t2 = await Task.async(async () => "done");
      expect(await Task.yieldMany([t1, t2], { timeout: Infinity, onTimeout: "killTask", limit: 1 })).toEqual([TIMEOUT, { ok: true, value: "done" }]);
      expect(await isAlive(t1.pid)).toBe(true);
      expect(await Task.yieldMany([t1], { timeout: 0, onTimeout: "killTask", limit: 1 })).toEqual([TIMEOUT]);
      expect(await isAlive(t1.pid)).toBe(false);
    });
  });

  // "ignores on timeout when configured": the task lives on; its later result is never seen.
  it("onTimeout ignore: the task keeps running and a later yield sees nothing", async () => {
    await passes(async () => {
      const t = await Task.async(async () => { await receive((m) => m === "done"); return 1; });
      expect(await Task.yieldMany([t], { timeout: 0, onTimeout: "ignore" })).toEqual([TIMEOUT]);
      expect(await isAlive(t.pid)).toBe(true);
      const r = await monitor(t.pid);
      await send(t.pid, "done");
      await receive(downOf(r));
      expect(await Task.yield(t, 0)).toBe(TIMEOUT);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });
});

// gen_server.erl init_it/6 (OTP 26+): on {stop, Reason}, ignore or an exception in init,
// gen:unregister_name(Name0) runs *before* proc_lib:init_fail notifies the starter
// ("Otherwise, the parent process could get an 'already started' error if it
// immediately tried starting the process again"). For a via name that is
// Registry.unregister_name: the key is gone when start returns, cleanup or not.
describe("a failed start unregisters its via name before answering (gen_server.erl init_it)", () => {
  for (const [what, init] of [
    ["stop", () => ({ stop: "no" })],
    ["ignore", () => ({ ignore: true })],
    ["a throw", () => { throw new Error("init failed"); }],
  ] as const) {
    it(`init ${what}: the registry has no entry for the name when start rejects`, async () => {
      await passes(async () => {
        const reg = await Registry.start({ keys: "unique" });
        const { ref } = await spawnMonitor(async () => {
          await rejection(GenServer.start({ init }, null, { name: via(reg, "w") }));
          expect(await Registry.lookup(reg, "w")).toEqual([]);
          expect(await Registry.count(reg)).toBe(0);
        });
        const d: any = await receive(downOf(ref));
        expect(d.reason).toBe("normal");
      }, { allowCrashes: true });
    });
  }
});

describe("monitor_SUITE ports", () => {
  // case_1 / case_1a: A monitors B, B kills A and then exits.
  it("case_1: a monitored process kills its watcher, then exits; the watcher's linked parent sees foo", async () => {
    await passes(async () => {
      await trapExits(true);
      const a = await spawnLink(async () => {
        const me = self();
        const { pid: b } = await spawnMonitor(async () => { await receive((m) => m === "ok"); await exit(me, "foo"); });
        await send(b, "ok");
        await receive((m) => m === "ok");
      });
      expect(await receive(exitFrom(a))).toEqual({ type: "EXIT", from: a, reason: "foo" });
    });
  });

  // demonitor_flush_test: flush before the DOWN, a DOWN received, flush after it arrived, no flush after it arrived.
  it("demonitor_flush: M1 flushed early, M2 received, M3 flushed late, M4 kept", async () => {
    await passes(async () => {
      const p = await spawn(() => sleep(100000));
      const [m1, m2, m3, m4] = [await monitor(p), await monitor(p), await monitor(p), await monitor(p)];
      expect(await demonitor(m1, { flush: true })).toBe(true);
      await exit(p, "bang");
      expect(await receive(downOf(m2))).toEqual({ type: "DOWN", ref: m2, pid: p, reason: "bang" });
      await sleep(100);
      expect(await demonitor(m3, { flush: true })).toBe(true);
      expect(await demonitor(m4)).toBe(true);
      expect(await receive(downOf(m4), { timeout: 0 })).toEqual({ type: "DOWN", ref: m4, pid: p, reason: "bang" });
      expect(await receive((m: any) => m?.type === "DOWN", { timeout: 100 })).toBe(TIMEOUT);
    });
  });

  // large_exit: the DOWN carries the exit reason term itself.
  it("large_exit: the DOWN reason is the exit term, as given", async () => {
    await passes(async () => {
      const s = [{ big: "tuple", with: ["list", 4563784278] }, "bin"];
      const { pid, ref } = await spawnMonitor(async () => { await receive(); await exit(self(), s); });
      await send(pid, "hej");
      expect((await receive(downOf(ref))).reason).toBe(s);
    });
  });
});
