// Registry.start({ keys: "duplicate", partitionBy: "pid" | "key" }) (Elixir's
// `keys: {:duplicate, :pid | :key}`, lib/elixir/lib/registry.ex): how entries are
// spread over partitions changes nothing observable. A fast-check property runs the
// same command sequence against partitionBy "pid" and "key" with 1 and 4 partitions
// and requires identical answers, in registration order.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { explore, spawn, send, receive, self, trapExits, Registry, OptionsError, CallExit, TIMEOUT, Pid, type RegistryOptions } from "lockstep";

type Cmd =
  | { c: "register"; w: number; k: number; v: number }
  | { c: "unregister"; w: number; k: number }
  | { c: "unregisterMatch"; w: number; k: number; v: number }
  | { c: "lookup"; k: number }
  | { c: "match"; k: number; v: number }
  | { c: "countMatch"; k: number; v: number }
  | { c: "values"; w: number; k: number }
  | { c: "dispatch"; k: number }
  | { c: "keys"; w: number }
  | { c: "count" }
  | { c: "select"; v: number }
  | { c: "countSelect"; v: number };

const W = 4;
const w = fc.nat(W - 1);
const k = fc.nat(6);
const v = fc.nat(4);
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ c: fc.constant("register" as const), w, k, v }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant("unregister" as const), w, k }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant("unregisterMatch" as const), w, k, v }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant("lookup" as const), k }) },
  fc.record({ c: fc.constant("match" as const), k, v }),
  fc.record({ c: fc.constant("countMatch" as const), k, v }),
  fc.record({ c: fc.constant("values" as const), w, k }),
  fc.record({ c: fc.constant("dispatch" as const), k }),
  { weight: 2, arbitrary: fc.record({ c: fc.constant("keys" as const), w }) },
  fc.constant({ c: "count" as const }),
  fc.record({ c: fc.constant("select" as const), v }),
  fc.record({ c: fc.constant("countSelect" as const), v }),
);

const CONFIGS: RegistryOptions[] = [
  { keys: "duplicate", partitionBy: "pid", partitions: 1 },
  { keys: "duplicate", partitionBy: "pid", partitions: 4 },
  { keys: "duplicate", partitionBy: "key", partitions: 1 },
  { keys: "duplicate", partitionBy: "key", partitions: 4 },
];

/** Runs `cmds` on a registry started with `opts`; every answer, pids named by worker index. */
async function answers(opts: RegistryOptions, cmds: Cmd[]): Promise<string[]> {
  const out: string[] = [];
  const r = await explore(
    async () => {
      const reg = await Registry.start(opts);
      const me = self();
      // Workers perform writes on request, one at a time (so the history is the same whatever the schedule).
      const ws: Pid[] = [];
      for (let i = 0; i < W; i++) {
        ws.push(
          await spawn(async () => {
            for (;;) {
              const m = await receive();
              let res: unknown;
              if (m.c === "register") res = (await Registry.register(reg, `k${m.k}`, [m.v, i])).ok;
              else if (m.c === "unregister") res = await Registry.unregister(reg, `k${m.k}`);
              else res = await Registry.unregisterMatch(reg, `k${m.k}`, [m.v, "_"]);
              await send(me, { res });
            }
          }),
        );
      }
      const norm = (x: unknown) =>
        JSON.stringify(x, function (this: Record<string, unknown>, key, val) {
          const raw = this[key];
          return raw instanceof Pid ? `w${ws.indexOf(raw)}` : val === undefined ? null : val;
        });
      const pat = (n: number) => [n, "_"];
      for (const c of cmds) {
        let a: unknown;
        switch (c.c) {
          case "register":
          case "unregister":
          case "unregisterMatch":
            await send(ws[c.w], c);
            a = (await receive((m) => m !== null && typeof m === "object" && "res" in m)).res;
            break;
          case "lookup":
            a = await Registry.lookup(reg, `k${c.k}`);
            break;
          case "match":
            a = await Registry.match(reg, `k${c.k}`, ["$1", "_"], [[">=", "$1", c.v]]);
            break;
          case "countMatch":
            a = await Registry.countMatch(reg, `k${c.k}`, pat(c.v));
            break;
          case "values":
            a = await Registry.values(reg, `k${c.k}`, ws[c.w]);
            break;
          case "dispatch": {
            const seen: unknown[] = [];
            await Registry.dispatch(reg, `k${c.k}`, (entries) => {
              seen.push(...entries);
            });
            a = seen;
            break;
          }
          case "keys":
            a = await Registry.keys(reg, ws[c.w]);
            break;
          case "count":
            a = await Registry.count(reg);
            break;
          case "select":
            a = await Registry.select(reg, [[["$1", "$2", ["$3", "_"]], [[">=", "$3", c.v]], [["$1", "$2", "$3"]]]]);
            break;
          case "countSelect":
            a = await Registry.countSelect(reg, [[["_", "_", ["$3", "_"]], [["<", "$3", c.v]], [true]]]);
            break;
        }
        out.push(`${c.c} ${norm(a)}`);
      }
      out.push(`final ${norm(await Registry.select(reg, [[["$1", "$2", "$3"], [], ["$_"]]]))}`);
    },
    { iterations: 1, seed: 1, traceDir: false },
  );
  if (!r.ok) throw new Error(r.bug.format());
  return out;
}

