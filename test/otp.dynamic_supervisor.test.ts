// DynamicSupervisor semantics, ported from Elixir's
// lib/elixir/test/elixir/dynamic_supervisor_test.exs and checked against
// lib/elixir/lib/dynamic_supervisor.ex (handle_call/3, maybe_restart_child/5,
// restart_child/3, add_restart/1, terminate_children/2). Each Elixir test's name is
// cited; Elixir-only features (extra_arguments, code_change, module-based init, old
// tuple specs) are not ported.
import { describe, it, expect } from "vitest";
import {
  explore, spawn, spawnLink, send, receive, self, monitor, trapExits, isAlive, sleep, now, exit,
  GenServer, Supervisor, DynamicSupervisor, StartError, OptionsError, CallExit, Pid,
  type DynamicChildSpec, type ExploreOptions,
} from "lockstep";
import { passer, rejection, downOf } from "./helpers/explore";

const passes = passer({ iterations: 50, seed: 17, traceDir: false });

/** dynamic_supervisor_test.exs sleepy_worker/1: a process that sleeps forever (not trapping exits). */
const sleepy = (spec: Partial<DynamicChildSpec> = {}): DynamicChildSpec => ({ start: () => spawnLink(() => sleep(Infinity)), ...spec });

/** A child that traps exits and never stops on its own: only a kill ends it. */
const stubborn = (spec: Partial<DynamicChildSpec> = {}): DynamicChildSpec => ({
  start: () => GenServer.startLink({ init: async () => { await trapExits(true); return { state: 0 }; }, terminate: () => sleep(Infinity) }, null),
  ...spec,
});

/** A child that throws (crashes) when it receives "crash". */
const crasher = (spec: Partial<DynamicChildSpec> = {}, started: Pid[] = []): DynamicChildSpec => ({
  start: async () => {
    const pid = await spawnLink(async () => {
      await receive((m) => m === "crash");
      throw new Error("boom");
    });
    started.push(pid);
    return pid;
  },
  ...spec,
});

/** dynamic_supervisor_test.exs assert_kill/2: exit(pid, reason) and wait for its DOWN. */
async function assertKill(pid: Pid, reason: unknown): Promise<void> {
  const ref = await monitor(pid);
  await exit(pid, reason);
  await receive(downOf(ref));
}

const pidOf = (r: { ok: boolean; pid?: unknown }): Pid => {
  expect(r.ok).toBe(true);
  expect(r.pid).toBeInstanceOf(Pid);
  return r.pid as Pid;
};

/**
 * dynamic_supervisor_test.exs start_link(:restart, value): the first start succeeds,
 * every later one (the restarts) behaves as `value`. A failing restart first sleeps 10
 * virtual ms, so (timers "quiescent") the test's next request reaches the supervisor
 * before the retry it sends itself, and the "restarting" state is observed in every
 * schedule.
 */
function restartWith(value: "ok" | "ignore" | "error" | "unknown", spec: Partial<DynamicChildSpec> = {}): DynamicChildSpec {
  let first = true;
  return {
    start: async () => {
      if (first || value === "ok") {
        first = false;
        return spawnLink(() => sleep(Infinity));
      }
      if (value === "ignore") throw new StartError("ignore");
      await sleep(10);
      if (value === "error") throw new StartError("found");
      return "unknown" as unknown as Pid;
    },
    ...spec,
  };
}

