// Task.Supervisor (lib/elixir/lib/task/supervisor.ex): cases ported from
// lib/elixir/test/elixir/task/supervisor_test.exs (named in each comment), plus
// adversarial schedules. Every test runs at least 50 seeded interleavings.
import { describe, it, expect } from "vitest";
import {
  explore, spawn, send, receive, self, monitor, trapExits, isAlive, sleep, exit,
  Task, TaskSupervisor, MaxChildrenError, CallExit, DynamicSupervisor, Supervisor, TIMEOUT, Pid, TaskHandle,
} from "lockstep";
import { passer, rejection, downOf } from "./helpers/explore";

const passes = passer({ iterations: 60, seed: 23, traceDir: false });

/** supervisor_test.exs wait_and_send/2: tell the caller we are ready, wait for `true`, send `atom`. */
const waitAndSend = (caller: Pid, atom: unknown) => async () => {
  await send(caller, "ready");
  await receive((m) => m === true);
  await send(caller, atom);
  return atom;
};

async function toList<T>(s: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of s) out.push(x);
  return out;
}

const ok = <T>(value: T) => ({ ok: true, value });

describe("children and counts", () => {
  // supervisor_test.exs "counts and returns children".
  it("counts and returns children", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start();
      expect(await TaskSupervisor.children(sup)).toEqual([]);
      expect(await DynamicSupervisor.countChildren(sup)).toEqual({ active: 0, specs: 0, supervisors: 0, workers: 0 });
    });
  });

  // supervisor_test.exs "can be supervised directly": a Task.Supervisor as a Supervisor child.
  it("can be supervised directly", async () => {
    await passes(async () => {
      const top = await Supervisor.start([{ id: "tasks", type: "supervisor", start: () => TaskSupervisor.startLink({ name: "tasks" }) }], { strategy: "one_for_one" });
      expect(await TaskSupervisor.children("tasks")).toEqual([]);
      const t = await TaskSupervisor.asyncNolink("tasks", () => 42);
      expect(await Task.await(t)).toBe(42);
      await Supervisor.stop(top);
    });
  });

  it("Task.Supervisor is an alias of TaskSupervisor", () => {
    expect(Task.Supervisor).toBe(TaskSupervisor);
  });
});

