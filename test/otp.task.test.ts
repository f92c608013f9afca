// Task.yieldMany, Task.shutdown, Task.ignore, Task.completed and Task.asyncStream,
// against Elixir's lib/elixir/lib/task.ex and lib/elixir/lib/task/supervised.ex; the
// cited cases are ported from lib/elixir/test/elixir/task_test.exs. Every test runs
// many seeded interleavings and asserts the outcome in each of them.
import { describe, it, expect } from "vitest";
import {
  explore, spawn, spawnMonitor, send, receive, self, monitor, trapExits, isAlive, sleep, now, exit, yieldNow,
  Task, CallExit, ArgumentError, TIMEOUT, type Pid, type TaskResult,
} from "lockstep";
import { passer, rejection, downOf } from "./helpers/explore";

const passes = passer({ iterations: 100, seed: 11, traceDir: false });

/** Waits until `pid` is dead (task_test.exs wait_until_down/1). */
async function waitUntilDown(pid: Pid | undefined): Promise<void> {
  const ref = await monitor(pid!);
  await receive(downOf(ref));
}

/** Nothing left in the caller's mailbox (ExUnit's refute_received _). */
async function mailboxEmpty(): Promise<void> {
  expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
}

/** Collects an async iterable. */
async function toList<T>(s: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of s) out.push(x);
  return out;
}

const ok = <T>(value: T) => ({ ok: true, value });
const exited = (exit: unknown) => ({ ok: false, exit });

