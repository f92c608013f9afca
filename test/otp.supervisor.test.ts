// Supervisor semantics, checked against Elixir's lib/elixir/lib/supervisor.ex
// ("Strategies", "Start and shutdown", "Exit reasons and restarts", the restart
// values) and OTP's supervisor.erl (add_restart/3, do_restart/3, restart/3,
// terminate_children/2, shutdown/1, handle_start_child/2, which_children order).
import { describe, it, expect } from "vitest";
import {
  explore, spawnLink, receive, monitor, trapExits, isAlive, sleep, now, exit, self, send,
  GenServer, Supervisor, StartError, OptionsError, Pid, TIMEOUT,
  type ChildSpec, type ExploreOptions,
} from "lockstep";
import { passer, downOf } from "./helpers/explore";

// 50 iterations per test: the acceptance bar for OTP parity (issue 18).
const passes = passer({ iterations: 50, seed: 9, traceDir: false });


/**
 * A GenServer child that logs its starts and terminations. It traps exits, so the
 * supervisor's shutdown runs its terminate. Cast "crash" to make it throw, or a
 * reason to make it stop with that reason.
 */
function child(id: string, log: string[], spec: Partial<ChildSpec> = {}): ChildSpec {
  return {
    id,
    start: () =>
      GenServer.startLink({
        init: async () => {
          await trapExits(true);
          log.push(`start ${id}`);
          return { state: id };
        },
        handleCast: (m: unknown, s: string) => {
          if (m === "crash") throw new Error(`${id} crashed`);
          return { stop: m, state: s };
        },
        handleCall: (_m: unknown, _f: unknown, s: string) => ({ reply: s, state: s }),
        terminate: (reason: unknown) => {
          log.push(`stop ${id} ${typeof reason === "string" ? reason : "crash"}`);
        },
      }, null),
    ...spec,
  };
}

async function pidsOf(sup: Pid): Promise<Record<string, unknown>> {
  return Object.fromEntries((await Supervisor.whichChildren(sup)).map((c) => [c.id, c.pid]));
}

/** Makes child `id` exit (a crash, or a stop with `how`) and waits until it is dead. */
async function kill(sup: Pid, id: string, how: unknown = "crash"): Promise<void> {
  const pid = (await pidsOf(sup))[id] as Pid;
  const ref = await monitor(pid);
  await GenServer.cast(pid, how);
  await receive(downOf(ref));
  // The EXIT reached the supervisor together with our DOWN, so it is handled before any later call.
}