describe("start and options", () => {
  // dynamic_supervisor_test.exs "init/1 set default options"; "can be supervised directly";
  // "start_link/3 with registered process" (a link, a name, and stop/1 shuts it down).
  it("starts empty with the defaults, accepts a name, links with startLink, stops with stop", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start();
      expect(sup).toBeInstanceOf(Pid);
      expect(await DynamicSupervisor.whichChildren(sup)).toEqual([]);
      expect(await DynamicSupervisor.countChildren(sup)).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
      const named = await DynamicSupervisor.start({ name: "dyn", maxChildren: 5, maxRestarts: 1, maxSeconds: 2, strategy: "one_for_one" });
      expect(await DynamicSupervisor.whichChildren("dyn")).toEqual([]);
      expect(pidOf(await DynamicSupervisor.startChild("dyn", sleepy()))).toBeInstanceOf(Pid);
      const child = (await DynamicSupervisor.whichChildren("dyn"))[0].pid as Pid;
      await DynamicSupervisor.stop("dyn");
      expect(await isAlive(named)).toBe(false);
      expect(await isAlive(child)).toBe(false);
      // startLink: the parent's exit stops the supervisor with the parent's reason.
      const me = self();
      const parent = await spawn(async () => {
        await send(me, { linked: await DynamicSupervisor.startLink() });
        await receive((m) => m === "die");
        throw "parent died";
      });
      const { linked } = await receive((m) => m?.linked instanceof Pid);
      const ref = await monitor(linked);
      await send(parent, "die");
      expect(await receive(downOf(ref))).toMatchObject({ reason: "parent died" });
      expect(await DynamicSupervisor.countChildren(sup)).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
    });
  });

  // dynamic_supervisor_test.exs "start_link/3 with non-ok init": invalid_strategy,
  // invalid_intensity, invalid_period, invalid_max_children (here typed OptionsErrors).
  it("rejects invalid options", async () => {
    await passes(async () => {
      await expect(DynamicSupervisor.start({ strategy: "one_for_all" } as any)).rejects.toThrow(/strategy must be "one_for_one"/);
      await expect(DynamicSupervisor.start({ maxRestarts: -1 })).rejects.toThrow(OptionsError);
      await expect(DynamicSupervisor.start({ maxRestarts: -1 })).rejects.toThrow(/maxRestarts must be a non-negative integer, got -1/);
      await expect(DynamicSupervisor.start({ maxSeconds: 0 })).rejects.toThrow(/maxSeconds must be a positive number, got 0/);
      await expect(DynamicSupervisor.start({ maxChildren: -1 })).rejects.toThrow(/maxChildren must be a non-negative integer or Infinity, got -1/);
      await expect(DynamicSupervisor.start({ maxChildren: 1.5 })).rejects.toThrow(/maxChildren/);
      await expect(DynamicSupervisor.start({ extraArguments: [] } as any)).rejects.toThrow(/unknown option "extraArguments"/);
      await expect(DynamicSupervisor.start("x" as any)).rejects.toThrow(/options must be an object/);
    }, { iterations: 2 });
  });

  // dynamic_supervisor_test.exs "start_child/2 with invalid child spec" ({:invalid_child_spec, %{}},
  // {:invalid_mfa, _}, {:invalid_shutdown, -1}, {:invalid_significant, true}) and
  // "with invalid valid shutdown": here TypeErrors, thrown before anything reaches the supervisor.
  it("rejects invalid child specs and a terminateChild that is not given a pid", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start();
      await expect(DynamicSupervisor.startChild(sup, {} as any)).rejects.toThrow(/needs start: \(\) => Promise<Pid>/);
      await expect(DynamicSupervisor.startChild(sup, "spec" as any)).rejects.toThrow(/a child spec must be an object/);
      await expect(DynamicSupervisor.startChild(sup, sleepy({ shutdown: -1 }))).rejects.toThrow(/shutdown -1; expected virtual ms/);
      await expect(DynamicSupervisor.startChild(sup, sleepy({ restart: "always" as any }))).rejects.toThrow(/restart "always"/);
      await expect(DynamicSupervisor.startChild(sup, sleepy({ type: "boss" as any }))).rejects.toThrow(/type "boss"/);
      await expect(DynamicSupervisor.startChild(sup, { ...sleepy(), significant: true } as any)).rejects.toThrow(/unknown key "significant"/);
      await expect(DynamicSupervisor.terminateChild(sup, "a" as any)).rejects.toThrow(/expects a child's pid/);
      expect(await DynamicSupervisor.countChildren(sup)).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
    }, { iterations: 2 });
  });

  // dynamic_supervisor_test.exs "can be supervised directly" and "multiple supervisors can
  // be supervised": a DynamicSupervisor under a Supervisor, stopped with its tree.
  it("runs under a Supervisor as a child of type supervisor; stopping the tree stops its children", async () => {
    await passes(async () => {
      const top = await Supervisor.start([{ id: "dyn", type: "supervisor", start: () => DynamicSupervisor.startLink({ name: "dyn" }) }], { strategy: "one_for_one" });
      expect(await Supervisor.countChildren(top)).toEqual({ specs: 1, active: 1, supervisors: 1, workers: 0 });
      expect(await DynamicSupervisor.whichChildren("dyn")).toEqual([]);
      const a = pidOf(await DynamicSupervisor.startChild("dyn", stubborn({ shutdown: 100 })));
      const b = pidOf(await DynamicSupervisor.startChild("dyn", sleepy()));
      await Supervisor.stop(top);
      expect(now()).toBe(100); // the stubborn child was killed after its shutdown time
      expect(await isAlive(a)).toBe(false);
      expect(await isAlive(b)).toBe(false);
    });
  });
});