describe("async", () => {
  // supervisor_test.exs async/1 "spawns tasks under the supervisor": listed as a child,
  // linked to the caller, the reply and a normal DOWN arrive.
  it("spawns tasks under the supervisor, linked to the caller", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start();
      const task = await TaskSupervisor.async(sup, waitAndSend(self(), "done"));
      expect(task).toBeInstanceOf(TaskHandle);
      expect(await TaskSupervisor.children(sup)).toEqual([task.pid]);
      await receive((m) => m === "ready");
      await send(task.pid, true);
      expect(await receive((m) => m === "done")).toBe("done");
      expect(await Task.await(task)).toBe("done");
      // The link: a trapping caller sees the task's normal EXIT.
      await trapExits(true);
      const t2 = await TaskSupervisor.async(sup, () => 1);
      expect(await Task.await(t2)).toBe(1);
      expect(await receive((m: any) => m?.type === "EXIT" && m.from === t2.pid)).toMatchObject({ reason: "normal" });
    });
  });

  // supervisor_test.exs async/1 "with custom shutdown": brutal_kill when the supervisor shuts down.
  it("with custom shutdown", async () => {
    await passes(async () => {
      await trapExits(true);
      const sup = await TaskSupervisor.startLink(); // linked, as the setup block: the EXIT comes from its parent
      const task = await TaskSupervisor.async(sup, waitAndSend(self(), "done"), { shutdown: "brutal_kill" });
      await exit(sup, "shutdown");
      expect(await receive(downOf(task.ref))).toMatchObject({ pid: task.pid, reason: "killed" });
    });
  });

  // supervisor_test.exs async/1 "raises when :max_children is reached".
  it("raises when maxChildren is reached", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start({ maxChildren: 1 });
      await TaskSupervisor.async(sup, () => sleep(Infinity));
      const e = await rejection(TaskSupervisor.async(sup, () => "ok"));
      expect(e).toBeInstanceOf(MaxChildrenError);
      expect(e.message).toMatch(/reached the maximum number of tasks/);
      const e2 = await rejection(TaskSupervisor.asyncNolink(sup, () => "ok"));
      expect(e2).toBeInstanceOf(MaxChildrenError);
    });
  });

  // supervisor_test.exs await/1 "demonitors and unalias on timeout": a reply after the
  // timeout never reaches the caller, nor does the old monitor's DOWN.
  it("await demonitors and unaliases on timeout", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start();
      const task = await TaskSupervisor.async(sup, async () => {
        await receive((m) => m === "go");
        return "done";
      });
      const e = await rejection(Task.await(task, 0));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBe("timeout");
      const ref = await monitor(task.pid);
      await send(task.pid, "go");
      await receive(downOf(ref));
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT); // no reply, no old DOWN
    });
  });

  // supervisor_test.exs await/1 "exits on task throw" / "exits on task error" / "exits on task exit".
  it("await exits with the task's crash or exit reason (caller trapping exits)", async () => {
    await passes(async () => {
      await trapExits(true);
      const sup = await TaskSupervisor.start();
      const err = new Error("oops");
      const t1 = await TaskSupervisor.async(sup, () => { throw err; });
      expect((await rejection(Task.await(t1))).reason).toBe(err);
      const t2 = await TaskSupervisor.async(sup, async () => { await exit(self(), "unknown"); });
      expect((await rejection(Task.await(t2))).reason).toBe("unknown");
    }, { allowCrashes: true });
  });
});

