// Concurrency inside one process: lockstep calls awaited together (Promise.all) are
// explored in every order, results of controlled calls are handed over on every
// resume, work a stub did not await still runs, and `undefined` is an exit reason
// like any other. Each of these was a wrong verdict in 0.1.0 (a silent single
// order, a false bug, a lost continuation, a survivor that should have died).
import { describe, it, expect } from "vitest";
import {
  explore, replay, spawn, spawnLink, spawnMonitor, send, receive, self, sleep, yieldNow, exit, trapExits, monitor,
  isAlive, controlled, SharedCell, SharedMap, Atomic, Mutex, Semaphore, GenServer, TIMEOUT, note, type ExploreOptions,
} from "lockstep";
import { passer } from "./helpers/explore.js";

const opts = (o: ExploreOptions = {}): ExploreOptions => ({ iterations: 300, seed: 11, strategy: "random", traceDir: false, ...o });
const passes = passer(opts());

describe("sync points awaited concurrently inside one process", () => {
  it("explores the orders of a Promise.all over a SharedCell (0.1.0 ran one order only)", async () => {
    // a() runs synchronously up to its first call before b() starts (plain JS), so
    // b's get comes after set(1); whether it sees set(2) is the strategy's choice.
    const seen = new Set<number>();
    const r = await explore(async () => {
      const c = new SharedCell(0);
      const a = async () => { await c.set(1); await c.set(2); };
      const b = async () => { seen.add(await c.get()); };
      await Promise.all([a(), b()]);
      expect(await c.get()).toBe(2);
    }, opts());
    expect(r.ok).toBe(true);
    expect([...seen].sort()).toEqual([1, 2]);
  });

  it("finds the lost update of two read-modify-write chains in one process, and replays it", async () => {
    const body = async () => {
      const c = new SharedCell(0);
      const inc = async () => { const v = await c.get(); await c.set(v + 1); };
      await Promise.all([inc(), inc()]);
      expect(await c.get()).toBe(2);
    };
    const r = await explore(body, opts());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    expect(r.bug.format()).toMatch(/call-controlled shared-write \(concurrent with shared-read\)/);
    const again = await replay(body, r.bug);
    expect(again.ok).toBe(false);
  });

  it("covers SharedMap, Atomic and Semaphore the same way", async () => {
    const mapSeen = new Set<string>();
    const atomSeen = new Set<number>();
    await passes(async () => {
      const m = new SharedMap<string, number>();
      const n = new Atomic(0);
      await Promise.all([
        (async () => { await n.get(); await m.set("k", 1); await n.add(5); })(),
        (async () => { mapSeen.add(String(await m.get("k"))); atomSeen.add(await n.get()); })(),
      ]);
    });
    expect([...mapSeen].sort()).toEqual(["1", "undefined"]);
    expect([...atomSeen].sort()).toEqual([0, 5]);
    const r = await explore(async () => {
      const s = new Semaphore(1);
      const inside = new Atomic(0);
      const job = async () => {
        await s.acquire();
        const k = await inside.add(1);
        expect(k).toBe(1);
        await inside.add(-1);
        await s.release();
      };
      await Promise.all([job(), job(), job()]);
    }, opts());
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });

  it("a Mutex shared by two chains of one process excludes them, and without it the race is found", async () => {
    const guarded = await explore(async () => {
      const m = new Mutex();
      const c = new SharedCell(0);
      const inc = () => m.withLock(async () => { const v = await c.get(); await c.set(v + 1); });
      await Promise.all([inc(), inc()]);
      expect(await c.get()).toBe(2);
    }, opts());
    expect(guarded.ok, guarded.ok ? "" : guarded.bug.format()).toBe(true);
    const unguarded = await explore(async () => {
      const c = new SharedCell(0);
      const inc = async () => { const v = await c.get(); await c.set(v + 1); };
      await Promise.all([inc(), inc()]);
      expect(await c.get()).toBe(2);
    }, opts());
    expect(unguarded.ok).toBe(false);
    if (!unguarded.ok) expect(unguarded.bug.kind).toBe("exception");
  });

  it("a concurrent spawnLink and send act for the process itself", async () => {
    await passes(async () => {
      const me = self();
      await trapExits(true);
      const [, child] = await Promise.all([send(me, "hello"), spawnLink(async () => { await receive((m) => m === "never"); })]);
      expect(await receive((m) => m === "hello")).toBe("hello");
      // The link is the body's, not the task's that made it: the child's death
      // reaches the body as an EXIT message.
      await exit(child, "kill");
      const m = await receive((x: any) => x?.type === "EXIT");
      expect(m).toEqual({ type: "EXIT", from: child, reason: "killed" });
    });
  });

  it("two sends started without await both arrive, in the order they were made", async () => {
    await passes(async () => {
      const me = self();
      await spawn(async () => { for (let i = 0; i < 3; i++) await yieldNow(); });
      void send(me, 1);
      await send(me, 2);
      expect(await receive()).toBe(1);
      expect(await receive()).toBe(2);
    });
  });

  it("receives awaited together each get the message they select (two GenServer.calls at once)", async () => {
    await passes(async () => {
      const server = (name: string) => GenServer.start({
        init: () => ({ state: 0 }),
        handleCall: (req: number, _from: unknown, n: number) => ({ reply: `${name}:${req + n}`, state: n + 1 }),
      });
      const [a, b] = [await server("a"), await server("b")];
      const [x, y] = await Promise.all([GenServer.call(a, 1), GenServer.call(b, 10)]);
      expect([x, y]).toEqual(["a:1", "b:10"]);
      const me = self();
      const [p, q] = await Promise.all([
        receive((m) => m === "second", { timeout: 50 }),
        receive((m) => m === "first", { timeout: 50 }),
        spawn(async () => { await send(me, "first"); await send(me, "second"); }),
      ]);
      expect([p, q]).toEqual(["second", "first"]);
      const [late] = await Promise.all([receive(undefined, { timeout: 5 }), yieldNow()]);
      expect(late).toBe(TIMEOUT);
    });
  });

  it("a process that ends with a concurrent call still floating is a missing await", async () => {
    const r = await explore(async () => {
      const c = new SharedCell(0);
      await spawn(async () => {
        void c.set(1);
        void c.set(2);
      });
      await sleep(1);
    }, opts({ iterations: 50 }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("missing-await");
    expect(r.bug.message).toMatch(/<0\.2\.0> finished while 1 of its lockstep calls had not settled/);
  });
});

describe("controlled calls", () => {
  it("hands a result over when the caller resumes from sleep (0.1.0: only on its next plain await)", async () => {
    await passes(async () => {
      let user: string | undefined;
      const getUser = controlled(async () => "ada", { name: "getUser" });
      void getUser().then((u) => { user = u; });
      await sleep(1000);
      expect(user).toBe("ada");
    });
  });

  it("hands a result over when the caller resumes from yieldNow and from a receive", async () => {
    await passes(async () => {
      const got: number[] = [];
      const f = controlled(async (x: number) => x);
      void f(1).then((v) => got.push(v));
      const me = self();
      await spawn(async () => { await send(me, "go"); });
      await receive();
      for (let i = 0; i < 3 && got.length === 0; i++) await yieldNow();
      await sleep(1);
      expect(got).toEqual([1]);
    });
  });

  it("a call a stub started without awaiting it still runs its continuation, in the caller's turn", async () => {
    await passes(async () => {
      const seen: string[] = [];
      const inner = controlled(async () => "inner", { name: "inner" });
      const outer = controlled(async () => {
        void inner().then((v) => seen.push(v));
        return "outer";
      }, { name: "outer" });
      seen.push(await outer());
      await sleep(1);
      expect(seen.sort()).toEqual(["inner", "outer"]);
    });
  });
});

describe("exit reasons", () => {
  it("a process that throws undefined kills its linked processes (undefined is a reason, not 'survives')", async () => {
    await passes(async () => {
      const { pid: a, ref } = await spawnMonitor(async () => {
        await spawnLink(async () => { throw undefined; });
        await receive();
      });
      const down = await receive((m: any) => m?.type === "DOWN" && m.ref === ref);
      expect(down.pid).toBe(a);
      expect(down.reason).toBe(undefined);
      expect(await isAlive(a)).toBe(false);
    }, { allowCrashes: true });
  });

  it("a rejection with no value kills linked processes too", async () => {
    await passes(async () => {
      const { ref } = await spawnMonitor(async () => {
        await spawnLink(() => Promise.reject());
        await receive();
      });
      const down = await receive((m: any) => m?.type === "DOWN" && m.ref === ref);
      expect(down.reason).toBe(undefined);
    }, { allowCrashes: true });
  });

  it("exit(pid, undefined) kills a process that does not trap exits, and is an EXIT message for one that does", async () => {
    await passes(async () => {
      const victim = await spawn(async () => { await receive(); });
      const ref = await monitor(victim);
      await exit(victim, undefined);
      expect(await isAlive(victim)).toBe(false);
      const down = await receive((m: any) => m?.type === "DOWN" && m.ref === ref);
      expect(down.reason).toBe(undefined);
      const me = self();
      const trapper = await spawn(async () => {
        await trapExits(true);
        await send(me, "ready");
        const m = await receive();
        await send(me, m);
      });
      await receive((m) => m === "ready");
      await exit(trapper, undefined);
      const msg = await receive((m: any) => m?.type === "EXIT");
      expect(msg).toEqual({ type: "EXIT", from: me, reason: undefined });
    });
  });
});

describe("note()", () => {
  it("puts the user's line in the report at its step, attributed to the process, and changes no schedule", async () => {
    const body = (withNotes: boolean) => async () => {
      const c = new SharedCell(0);
      const inc = async () => {
        const v = await c.get();
        if (withNotes) note(`read ${v}`);
        await c.set(v + 1);
      };
      await Promise.all([spawn(inc), spawn(inc)]);
      await sleep(1);
      expect(await c.get()).toBe(2);
    };
    const a = await explore(body(true), opts());
    const b = await explore(body(false), opts());
    expect(a.ok).toBe(false);
    expect(b.ok).toBe(false);
    if (a.ok || b.ok) return;
    expect(a.bug.schedule).toEqual(b.bug.schedule);
    expect(a.bug.format()).toMatch(/<0\.[23]\.0>\s+note\s+read 0/);
    expect(() => note(42 as unknown as string)).toThrow(TypeError);
  });
});


describe("a concurrent sync point's task in reports", () => {
  // Its label ("receive of <0.1.0>") is made only when a report asks for it.
  it("is named after the operation and the process it acts for", async () => {
    const r = await explore(async () => {
      await Promise.all([receive(), receive()]);
    }, { iterations: 5, seed: 1, strategy: "random", traceDir: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("deadlock");
    expect(r.bug.message).toContain("<0.1.0> (body) waits in receive");
    expect(r.bug.message).toContain("<0.2.0> (receive of <0.1.0>) waits in receive");
  });
});