describe("startChild", () => {
  // dynamic_supervisor_test.exs "start_child/2 with different returns" and "with throw/error/exit".
  it("answers the pid, ignore (no child kept), the start's error reason, or already_started", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start();
      const r = await DynamicSupervisor.startChild(sup, sleepy());
      const pid = pidOf(r);
      // :ignore -> { ok: true, pid: undefined } (Supervisor.startChild's answer for an ignoring child); nothing is kept.
      expect(await DynamicSupervisor.startChild(sup, { start: () => GenServer.startLink({ init: () => ({ ignore: true }) }, null) })).toEqual({ ok: true, pid: undefined });
      // {:error, :found}: a start that fails with a reason.
      expect(await DynamicSupervisor.startChild(sup, { start: () => GenServer.startLink({ init: () => ({ stop: "found" }) }, null) })).toEqual({ ok: false, error: "found" });
      expect(await DynamicSupervisor.startChild(sup, { start: () => Promise.reject(new StartError("oops")) })).toEqual({ ok: false, error: "oops" });
      // raise / throw in start: the thrown value is the reason.
      const err = new Error("oops");
      expect(await DynamicSupervisor.startChild(sup, { start: () => { throw err; } })).toEqual({ ok: false, error: err });
      // {:error, :unknown}: a start resolving to something that is not a pid.
      expect(await DynamicSupervisor.startChild(sup, { start: async () => "unknown" as any })).toEqual({ ok: false, error: { bad_return_value: "unknown" } });
      // {:error, {:already_started, pid}} from a named GenServer.
      const named = { start: () => GenServer.startLink({ init: () => ({ state: 0 }) }, null, { name: "one" }) };
      const first = pidOf(await DynamicSupervisor.startChild(sup, named));
      expect(await DynamicSupervisor.startChild(sup, named)).toEqual({ ok: false, error: "already_started", pid: first });
      expect(await DynamicSupervisor.whichChildren(sup)).toEqual([
        { id: undefined, pid, type: "worker", modules: [], restart: "permanent" },
        { id: undefined, pid: first, type: "worker", modules: [], restart: "permanent" },
      ]);
      expect(await DynamicSupervisor.countChildren(sup)).toEqual({ specs: 2, active: 2, supervisors: 0, workers: 2 });
    });
  });

  // dynamic_supervisor_test.exs "start_child/2 with max_children".
  it("answers max_children at the limit, and has room again after a terminateChild", async () => {
    await passes(async () => {
      const zero = await DynamicSupervisor.start({ maxChildren: 0 });
      expect(await DynamicSupervisor.startChild(zero, sleepy())).toEqual({ ok: false, error: "max_children" });
      const sup = await DynamicSupervisor.start({ maxChildren: 2 });
      const a = pidOf(await DynamicSupervisor.startChild(sup, sleepy()));
      pidOf(await DynamicSupervisor.startChild(sup, sleepy({ type: "supervisor" })));
      expect(await DynamicSupervisor.startChild(sup, sleepy())).toEqual({ ok: false, error: "max_children" });
      expect(await DynamicSupervisor.countChildren(sup)).toEqual({ specs: 2, active: 2, supervisors: 1, workers: 1 });
      expect(await DynamicSupervisor.terminateChild(sup, a)).toEqual({ ok: true });
      pidOf(await DynamicSupervisor.startChild(sup, sleepy()));
    });
  });

  // dynamic_supervisor.ex handle_call({:start_child, _}): the limit is checked in the
  // supervisor, one request at a time, so concurrent clients never overshoot it.
  it("concurrent startChild calls: exactly maxChildren succeed, in every schedule", async () => {
    const answers = new Set<string>();
    await passes(async () => {
      const sup = await DynamicSupervisor.start({ maxChildren: 3 });
      const me = self();
      for (let i = 0; i < 5; i++) await spawn(async () => { await send(me, await DynamicSupervisor.startChild(sup, sleepy())); });
      const results: any[] = [];
      for (let i = 0; i < 5; i++) results.push(await receive());
      expect(results.filter((r) => r.ok).length).toBe(3);
      expect(results.filter((r) => !r.ok && r.error === "max_children").length).toBe(2);
      answers.add(results.map((r) => (r.ok ? "ok" : "max")).join(","));
      expect((await DynamicSupervisor.countChildren(sup)).active).toBe(3);
    }, { iterations: 150, strategy: "random" });
    expect(answers.size).toBeGreaterThan(1); // the refusals went to different clients in different schedules
  });
});