describe("Task.yieldMany", () => {
  // task_test.exs yield_many/2 "returns results from multiple tasks": replies, exits
  // and running tasks, answered in the order of the tasks.
  it("answers { ok, value }, { ok: false, exit } or TIMEOUT per task, in task order, within the total timeout", async () => {
    await passes(async () => {
      const slow = await Task.async(async () => { await sleep(1000); return "slow"; });
      const fast = await Task.async(async () => { await sleep(10); return "fast"; });
      const bad = await Task.asyncNolink(async () => { await sleep(20); throw "broken"; });
      const start = now();
      expect(await Task.yieldMany([slow, fast, bad], 100)).toEqual([TIMEOUT, ok("fast"), exited("broken")]);
      expect(now() - start).toBe(100);
      await mailboxEmpty(); // replied and exited tasks leave nothing behind
      // "nil if the task keeps running": still monitored, so it can be awaited later.
      expect(await Task.await(slow)).toBe("slow");
    });
  });

  // yield_many/2 waits `timeout` in total, not per task.
  it("waits at most the timeout in total; returns as soon as every task answered", async () => {
    await passes(async () => {
      const ts = [];
      for (const ms of [30, 60, 90]) ts.push(await Task.async(async () => { await sleep(ms); return ms; }));
      expect(await Task.yieldMany(ts, 70)).toEqual([ok(30), ok(60), TIMEOUT]);
      expect(now()).toBe(70);
      expect(await Task.yieldMany([ts[2]])).toEqual([ok(90)]);
      expect(now()).toBe(90); // returned when the last task replied, not after 5000
    });
  });

  // task_test.exs "returns {:ok, result} when reply and :DOWN in message queue" (and refute_received DOWN).
  it("a reply and DOWN already in the mailbox give { ok, value } and leave no DOWN behind", async () => {
    await passes(async () => {
      const t = await Task.async(async () => "result");
      await waitUntilDown(t.pid);
      expect(await Task.yieldMany([t], 0)).toEqual([ok("result")]);
      await mailboxEmpty();
    });
  });

  // task_test.exs "return exit on normal exit".
  it("a task that exits normally without replying gives { ok: false, exit: 'normal' }", async () => {
    await passes(async () => {
      const t = await Task.async(async () => { await exit(self(), "normal"); });
      expect(await Task.yieldMany([t])).toEqual([exited("normal")]);
    });
  });

  // task_test.exs "shuts down on timeout when configured" / "ignores on timeout when configured".
  it("onTimeout 'killTask' kills the tasks still running; 'ignore' leaves them running, unwatched", async () => {
    await passes(async () => {
      await trapExits(true);
      const t = await Task.async(() => receive());
      expect(await Task.yieldMany([t], { timeout: 0, onTimeout: "killTask" })).toEqual([TIMEOUT]);
      expect(await isAlive(t.pid)).toBe(false);
      await mailboxEmpty(); // unlinked before the kill: no EXIT

      const u = await Task.async(() => receive((m) => m === "done"));
      expect(await Task.yieldMany([u], { timeout: 0, onTimeout: "ignore" })).toEqual([TIMEOUT]);
      expect(await isAlive(u.pid)).toBe(true);
      await send(u.pid, "done");
      await waitUntilDown(u.pid);
      expect(await Task.yield(u, 0)).toBe(TIMEOUT); // its reply was dropped
      await mailboxEmpty();
    });
  });

  // task_test.exs "returns results from multiple tasks with limit" and "... with limit and on timeout".
  it("limit: returns once that many tasks answered, without applying onTimeout", async () => {
    await passes(async () => {
      await trapExits(true);
      const forever = await Task.async(() => receive((m) => m === "never"));
      const done = await Task.async(async () => "done");
      expect(await Task.yieldMany([forever, done], { timeout: Infinity, onTimeout: "killTask", limit: 1 })).toEqual([TIMEOUT, ok("done")]);
      expect(await isAlive(forever.pid)).toBe(true);
      expect(await Task.yieldMany([forever], { timeout: 0, onTimeout: "killTask", limit: 1 })).toEqual([TIMEOUT]);
      expect(await isAlive(forever.pid)).toBe(false);
    });
  });

  it("counts Task.completed tasks as answered; an empty list answers at once", async () => {
    await passes(async () => {
      const c = Task.completed("now");
      const t = await Task.async(async () => { await sleep(5); return "later"; });
      expect(await Task.yieldMany([t, c])).toEqual([ok("later"), ok("now")]);
      expect(await Task.yieldMany([])).toEqual([]);
      expect(now()).toBe(5);
    });
  });

  // task_test.exs "raises when invoked from a non-owner process".
  it("rejects a task of another owner and bad options", async () => {
    await passes(async () => {
      const me = self();
      await spawn(async () => { await send(me, await Task.async(async () => 1)); });
      const foreign = await receive();
      const e = await rejection(Task.yieldMany([foreign], 1));
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toMatch(/belongs to <0\.\d+\.0>, not to <0\.1\.0>/);
      await expect(Task.yieldMany("x" as any)).rejects.toThrow(/expects an array of tasks/);
      await expect(Task.yieldMany([], -1)).rejects.toThrow(/timeout must be/);
      await expect(Task.yieldMany([], { limit: 0 })).rejects.toThrow(/limit must be a positive integer/);
      await expect(Task.yieldMany([], { onTimeout: "kill" as any })).rejects.toThrow(/onTimeout must be/);
      await expect(Task.yieldMany([], { wait: 1 } as any)).rejects.toThrow(/unknown option "wait"/);
    }, { iterations: 5 });
  });
});