describe("partitionBy", () => {
  it("the same command sequence gives identical answers for partitionBy pid/key and 1/4 partitions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 20, maxLength: 150 }), async (cmds) => {
        const base = await answers(CONFIGS[0], cmds);
        for (const opts of CONFIGS.slice(1)) expect(await answers(opts, cmds)).toEqual(base);
      }),
      { seed: 20261127, numRuns: 40 },
    );
  });

  it("answers come in registration order across partitions", async () => {
    const cmds: Cmd[] = [];
    for (let i = 0; i < 12; i++) cmds.push({ c: "register", w: i % W, k: i % 2, v: i % 5 });
    cmds.push({ c: "lookup", k: 0 }, { c: "keys", w: 1 }, { c: "select", v: 0 });
    for (const opts of CONFIGS) {
      const a = await answers(opts, cmds);
      expect(a[12]).toBe(`lookup ${JSON.stringify([0, 2, 4, 6, 8, 10].map((i) => [`w${i % W}`, [i % 5, i % W]]))}`);
      expect(a[13]).toBe(`keys ${JSON.stringify(["k1", "k1", "k1"])}`);
    }
  });

  it("start validates partitionBy; the handle reports it", async () => {
    const r = await explore(
      async () => {
        const a = await Registry.start({ keys: "duplicate", partitionBy: "key", partitions: 2 });
        const b = await Registry.start({ keys: "duplicate" });
        const c = await Registry.start({ keys: "unique" });
        expect([a.partitionBy, b.partitionBy, c.partitionBy]).toEqual(["key", "pid", undefined]);
        await expect(Registry.start({ keys: "unique", partitionBy: "key" })).rejects.toThrow(OptionsError);
        await expect(Registry.start({ keys: "unique", partitionBy: "pid" })).rejects.toThrow(/only for keys: "duplicate"/);
        await expect(Registry.start({ keys: "duplicate", partitionBy: "value" as never })).rejects.toThrow(/partitionBy must be "pid" or "key"/);
      },
      { iterations: 1, traceDir: false },
    );
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });
});

// Elixir's registry_test.exs "dispatches to multiple keys in parallel" (duplicate
// registries): dispatch(reg, key, fun, parallel: true) runs fun once per partition that
// holds entries, each in its own task, and returns once all are done.
describe("dispatch with parallel: true", () => {
  it("one call per partition holding entries, each in its own process; answers unchanged", async () => {
    const r = await explore(async () => {
      for (const partitions of [1, 4]) {
        const reg = await Registry.start({ keys: "duplicate", partitions });
        const parent = self();
        await Registry.dispatch(reg, "hello", () => { throw new Error("will never be invoked"); }, { parallel: true });
        const owners: Pid[] = [];
        for (let i = 0; i < 4; i++) {
          owners.push(await spawn(async () => {
            await Registry.register(reg, "hello", `value${i}`);
            await send(parent, "registered");
            await receive();
          }));
        }
        for (let i = 0; i < 4; i++) await receive((m) => m === "registered");
        const callers = new Set<Pid>();
        const seen: unknown[] = [];
        await Registry.dispatch(reg, "hello", async (entries) => {
          callers.add(self());
          for (const [, value] of entries) seen.push(value);
        }, { parallel: true });
        expect([...seen].sort()).toEqual(["value0", "value1", "value2", "value3"]);
        const groups = new Set(owners.map((p) => p.id % partitions)).size;
        expect(callers.size).toBe(groups);
        expect(callers.has(parent)).toBe(partitions === 1); // several partitions: tasks, not the caller
        expect(await receive(undefined, { timeout: 0 })).toBe(TIMEOUT); // no stray done or DOWN
      }
    }, { iterations: 50, seed: 4, traceDir: false });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });

  it("a crashing partition task makes dispatch reject with its reason (caller trapping exits)", async () => {
    const r = await explore(async () => {
      await trapExits(true);
      const reg = await Registry.start({ keys: "duplicate", partitions: 2 });
      const parent = self();
      for (let i = 0; i < 2; i++) {
        await spawn(async () => {
          await Registry.register(reg, "k", i);
          await send(parent, "registered");
          await receive();
        });
      }
      for (let i = 0; i < 2; i++) await receive((m) => m === "registered");
      const err = await Registry.dispatch(reg, "k", () => { throw "boom"; }, { parallel: true }).then(() => undefined, (e) => e);
      expect(err).toBeInstanceOf(CallExit);
      expect(err.reason).toBe("boom");
    }, { iterations: 50, seed: 4, traceDir: false, allowCrashes: true });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });

  it("rejects bad options", async () => {
    const r = await explore(async () => {
      const reg = await Registry.start({ keys: "duplicate" });
      await expect(Registry.dispatch(reg, "k", () => {}, { parallel: "yes" } as any)).rejects.toThrow(/parallel must be a boolean/);
      await expect(Registry.dispatch(reg, "k", () => {}, { fast: true } as any)).rejects.toThrow(/unknown option "fast"/);
    }, { iterations: 1, traceDir: false });
    expect(r.ok).toBe(true);
  });
});