describe("start and shutdown order", () => {
  // supervisor.ex "Start and shutdown": children start in list order and stop in reverse.
  it("starts children in order, stops them in reverse; whichChildren lists the most recent first", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([child("a", log), child("b", log), child("c", log)], { strategy: "one_for_one" });
      expect(log).toEqual(["start a", "start b", "start c"]);
      const which = await Supervisor.whichChildren(sup);
      expect(which.map((c) => c.id)).toEqual(["c", "b", "a"]);
      expect(which.every((c) => c.pid instanceof Pid && c.type === "worker" && c.restart === "permanent")).toBe(true);
      expect(await Supervisor.countChildren(sup)).toEqual({ specs: 3, active: 3, supervisors: 0, workers: 3 });
      const pids = which.map((c) => c.pid as Pid);
      await Supervisor.stop(sup);
      expect(log.slice(3)).toEqual(["stop c shutdown", "stop b shutdown", "stop a shutdown"]);
      for (const p of pids) expect(await isAlive(p)).toBe(false);
    });
  });

  it("a supervisor whose parent exits shuts its children down (it traps exits)", async () => {
    await passes(async () => {
      const log: string[] = [];
      await trapExits(true);
      const sup = await Supervisor.startLink([child("a", log), child("b", log)], { strategy: "one_for_one" });
      const ref = await monitor(sup);
      await exit(sup, "shutdown"); // what a parent supervisor sends
      expect(await receive(downOf(ref))).toMatchObject({ reason: "shutdown" });
      expect(log).toEqual(["start a", "start b", "stop b shutdown", "stop a shutdown"]);
    });
  });

  // supervisor.ex: "If the child process does not terminate in this interval, the
  // supervisor abruptly terminates the child with reason :kill".
  it("a child that ignores the shutdown signal is killed after its shutdown time; brutal_kill kills at once", async () => {
    await passes(async () => {
      // Traps exits before start returns (a bare spawnLink might not have run yet), then hangs in terminate.
      const stubborn = () => GenServer.startLink({
        init: async () => { await trapExits(true); return { state: 0 }; },
        terminate: () => sleep(Infinity),
      }, null);
      const sup = await Supervisor.start([
        { id: "slow", start: stubborn, shutdown: 1000 },
        { id: "brutal", start: stubborn, shutdown: "brutal_kill" },
      ], { strategy: "one_for_one" });
      const pids = await pidsOf(sup);
      const rs = await monitor(pids.slow as Pid);
      const rb = await monitor(pids.brutal as Pid);
      expect(await Supervisor.terminateChild(sup, "brutal")).toEqual({ ok: true });
      expect(await receive(downOf(rb))).toMatchObject({ reason: "killed" });
      expect(now()).toBe(0);
      expect(await Supervisor.terminateChild(sup, "slow")).toEqual({ ok: true });
      expect(now()).toBe(1000);
      expect(await receive(downOf(rs))).toMatchObject({ reason: "killed" });
    });
  });

  // supervisor.erl init_children: a child that fails to start makes the supervisor
  // terminate the ones already started and fail with {shutdown, {failed_to_start_child, Id, Reason}}.
  it("a child failing to start stops the started ones and fails the supervisor's start", async () => {
    await passes(async () => {
      const log: string[] = [];
      const bad: ChildSpec = { id: "bad", start: () => GenServer.startLink({ init: () => ({ stop: "no_db" }) }, null) };
      let err: any;
      await trapExits(true); // the failing child is linked to the supervisor, not to us
      try {
        await Supervisor.start([child("a", log), bad, child("c", log)], { strategy: "one_for_one" });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StartError);
      expect(err.reason).toEqual({ shutdown: { failed_to_start_child: "bad", reason: "no_db" } });
      expect(log).toEqual(["start a", "stop a shutdown"]);
    });
  });

  // gen_server.ex init/1: ":ignore ... the child specification is saved in the parent
  // supervisor" (supervisor.erl: temporary children returning ignore are not stored).
  it("a child whose init returns ignore is kept without a pid (dropped if temporary)", async () => {
    await passes(async () => {
      const ignoring = (id: string, restart: ChildSpec["restart"]): ChildSpec => ({ id, restart, start: () => GenServer.startLink({ init: () => ({ ignore: true }) }, null) });
      const sup = await Supervisor.start([ignoring("p", "permanent"), ignoring("t", "temporary")], { strategy: "one_for_one" });
      expect(await Supervisor.whichChildren(sup)).toEqual([{ id: "p", pid: undefined, type: "worker", modules: [], restart: "permanent" }]);
      expect(await Supervisor.countChildren(sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 1 });
    });
  });
});

describe("strategies", () => {
  it("one_for_one restarts only the child that crashed", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([child("a", log), child("b", log), child("c", log)], { strategy: "one_for_one" });
      const before = await pidsOf(sup);
      await kill(sup, "b");
      const after = await pidsOf(sup);
      expect(after.a).toBe(before.a);
      expect(after.c).toBe(before.c);
      expect(after.b).toBeInstanceOf(Pid);
      expect(after.b).not.toBe(before.b);
      expect(log.slice(3)).toEqual(["stop b crash", "start b"]);
    });
  });

  // supervisor.ex: ":one_for_all - if a child process terminates, all other child processes
  // are terminated and then all child processes (including the terminated one) are restarted".
  it("one_for_all stops the others in reverse order, then restarts all in order", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([child("a", log), child("b", log), child("c", log)], { strategy: "one_for_all" });
      const before = await pidsOf(sup);
      await kill(sup, "b");
      const after = await pidsOf(sup);
      for (const id of ["a", "b", "c"]) expect(after[id]).not.toBe(before[id]);
      expect(log.slice(3)).toEqual(["stop b crash", "stop c shutdown", "stop a shutdown", "start a", "start b", "start c"]);
    });
  });

  // supervisor.ex: ":rest_for_one - ... the terminated child process and the rest of the
  // children started after it, are terminated and restarted".
  it("rest_for_one restarts the crashed child and the ones started after it", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([child("a", log), child("b", log), child("c", log), child("d", log)], { strategy: "rest_for_one" });
      const before = await pidsOf(sup);
      await kill(sup, "b");
      const after = await pidsOf(sup);
      expect(after.a).toBe(before.a);
      for (const id of ["b", "c", "d"]) expect(after[id]).not.toBe(before[id]);
      expect(log.slice(4)).toEqual(["stop b crash", "stop d shutdown", "stop c shutdown", "start b", "start c", "start d"]);
    });
  });

  // supervisor.erl: "A temporary child process is never restarted (even when ... a
  // sibling's death causes the temporary process to be terminated)".
  it("one_for_all drops a temporary sibling instead of restarting it", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([child("a", log), child("tmp", log, { restart: "temporary" })], { strategy: "one_for_all" });
      await kill(sup, "a");
      expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(["a"]);
      expect(log.slice(2)).toEqual(["stop a crash", "stop tmp shutdown", "start a"]);
    });
  });
});