describe("restart types", () => {
  // dynamic_supervisor_test.exs "temporary child is not restarted regardless of reason".
  it("temporary: never restarted, forgotten once it exits", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start();
      await assertKill(pidOf(await DynamicSupervisor.startChild(sup, sleepy({ restart: "temporary" }))), "shutdown");
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 0, active: 0 });
      await assertKill(pidOf(await DynamicSupervisor.startChild(sup, sleepy({ restart: "temporary" }))), "whatever");
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 0, active: 0 });
    });
  });

  // dynamic_supervisor_test.exs "transient child is restarted unless normal/shutdown/{shutdown, _}".
  it("transient: restarted only after an abnormal exit", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start();
      const t = () => sleepy({ restart: "transient" });
      await assertKill(pidOf(await DynamicSupervisor.startChild(sup, t())), "shutdown");
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 0, active: 0 });
      await assertKill(pidOf(await DynamicSupervisor.startChild(sup, t())), { shutdown: "signal" });
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 0, active: 0 });
      const c = pidOf(await DynamicSupervisor.startChild(sup, t()));
      await assertKill(c, "whatever");
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 1, active: 1 });
      const [info] = await DynamicSupervisor.whichChildren(sup);
      expect(info.pid).toBeInstanceOf(Pid);
      expect(info.pid).not.toBe(c);
      expect(info.restart).toBe("transient");
    });
  });

  // dynamic_supervisor_test.exs "permanent child is restarted regardless of reason".
  it("permanent: restarted after any exit", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start({ maxRestarts: 100_000 });
      await assertKill(pidOf(await DynamicSupervisor.startChild(sup, sleepy())), "shutdown");
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 1, active: 1 });
      await assertKill(pidOf(await DynamicSupervisor.startChild(sup, sleepy())), { shutdown: "signal" });
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 2, active: 2 });
      await assertKill(pidOf(await DynamicSupervisor.startChild(sup, sleepy())), "whatever");
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 3, active: 3 });
    });
  });

  // dynamic_supervisor_test.exs "child is restarted with different values": a restart
  // that ignores drops the child; one that fails leaves it "restarting" (retried through
  // the supervisor's mailbox) in its place in pid order.
  it("a restart that ignores drops the child, one that fails keeps it as restarting", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start({ maxRestarts: 100_000 });
      const child1 = pidOf(await DynamicSupervisor.startChild(sup, restartWith("ok")));
      expect(await DynamicSupervisor.whichChildren(sup)).toEqual([{ id: undefined, pid: child1, type: "worker", modules: [], restart: "permanent" }]);
      await assertKill(child1, "shutdown");
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 1, active: 1 });

      const child2 = pidOf(await DynamicSupervisor.startChild(sup, restartWith("ok")));
      let which = await DynamicSupervisor.whichChildren(sup);
      expect(which.map((c) => c.pid)).toEqual([which[0].pid, child2]);
      expect(which[0].pid).not.toBe(child1);
      await assertKill(child2, "shutdown");
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 2, active: 2 });

      const child3 = pidOf(await DynamicSupervisor.startChild(sup, restartWith("ignore")));
      expect(await DynamicSupervisor.whichChildren(sup)).toHaveLength(3);
      await assertKill(child3, "shutdown");
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 2, active: 2 });

      const child4 = pidOf(await DynamicSupervisor.startChild(sup, restartWith("error")));
      expect(await DynamicSupervisor.whichChildren(sup)).toHaveLength(3);
      await assertKill(child4, "shutdown");
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ specs: 3, workers: 3, active: 2 });

      const child5 = pidOf(await DynamicSupervisor.startChild(sup, restartWith("unknown")));
      which = await DynamicSupervisor.whichChildren(sup);
      expect(which.map((c) => (c.pid === "restarting" ? "restarting" : c.pid === child5 ? "child5" : "pid"))).toEqual(["pid", "pid", "restarting", "child5"]);
      await assertKill(child5, "shutdown");
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 4, active: 2 });
    });
  });

  // dynamic_supervisor_test.exs "restarting on init children counted in max_children" and
  // "restarting on exit children counted in max_children".
  it("restarting children count towards maxChildren", async () => {
    await passes(async () => {
      const opts = { maxChildren: 1, maxRestarts: 100_000 };
      const s1 = await DynamicSupervisor.start(opts);
      await assertKill(pidOf(await DynamicSupervisor.startChild(s1, restartWith("error"))), "shutdown");
      expect(await DynamicSupervisor.countChildren(s1)).toMatchObject({ workers: 1, active: 0 });
      expect(await DynamicSupervisor.startChild(s1, sleepy())).toEqual({ ok: false, error: "max_children" });
      const s2 = await DynamicSupervisor.start(opts);
      await assertKill(pidOf(await DynamicSupervisor.startChild(s2, sleepy())), "shutdown");
      expect(await DynamicSupervisor.countChildren(s2)).toMatchObject({ workers: 1, active: 1 });
      expect(await DynamicSupervisor.startChild(s2, sleepy())).toEqual({ ok: false, error: "max_children" });
    });
  });

  // dynamic_supervisor_test.exs "child is restarted when trying again".
  it("a failed restart is retried and can then succeed", async () => {
    await passes(async () => {
      const me = self();
      let tryAgain = false;
      const spec: DynamicChildSpec = {
        start: async () => {
          if (tryAgain) {
            tryAgain = false;
            await send(me, { tryAgain: false });
            throw new StartError("try_again");
          }
          tryAgain = true;
          await send(me, { tryAgain: true });
          return spawnLink(() => sleep(Infinity));
        },
      };
      const sup = await DynamicSupervisor.start({ maxRestarts: 2 });
      const child = pidOf(await DynamicSupervisor.startChild(sup, spec));
      expect(await receive()).toEqual({ tryAgain: true });
      await assertKill(child, "shutdown");
      expect(await receive()).toEqual({ tryAgain: false });
      expect(await receive()).toEqual({ tryAgain: true });
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 1, active: 1 });
    });
  });
});