describe("Task.shutdown", () => {
  // task_test.exs shutdown/2 "returns nil on shutting down task".
  it("shuts a running task down: undefined; the task is dead and the owner, unlinked first, survives", async () => {
    await passes(async () => {
      const t = await Task.async(() => receive());
      expect(await Task.shutdown(t)).toBeUndefined();
      expect(await isAlive(t.pid)).toBe(false);
      await mailboxEmpty();
      const b = await Task.async(() => receive());
      expect(await Task.shutdown(b, "brutal_kill")).toBeUndefined(); // "kill" would take a linked owner down
      expect(await isAlive(b.pid)).toBe(false);
      await mailboxEmpty();
    });
  });

  // task_test.exs "returns {:ok, result} when reply and ... :DOWN in message queue" (both modes).
  it("a reply already in the mailbox wins, and no DOWN is left behind", async () => {
    await passes(async () => {
      for (const how of [5000, "brutal_kill"] as const) {
        const t = await Task.async(async () => "result");
        await waitUntilDown(t.pid);
        expect(await Task.shutdown(t, how)).toEqual(ok("result"));
        await mailboxEmpty();
      }
    });
  });

  // task_test.exs "returns exit on abnormal :DOWN in message queue" / "... on normal :DOWN".
  it("a task that already died with another reason gives { ok: false, exit }", async () => {
    await passes(async () => {
      const bad = await Task.asyncNolink(async () => { throw "abnormal"; });
      await waitUntilDown(bad.pid);
      expect(await Task.shutdown(bad)).toEqual(exited("abnormal"));
      const normal = await Task.async(async () => { await exit(self(), "normal"); });
      await waitUntilDown(normal.pid);
      expect(await Task.shutdown(normal, "brutal_kill")).toEqual(exited("normal"));
      await mailboxEmpty();
    });
  });

  // task_test.exs "returns exit on killing task after shutdown timeout" (a trapping task
  // ignores "shutdown"; it is killed after the timeout) and "returns nil on killing task".
  it("a task that traps exits is killed after the timeout ({ exit: 'killed' }), or at once with brutal_kill (undefined)", async () => {
    await passes(async () => {
      const me = self();
      const stubborn = async () => { await trapExits(true); await send(me, "trapping"); await receive((m) => m === "never"); };
      const t = await Task.async(stubborn);
      await receive((m) => m === "trapping");
      const start = now();
      expect(await Task.shutdown(t, 10)).toEqual(exited("killed"));
      expect(now() - start).toBe(10);
      const b = await Task.async(stubborn);
      await receive((m) => m === "trapping");
      expect(await Task.shutdown(b, "brutal_kill")).toBeUndefined();
      await mailboxEmpty();
    });
  });

  it("a trapping task that answers the shutdown with a reply gives { ok, value }", async () => {
    await passes(async () => {
      const me = self();
      const t = await Task.async(async () => {
        await trapExits(true);
        await send(me, "trapping");
        const m = await receive((x) => x?.type === "EXIT");
        return `cleaned up after ${m.reason}`;
      });
      await receive((m) => m === "trapping");
      expect(await Task.shutdown(t)).toEqual(ok("cleaned up after shutdown"));
      await mailboxEmpty();
    });
  });

  // task_test.exs "returns {:exit, :noproc} if task handled": its DOWN was already taken.
  it("a task whose DOWN the owner already received gives { ok: false, exit: 'noproc' }", async () => {
    await passes(async () => {
      const t = await Task.asyncNolink(async () => { throw "gone"; });
      expect(await Task.yield(t)).toEqual(exited("gone"));
      expect(await Task.shutdown(t)).toEqual(exited("noproc"));
    });
  });

  // task_test.exs "ignores if task PID is nil".
  it("a Task.completed task is ignored: its value once, then undefined", async () => {
    await passes(async () => {
      const c = Task.completed("done");
      expect(await Task.shutdown(c)).toEqual(ok("done"));
      expect(await Task.shutdown(c, "brutal_kill")).toBeUndefined();
    }, { iterations: 2 });
  });

  // Adversarial: the task's reply races shutdown's timeout. Under timers "race" either
  // timer may fire first; both outcomes must show up, and nothing else.
  it("a reply racing the shutdown timeout: { ok, value } or { exit: 'killed' }, never anything else", async () => {
    const seen = new Set<string>();
    await passes(async () => {
      const me = self();
      const t = await Task.async(async () => {
        await trapExits(true);
        await send(me, "trapping");
        await sleep(10);
        return "just in time";
      });
      await receive((m) => m === "trapping");
      const r = await Task.shutdown(t, 10);
      seen.add(JSON.stringify(r));
      expect([ok("just in time"), exited("killed")]).toContainEqual(r);
      expect(await isAlive(t.pid)).toBe(false);
      await mailboxEmpty();
    }, { iterations: 200, timers: "race" });
    expect(seen).toEqual(new Set([JSON.stringify(ok("just in time")), JSON.stringify(exited("killed"))]));
  });

  // Adversarial: the task finishes while being shut down.
  it("a task finishing while it is shut down: its reply or undefined, both explored", async () => {
    const seen = new Set<string>();
    await passes(async () => {
      const t = await Task.async(async () => { await yieldNow(); return 1; });
      const r = await Task.shutdown(t, "brutal_kill");
      seen.add(JSON.stringify(r ?? null));
      expect([ok(1), undefined]).toContainEqual(r);
      await mailboxEmpty();
    }, { iterations: 200 });
    expect(seen).toEqual(new Set([JSON.stringify(ok(1)), "null"]));
  });

  it("rejects a task of another owner and a bad timeout", async () => {
    await passes(async () => {
      const me = self();
      await spawn(async () => { await send(me, await Task.async(() => receive())); });
      const foreign = await receive();
      await expect(Task.shutdown(foreign)).rejects.toBeInstanceOf(ArgumentError);
      const t = await Task.async(async () => 1);
      await expect(Task.shutdown(t, "kill" as any)).rejects.toThrow(/timeout must be/);
      await expect(Task.shutdown({} as any)).rejects.toThrow(/expects a task/);
      expect(await Task.await(t)).toBe(1);
    }, { iterations: 5 });
  });
});