describe("restart types", () => {
  // supervisor.ex: ":transient - the child process is restarted only if it terminates
  // abnormally, i.e., with an exit reason other than :normal, :shutdown, or {:shutdown, term}".
  it("transient: not restarted after normal, shutdown or { shutdown: term }; restarted after a crash", async () => {
    await passes(async () => {
      const log: string[] = [];
      const t = (id: string) => child(id, log, { restart: "transient" });
      const sup = await Supervisor.start([t("n"), t("s"), t("st"), t("c")], { strategy: "one_for_one" });
      await kill(sup, "n", "normal");
      await kill(sup, "s", "shutdown");
      await kill(sup, "st", { shutdown: "done" });
      await kill(sup, "c");
      const pids = await pidsOf(sup);
      expect([pids.n, pids.s, pids.st]).toEqual([undefined, undefined, undefined]);
      expect(pids.c).toBeInstanceOf(Pid);
      expect(log.filter((l) => l.startsWith("start")).length).toBe(5);
      expect(await Supervisor.countChildren(sup)).toEqual({ specs: 4, active: 1, supervisors: 0, workers: 4 });
    });
  });

  it("temporary: never restarted, and forgotten once it exits; permanent: restarted even after a normal exit", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([child("tmp", log, { restart: "temporary" }), child("perm", log)], { strategy: "one_for_one" });
      const before = await pidsOf(sup);
      await kill(sup, "tmp");
      await kill(sup, "perm", "normal");
      const after = await pidsOf(sup);
      expect(Object.keys(after)).toEqual(["perm"]);
      expect(after.perm).toBeInstanceOf(Pid);
      expect(after.perm).not.toBe(before.perm);
    });
  });
});

describe("restart intensity", () => {
  // supervisor.ex: "the supervisor that reaches maximum restart intensity will exit with
  // :shutdown reason"; supervisor.erl restart/2 terminates the children first.
  it("more than maxRestarts restarts within maxSeconds: the supervisor stops its children and exits shutdown", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([child("a", log), child("b", log)], { strategy: "one_for_one", maxRestarts: 2 });
      const ref = await monitor(sup);
      await kill(sup, "b");
      await kill(sup, "b");
      const { a } = await pidsOf(sup);
      await kill(sup, "b");
      expect(await receive(downOf(ref))).toMatchObject({ reason: "shutdown" });
      expect(await isAlive(a as Pid)).toBe(false);
      expect(log.slice(-2)).toEqual(["stop b crash", "stop a shutdown"]);
    });
  });

  it("maxRestarts: 0 gives up on the first exit that needs a restart", async () => {
    await passes(async () => {
      const sup = await Supervisor.start([child("a", [])], { strategy: "one_for_one", maxRestarts: 0 });
      const ref = await monitor(sup);
      await kill(sup, "a");
      expect(await receive(downOf(ref))).toMatchObject({ reason: "shutdown" });
    });
  });

  // supervisor.erl add_restart/3 keeps restarts with R >= Now - Period: the window is inclusive.
  it("counts restarts in virtual time: the window is maxSeconds wide, inclusive", async () => {
    await passes(async () => {
      const opts = { strategy: "one_for_one" as const, maxRestarts: 1, maxSeconds: 5 };
      const s1 = await Supervisor.start([child("a", [])], opts);
      const r1 = await monitor(s1);
      await kill(s1, "a");
      await sleep(5001);
      await kill(s1, "a");
      expect(await receive(downOf(r1), { timeout: 0 })).toBe(TIMEOUT); // the first restart left the window
      const s2 = await Supervisor.start([child("a", [])], opts);
      const r2 = await monitor(s2);
      await kill(s2, "a");
      await sleep(5000);
      await kill(s2, "a");
      expect(await receive(downOf(r2))).toMatchObject({ reason: "shutdown" });
    });
  });

  // supervisor.erl restart/2: a failed restart is retried through the supervisor's own
  // mailbox ({try_again_restart, Id}), each attempt counting towards the intensity.
  it("a restart that keeps failing is retried until the intensity is exceeded", async () => {
    await passes(async () => {
      let starts = 0;
      const flaky: ChildSpec = {
        id: "flaky",
        start: () => (starts++ === 0 ? spawnLink(() => receive()) : Promise.reject(new Error("cannot start"))),
      };
      const sup = await Supervisor.start([flaky], { strategy: "one_for_one", maxRestarts: 3 });
      const ref = await monitor(sup);
      const pid = (await pidsOf(sup)).flaky as Pid;
      await exit(pid, "boom");
      expect(await receive(downOf(ref))).toMatchObject({ reason: "shutdown" });
      expect(starts).toBe(4); // the first start, then three failed restarts; the fourth exceeds 3
    });
  });
});