describe("restart intensity", () => {
  // dynamic_supervisor_test.exs "child triggers maximum restarts" and "child triggers
  // maximum intensity when trying again": the supervisor exits with :shutdown.
  it("restarts that keep failing exceed the intensity: the supervisor exits shutdown", async () => {
    await passes(async () => {
      await trapExits(true);
      for (const maxRestarts of [1, 10]) {
        let starts = 0;
        const spec: DynamicChildSpec = { start: () => (starts++ === 0 ? spawnLink(() => sleep(Infinity)) : Promise.reject(new StartError("found"))) };
        const sup = await DynamicSupervisor.startLink({ maxRestarts });
        await assertKill(pidOf(await DynamicSupervisor.startChild(sup, spec)), "shutdown");
        expect(await receive((m) => m?.type === "EXIT" && m.from === sup)).toMatchObject({ reason: "shutdown" });
        expect(starts).toBe(1 + maxRestarts); // the first start, then maxRestarts failed restarts; one more exceeds it
      }
    });
  });

  // dynamic_supervisor.ex add_restart/1 + restart_child/3: "{:shutdown, state} -> {:stop,
  // :shutdown, state}" and terminate/2 stops every child. A storm of crashes from many
  // children, interleaved with the supervisor's restarts in every schedule.
  it("a crash storm beyond maxRestarts stops the supervisor with shutdown and all its children", async () => {
    const restartsSeen = new Set<number>();
    await passes(async () => {
      const started: Pid[] = [];
      const sup = await DynamicSupervisor.start({ maxRestarts: 3, maxSeconds: 5 });
      const ref = await monitor(sup);
      for (let i = 0; i < 6; i++) pidOf(await DynamicSupervisor.startChild(sup, crasher({}, started)));
      pidOf(await DynamicSupervisor.startChild(sup, stubborn({ shutdown: 50 })));
      const originals = started.slice();
      for (const p of originals) await spawn(() => send(p, "crash")); // concurrent crashers
      expect(await receive(downOf(ref))).toMatchObject({ reason: "shutdown" });
      restartsSeen.add(started.length - originals.length);
      expect(started.length - originals.length).toBe(3); // three restarts fit the intensity, the fourth exit stops it
      for (const p of started) expect(await isAlive(p)).toBe(false); // restarted children were stopped too
      expect(now()).toBe(50); // the stubborn child was killed after its shutdown time
    }, { iterations: 100 });
    expect([...restartsSeen]).toEqual([3]);
  });

  // dynamic_supervisor.ex add_restart/3: only restarts with now <= then + period count.
  it("crashes spaced wider than maxSeconds never stop it; within the window (inclusive) they do", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start({ maxRestarts: 1, maxSeconds: 2 });
      const ref = await monitor(sup);
      pidOf(await DynamicSupervisor.startChild(sup, sleepy()));
      for (let i = 0; i < 4; i++) {
        await assertKill((await DynamicSupervisor.whichChildren(sup))[0].pid as Pid, "boom");
        await sleep(2001);
      }
      expect(await isAlive(sup)).toBe(true);
      await assertKill((await DynamicSupervisor.whichChildren(sup))[0].pid as Pid, "boom");
      await sleep(2000);
      await assertKill((await DynamicSupervisor.whichChildren(sup))[0].pid as Pid, "boom");
      expect(await receive(downOf(ref))).toMatchObject({ reason: "shutdown" });
    });
  });
});

