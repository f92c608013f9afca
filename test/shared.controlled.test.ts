// controlled(): plain async code against stubs, explored. Each call is a task the
// strategy schedules; the caller waits for results in one step.
import { describe, it, expect } from "vitest";
import { setIdleDetection } from "../src/shared/controlled.js";
import { explore, replay, spawn, send, receive, self, sleep, yieldNow, controlled, settle, Mutex, SharedCell, UsageError, type ExploreOptions } from "lockstep";

const opts = (o: ExploreOptions = {}): ExploreOptions => ({ iterations: 300, seed: 3, strategy: "random", traceDir: false, ...o });

/** A stub database with one row, its functions controlled, as test code would write it. */
function makeDb() {
  const db = { stock: 0 };
  const read = controlled(async () => db.stock, { name: "read" });
  const write = controlled(async (v: number) => { db.stock = v; }, { name: "write" });
  return { db, read, write };
}

describe("controlled", () => {
  it("finds the read-await-write race in plain async code (Promise.all, no spawn), and replays it", async () => {
    const body = async () => {
      const { db, read, write } = makeDb();
      const inc = async () => { const v = await read(); await write(v + 1); };
      await Promise.all([inc(), inc(), inc()]);
      expect(db.stock).toBe(3);
    };
    const r = await explore(body, opts());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    const report = r.bug.format();
    expect(report).toMatch(/<0\.\d\.0>\s+call-controlled read\(\) resolves\s+0/);
    expect(report).toMatch(/<0\.1\.0>\s+call-controlled awaits read\(\) <0\.2\.0>, read\(\) <0\.3\.0>/);
    expect((await replay(body, r.bug)).ok).toBe(false);
  });

  it("explores interleavings: some schedules keep every update", async () => {
    const finals = new Set<number>();
    const r = await explore(async () => {
      const { db, read, write } = makeDb();
      const inc = async () => { const v = await read(); await write(v + 1); };
      await Promise.all([inc(), inc()]);
      finals.add(db.stock);
    }, opts({ iterations: 200 }));
    expect(r.ok).toBe(true);
    expect([...finals].sort()).toEqual([1, 2]);
  });

  it("an atomic stub never loses an update", async () => {
    const r = await explore(async () => {
      let n = 0;
      const increment = controlled(async () => ++n);
      await Promise.all([increment(), increment(), increment()]);
      expect(n).toBe(3);
    }, opts());
    expect(r.ok).toBe(true);
  });

  it("works from spawned processes awaiting each call", async () => {
    const r = await explore(async () => {
      const { db, read, write } = makeDb();
      const me = self();
      for (let i = 0; i < 2; i++) {
        await spawn(async () => {
          const v = await read();
          await write(v + 1);
          await send(me, "done");
        });
      }
      await receive();
      await receive();
      expect(db.stock).toBe(2);
    }, opts());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.kind).toBe("exception");
  });

  it("passes results, arguments, `this` and rejections through", async () => {
    const r = await explore(async () => {
      const add = controlled(async (a: number, b: number) => a + b);
      const fail = controlled(async () => { throw new Error("db down"); });
      const sync = controlled((x: string) => x.toUpperCase());
      const obj = { k: 5, get: controlled(async function (this: { k: number }) { return this.k; }) };
      expect(await add(2, 3)).toBe(5);
      await expect(fail()).rejects.toThrow("db down");
      expect(await sync("a")).toBe("A");
      expect(await obj.get()).toBe(5);
      const [x, y] = await Promise.allSettled([add(1, 1), fail()]);
      expect(x).toEqual({ status: "fulfilled", value: 2 });
      expect(y.status).toBe("rejected");
    }, opts({ iterations: 20 }));
    expect(r.ok).toBe(true);
  });

  it("supports nested stubs, stubs using lockstep calls, async helpers, and lockstep calls while calls are in flight", async () => {
    const r = await explore(async () => {
      const cell = new SharedCell(1);
      const inner = controlled(async (x: number) => x * 2, { name: "inner" });
      const outer = controlled(async (x: number) => (await inner(x)) + 1, { name: "outer" });
      const slow = controlled(async () => { await sleep(10); return cell.get(); }, { name: "slow" });
      const helper = async (x: number) => { const a = await outer(x); const b = await helper2(a); return b; };
      const helper2 = async (x: number) => outer(x);
      expect(await outer(1)).toBe(3);
      expect(await slow()).toBe(1);
      const [h, s] = await Promise.all([helper(1), slow()]);
      expect([h, s]).toEqual([7, 1]);
      const pending = outer(5);
      await yieldNow();
      await cell.set(2);
      expect(await pending).toBe(11);
    }, opts({ iterations: 200 }));
    expect(r.ok).toBe(true);
  });

  it("in Node, a caller may run long chains of plain awaits between a result and its next call", async () => {
    const r = await explore(async () => {
      const a = controlled(async () => 1, { name: "a" });
      const b = controlled(async () => 2, { name: "b" });
      const c = controlled(async () => 3, { name: "c" });
      let sum = 0;
      const slowFlow = async () => {
        const x = await a();
        for (let i = 0; i < 200; i++) await null; // plain work spanning many microtask ticks
        const y = await c();
        sum += x + y; // (not `sum += await ...`: that reads sum before the await)
      };
      const me = self();
      await spawn(async () => { for (let i = 0; i < 20; i++) await yieldNow(); await send(me, "busy done"); });
      await Promise.all([slowFlow(), b().then((v) => (sum += v))]);
      await receive();
      expect(sum).toBe(6);
    }, opts({ iterations: 100 }));
    expect(r.ok).toBe(true);
  });

  it("the browsers' tick-counting idle detection finds the same race", async () => {
    setIdleDetection("ticks");
    try {
      const body = async () => {
        const { db, read, write } = makeDb();
        const inc = async () => { const v = await read(); await write(v + 1); };
        await Promise.all([inc(), inc(), inc()]);
        expect(db.stock).toBe(3);
      };
      const r = await explore(body, opts());
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.bug.kind).toBe("exception");
      if (!r.ok) expect((await replay(body, r.bug)).ok).toBe(false);
      const ok = await explore(async () => {
        const add = controlled(async (x: number) => x + 1);
        const helper = async (x: number) => add(await add(x));
        expect(await Promise.all([helper(1), helper(10)])).toEqual([3, 12]);
      }, opts({ iterations: 100 }));
      expect(ok.ok).toBe(true);
    } finally {
      setIdleDetection("drain");
    }
  });

  it("a deadlock report names the waiting caller and the blocked call", async () => {
    const r = await explore(async () => {
      const m = new Mutex();
      const locked = controlled(async () => { await m.lock(); await m.unlock(); }, { name: "locked" });
      await m.lock();
      await locked();
    }, opts({ iterations: 1 }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("deadlock");
    expect(r.bug.format()).toContain("<0.1.0> (body) waits for the results of its controlled calls");
    expect(r.bug.format()).toContain("<0.2.0> (locked()) waits for Mutex#1.lock held by <0.1.0>");
  });

  it("calls outside an exploration and stubs awaiting real timers are clear failures", async () => {
    const f = controlled(async () => 1);
    await expect(f()).rejects.toThrow(UsageError);
    const r = await explore(async () => {
      const real = controlled(() => new Promise((resolve) => setTimeout(resolve, 1)), { name: "real" });
      await real();
    }, opts({ iterations: 1 }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.kind).toBe("uncontrolled-await");
    expect(() => controlled(42 as unknown as () => void)).toThrow(TypeError);
  });
});

describe("library code scheduling its own work", () => {
  it("a library that batches on process.nextTick from a promise job (dataloader) works beside controlled calls (0.1.0: a spurious missing-await)", async () => {
    const batches: number[][] = [];
    const r = await explore(async () => {
      batches.length = 0;
      const fetchMany = controlled(async (keys: number[]) => { batches.push(keys); return keys.map((k) => k * 2); }, { name: "fetchMany" });
      const ping = controlled(async () => "pong", { name: "ping" });
      class Loader {
        queue: [number, (v: number) => void][] = [];
        load(k: number) {
          return new Promise<number>((res) => {
            this.queue.push([k, res]);
            // dataloader's enqueuePostPromiseJob: a nextTick queued from a promise job
            if (this.queue.length === 1) Promise.resolve().then(() => process.nextTick(() => this.dispatch()));
          });
        }
        async dispatch() {
          const q = this.queue;
          this.queue = [];
          const vals = await fetchMany(q.map((x) => x[0]));
          q.forEach(([, res], i) => res(vals[i]));
        }
      }
      const l = new Loader();
      expect(await ping()).toBe("pong");
      const [a, b] = await Promise.all([l.load(1), l.load(2)]);
      expect([a, b]).toEqual([2, 4]);
      const [p, c] = await Promise.all([ping(), l.load(3)]);
      expect([p, c]).toEqual(["pong", 6]);
    }, { iterations: 200, seed: 4, traceDir: false });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it("a controlled call made from a library's nextTick (queued from a promise job) starts in its caller's turn, so it races the caller's other calls", async () => {
    // dataloader's shape: the batch query starts from a nextTick queued after the caller's
    // first call. Idle detection waits for it, so both calls are in flight together and
    // both orders are explored (before: the caller blocked first and `a` always ran first).
    const orders = new Set<string>();
    const r = await explore(async () => {
      const log: string[] = [];
      const a = controlled(async () => void log.push("a"), { name: "a" });
      const b = controlled(async () => void log.push("b"), { name: "b" });
      const fromTick = new Promise((res) => Promise.resolve().then(() => process.nextTick(() => res(b()))));
      await Promise.all([a(), fromTick]);
      orders.add(log.join(""));
    }, { iterations: 100, seed: 4, traceDir: false });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    expect([...orders].sort()).toEqual(["ab", "ba"]);
  });

  it("a stub's code that runs after it was handed a result (a .then starting the next call) runs before its task ends, so that call is not lost", async () => {
    const r = await explore(async () => {
      const got: number[] = [];
      const inner = controlled(async (x: number) => x, { name: "inner" });
      const outer = controlled(async () => {
        // A chain on inner(1)'s result, handed over when the stub resumes from yieldNow:
        // its later links run after the stub's own promise settled.
        void inner(1).then(() => 0).then(() => 0).then(() => inner(2)).then((v) => got.push(v));
        await yieldNow();
      }, { name: "outer" });
      await outer();
      await settle();
      expect(got).toEqual([2]);
    }, { iterations: 100, seed: 3, traceDir: false });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });
});