describe("dynamic children", () => {
  it("startChild, terminateChild, restartChild and deleteChild answer OTP's results as values", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([child("a", log)], { strategy: "one_for_one" });
      const added = await Supervisor.startChild(sup, child("b", log));
      expect(added).toMatchObject({ ok: true });
      const b = (added as { pid: Pid }).pid;
      expect(await Supervisor.startChild(sup, child("b", log))).toEqual({ ok: false, error: "already_started", pid: b });
      expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(["b", "a"]);
      expect(await Supervisor.deleteChild(sup, "b")).toEqual({ ok: false, error: "running" });
      expect(await Supervisor.restartChild(sup, "b")).toEqual({ ok: false, error: "running" });
      expect(await Supervisor.terminateChild(sup, "b")).toEqual({ ok: true });
      expect(await isAlive(b)).toBe(false);
      expect(await Supervisor.startChild(sup, child("b", log))).toEqual({ ok: false, error: "already_present" });
      const again = await Supervisor.restartChild(sup, "b");
      expect(again).toMatchObject({ ok: true });
      expect((again as { pid: Pid }).pid).not.toBe(b);
      expect(await Supervisor.terminateChild(sup, "b")).toEqual({ ok: true });
      expect(await Supervisor.deleteChild(sup, "b")).toEqual({ ok: true });
      expect(await Supervisor.deleteChild(sup, "b")).toEqual({ ok: false, error: "not_found" });
      expect(await Supervisor.terminateChild(sup, "zz")).toEqual({ ok: false, error: "not_found" });
      expect(await Supervisor.restartChild(sup, "zz")).toEqual({ ok: false, error: "not_found" });
      const failing = await Supervisor.startChild(sup, { id: "f", start: () => GenServer.startLink({ init: () => ({ stop: "nope" }) }, null) });
      expect(failing).toEqual({ ok: false, error: "start_failed", reason: "nope" });
      expect(log).toEqual(["start a", "start b", "stop b shutdown", "start b", "stop b shutdown"]);
    }, { allowCrashes: false });
  });

  it("a terminated temporary child is forgotten", async () => {
    await passes(async () => {
      const sup = await Supervisor.start([child("t", [], { restart: "temporary" })], { strategy: "one_for_one" });
      expect(await Supervisor.terminateChild(sup, "t")).toEqual({ ok: true });
      expect(await Supervisor.whichChildren(sup)).toEqual([]);
    });
  });

  it("nested supervisors: stopping the top one stops the whole tree, leaves first", async () => {
    await passes(async () => {
      const log: string[] = [];
      const inner: ChildSpec = { id: "inner", type: "supervisor", start: () => Supervisor.startLink([child("x", log), child("y", log)], { strategy: "one_for_one" }) };
      const top = await Supervisor.start([child("a", log), inner], { strategy: "one_for_one" });
      expect(await Supervisor.countChildren(top)).toEqual({ specs: 2, active: 2, supervisors: 1, workers: 1 });
      await Supervisor.stop(top);
      expect(log).toEqual(["start a", "start x", "start y", "stop y shutdown", "stop x shutdown", "stop a shutdown"]);
    });
  });
});

describe("bad input", () => {
  it("rejects invalid child specs, strategies and options with clear errors", async () => {
    await passes(async () => {
      const ok = { id: "a", start: () => spawnLink(() => receive()) };
      const opts = { strategy: "one_for_one" as const };
      await expect(Supervisor.start([ok], { strategy: "one_for_some" } as any)).rejects.toThrow(OptionsError);
      await expect(Supervisor.start([ok], { strategy: "one_for_some" } as any)).rejects.toThrow(/strategy must be "one_for_one", "one_for_all" or "rest_for_one", got "one_for_some"/);
      await expect(Supervisor.start([ok], {} as any)).rejects.toThrow(/strategy must be/);
      await expect(Supervisor.start([ok], { ...opts, maxRestarts: -1 })).rejects.toThrow(/maxRestarts must be a non-negative integer/);
      await expect(Supervisor.start([ok], { ...opts, maxSeconds: 0 })).rejects.toThrow(/maxSeconds must be a positive number/);
      await expect(Supervisor.start([ok], { ...opts, intensity: 1 } as any)).rejects.toThrow(/unknown option "intensity"/);
      await expect(Supervisor.start([{ id: "a" }] as any, opts)).rejects.toThrow(/child "a" needs start: \(\) => Promise<Pid>/);
      await expect(Supervisor.start([{ start: ok.start }] as any, opts)).rejects.toThrow(/has no id/);
      await expect(Supervisor.start([{ ...ok, restart: "always" }] as any, opts)).rejects.toThrow(/restart "always"; expected "permanent", "transient" or "temporary"/);
      await expect(Supervisor.start([{ ...ok, shutdown: -5 }] as any, opts)).rejects.toThrow(/shutdown -5/);
      await expect(Supervisor.start([{ ...ok, strat: 1 }] as any, opts)).rejects.toThrow(/unknown key "strat"/);
      await expect(Supervisor.start([ok, ok], opts)).rejects.toThrow(/duplicate child id "a"/);
      await expect(Supervisor.start("a" as any, opts)).rejects.toThrow(/expects an array of child specs/);
      const sup = await Supervisor.start([], opts);
      await expect(Supervisor.startChild(sup, { id: "b" } as any)).rejects.toThrow(/needs start/);
    }, { iterations: 2 });
  });

  it("a start function that does not return a pid fails the child start", async () => {
    await passes(async () => {
      const sup = await Supervisor.start([], { strategy: "one_for_one" });
      expect(await Supervisor.startChild(sup, { id: "x", start: async () => "not a pid" as any })).toEqual({ ok: false, error: "start_failed", reason: { bad_return_value: "not a pid" } });
    }, { iterations: 2 });
  });
});