describe("terminateChild", () => {
  // dynamic_supervisor_test.exs "terminate_child/2 terminates child with brutal kill" and
  // "with integer shutdown".
  it("stops the child (killed for brutal_kill, shutdown otherwise) and forgets it", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start();
      for (const [shutdown, reason] of [["brutal_kill", "killed"], [1000, "shutdown"]] as const) {
        const pid = pidOf(await DynamicSupervisor.startChild(sup, sleepy({ shutdown })));
        const ref = await monitor(pid);
        expect(await DynamicSupervisor.terminateChild(sup, pid)).toEqual({ ok: true });
        expect(await receive(downOf(ref))).toMatchObject({ reason });
        expect(await DynamicSupervisor.terminateChild(sup, pid)).toEqual({ ok: false, error: "not_found" });
        expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 0, active: 0 });
      }
      expect(await DynamicSupervisor.terminateChild(sup, self())).toEqual({ ok: false, error: "not_found" });
      expect(now()).toBe(0);
    });
  });

  // dynamic_supervisor_test.exs "terminate_child/2 terminates restarting child".
  it("terminates a restarting child (no process to stop; it is forgotten)", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start({ maxRestarts: 100_000 });
      const pid = pidOf(await DynamicSupervisor.startChild(sup, restartWith("error")));
      await assertKill(pid, "shutdown");
      expect(await DynamicSupervisor.terminateChild(sup, pid)).toEqual({ ok: true });
      expect(await DynamicSupervisor.terminateChild(sup, pid)).toEqual({ ok: false, error: "not_found" });
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ workers: 0, active: 0 });
    });
  });

  // dynamic_supervisor.ex: "If the child process does not terminate in this interval, the
  // supervisor abruptly terminates the child with reason :kill" (default shutdown 5000).
  it("a child that ignores shutdown is killed after its shutdown time (default 5000, 0 at once)", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start();
      for (const [spec, after] of [[stubborn(), 5000], [stubborn({ shutdown: 250 }), 250], [stubborn({ shutdown: 0 }), 0]] as const) {
        const pid = pidOf(await DynamicSupervisor.startChild(sup, spec));
        const ref = await monitor(pid);
        const t0 = now();
        expect(await DynamicSupervisor.terminateChild(sup, pid)).toEqual({ ok: true });
        expect(now() - t0).toBe(after);
        expect(await receive(downOf(ref))).toMatchObject({ reason: "killed" });
      }
      expect(await DynamicSupervisor.countChildren(sup)).toMatchObject({ specs: 0 });
    });
  });

  // dynamic_supervisor.ex terminate_children/2 and monitor_child/1: a child that dies on its
  // own while terminate_child runs is not restarted. Either the supervisor handles the
  // EXIT first (a restart; then the old pid is not_found) or the terminate request
  // (ok; the death, whoever caused it, triggers no restart). Both happen across schedules.
  it("a child crashing while terminateChild runs: restarted xor terminated, never both", async () => {
    const outcomes = new Set<string>();
    for (const strategy of ["random", "pct"] as const) {
      await passes(async () => {
        const started: Pid[] = [];
        const sup = await DynamicSupervisor.start();
        const pid = pidOf(await DynamicSupervisor.startChild(sup, crasher({}, started)));
        const ref = await monitor(pid);
        await spawn(() => send(pid, "crash"));
        const r = await DynamicSupervisor.terminateChild(sup, pid);
        const down = (await receive(downOf(ref))) as { reason: unknown };
        const which = await DynamicSupervisor.whichChildren(sup);
        if (r.ok) {
          expect(which).toEqual([]);
          expect(started).toHaveLength(1);
        } else {
          expect(r).toEqual({ ok: false, error: "not_found" });
          expect(down.reason).toBeInstanceOf(Error); // it crashed before the request was handled
          expect(started).toHaveLength(2);
          expect(which).toEqual([{ id: undefined, pid: started[1], type: "worker", modules: [], restart: "permanent" }]);
          expect(await isAlive(started[1])).toBe(true);
        }
        outcomes.add(r.ok ? `ok/${down.reason instanceof Error ? "crash" : down.reason}` : "not_found");
      }, { iterations: 150, strategy });
    }
    expect(outcomes).toEqual(new Set(["ok/crash", "ok/shutdown", "not_found"]));
  });
});

