// Every failure kind an iteration can end in, with its message; misuse of the API
// (sync points outside an exploration, nested explorations, bad options) gets a clear
// error before anything runs, and never breaks the next exploration.
import { describe, it, expect } from "vitest";
import {
  explore, check, spawn, spawnLink, send, receive, self, monitor, trapExits, exit, yieldNow, sleep,
  now, isAlive, TIMEOUT, UsageError, OptionsError, BugFound, Pid, type ExploreOptions,
} from "lockstep";
import { passer } from "./helpers/explore";

const base: ExploreOptions = { iterations: 100, seed: 3, traceDir: false };

async function fails(body: () => Promise<void>, opts: ExploreOptions = {}) {
  const r = await explore(body, { ...base, ...opts });
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error("expected a bug");
  return r.bug;
}

const passes = passer(base);

/** A trivial exploration that must keep working after any failure. */
async function stillWorks() {
  await passes(async () => {
    const me = self();
    await spawn(async () => { await send(me, "pong"); });
    expect(await receive()).toBe("pong");
  }, { iterations: 20 });
}

describe("sync points outside an exploration", () => {
  it("reject with a UsageError naming the call", async () => {
    const pid = new Pid(1);
    const cases: [string, () => Promise<unknown>][] = [
      ["send", () => send(pid, 1)],
      ["receive", () => receive()],
      ["spawn", () => spawn(async () => {})],
      ["yield", () => yieldNow()],
      ["sleep", () => sleep(5)],
      ["is-alive", () => isAlive(pid)],
    ];
    for (const [name, call] of cases) {
      const err = (await call().catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toContain(`${name}()`);
      expect(err.message).toContain("outside an exploration");
    }
    expect(() => self()).toThrow(UsageError);
    expect(() => now()).toThrow(UsageError);
    await stillWorks();
  });
});

describe("failure kinds", () => {
  it('"exception": the body throws', async () => {
    const bug = await fails(async () => {
      await yieldNow();
      throw new RangeError("bad state");
    });
    expect(bug.kind).toBe("exception");
    expect(bug.error).toBeInstanceOf(RangeError);
    expect(bug.message).toBe("The test body threw: RangeError: bad state");
    expect(bug.iteration).toBe(1);
    expect(bug.format()).toContain("RangeError: bad state");
    await stillWorks();
  });

  it('"crash": an unwatched spawned process throws', async () => {
    const bug = await fails(async () => {
      await spawn(async () => { throw new TypeError("child broke"); });
      await receive(undefined, { timeout: 10 });
    });
    expect(bug.kind).toBe("crash");
    expect(bug.error).toBeInstanceOf(TypeError);
    expect(bug.pid).toBeInstanceOf(Pid);
    expect(String(bug.pid)).toBe("<0.2.0>");
    expect(bug.message).toMatch(/^Process <0\.2\.0> crashed: TypeError: child broke/);
    expect(bug.message).toContain("allowCrashes");
    await stillWorks();
  });

  it("a crash watched by a user monitor, a trapping linked process, or allowCrashes is not a bug", async () => {
    const crasher = async () => { await yieldNow(); throw new Error("expected"); };
    await passes(async () => {
      const p = await spawn(async () => { await receive(); throw new Error("expected"); });
      await monitor(p);
      await send(p, "go");
      expect(await receive()).toMatchObject({ type: "DOWN", reason: { message: "expected" } });
    });
    await passes(async () => {
      await trapExits(true);
      await spawnLink(crasher);
      expect(await receive()).toMatchObject({ type: "EXIT", reason: { message: "expected" } });
    });
    await passes(async () => {
      await spawn(crasher);
      await receive(undefined, { timeout: 10 });
    }, { allowCrashes: true });
    // A linked process that does not trap exits does not count: it dies too.
    const bug = await fails(async () => {
      const me = self();
      await spawn(async () => {
        await spawnLink(crasher);
        await receive();
      });
      await receive(undefined, { timeout: 10 });
      expect(me).toBeDefined();
    });
    expect(bug.kind).toBe("crash");
    expect(bug.message).toContain("<0.3.0> crashed");
  });

  it('"deadlock": processes waiting on each other; the message lists the blocked ones', async () => {
    const bug = await fails(async () => {
      const me = self();
      const a = await spawn(async () => { await receive((m) => m === "from b"); await send(me, "a done"); });
      const b = await spawn(async () => { await receive((m) => m === "from a"); await send(me, "b done"); });
      await send(a, "hello"); // not what a waits for
      await receive((m) => m === "a done");
      expect(b).toBeDefined();
    }, { iterations: 10 });
    expect(bug.kind).toBe("deadlock");
    expect(bug.message).toMatch(/^Deadlock: every live process is blocked and no timer is pending/);
    expect(bug.message).toContain("<0.1.0> (body) waits in receive (selective)");
    expect(bug.message).toContain("<0.2.0> waits in receive (selective) with 1 unmatched message(s)");
    expect(bug.message).toContain("<0.3.0> waits in receive (selective) with 0 unmatched message(s)");
    await stillWorks();
  });

  it("a deadlock is found even when a timer was pending earlier (it fires first)", async () => {
    const bug = await fails(async () => {
      await sleep(10);
      await receive();
    }, { iterations: 1 });
    expect(bug.kind).toBe("deadlock");
    expect(bug.message).toContain("<0.1.0> (body) waits in receive with 0 unmatched");
  });

  it('"step-limit": an endless yield loop with a small maxSteps', async () => {
    const bug = await fails(async () => {
      await spawn(async () => { for (;;) await yieldNow(); });
      for (;;) await yieldNow();
    }, { maxSteps: 50, iterations: 3 });
    expect(bug.kind).toBe("step-limit");
    expect(bug.message).toContain("Step limit: 50 scheduling decisions");
    expect(bug.iteration).toBe(1);
    await stillWorks();
  });

  it('"uncontrolled-await": a process awaits a real timer', async () => {
    const bug = await fails(async () => {
      const me = self();
      await spawn(async () => {
        await send(me, "about to wait");
        await new Promise((r) => setTimeout(r, 5));
        await send(me, "never counted");
      });
      await receive((m) => m === "never counted");
    }, { iterations: 5 });
    expect(bug.kind).toBe("uncontrolled-await");
    expect(bug.message).toMatch(/^<0\.2\.0> awaited something lockstep does not control/);
    expect(bug.message).toContain("after its send");
    expect(String(bug.pid)).toBe("<0.2.0>");
    await stillWorks();
    // Let the abandoned process's real timer fire; its late call must not disturb anything.
    await new Promise((r) => setTimeout(r, 20));
    await stillWorks();
  });

  it("after an abandoned iteration, calls outside an exploration still reject (never hang)", async () => {
    const bug = await fails(async () => {
      await spawn(async () => {
        await new Promise((r) => setTimeout(r, 2));
        for (let i = 0; i < 3; i++) await send(self(), "late"); // runs after the iteration was abandoned
      });
      await receive();
    }, { iterations: 1 });
    expect(bug.kind).toBe("uncontrolled-await");
    await new Promise((r) => setTimeout(r, 10)); // the abandoned process resumes and is discarded
    const err = (await send(new Pid(1), 1).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain("send() was called outside an exploration");
    await stillWorks();
  });

  it('"uncontrolled-await": the body awaits a real timer', async () => {
    const bug = await fails(async () => {
      await new Promise((r) => setTimeout(r, 1));
    }, { iterations: 1 });
    expect(bug.kind).toBe("uncontrolled-await");
    expect(bug.message).toContain("<0.1.0> (body) awaited something lockstep does not control");
  });

  it('"missing-await": a process ends while a concurrent call it started has not settled', async () => {
    // Two calls started without await are explored as concurrent work
    // (runtime.concurrency.test.ts); ending with one still floating is the bug.
    const bug = await fails(async () => {
      const me = self();
      void send(me, 1);
      void send(me, 2);
    }, { iterations: 5 });
    expect(bug.kind).toBe("missing-await");
    expect(bug.message).toBe("<0.1.0> (body) finished while 1 of its lockstep calls had not settled: a missing `await`?");
    expect(String(bug.pid)).toBe("<0.1.0>");
    await stillWorks();
  });

  it('"missing-await": a spawned process returns with a call still pending', async () => {
    const bug = await fails(async () => {
      const me = self();
      await spawn(async () => { void send(me, "unawaited"); });
      await spawn(async () => { for (let i = 0; i < 3; i++) await yieldNow(); });
      await receive();
    }, { iterations: 50 });
    expect(bug.kind).toBe("missing-await");
    expect(bug.message).toMatch(/<0\.2\.0>.*\(send\).*missing `await`/);
  });

  it('the body killed by an exit signal is a "crash"', async () => {
    const bug = await fails(async () => {
      const me = self();
      await spawn(async () => { await exit(me, "shutdown"); });
      await receive();
    }, { iterations: 5 });
    expect(bug.kind).toBe("crash");
    expect(bug.error).toBe("shutdown");
    expect(bug.message).toBe('The test body (<0.1.0>) was killed by an exit signal: "shutdown"');
    const linked = await fails(async () => {
      await spawnLink(async () => { throw new Error("takes the body down"); });
      await receive();
    }, { iterations: 5, allowCrashes: true });
    expect(linked.kind).toBe("crash");
    expect(linked.message).toContain("was killed by an exit signal: Error: takes the body down");
    await stillWorks();
  });

  it("check() throws BugFound carrying the bug", async () => {
    const err = await check(async () => { throw new Error("x"); }, { ...base, iterations: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(BugFound);
    expect(err.bug.kind).toBe("exception");
    expect(err.message).toContain("The test body threw: Error: x");
    expect(err.cause).toBeInstanceOf(Error);
    expect(err.cause.message).toBe("x");
    // A failed expect() keeps its values, so a test runner shows the user's diff.
    const diff = await check(async () => { expect({ a: 1 }).toEqual({ a: 2 }); }, { ...base, iterations: 1 }).catch((e) => e);
    expect(diff).toBeInstanceOf(BugFound);
    expect(diff.expected).toEqual({ a: 2 });
    expect(diff.actual).toEqual({ a: 1 });
    expect(diff.showDiff).toBe(true);
  });
});

describe("misuse of explore", () => {
  it("explorations started without awaiting take turns, and each completes as if run alone", async () => {
    const order: string[] = [];
    const racy = async () => {
      const me = self();
      await spawn(async () => send(me, "a"));
      await spawn(async () => send(me, "b"));
      if ((await receive()) === "b") throw new Error("b first");
    };
    const calm = async () => { order.push("calm"); await yieldNow(); };
    const opts = { ...base, strategy: "random" as const, seed: 9, iterations: 200 };
    const [a, b, c] = await Promise.all([explore(racy, opts), explore(calm, { ...opts, iterations: 50 }), explore(racy, opts)]);
    expect(b.ok).toBe(true);
    expect(order.length).toBe(50);
    const alone = await explore(racy, opts);
    for (const r of [a, c]) {
      expect(r.ok).toBe(false);
      if (!r.ok && !alone.ok) {
        expect(r.bug.iteration).toBe(alone.bug.iteration);
        expect(r.bug.schedule).toEqual(alone.bug.schedule);
      }
    }
    await stillWorks();
  });

  it("an explore started from inside a body fails that iteration, not the process", async () => {
    const bug = await fails(async () => {
      await explore(async () => {}, base);
    }, { iterations: 1 });
    expect(bug.kind).toBe("exception");
    expect(bug.message).toContain("explore was called inside a running exploration (from a test body?); explorations cannot nest");
    await stillWorks();
  });

  const bad: [string, ExploreOptions | unknown, RegExp][] = [
    ["iterations: 0", { iterations: 0 }, /iterations must be an integer >= 1, got 0/],
    ["iterations: 1.5", { iterations: 1.5 }, /iterations/],
    ["seed: -1", { seed: -1 }, /seed must be an integer >= 0/],
    ['strategy: "nope"', { strategy: "nope" }, /unknown strategy "nope"/],
    ['timers: "x"', { timers: "x" }, /timers must be "quiescent" or "race", got "x"/],
    ["an unknown option", { iteratoins: 5 }, /unknown option "iteratoins"/],
    ["maxSteps: 0", { maxSteps: 0 }, /maxSteps/],
    ['allowCrashes: "yes"', { allowCrashes: "yes" }, /allowCrashes must be a boolean/],
    ["options that are not an object", 42, /options must be an object/],
  ];
  for (const [what, opts, msg] of bad) {
    it(`rejects ${what} with an OptionsError before running the body`, async () => {
      let ran = false;
      const err = await explore(async () => { ran = true; }, opts as ExploreOptions).catch((e) => e);
      expect(err).toBeInstanceOf(OptionsError);
      expect(err.message).toMatch(msg);
      expect(ran).toBe(false);
      await stillWorks();
    });
  }

  it("rejects a body that is not a function", async () => {
    await expect(explore(42 as any, base)).rejects.toThrow(OptionsError);
    await stillWorks();
  });

  it("after a failed iteration the next exploration starts from a clean state", async () => {
    await fails(async () => {
      await spawn(async () => { await receive(); });
      await sleep(5);
      throw new Error("mid-way");
    }, { iterations: 1 });
    await passes(async () => {
      expect(now()).toBe(0);
      expect(String(self())).toBe("<0.1.0>");
      const p = await spawn(async () => {});
      expect(String(p)).toBe("<0.2.0>");
      expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    }, { iterations: 10 });
  });
});