/** Monitors every child of `sup` (by id), for the reasons they die with. */
async function monitorAll(sup: Pid): Promise<Record<string, unknown>> {
  const refs: Record<string, unknown> = {};
  for (const [id, pid] of Object.entries(await pidsOf(sup))) if (pid instanceof Pid) refs[id] = await monitor(pid);
  return refs;
}

describe("ported from OTP's supervisor_SUITE (sup_stop, hanging restarts, ignore)", () => {
  // supervisor_SUITE sup_stop_infinity: shutdown infinity is allowed for workers and
  // supervisors; the children exit with reason shutdown.
  it("sup_stop_infinity: \"infinity\" children are waited for and exit shutdown", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([], { strategy: "one_for_one" });
      expect(await Supervisor.startChild(sup, child("c1", log, { shutdown: "infinity", type: "supervisor" }))).toMatchObject({ ok: true });
      expect(await Supervisor.startChild(sup, child("c2", log, { shutdown: "infinity" }))).toMatchObject({ ok: true });
      const refs = await monitorAll(sup);
      await Supervisor.stop(sup, "shutdown");
      expect(await receive(downOf(refs.c1))).toMatchObject({ reason: "shutdown" });
      expect(await receive(downOf(refs.c2))).toMatchObject({ reason: "shutdown" });
      expect(log).toEqual(["start c1", "start c2", "stop c2 shutdown", "stop c1 shutdown"]);
    });
  });

  // supervisor_SUITE sup_stop_timeout: a child that sleeps through its shutdown time is killed.
  it("sup_stop_timeout: a child still busy after its shutdown time is killed (virtual time)", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sleepy = child("c2", log, { shutdown: 1000 });
      const sup = await Supervisor.start([child("c1", log, { shutdown: 1000 }), {
        ...sleepy,
        start: () => GenServer.startLink({
          init: async () => { await trapExits(true); return { state: 0 }; },
          terminate: () => sleep(200000),
        }, null),
      }], { strategy: "one_for_one" });
      const refs = await monitorAll(sup);
      await Supervisor.stop(sup, "shutdown");
      expect(now()).toBe(1000);
      expect(await receive(downOf(refs.c1))).toMatchObject({ reason: "shutdown" });
      expect(await receive(downOf(refs.c2))).toMatchObject({ reason: "killed" });
    });
  });

  // supervisor_SUITE sup_stop_brutal_kill.
  it("sup_stop_brutal_kill: a brutal_kill child is killed, the other shut down", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([child("c1", log, { shutdown: 1000 }), child("c2", log, { shutdown: "brutal_kill" })], { strategy: "one_for_one" });
      const refs = await monitorAll(sup);
      await Supervisor.stop(sup, "shutdown");
      expect(await receive(downOf(refs.c1))).toMatchObject({ reason: "shutdown" });
      expect(await receive(downOf(refs.c2))).toMatchObject({ reason: "killed" });
      expect(log).toEqual(["start c1", "start c2", "stop c1 shutdown"]); // c2's terminate never ran
    });
  });

  // supervisor_SUITE sup_start_ignore_child: ignore gives { ok, undefined } and a kept spec.
  it("sup_start_ignore_child: startChild of an ignoring child answers pid undefined and keeps the spec", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([], { strategy: "one_for_one" });
      const ignoring: ChildSpec = { id: "child1", start: () => GenServer.startLink({ init: () => ({ ignore: true }) }, null) };
      expect(await Supervisor.startChild(sup, ignoring)).toEqual({ ok: true, pid: undefined });
      const r2 = await Supervisor.startChild(sup, child("child2", log));
      expect(r2).toMatchObject({ ok: true });
      expect(await Supervisor.whichChildren(sup)).toEqual([
        { id: "child2", pid: (r2 as { pid: Pid }).pid, type: "worker", modules: [], restart: "permanent" },
        { id: "child1", pid: undefined, type: "worker", modules: [], restart: "permanent" },
      ]);
      expect(await Supervisor.countChildren(sup)).toEqual({ specs: 2, active: 1, supervisors: 0, workers: 2 });
    });
  });

  // supervisor_SUITE hanging_restart_loop (OTP-9549): while a restart keeps failing the
  // child shows as "restarting"; restartChild/deleteChild answer restarting, startChild
  // already_present; terminateChild stops the retrying and restartChild starts it again.
  it("hanging_restart_loop: a child stuck restarting can be terminated and restarted", async () => {
    await passes(async () => {
      let failStart = false;
      // As supervisor_deadlock.erl: a failing start takes 2 s, so the loop never exceeds 8 restarts in 10 s.
      const spec: ChildSpec = {
        id: "child1",
        shutdown: "brutal_kill",
        start: async () => {
          if (!failStart) return spawnLink(() => receive());
          await sleep(2000);
          throw new Error("error");
        },
      };
      const sup = await Supervisor.start([], { strategy: "one_for_one", maxRestarts: 8, maxSeconds: 10 });
      const started = await Supervisor.startChild(sup, spec);
      const cpid1 = (started as { pid: Pid }).pid;
      failStart = true;
      // Each retry goes through the supervisor's mailbox, so our calls get in between.
      await exit(cpid1, "error");
      expect(await Supervisor.startChild(sup, spec)).toEqual({ ok: false, error: "already_present" });
      expect(await Supervisor.restartChild(sup, "child1")).toEqual({ ok: false, error: "restarting" });
      expect(await Supervisor.deleteChild(sup, "child1")).toEqual({ ok: false, error: "restarting" });
      expect(await Supervisor.whichChildren(sup)).toEqual([{ id: "child1", pid: "restarting", type: "worker", modules: [], restart: "permanent" }]);
      expect(await Supervisor.countChildren(sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 1 });
      expect(await Supervisor.terminateChild(sup, "child1")).toEqual({ ok: true });
      expect(await Supervisor.whichChildren(sup)).toEqual([{ id: "child1", pid: undefined, type: "worker", modules: [], restart: "permanent" }]);
      failStart = false;
      const again = await Supervisor.restartChild(sup, "child1");
      expect(again).toMatchObject({ ok: true });
      expect(await isAlive((again as { pid: Pid }).pid!)).toBe(true);
      expect(await isAlive(sup)).toBe(true);
    });
  });
});