describe("terminate (the supervisor stops)", () => {
  /** A child that traps exits, tells the test it is ready, and on the shutdown EXIT ends as `end` says. */
  const trapping = (test: Pid, end: "normal" | "oops" | "hang", spec: Partial<DynamicChildSpec> = {}): DynamicChildSpec => ({
    start: () => spawnLink(async () => {
      await trapExits(true);
      await send(test, "ready");
      if (end === "hang") return sleep(Infinity);
      await receive();
      if (end === "oops") throw { shutdown: "oops" };
    }),
    ...spec,
  });

  /** Starts a linked supervisor with `specs`, monitors the children, sends exit(sup, "shutdown"), and returns the DOWN reasons in child order. */
  async function stopWith(specs: DynamicChildSpec[], ready = 0): Promise<unknown[]> {
    await trapExits(true);
    const sup = await DynamicSupervisor.startLink();
    const pids: Pid[] = [];
    for (const s of specs) pids.push(pidOf(await DynamicSupervisor.startChild(sup, s)));
    for (let i = 0; i < ready; i++) await receive((m) => m === "ready");
    const refs = [];
    for (const p of pids) refs.push(await monitor(p));
    await assertKill(sup, "shutdown");
    const reasons = [];
    for (const r of refs) reasons.push(((await receive(downOf(r))) as { reason: unknown }).reason);
    return reasons;
  }

  // dynamic_supervisor_test.exs "terminate/2 terminates children with brutal kill",
  // "with infinity shutdown", "with integer shutdown", "with mixed children".
  it("stops children with kill for brutal_kill and shutdown otherwise", async () => {
    await passes(async () => {
      expect(await stopWith([sleepy({ shutdown: "brutal_kill" }), sleepy({ shutdown: "brutal_kill" }), sleepy({ shutdown: "brutal_kill" })])).toEqual(["killed", "killed", "killed"]);
      expect(await stopWith([sleepy({ shutdown: Infinity }), sleepy({ shutdown: Infinity }), sleepy({ shutdown: Infinity })])).toEqual(["shutdown", "shutdown", "shutdown"]);
      expect(await stopWith([sleepy({ shutdown: 1000 }), sleepy({ shutdown: 1000 }), sleepy({ shutdown: 1000 })])).toEqual(["shutdown", "shutdown", "shutdown"]);
      expect(await stopWith([sleepy({ shutdown: Infinity }), sleepy({ shutdown: "brutal_kill" })])).toEqual(["shutdown", "killed"]);
      expect(now()).toBe(0);
    });
  });

  // dynamic_supervisor_test.exs "with infinity shutdown and abnormal reason", "with integer
  // shutdown and abnormal reason", "with permanent restart and normal reason".
  it("children that trap exits end with their own reason, and are not restarted", async () => {
    await passes(async () => {
      const me = self();
      for (const shutdown of [Infinity, 1000]) {
        expect(await stopWith([trapping(me, "oops", { shutdown }), trapping(me, "oops", { shutdown }), trapping(me, "oops", { shutdown })], 3)).toEqual([{ shutdown: "oops" }, { shutdown: "oops" }, { shutdown: "oops" }]);
      }
      expect(await stopWith([trapping(me, "normal", { shutdown: Infinity }), trapping(me, "normal", { shutdown: Infinity }), trapping(me, "normal", { shutdown: Infinity })], 3)).toEqual(["normal", "normal", "normal"]);
      expect(now()).toBe(0);
    });
  });

  // dynamic_supervisor_test.exs "terminates children with expired integer shutdown"; the
  // children are stopped at once ("execute certain operations, such as shutting down,
  // concurrently"), so three stubborn children cost one shutdown time, not three.
  it("children still alive after their shutdown time are killed, all at once", async () => {
    await passes(async () => {
      const me = self();
      expect(await stopWith([sleepy({ shutdown: 1 }), trapping(me, "hang", { shutdown: 1 }), sleepy({ shutdown: 1 })], 1)).toEqual(["shutdown", "killed", "shutdown"]);
      expect(now()).toBe(1);
      const t0 = now();
      expect(await stopWith([stubborn({ shutdown: 300 }), stubborn({ shutdown: 100 }), stubborn({ shutdown: 300 }), sleepy({ shutdown: 100 })])).toEqual(["killed", "killed", "killed", "shutdown"]);
      expect(now() - t0).toBe(300);
    });
  });

  it("DynamicSupervisor.stop stops the children first; a call to a stopped supervisor exits noproc", async () => {
    await passes(async () => {
      const sup = await DynamicSupervisor.start();
      const a = pidOf(await DynamicSupervisor.startChild(sup, stubborn({ shutdown: 10 })));
      await DynamicSupervisor.stop(sup);
      expect(now()).toBe(10);
      expect(await isAlive(a)).toBe(false);
      const e = await rejection(DynamicSupervisor.countChildren(sup));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBe("noproc");
    });
  });
});

describe("determinism", () => {
  it("the same seed explores the same schedules (a planted bug is found at the same iteration)", async () => {
    const body = async () => {
      const sup = await DynamicSupervisor.start({ maxChildren: 2 });
      const me = self();
      for (let i = 0; i < 3; i++) await spawn(async () => { await send(me, [i, await DynamicSupervisor.startChild(sup, sleepy())]); });
      const got: any[] = [];
      for (let i = 0; i < 3; i++) got.push(await receive());
      const refused = got.find(([, r]) => !r.ok)[0];
      if (refused === 0) throw new Error("client 0 was refused");
    };
    const opts: ExploreOptions = { iterations: 200, seed: 5, traceDir: false, strategy: "random" };
    const r1 = await explore(body, opts);
    const r2 = await explore(body, opts);
    expect(r1.ok).toBe(false);
    expect(r2.ok).toBe(false);
    if (!r1.ok && !r2.ok) {
      expect(r2.bug.iteration).toBe(r1.bug.iteration);
      expect(r2.bug.schedule).toEqual(r1.bug.schedule);
    }
  });
});
