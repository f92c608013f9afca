// Generator and workload (src/check): the model-based template's pieces, and the two
// bundled examples that use it (examples/cache-put-if-absent.mjs,
// examples/leader-lease.mjs): each bug found by the default strategy, shrunk and
// replayed, and each fixed twin clean.
import { describe, it, expect } from "vitest";
import { explore, replay, shrink, Generator, Rand, workload, History, Outcome, exit, self, sleep, linearizable, type Pid } from "lockstep";
import * as cache from "../examples/cache-put-if-absent.mjs";
import * as lease from "../examples/leader-lease.mjs";

describe("Generator", () => {
  const mixOf = (seed?: number) =>
    new Generator(
      {
        get: (r) => ({ key: r.pick(["a", "b"]) }),
        put: { weight: 3, args: (r) => ({ key: r.pick(["a", "b"]), value: r.int(0, 9) }) },
        never: { weight: 0 },
      },
      seed === undefined ? {} : { seed },
    );

  it("is a function of its seed, follows the weights, and never draws a zero-weight op", () => {
    const a = mixOf(5).take(4000);
    expect(mixOf(5).take(4000)).toEqual(a);
    expect(mixOf(6).take(50)).not.toEqual(a.slice(0, 50));
    const puts = a.filter((o) => o.name === "put").length;
    expect(puts / a.length).toBeGreaterThan(0.72);
    expect(puts / a.length).toBeLessThan(0.78);
    expect(a.some((o) => o.name === "never")).toBe(false);
    const values = new Set(a.filter((o) => o.name === "put").map((o) => (o.args as { value: number }).value));
    expect([...values].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("forks independent streams per client, passing the client's number", () => {
    const g = new Generator({ op: (r, client) => ({ client, n: r.int(0, 1_000_000) }) }, { seed: 1 });
    const f0 = g.fork(0).take(20);
    const f1 = g.fork(1).take(20);
    expect(f0.every((o) => (o.args as { client: number }).client === 0)).toBe(true);
    expect(f1.every((o) => (o.args as { client: number }).client === 1)).toBe(true);
    expect(f0.map((o) => (o.args as { n: number }).n)).not.toEqual(f1.map((o) => (o.args as { n: number }).n));
    expect(g.fork(0).take(20)).toEqual(f0); // a fork does not consume the parent
    expect((g.next().args as { client?: number }).client).toBeUndefined();
  });

  it("inside an exploration without a seed, is seeded by (seed, iteration): iteration i draws the same ops in every run", async () => {
    const draws = async (seed: number) => {
      const seen: unknown[] = [];
      await explore(async () => void seen.push(mixOf().take(5)), { iterations: 3, seed, traceDir: false });
      return seen;
    };
    const a = await draws(11);
    expect(await draws(11)).toEqual(a);
    expect(a[0]).not.toEqual(a[1]);
    expect(await draws(12)).not.toEqual(a);
  });

  it("rejects bad input clearly", () => {
    expect(() => new Generator({})).toThrow(/at least one operation/);
    expect(() => new Generator({ a: { weight: -1 } })).toThrow(/weight of operation a must be a non-negative integer/);
    expect(() => new Generator({ a: { weight: 0 } })).toThrow(/positive weight/);
    expect(() => new Generator({ a: () => 1 }, { seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => new Rand(1).int(3, 2)).toThrow(/lo <= hi/);
    expect(() => new Rand(1).pick([])).toThrow(/non-empty array/);
    expect(() => mixOf(1).take(-1)).toThrow(/non-negative integer/);
  });
});

describe("workload", () => {
  it("runs each client's operations in order, records invocations and outcomes by process", async () => {
    let history: History | undefined;
    const r = await explore(
      async () => {
        const g = new Generator({ op: (r, client) => ({ client, k: r.int(0, 3) }) }, { seed: 3 });
        history = await workload({
          clients: 4,
          opsPerClient: 5,
          generator: g,
          run: async ({ args }) => {
            const { k } = args as { k: number };
            if (k === 0) throw new Error("rejected");
            if (k === 1) throw Object.assign(new Error("timeout"), { reason: "timeout" });
            await sleep(1);
            return k * 10;
          },
          classify: (e) => ((e as Error).message === "rejected" ? "fail" : "info"),
        });
      },
      { iterations: 1, seed: 1, traceDir: false },
    );
    expect(r.ok).toBe(true);
    const ops = history!.ops;
    expect(ops).toHaveLength(20);
    const byClient = new Map<number, typeof ops>();
    for (const o of ops) {
      const c = (o.args as { client: number }).client;
      byClient.set(c, [...(byClient.get(c) ?? []), o]);
    }
    expect([...byClient.keys()].sort()).toEqual([0, 1, 2, 3]);
    for (const [, list] of byClient) {
      expect(list).toHaveLength(5);
      expect(new Set(list.map((o) => o.process)).size).toBe(1); // one process per client
      for (let i = 1; i < list.length; i++) expect(list[i].invoke).toBeGreaterThan(list[i - 1].complete === Infinity ? list[i - 1].invoke : list[i - 1].complete);
    }
    for (const o of ops) {
      const k = (o.args as { k: number }).k;
      expect(o.outcome).toBe(k === 0 ? Outcome.Fail : k === 1 ? Outcome.Info : Outcome.Ok);
      if (k >= 2) expect(o.result).toBe(k * 10);
    }
  });

  it("a client killed mid-operation ends the wait, its operation left pending (unknown)", async () => {
    let history: History | undefined;
    const r = await explore(
      async () => {
        const body: Pid = self();
        history = await workload({
          clients: 2,
          opsPerClient: 2,
          generator: new Generator({ op: (_r, client) => ({ client }) }, { seed: 1 }),
          run: async ({ args }) => {
            if ((args as { client: number }).client === 0) await exit(self(), "kill");
            void body;
            return "done";
          },
        });
      },
      { iterations: 20, seed: 2, traceDir: false },
    );
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    const zero = history!.ops.filter((o) => (o.args as { client: number }).client === 0);
    expect(zero).toHaveLength(1);
    expect(zero[0].outcome).toBe(Outcome.Pending);
    expect(history!.ops.filter((o) => (o.args as { client: number }).client === 1).map((o) => o.result)).toEqual(["done", "done"]);
  });

  it("rejects bad options clearly", async () => {
    const g = new Generator({ a: () => 1 }, { seed: 1 });
    const r = await explore(
      async () => {
        await expect(workload({ clients: 0, generator: g, run: () => 1 })).rejects.toThrow(/clients must be a positive integer/);
        await expect(workload({ generator: {} as Generator, run: () => 1 })).rejects.toThrow(/generator must be a Generator/);
        await expect(workload({ generator: g } as never)).rejects.toThrow(/run\(op, client\) must be a function/);
      },
      { iterations: 1, seed: 1, traceDir: false },
    );
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });
});

describe("the model-based examples", () => {
  for (const [name, mod, buggy, fixed] of [
    ["cache-put-if-absent", cache, cache.default, cache.cachePutIfAbsentFixed],
    ["leader-lease", lease, lease.default, lease.leaderLeaseFixed],
  ] as const) {
    it(`${name}: the default strategy finds the race as a linearizability violation; shrink and replay reproduce it`, async () => {
      for (const seed of [1, 2, 3]) {
        const r = await explore(buggy, { ...mod.options, seed, traceDir: false });
        expect(r.ok, `seed ${seed}`).toBe(false);
        if (r.ok) continue;
        expect(r.bug.kind).toBe("exception");
        expect(String(r.bug.error)).toMatch(/no linearization exists: .* has no legal place/);
        if (seed !== 1) continue;
        const again = await replay(buggy, r.bug);
        expect(again.ok).toBe(false);
        const s = await shrink(buggy, r.bug);
        expect(s.shrunkLength).toBeLessThanOrEqual(s.originalLength);
        expect((await replay(buggy, s.bug.trace)).ok).toBe(false);
      }
    }, 120_000);

    it(`${name}: the fixed twin passes 300 iterations`, async () => {
      const r = await explore(fixed, { iterations: 300, seed: 9, traceDir: false });
      expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    }, 120_000);
  }

  it("the models themselves: a sequential history of the buggy code is linearizable", () => {
    const h = new History();
    const P = { p: 1 } as unknown as Pid;
    for (const [name, args, result] of [
      ["putIfAbsent", { key: "a", value: 1 }, null],
      ["putIfAbsent", { key: "a", value: 2 }, 1],
      ["get", { key: "a" }, 1],
      ["get", { key: "b" }, null],
    ] as const) h.ok(h.record(P, name, args), result);
    expect(linearizable(h, cache.model)).toEqual({ ok: true });
  });
});