describe("ported from OTP's supervisor_SUITE significant group (auto_shutdown, OTP 24)", () => {
  const sig = (id: string, log: string[], restart: "transient" | "temporary", extra: Partial<ChildSpec> = {}) => child(id, log, { restart, significant: true, ...extra });

  // supervisor_SUITE nonsignificant_temporary / nonsignificant_transient: only significant children count.
  it("nonsignificant_temporary / nonsignificant_transient: a non-significant child's normal exit does not stop the supervisor", async () => {
    await passes(async () => {
      const log: string[] = [];
      for (const autoShutdown of ["any_significant", "all_significant"] as const) {
        const sup = await Supervisor.start([child("tmp", log, { restart: "temporary" }), child("tr", log, { restart: "transient" }), sig("s", log, "transient")], { strategy: "one_for_one", autoShutdown });
        await kill(sup, "tmp", "normal");
        await kill(sup, "tr", "normal");
        expect(await isAlive(sup)).toBe(true);
        expect(Object.keys(await pidsOf(sup))).toEqual(["s", "tr"]);
      }
    });
  });

  // supervisor_SUITE significant_temporary: any_significant stops on the first significant
  // exit (whatever the reason: temporary children are never restarted), all_significant
  // once no significant child runs; the other children are shut down in reverse order.
  it("significant_temporary: any_significant stops at the first exit, all_significant at the last", async () => {
    await passes(async () => {
      const log: string[] = [];
      const any = await Supervisor.start([child("a", log), sig("t1", log, "temporary"), sig("t2", log, "temporary")], { strategy: "one_for_one", autoShutdown: "any_significant" });
      const r1 = await monitor(any);
      await kill(any, "t1"); // a crash: a temporary child is not restarted, so it counts too
      expect(await receive(downOf(r1))).toMatchObject({ reason: "shutdown" });
      expect(log.slice(3)).toEqual(["stop t1 crash", "stop t2 shutdown", "stop a shutdown"]);

      log.length = 0;
      const all = await Supervisor.start([child("a", log), sig("t1", log, "temporary"), sig("t2", log, "temporary")], { strategy: "one_for_one", autoShutdown: "all_significant" });
      const r2 = await monitor(all);
      await kill(all, "t1", "normal");
      expect(await receive(downOf(r2), { timeout: 0 })).toBe(TIMEOUT);
      expect(await isAlive(all)).toBe(true);
      await kill(all, "t2", "normal");
      expect(await receive(downOf(r2))).toMatchObject({ reason: "shutdown" });
      expect(log.slice(-1)).toEqual(["stop a shutdown"]);
    });
  });

  // supervisor_SUITE significant_transient: a crash restarts it (no auto shutdown); a
  // normal exit is not restarted and stops the supervisor.
  it("significant_transient: restarted after a crash, a normal exit stops the supervisor", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([child("a", log), sig("t", log, "transient")], { strategy: "one_for_one", autoShutdown: "any_significant" });
      const ref = await monitor(sup);
      await kill(sup, "t");
      expect((await pidsOf(sup)).t).toBeInstanceOf(Pid);
      expect(await isAlive(sup)).toBe(true);
      await kill(sup, "t", { shutdown: "done" });
      expect(await receive(downOf(ref))).toMatchObject({ reason: "shutdown" });
      expect(log).toEqual(["start a", "start t", "stop t crash", "start t", "stop t crash" /* { shutdown: "done" } is not a string */, "stop a shutdown"]);
    });
  });

  // supervisor_SUITE significant_bystander: a significant child terminated because a
  // sibling's restart took it down (one_for_all) does not stop the supervisor.
  it("significant_bystander: a significant child stopped by a sibling's restart does not stop the supervisor", async () => {
    await passes(async () => {
      const log: string[] = [];
      const sup = await Supervisor.start([child("a", log), sig("t", log, "temporary")], { strategy: "one_for_all", autoShutdown: "any_significant" });
      await kill(sup, "a");
      expect(await isAlive(sup)).toBe(true);
      expect(Object.keys(await pidsOf(sup))).toEqual(["a"]);
    });
  });

  // supervisor.erl terminate_child/2 never calls do_auto_shutdown: stopping a significant
  // child on purpose keeps the supervisor.
  it("terminateChild of a significant child does not stop the supervisor", async () => {
    await passes(async () => {
      const sup = await Supervisor.start([sig("t", [], "transient")], { strategy: "one_for_one", autoShutdown: "any_significant" });
      expect(await Supervisor.terminateChild(sup, "t")).toEqual({ ok: true });
      expect(await isAlive(sup)).toBe(true);
    });
  });

  // supervisor_SUITE significant_escalation: an inner supervisor that shuts itself down
  // (reason shutdown) is itself a significant transient child: the outer one follows.
  it("significant_escalation: an auto-shutdown propagates up a tree of significant supervisors", async () => {
    await passes(async () => {
      const log: string[] = [];
      const inner: ChildSpec = {
        id: "inner", type: "supervisor", restart: "transient", significant: true,
        start: () => Supervisor.startLink([child("x", log), sig("w", log, "temporary")], { strategy: "one_for_one", autoShutdown: "any_significant" }),
      };
      const top = await Supervisor.start([child("a", log), inner], { strategy: "one_for_one", autoShutdown: "any_significant" });
      const ref = await monitor(top);
      const innerPid = (await pidsOf(top)).inner as Pid;
      await kill(innerPid, "w", "normal");
      expect(await receive(downOf(ref))).toMatchObject({ reason: "shutdown" });
      expect(log).toEqual(["start a", "start x", "start w", "stop w normal", "stop x shutdown", "stop a shutdown"]);
    });
  });

  // supervisor.erl validSignificant/3: {bad_combination, ...}.
  it("rejects significant permanent children, and significant children when autoShutdown is never", async () => {
    await passes(async () => {
      const opts = { strategy: "one_for_one" as const };
      await expect(Supervisor.start([child("p", [], { significant: true })], { ...opts, autoShutdown: "any_significant" })).rejects.toThrow(/significant and permanent, a bad combination/);
      await expect(Supervisor.start([sig("t", [], "transient")], opts)).rejects.toThrow(/autoShutdown is "never", a bad combination/);
      await expect(Supervisor.start([], { ...opts, autoShutdown: "sometimes" } as any)).rejects.toThrow(/autoShutdown must be "never", "any_significant" or "all_significant"/);
      const sup = await Supervisor.start([], opts);
      await expect(Supervisor.startChild(sup, sig("t", [], "temporary"))).rejects.toThrow(TypeError);
      expect(await Supervisor.whichChildren(sup)).toEqual([]);
      await expect(Supervisor.start([child("t", [], { significant: "yes" as any })], opts)).rejects.toThrow(/significant "yes"; expected a boolean/);
    }, { iterations: 2 });
  });
});