describe("asyncNolink", () => {
  // supervisor_test.exs async_nolink/1 "spawns a task under the supervisor without linking to the caller".
  it("spawns a task under the supervisor without linking to the caller", async () => {
    await passes(async () => {
      await trapExits(true);
      const sup = await TaskSupervisor.start();
      const task = await TaskSupervisor.asyncNolink(sup, waitAndSend(self(), "done"));
      expect(await TaskSupervisor.children(sup)).toEqual([task.pid]);
      await receive((m) => m === "ready");
      await send(task.pid, true);
      expect(await Task.await(task)).toBe("done");
      // No link: no EXIT from the task reaches the (trapping) caller.
      expect(await receive((m: any) => m?.type === "EXIT", { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // task/supervisor.ex async_nolink: "the caller is not linked ... a crash only shows in
  // the reply". The caller does not trap exits and survives; Task.yield sees the exit.
  it("a crashing nolink task does not take the caller down; yield answers its exit", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start();
      const err = new Error("boom");
      const task = await TaskSupervisor.asyncNolink(sup, async () => { await sleep(10); throw err; });
      expect(await Task.yield(task, 1000)).toEqual({ ok: false, exit: err });
      expect(await isAlive(sup)).toBe(true);
      expect(await TaskSupervisor.children(sup)).toEqual([]);
    });
  });

  // supervisor_test.exs async_nolink/1 "with custom shutdown".
  it("with custom shutdown", async () => {
    await passes(async () => {
      await trapExits(true);
      const sup = await TaskSupervisor.startLink(); // linked, as the setup block: the EXIT comes from its parent
      const task = await TaskSupervisor.asyncNolink(sup, waitAndSend(self(), "done"), { shutdown: "brutal_kill" });
      await exit(sup, "shutdown");
      expect(await receive(downOf(task.ref))).toMatchObject({ pid: task.pid, reason: "killed" });
    });
  });
});

describe("startChild and terminateChild", () => {
  // supervisor_test.exs "start_child/1": listed, not linked, runs.
  it("start_child/1", async () => {
    await passes(async () => {
      await trapExits(true);
      const sup = await TaskSupervisor.start();
      const r = await TaskSupervisor.startChild(sup, waitAndSend(self(), "done"));
      expect(r).toMatchObject({ ok: true });
      const pid = (r as { pid: Pid }).pid;
      expect(await TaskSupervisor.children(sup)).toEqual([pid]);
      await receive((m) => m === "ready");
      await send(pid, true);
      expect(await receive((m) => m === "done")).toBe("done");
      expect(await receive((m: any) => m?.type === "EXIT", { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // supervisor_test.exs "start_child/1 with custom shutdown".
  it("start_child/1 with custom shutdown", async () => {
    await passes(async () => {
      await trapExits(true);
      const sup = await TaskSupervisor.startLink(); // linked, as the setup block: the EXIT comes from its parent
      const r = (await TaskSupervisor.startChild(sup, waitAndSend(self(), "done"), { shutdown: "brutal_kill" })) as { pid: Pid };
      const ref = await monitor(r.pid);
      await exit(sup, "shutdown");
      expect(await receive(downOf(ref))).toMatchObject({ reason: "killed" });
    });
  });

  // supervisor_test.exs "start_child/1 with custom restart": a permanent task is run again.
  it("start_child/1 with custom restart", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start();
      const r = (await TaskSupervisor.startChild(sup, waitAndSend(self(), "done"), { restart: "permanent" })) as { pid: Pid };
      await receive((m) => m === "ready");
      const ref = await monitor(r.pid);
      await exit(r.pid, "shutdown");
      expect(await receive(downOf(ref))).toMatchObject({ reason: "shutdown" });
      expect(await receive((m) => m === "ready")).toBe("ready");
      const [again] = await TaskSupervisor.children(sup);
      expect(again).not.toBe(r.pid);
    });
  });

  // supervisor_test.exs "terminate_child/2".
  it("terminate_child/2", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start();
      const r = (await TaskSupervisor.startChild(sup, waitAndSend(self(), "done"))) as { pid: Pid };
      expect(await TaskSupervisor.children(sup)).toEqual([r.pid]);
      expect(await TaskSupervisor.terminateChild(sup, r.pid)).toEqual({ ok: true });
      expect(await TaskSupervisor.children(sup)).toEqual([]);
      expect(await TaskSupervisor.terminateChild(sup, r.pid)).toEqual({ ok: false, error: "not_found" });
    });
  });

  it("startChild at maxChildren answers max_children", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start({ maxChildren: 1 });
      expect(await TaskSupervisor.startChild(sup, () => sleep(Infinity))).toMatchObject({ ok: true });
      expect(await TaskSupervisor.startChild(sup, () => 1)).toEqual({ ok: false, error: "max_children" });
    });
  });
});

describe("asyncStream", () => {
  const sleepy = async (ms: number) => { await sleep(ms); return ms; };

  // supervisor_test.exs async_stream "streams an enumerable with fun" / "with slowest first"
  // / "without leaking tasks".
  it("streams an enumerable with fun, in item order, without leaking messages", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start();
      expect(await toList(TaskSupervisor.asyncStream(sup, [1, 2, 3, 4], sleepy))).toEqual([ok(1), ok(2), ok(3), ok(4)]);
      expect(await toList(TaskSupervisor.asyncStream(sup, [4, 3, 2, 1], sleepy))).toEqual([ok(4), ok(3), ok(2), ok(1)]);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // supervisor_test.exs async_stream "streams an enumerable with exits" (trapping exits).
  it("streams an enumerable with exits", async () => {
    await passes(async () => {
      await trapExits(true);
      const sup = await TaskSupervisor.start();
      const out = await toList(TaskSupervisor.asyncStream(sup, [1, 2, 3, 4], async (i) => { await exit(self(), String(i)); }));
      expect(out).toEqual([1, 2, 3, 4].map((i) => ({ ok: false, exit: String(i) })));
    });
  });

  // supervisor_test.exs async_stream "shuts down unused tasks": taking one item stops the rest.
  it("shuts down unused tasks", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start();
      const seen: Pid[] = [];
      const out: unknown[] = [];
      for await (const r of TaskSupervisor.asyncStream(sup, [0, Infinity, Infinity, Infinity], async (ms) => { seen.push(self()); return sleepy(ms); })) {
        out.push(r);
        break;
      }
      expect(out).toEqual([ok(0)]);
      for (const p of seen) expect(await isAlive(p)).toBe(false);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  // supervisor_test.exs async_stream "raises an error if :max_children is reached with clean stream shutdown".
  it("raises if maxChildren is reached, with a clean stream shutdown", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start({ maxChildren: 1 });
      const e = await rejection(toList(TaskSupervisor.asyncStream(sup, [Infinity, Infinity, Infinity], sleepy, { maxConcurrency: 2 })));
      expect(e).toBeInstanceOf(MaxChildrenError);
      expect(await TaskSupervisor.children(sup)).toEqual([]);
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  it("asyncStreamNolink: a crashing item is an exit result, the consumer lives on", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start();
      const out = await toList(TaskSupervisor.asyncStreamNolink(sup, [1, 2, 3], async (i) => {
        if (i === 2) throw "bad";
        return i;
      }));
      expect(out).toEqual([ok(1), { ok: false, exit: "bad" }, ok(3)]);
    });
  });
});

describe("adversarial schedules", () => {
  // Elixir has this race too: Task.await returns once the reply is in, but the task is
  // still linked to its owner until it has exited. A supervisor shutdown that lands in
  // between sends it "shutdown", and the link carries that to a non-trapping owner.
  // lockstep finds the schedule; asyncNolink (or trapping exits) is the fix.
  it("finds the owner killed by a linked task shut down after it replied", async () => {
    const body = (nolink: boolean) => async () => {
      const top = await Supervisor.start([{ id: "tasks", type: "supervisor", start: () => TaskSupervisor.startLink({ name: "tasks" }) }], { strategy: "one_for_one" });
      const t = nolink ? await TaskSupervisor.asyncNolink("tasks", () => 42) : await TaskSupervisor.async("tasks", () => 42);
      expect(await Task.await(t)).toBe(42);
      await Supervisor.stop(top);
    };
    const r = await explore(body(false), { iterations: 200, seed: 5, traceDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.bug.kind).toBe("crash");
      expect(r.bug.error).toBe("shutdown"); // the body died of the exit signal carried by the link
    }
    await passes(body(true), { iterations: 200 });
  });

  // The supervisor shuts down while a nolink task is finishing: the owner gets the value
  // (it replied first) or the exit "shutdown" — never a hang, never a crash of the owner.
  it("supervisor shutdown racing a task's reply: value or shutdown, never stuck", async () => {
    const outcomes = new Set<string>();
    await passes(async () => {
      const sup = await TaskSupervisor.start();
      const task = await TaskSupervisor.asyncNolink(sup, async () => "value");
      await spawn(() => DynamicSupervisor.stop(sup, "shutdown"));
      const r = await Task.yield(task, Infinity);
      expect([JSON.stringify(ok("value")), JSON.stringify({ ok: false, exit: "shutdown" })]).toContain(JSON.stringify(r));
      outcomes.add(JSON.stringify(r));
    }, { iterations: 100 });
    expect(outcomes.size).toBe(2);
  });

  // Task.shutdown on a supervised task racing its completion: the reply wins when it was
  // first, otherwise undefined; the supervisor forgets the task either way.
  it("Task.shutdown of a supervised task racing its reply", async () => {
    await passes(async () => {
      const sup = await TaskSupervisor.start();
      const task = await TaskSupervisor.async(sup, async () => "value");
      const r = await Task.shutdown(task, "brutal_kill");
      expect(r === undefined || (r as any).value === "value").toBe(true);
      expect(await isAlive(task.pid)).toBe(false);
      expect(await TaskSupervisor.children(sup)).toEqual([]);
    });
  });
});