describe("Task.ignore", () => {
  // task_test.exs ignore/1 "discards on time replies".
  it("a reply that already came is returned; the task can no longer be awaited", async () => {
    await passes(async () => {
      const t = await Task.async(async () => "ok");
      await waitUntilDown(t.pid);
      expect(await Task.ignore(t)).toEqual(ok("ok"));
      expect((await rejection(Task.await(t, 0))).reason).toBe("timeout");
      await mailboxEmpty();
    });
  });

  // task_test.exs "discards late replies".
  it("a running task keeps running; its later reply is dropped", async () => {
    await passes(async () => {
      const t = await Task.async(async () => { await receive((m) => m === "go"); return "ok"; });
      expect(await Task.ignore(t)).toBeUndefined();
      expect(await isAlive(t.pid)).toBe(true);
      await send(t.pid, "go");
      await waitUntilDown(t.pid);
      expect((await rejection(Task.await(t, 0))).reason).toBe("timeout");
      await mailboxEmpty();
    });
  });

  // task_test.exs "discards on-time failures".
  it("a task that already died gives { ok: false, exit }", async () => {
    await passes(async () => {
      await trapExits(true);
      const t = await Task.async(async () => { await exit(self(), "oops"); });
      await waitUntilDown(t.pid);
      expect(await Task.ignore(t)).toEqual(exited("oops"));
      expect((await rejection(Task.await(t, 0))).reason).toBe("timeout");
    });
  });

  // task_test.exs "discards late failures". Adversarial: after ignore the task is
  // unlinked, so its crash does not take the owner down; nobody handles it any more,
  // so lockstep still reports the crash unless crashes are allowed.
  it("a task crashing after ignore does not take the owner down", async () => {
    const body = async () => {
      const t = await Task.async(async () => { await receive((m) => m === "go"); throw new Error("late failure"); });
      expect(await Task.ignore(t)).toBeUndefined();
      await send(t.pid, "go");
      await waitUntilDown(t.pid);
      expect(await isAlive(self())).toBe(true);
      await mailboxEmpty(); // no DOWN, no reply
    };
    await passes(body, { allowCrashes: true });
    const r = await explore(body, { iterations: 20, seed: 11, traceDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.bug.kind).toBe("crash");
      expect(String(r.bug.error)).toMatch(/late failure/);
      expect(r.bug.format()).toMatch(/<0\.2\.0>/); // the task crashed, not the owner
    }
  });

  // Adversarial: the reply races ignore.
  it("ignore racing the reply: { ok, value } or undefined, and nothing reaches the mailbox afterwards", async () => {
    const seen = new Set<string>();
    await passes(async () => {
      const t = await Task.async(async () => { await yieldNow(); return 7; });
      const r = await Task.ignore(t);
      seen.add(JSON.stringify(r ?? null));
      expect([ok(7), undefined]).toContainEqual(r);
      await waitUntilDown(t.pid);
      await mailboxEmpty();
    }, { iterations: 200 });
    expect(seen).toEqual(new Set([JSON.stringify(ok(7)), "null"]));
  });

  // task_test.exs "can ignore completed tasks".
  it("a Task.completed task gives its value", async () => {
    await passes(async () => {
      expect(await Task.ignore(Task.completed("done"))).toEqual(ok("done"));
    }, { iterations: 2 });
  });
});