describe("adversarial schedules", () => {
  // A child dies by itself while terminateChild is on its way: either the supervisor sees
  // the EXIT first (and restarts it, then terminates the new one) or the terminate finds
  // it dead (noproc DOWN, its EXIT flushed). Either way nothing keeps running and the
  // child is left stopped.
  it("a child exiting while the supervisor terminates it: no orphan, the child ends stopped", async () => {
    await passes(async () => {
      const started: Pid[] = [];
      const spec: ChildSpec = { id: "c", start: async () => { const p = await spawnLink(() => receive()); started.push(p); return p; } };
      const sup = await Supervisor.start([spec], { strategy: "one_for_one" });
      const first = started[0];
      await spawnLink(() => exit(first, "boom"));
      expect(await Supervisor.terminateChild(sup, "c")).toEqual({ ok: true });
      expect(await Supervisor.whichChildren(sup)).toEqual([{ id: "c", pid: undefined, type: "worker", modules: [], restart: "permanent" }]);
      for (const p of started) expect(await isAlive(p)).toBe(false);
      expect(started.length === 1 || started.length === 2).toBe(true);
      expect(await isAlive(sup)).toBe(true);
    });
  });

  // The shutdown timer and the child's own exit fall due at the same virtual instant;
  // under the "race" timer policy either may come first (and any process may be slow).
  // The child must end dead — shut down, or killed but never before its shutdown time —
  // and terminateChild must answer; both outcomes must be explored.
  it("a shutdown timeout racing the child's DOWN: killed or shut down, never early, never stuck", async () => {
    const reasons = new Set<unknown>();
    const slowChild = (terminateMs: number): ChildSpec => ({
      id: "slow", shutdown: 1000,
      start: () => GenServer.startLink({
        init: async () => { await trapExits(true); return { state: 0 }; },
        terminate: () => sleep(terminateMs),
      }, null),
    });
    await passes(async () => {
      const sup = await Supervisor.start([slowChild(1000)], { strategy: "one_for_one" });
      const ref = await monitor((await pidsOf(sup)).slow as Pid);
      expect(await Supervisor.terminateChild(sup, "slow")).toEqual({ ok: true });
      const { reason } = (await receive(downOf(ref))) as { reason: unknown };
      reasons.add(reason);
      expect(["shutdown", "killed"]).toContain(reason);
      expect(now()).toBeGreaterThanOrEqual(1000);
      expect(await Supervisor.whichChildren(sup)).toEqual([{ id: "slow", pid: undefined, type: "worker", modules: [], restart: "permanent" }]);
    }, { timers: "race", iterations: 100 });
    expect([...reasons].sort()).toEqual(["killed", "shutdown"]);
    // Under the default (quiescent) timers the answer is exact: 999 ms is in time, 1001 is not.
    await passes(async () => {
      for (const [ms, expected] of [[999, "shutdown"], [1001, "killed"]] as const) {
        const t0 = now();
        const sup = await Supervisor.start([slowChild(ms)], { strategy: "one_for_one" });
        const ref = await monitor((await pidsOf(sup)).slow as Pid);
        await Supervisor.terminateChild(sup, "slow");
        expect(await receive(downOf(ref))).toMatchObject({ reason: expected });
        expect(now() - t0).toBe(Math.min(ms, 1000));
      }
    });
  });

  // Concurrent clients: terminateChild / restartChild / deleteChild from two processes
  // interleave at the supervisor; each answer is one OTP allows for the state it saw.
  it("concurrent terminate, restart and delete of one child answer consistently", async () => {
    await passes(async () => {
      const sup = await Supervisor.start([child("c", [])], { strategy: "one_for_one" });
      const answers: unknown[] = [];
      const done: Pid[] = [];
      const me = self();
      for (const op of ["terminate", "restart", "delete"] as const) {
        done.push(await spawnLink(async () => {
          const r = op === "terminate" ? await Supervisor.terminateChild(sup, "c") : op === "restart" ? await Supervisor.restartChild(sup, "c") : await Supervisor.deleteChild(sup, "c");
          answers.push([op, r]);
          await send(me, "done");
        }));
      }
      for (let i = 0; i < 3; i++) await receive((m) => m === "done");
      const which = await Supervisor.whichChildren(sup);
      const byOp = Object.fromEntries(answers as [string, any][]);
      expect(byOp.terminate).toEqual({ ok: true });
      if (byOp.delete.ok) expect(which).toEqual([]);
      else expect(which).toHaveLength(1);
      // restart succeeds only after the terminate (and before the delete); then delete saw it running.
      if (byOp.restart.ok) expect(byOp.delete).toMatchObject({ ok: false });
    });
  });
});