describe("Task.completed", () => {
  // task_test.exs "completed/1": no pid, awaitable.
  it("is a task without a process, awaited like any other (once)", async () => {
    await passes(async () => {
      const c = Task.completed("done");
      expect(c.pid).toBeUndefined();
      expect(c.owner).toBe(self());
      expect(String(c)).toBe("Task(completed)");
      expect(await Task.await(c)).toBe("done");
      expect((await rejection(Task.await(c, 0))).reason).toBe("timeout");
      // task.ex completed/1 usage: mixed with async tasks in await_many.
      const t = await Task.async(async () => "async");
      expect(await Task.awaitMany([Task.completed("sync"), t])).toEqual(["sync", "async"]);
      expect(await Task.yield(Task.completed(0))).toEqual(ok(0));
    }, { iterations: 5 });
  });
});

describe("Task.asyncStream", () => {
  const sleepy = async (ms: number) => { await sleep(ms); return ms; };

  // task_test.exs "async_stream with max_concurrency ==/</> tasks": "streams an
  // enumerable with fun", "... without leaking tasks", "... with slowest first".
  for (const maxConcurrency of [1, 2, 4, 8]) {
    it(`maxConcurrency ${maxConcurrency}: results in item order, nothing leaked`, async () => {
      await passes(async () => {
        expect(await toList(Task.asyncStream([1, 2, 3, 4], sleepy, { maxConcurrency }))).toEqual([ok(1), ok(2), ok(3), ok(4)]);
        await mailboxEmpty();
        await trapExits(true); // no EXIT of the tasks reaches a trapping consumer either
        expect(await toList(Task.asyncStream([4, 3, 2, 1], sleepy, { maxConcurrency }))).toEqual([ok(4), ok(3), ok(2), ok(1)]);
        await mailboxEmpty();
      }, { iterations: 50 });
    });
  }

  it("never runs more than maxConcurrency tasks at once, and uses all of them", async () => {
    await passes(async () => {
      for (const maxConcurrency of [1, 2, 3]) {
        let running = 0;
        let peak = 0;
        const results = await toList(Task.asyncStream([5, 1, 4, 2, 3], async (ms) => {
          peak = Math.max(peak, ++running);
          await sleep(ms);
          running--;
          return ms * 10;
        }, { maxConcurrency }));
        expect(results).toEqual([ok(50), ok(10), ok(40), ok(20), ok(30)]);
        expect(peak).toBe(maxConcurrency);
      }
    });
  });

  // task_test.exs "streams an enumerable with ordered: false".
  it("ordered: false emits results as tasks finish", async () => {
    await passes(async () => {
      expect(await toList(Task.asyncStream([400, 300, 200, 100], sleepy, { maxConcurrency: 1, ordered: false }))).toEqual([ok(400), ok(300), ok(200), ok(100)]);
      expect(await toList(Task.asyncStream([400, 300, 200, 100], sleepy, { maxConcurrency: 4, ordered: false }))).toEqual([ok(100), ok(200), ok(300), ok(400)]);
    });
  });

  // task_test.exs "timeout": the consumer exits with :timeout, and refute_received _.
  it("a task that never replies makes the consumer exit with CallExit 'timeout' (onTimeout 'exit'); all tasks are killed", async () => {
    await passes(async () => {
      const pids: Pid[] = [];
      const stream = Task.asyncStream([1, 2, 3], async (x) => {
        pids.push(self());
        if (x === 2) await receive((m) => m === "never");
        return x;
      }, { timeout: 50, maxConcurrency: 3 });
      const got: unknown[] = [];
      const e = await rejection((async () => { for await (const r of stream) got.push(r); })());
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason).toBe("timeout");
      expect(got).toEqual([ok(1)]); // 3 finished too, but waits behind 2 in order
      expect(now()).toBe(50);
      for (const p of pids) expect(await isAlive(p)).toBe(false);
      await mailboxEmpty();
    });
  });

  // task_test.exs "with :on_timeout set to :kill_task" (ordered, and the ordered: false variant).
  it("onTimeout 'killTask' emits { ok: false, exit: 'timeout' } for the timed-out items", async () => {
    await passes(async () => {
      for (const maxConcurrency of [2, 4, 8]) {
        const opts = { maxConcurrency, onTimeout: "killTask" as const, timeout: 50 };
        expect(await toList(Task.asyncStream([100, 1, 100, 1], sleepy, opts))).toEqual([exited("timeout"), ok(1), exited("timeout"), ok(1)]);
        await mailboxEmpty();
      }
      const unordered = { maxConcurrency: 4, ordered: false, onTimeout: "killTask" as const, timeout: 50 };
      expect(await toList(Task.asyncStream([100, 1, 100, 1], sleepy, unordered))).toEqual([ok(1), ok(1), exited("timeout"), exited("timeout")]);
      // A task that never replies at all.
      expect(await toList(Task.asyncStream(["x"], () => receive(), { timeout: 10, onTimeout: "killTask" }))).toEqual([exited("timeout")]);
      await mailboxEmpty();
    });
  });

  // Adversarial: a reply lands exactly at the task's deadline; under timers "race" the
  // reply or the timeout may come first: a reply that came first always wins.
  it("a reply racing the item timeout: { ok } or { exit: 'timeout' }, both explored", async () => {
    const seen = new Set<string>();
    await passes(async () => {
      const [r] = await toList(Task.asyncStream([10], sleepy, { timeout: 10, onTimeout: "killTask" }));
      seen.add(JSON.stringify(r));
      expect([ok(10), exited("timeout")]).toContainEqual(r);
      await mailboxEmpty();
    }, { iterations: 200, timers: "race" });
    expect(seen).toEqual(new Set([JSON.stringify(ok(10)), JSON.stringify(exited("timeout"))]));
  });

  // task_test.exs "streams an enumerable with exits" (trapping consumer, refute_received EXIT).
  it("a trapping consumer gets { ok: false, exit } for a task that died; a non-trapping one dies with it", async () => {
    await passes(async () => {
      await trapExits(true);
      const fail = async (x: number) => { if (x % 2 === 0) throw x; return x; };
      expect(await toList(Task.asyncStream([1, 2, 3, 4], fail))).toEqual([ok(1), exited(2), ok(3), exited(4)]);
      await mailboxEmpty();
      await trapExits(false);
      const boom = new Error("boom");
      const { ref } = await spawnMonitor(async () => { await toList(Task.asyncStream([1], async () => { throw boom; })); });
      expect(await receive(downOf(ref))).toMatchObject({ reason: boom });
    }, { allowCrashes: true });
  });

  // task_test.exs "shuts down unused tasks" / "... without leaking messages"
  // (Enum.take(1) on a stream whose other tasks never finish).
  it("stopping early kills the tasks still running and leaks no message", async () => {
    await passes(async () => {
      const pids: Pid[] = [];
      const stream = Task.asyncStream([0, Infinity, Infinity, Infinity], async (ms) => {
        pids.push(self());
        if (ms === Infinity) await receive((m) => m === "never");
        return ms;
      }, { maxConcurrency: 4 });
      for await (const r of stream) {
        expect(r).toEqual(ok(0));
        break;
      }
      expect(pids.length).toBeGreaterThanOrEqual(1); // the others may be killed before they ever ran
      for (const p of pids) expect(await isAlive(p)).toBe(false);
      await mailboxEmpty();
    });
  });

  // task_test.exs "terminates outer effect": the input is closed when the stream stops.
  it("closes the input iterator when stopped early; nothing runs before iteration; each iteration runs afresh", async () => {
    await passes(async () => {
      let closed = false;
      let pulled = 0;
      function* items() {
        try {
          for (let i = 1; i <= 8; i++) { pulled++; yield i; }
        } finally {
          closed = true;
        }
      }
      const stream = Task.asyncStream(items(), async (x) => x);
      expect(pulled).toBe(0);
      const got: TaskResult<number>[] = [];
      for await (const r of stream) if (got.push(r) === 2) break;
      expect(got).toEqual([ok(1), ok(2)]);
      expect(closed).toBe(true);
      const again = Task.asyncStream([1, 2], async (x: number) => -x);
      expect(await toList(again)).toEqual(await toList(again)); // "is zippable": a stream can be run twice
    });
  });

  it("takes async iterables as input, and may be consumed by another process, but only by one", async () => {
    await passes(async () => {
      async function* gen() { yield 1; await sleep(5); yield 2; }
      expect(await toList(Task.asyncStream(gen(), async (x) => x * 2))).toEqual([ok(2), ok(4)]);
      // task_test.exs "consuming from another process".
      const me = self();
      await spawn(async () => { await send(me, await toList(Task.asyncStream([1, 2, 3], async (x) => x))); });
      expect(await receive(Array.isArray)).toEqual([ok(1), ok(2), ok(3)]);
      const it = Task.asyncStream([1, 2], async (x) => x)[Symbol.asyncIterator]();
      expect(await it.next()).toEqual({ done: false, value: ok(1) });
      await spawn(async () => { await send(me, await rejection(it.next())); });
      const e: any = await receive((m) => m instanceof Error);
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toMatch(/belongs to <0\.1\.0>/);
      await it.return!();
    });
  });

  // task_test.exs "does not allow streaming with max_concurrency = 0" / invalid :on_timeout / invalid :timeout.
  it("rejects bad options when the stream is built", async () => {
    await passes(async () => {
      const f = async (x: unknown) => x;
      expect(() => Task.asyncStream([1], f, { maxConcurrency: 0 })).toThrow(/maxConcurrency must be an integer greater than zero/);
      expect(() => Task.asyncStream([1], f, { onTimeout: "unknown" as any })).toThrow(/onTimeout must be "exit" or "killTask"/);
      expect(() => Task.asyncStream([1], f, { timeout: "x" as any })).toThrow(/timeout must be/);
      expect(() => Task.asyncStream([1], f, { ordered: 1 as any })).toThrow(/ordered must be a boolean/);
      expect(() => Task.asyncStream([1], f, { max: 1 } as any)).toThrow(/unknown option "max"/);
      expect(() => Task.asyncStream(5 as any, f)).toThrow(/iterable/);
      expect(() => Task.asyncStream([1], "f" as any)).toThrow(/expects a function/);
      // "streams an enumerable with infinite timeout"
      expect(await toList(Task.asyncStream([1], async () => "ok", { timeout: Infinity }))).toEqual([ok("ok")]);
    }, { iterations: 3 });
  });
});
