// Probes written from DESIGN.md's public contract, as a new user would: each case
// compares a verdict with an answer known independently (a naive enumeration, a
// hand-derived count, a classic checker example), or checks that bad input gets a
// clear error. The first describe drives iterations itself (like
// strategies.dpor.diff.test.ts), so it imports the primitives from src/.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import * as L from "lockstep";
import { spawn, send, receive, self, sleep, sendAfter, cancelTimer, exit, isAlive, monitor, register, unregister, whereis, trapExits, link, SharedCell, TIMEOUT, type Pid } from "../src/index.js";
import { runIteration, withEngine } from "../src/explore/run.js";
import { configFor } from "../src/explore/config.js";
import { STRATEGY_CODE, type Engine } from "../src/engine/engine.js";

type TOp =
  | { k: "send"; v: number }
  | { k: "recvT"; ms: number } // receive anything, with a timeout
  | { k: "sleep"; ms: number }
  | { k: "sendAfter"; ms: number; cancel: boolean } // to self, then maybe cancel it at once
  | { k: "kill" } // exit(peer, "kill")
  | { k: "alive" } // isAlive(peer)
  | { k: "monitor" } // monitor(peer), then wait for its DOWN with a timeout
  | { k: "register" }
  | { k: "whereis" }
  | { k: "recvSel"; v: number } // selective receive of one value, with a timeout
  | { k: "trap" } // trapExits(true)
  | { k: "link" } // link(peer)
  | { k: "signal" } // exit(peer, "boom")
  | { k: "unregister" };
type TProgram = TOp[][];

const tOpArb: fc.Arbitrary<TOp> = fc.oneof(
  fc.record({ k: fc.constant("send" as const), v: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ k: fc.constant("recvT" as const), ms: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ k: fc.constant("sleep" as const), ms: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ k: fc.constant("sendAfter" as const), ms: fc.integer({ min: 1, max: 3 }), cancel: fc.boolean() }),
  fc.constant({ k: "kill" as const }),
  fc.constant({ k: "alive" as const }),
  fc.constant({ k: "monitor" as const }),
  fc.constant({ k: "register" as const }),
  fc.constant({ k: "whereis" as const }),
  fc.record({ k: fc.constant("recvSel" as const), v: fc.integer({ min: 1, max: 2 }) }),
  fc.constant({ k: "trap" as const }),
  fc.constant({ k: "link" as const }),
  fc.constant({ k: "signal" as const }),
  fc.constant({ k: "unregister" as const }),
);
const tProgramArb: fc.Arbitrary<TProgram> = fc.array(fc.array(tOpArb, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 2 });

function timedBody(prog: TProgram, out: { value: string }) {
  return async () => {
    const obs: unknown[][] = prog.map(() => []);
    const peers = new SharedCell<Pid[]>([]);
    const proc = (i: number) => async () => {
      const peer = async () => (await peers.get())[1 - i] ?? self();
      for (const op of prog[i]) {
        switch (op.k) {
          case "send":
            await send(await peer(), op.v);
            break;
          case "recvT": {
            const r = await receive(undefined, { timeout: op.ms });
            obs[i].push(r === TIMEOUT ? "T" : typeof r === "object" ? (r as { type: string }).type : r);
            break;
          }
          case "sleep":
            await sleep(op.ms);
            break;
          case "sendAfter": {
            const ref = await sendAfter(self(), "tick", op.ms);
            if (op.cancel) obs[i].push(await cancelTimer(ref));
            break;
          }
          case "kill":
            await exit(await peer(), "kill");
            break;
          case "alive":
            obs[i].push(await isAlive(await peer()));
            break;
          case "monitor": {
            await monitor(await peer());
            const r = await receive((m) => typeof m === "object" && m !== null && (m as { type?: string }).type === "DOWN", { timeout: 2 });
            obs[i].push(r === TIMEOUT ? "T" : (r as { reason: unknown }).reason);
            break;
          }
          case "register":
            obs[i].push(await register("n").then(() => "reg", (e: Error) => e.constructor.name));
            break;
          case "whereis":
            obs[i].push((await whereis("n")) === undefined ? "none" : "some");
            break;
          case "recvSel": {
            const r = await receive((m) => m === op.v, { timeout: 1 });
            obs[i].push(r === TIMEOUT ? "T" : r);
            break;
          }
          case "trap":
            await trapExits(true);
            break;
          case "link":
            await link(await peer());
            break;
          case "signal":
            await exit(await peer(), "boom");
            break;
          case "unregister":
            obs[i].push(await unregister("n").then(() => "unreg", (e: Error) => e.constructor.name));
            break;
        }
      }
      obs[i].push("end");
    };
    const pids: Pid[] = [];
    for (let i = 0; i < prog.length; i++) pids.push(await spawn(proc(i)));
    await peers.set(pids);
    await sleep(4);
    out.value = JSON.stringify(obs);
  };
}

async function searchTimed(e: Engine, prog: TProgram, naive: boolean, timers: "race" | "quiescent", cap = Infinity, bound = -1) {
  const out = { value: "" };
  const body = timedBody(prog, out);
  const outcomes = new Set<string>();
  let runs = 0;
  for (let i = 1; ; i++) {
    if (i > cap) return null;
    out.value = "";
    const it = await runIteration(e, body, configFor({ seed: 1, maxSteps: 1000, timers, allowCrashes: false }, i, { strategy: { code: STRATEGY_CODE.dpor, label: "dpor", params: [i, bound, naive ? 1 : 0] } }, false, true));
    if (!it.pruned) {
      runs++;
      outcomes.add(it.failure ? `failure:${it.failure.kind}` : out.value);
    }
    const ended = it.pruned ? 0 : it.failure?.kind === "deadlock" ? 0 : 1;
    if (e.x.dporNext(ended) === 0) break;
  }
  return { outcomes, runs };
}

describe("dpor with timers, monitors, kills and names against a naive enumeration", () => {
  it("preemptionBound 1: the same outcomes as the naive enumeration under the same bound", async () => {
    await withEngine("probe", async (e) => {
      let compared = 0;
      await fc.assert(
        fc.asyncProperty(tProgramArb, async (prog) => {
          const naive = await searchTimed(e, prog, true, "quiescent", 1500, 1);
          if (naive === null) return;
          compared++;
          const dpor = (await searchTimed(e, prog, false, "quiescent", Infinity, 1))!;
          expect([...dpor.outcomes].sort()).toEqual([...naive.outcomes].sort());
        }),
        { seed: Number(process.env.PROBE_SEED ?? 7), numRuns: Number(process.env.PROBE_RUNS ?? 300) },
      );
      expect(compared).toBeGreaterThan(150);
    });
  }, 240_000);

  for (const timers of ["race", "quiescent"] as const) {
    it(`same reachable outcomes under timers: "${timers}" (generated programs)`, async () => {
      await withEngine("probe", async (e) => {
        let compared = 0;
        await fc.assert(
          fc.asyncProperty(tProgramArb, async (prog) => {
            const naive = await searchTimed(e, prog, true, timers, timers === "race" ? 6000 : 1500);
            if (naive === null) return;
            compared++;
            const dpor = (await searchTimed(e, prog, false, timers))!;
            expect([...dpor.outcomes].sort()).toEqual([...naive.outcomes].sort());
            expect(dpor.runs).toBeLessThanOrEqual(naive.runs);
          }),
          { seed: Number(process.env.PROBE_SEED ?? 7), numRuns: Number(process.env.PROBE_RUNS ?? (timers === "race" ? 150 : 300)) },
        );
        // Under "race" every pending timer is a choice at every step: most naive spaces are too large.
        expect(compared).toBeGreaterThan(timers === "race" ? 50 : 150);
      });
    }, 240_000);
  }
});

// ---- dpor through the public API: each body has an outcome a naive order reaches ----

/** Runs `mk`'s body under `strategy` and collects the distinct outcomes it records. */
async function outcomesOf(mk: (out: { v: string }) => () => Promise<void>, opts: Record<string, unknown>) {
  const seen = new Set<string>();
  const out = { v: "" };
  const body = mk(out);
  const r = await L.explore(
    async () => {
      out.v = "";
      await body();
      seen.add(out.v);
    },
    { traceDir: false, seed: 1, ...opts },
  );
  return { r, seen: [...seen].sort() };
}

describe("dpor: complete means every outcome (public API)", () => {
  const cases: [string, (out: { v: string }) => () => Promise<void>, Record<string, unknown>, string[]][] = [
    [
      "a receive timeout racing a send (timers: race): the timeout can fire first",
      (out) => async () => {
        const me = L.self();
        await L.spawn(async () => void (await L.send(me, 1)));
        const m = await L.receive(undefined, { timeout: 5 });
        out.v = m === L.TIMEOUT ? "timeout" : String(m);
      },
      { timers: "race" },
      ["1", "timeout"],
    ],
    [
      "a kill of a process that has not run yet: it may also run to its end first",
      (out) => async () => {
        const obs: string[] = [];
        const peers = new L.SharedCell<L.Pid[]>([]);
        const a = await L.spawn(async () => {
          await L.exit((await peers.get())[1] ?? L.self(), "kill");
          obs.push("a");
        });
        const b = await L.spawn(async () => void obs.push("b"));
        await peers.set([a, b]);
        await L.sleep(4);
        out.v = obs.join("");
      },
      {},
      ["a", "b", "ba"],
    ],
    [
      "two processes register one name: either may lose",
      (out) => async () => {
        const obs: string[] = ["", ""];
        for (const i of [0, 1]) {
          await L.spawn(async () => {
            obs[i] = await L.register("n").then(() => "reg", (e: Error) => e.name);
            await L.sleep(10);
          });
        }
        await L.sleep(4);
        out.v = obs.join(",");
      },
      {},
      ["ArgumentError,reg", "reg,ArgumentError"],
    ],
    [
      "a send to a name racing its register: the send may fail",
      (out) => async () => {
        const obs: string[] = [];
        await L.spawn(async () => {
          await L.register("n");
          const m = await L.receive(undefined, { timeout: 1 });
          obs.push(m === L.TIMEOUT ? "T" : String(m));
        });
        await L.spawn(async () => void (await L.send("n", 1).then(() => obs.push("sent"), (e: Error) => obs.push(e.name))));
        await L.sleep(4);
        out.v = obs.sort().join(",");
      },
      {},
      ["1,sent", "ArgumentError,T"],
    ],
    [
      "a send through via racing Registry.register: the send may fail",
      (out) => async () => {
        const obs: string[] = [];
        const reg = await L.Registry.start({ keys: "unique" });
        await L.spawn(async () => {
          await L.Registry.register(reg, "k", 0);
          const m = await L.receive(undefined, { timeout: 1 });
          obs.push(m === L.TIMEOUT ? "T" : String(m));
        });
        await L.spawn(async () => void (await L.send(L.via(reg, "k"), 1).then(() => obs.push("sent"), (e: Error) => obs.push(e.name))));
        await L.sleep(4);
        out.v = obs.sort().join(",");
      },
      {},
      ["1,sent", "ArgumentError,T"],
    ],
    [
      "register(name, pid) racing a kill of pid: it may succeed first",
      (out) => async () => {
        const obs: string[] = [];
        const t = await L.spawn(async () => void (await L.receive()));
        await L.spawn(async () => void (await L.exit(t, "kill")));
        await L.spawn(async () => void (await L.register("n", t).then(() => obs.push("reg"), (e: Error) => obs.push(e.name))));
        await L.sleep(4);
        out.v = obs.join(",");
      },
      {},
      ["ArgumentError", "reg"],
    ],
    [
      "link to a process racing its death: the link may come first",
      (out) => async () => {
        const obs: string[] = [];
        const b = await L.spawn(async () => void obs.push("b"));
        await L.spawn(async () => {
          await L.link(b);
          obs.push("linked");
        });
        await L.sleep(4);
        out.v = obs.join(",");
      },
      {},
      ["b", "b,linked", "linked,b"],
    ],
    [
      "unregister of another process's name racing that process's death",
      (out) => async () => {
        const obs: string[] = [];
        await L.spawn(async () => void (await L.register("n")));
        await L.spawn(async () => {
          obs.push((await L.whereis("n")) === undefined ? "none" : "some");
          obs.push(await L.unregister("n").then(() => "unreg", (e: Error) => e.name));
        });
        await L.sleep(4);
        out.v = obs.join(",");
      },
      {},
      ["none,ArgumentError", "none,unreg", "some,ArgumentError", "some,unreg"],
    ],
  ];
  for (const [name, mk, opts, expected] of cases) {
    it(name, async () => {
      const d = await outcomesOf(mk, { strategy: "dpor", iterations: 10000, ...opts });
      expect(d.r.ok).toBe(true);
      expect(d.r.stats.complete).toBe(true);
      expect(d.seen).toEqual(expected);
      // The same set as random sampling finds (an independent, naive enumeration).
      const rnd = await outcomesOf(mk, { strategy: "random", iterations: 400, ...opts });
      expect(rnd.seen).toEqual(expected);
    });
  }
});

// ---- checkers: classic histories with known answers ----
describe("linearizable / sequentiallyConsistent on hand-written histories", () => {
  const register = { init: (): unknown => null, step: (s: unknown, name: string, args: unknown): [unknown, unknown] => (name === "write" ? [true, args] : [s, s]) };
  /** Events: [process index, "inv" | "ok" | "fail" | "info", op label, name or result, args]. */
  function historyOf(pids: (L.Pid | undefined)[], events: [number, string, string, unknown?, unknown?][]) {
    const h = new L.History();
    const ids: Record<string, number> = {};
    for (const [p, kind, k, a, b] of events) {
      if (kind === "inv") ids[k] = h.record(pids[p], a as string, b);
      else if (kind === "ok") h.ok(ids[k], a);
      else if (kind === "fail") h.fail(ids[k], a);
      else h.info(ids[k]);
    }
    return h;
  }
  const anon = [undefined, undefined, undefined];

  it("memoization never merges states a step tells apart (NaN and null, [undefined] and [null], Maps)", () => {
    // write(null) || write(NaN), then read -> null: linearizable (NaN first, then null).
    const h1 = historyOf(anon, [[0, "inv", "a", "write", null], [1, "inv", "b", "write", NaN], [0, "ok", "a", true], [1, "ok", "b", true], [2, "inv", "r", "read"], [2, "ok", "r", null]]);
    expect(L.linearizable(h1, register).ok).toBe(true);
    const h2 = historyOf(anon, [[0, "inv", "a", "write", [undefined]], [1, "inv", "b", "write", [null]], [0, "ok", "a", true], [1, "ok", "b", true], [2, "inv", "r", "read"], [2, "ok", "r", [undefined]]]);
    expect(L.linearizable(h2, register).ok).toBe(true);
    // A Map state (JSON.stringify makes every Map "{}"): put(1) || put(2), then get -> 1.
    const mapModel = { init: () => new Map<string, unknown>(), step: (s: Map<string, unknown>, name: string, a: unknown): [unknown, Map<string, unknown>] => (name === "put" ? [true, new Map(s).set("k", a)] : [s.get("k"), s]) };
    const h3 = historyOf(anon, [[0, "inv", "a", "put", 1], [1, "inv", "b", "put", 2], [0, "ok", "a", true], [1, "ok", "b", true], [2, "inv", "g", "get"], [2, "ok", "g", 1]]);
    expect(L.linearizable(h3, mapModel).ok).toBe(true);
    // ... and the same history with get -> 3 is still refused.
    const h4 = historyOf(anon, [[0, "inv", "a", "put", 1], [1, "inv", "b", "put", 2], [0, "ok", "a", true], [1, "ok", "b", true], [2, "inv", "g", "get"], [2, "ok", "g", 3]]);
    expect(L.linearizable(h4, mapModel).ok).toBe(false);
  });

  it("info may or may not have happened, fail did not; ops is a failing subsequence", () => {
    const ok = (events: [number, string, string, unknown?, unknown?][]) => L.linearizable(historyOf(anon, events), register);
    expect(ok([[0, "inv", "w", "write", 1], [0, "info", "w"], [1, "inv", "r", "read"], [1, "ok", "r", null]]).ok).toBe(true);
    expect(ok([[0, "inv", "w", "write", 1], [0, "info", "w"], [1, "inv", "r", "read"], [1, "ok", "r", 1]]).ok).toBe(true);
    expect(ok([[0, "inv", "w", "write", 1], [0, "fail", "w"], [1, "inv", "r", "read"], [1, "ok", "r", 1]]).ok).toBe(false);
    // The info write seen, then unseen: it cannot take effect twice.
    const r = ok([[0, "inv", "w", "write", 1], [0, "info", "w"], [1, "inv", "r", "read"], [1, "ok", "r", 1], [1, "inv", "r2", "read"], [1, "ok", "r2", null]]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.ops.map((o) => `${o.name}:${String(o.result)}`)).toEqual(["write:undefined", "read:1", "read:null"]);
    expect(r.explanation).toContain("read() -> null");
    // Replaying `ops` alone fails too.
    const h = new L.History();
    const w = h.record(undefined, "write", 1);
    h.info(w);
    h.ok(h.record(undefined, "read", undefined), 1);
    h.ok(h.record(undefined, "read", undefined), null);
    expect(L.linearizable(h, register).ok).toBe(false);
  });

  it("results compare as Erlang terms: key order ignored, NaN equals NaN, -0 equals 0, 1 is not '1'", () => {
    const constant = (v: unknown) => ({ init: () => v, step: (s: unknown): [unknown, unknown] => [s, s] });
    const read = (result: unknown) => historyOf(anon, [[0, "inv", "r", "read"], [0, "ok", "r", result]]);
    expect(L.linearizable(read({ b: [2, 3], a: 1 }), constant({ a: 1, b: [2, 3] })).ok).toBe(true);
    expect(L.linearizable(read({ b: [2, 4], a: 1 }), constant({ a: 1, b: [2, 3] })).ok).toBe(false);
    expect(L.linearizable(read(NaN), constant(NaN)).ok).toBe(true);
    expect(L.linearizable(read(0), constant(-0)).ok).toBe(true);
    expect(L.sequentiallyConsistent(read("1"), constant(1)).ok).toBe(false);
    expect(L.sequentiallyConsistent(read(null), constant(undefined)).ok).toBe(false);
  });
});

describe("virtualTimers: a cleared timer's callback never runs after the clear returned", () => {
  it("two timers due together, one cleared by another process while the first is handed (timers: race)", async () => {
    const body = async () => {
      const obs: string[] = [];
      setTimeout(() => obs.push("a"), 2);
      const h = setTimeout(() => obs.push("b"), 2);
      await L.spawn(async () => {
        clearTimeout(h);
        obs.push("c");
      });
      await new Promise((r) => setTimeout(r, 5));
      if (obs.includes("c") && obs.indexOf("b") > obs.indexOf("c")) throw new Error(`b ran after clearTimeout: ${obs.join("")}`);
    };
    for (const strategy of ["random", "dpor"] as const) {
      const r = await L.explore(body, { virtualTimers: true, timers: "race", strategy, iterations: 3000, seed: 1, traceDir: false });
      expect(r.ok).toBe(true);
    }
  });
});

describe("shrink keeps the failure, not just its kind", () => {
  it("a bug of the second assertion never shrinks into the first (both throw a plain Error)", async () => {
    const body = async () => {
      const c = new L.SharedCell(0);
      const log = new L.SharedCell("");
      for (const t of "ab") {
        await L.spawn(async () => {
          for (let i = 0; i < 3; i++) await L.yieldNow();
          const v = await c.get();
          await log.update((s) => s + t);
          await c.set(v + 1);
          for (let i = 0; i < 3; i++) await L.yieldNow();
        });
      }
      await L.sleep(1);
      if ((await c.get()) !== 2) throw new Error("A: lost update");
      if ((await log.get()) === "ba") throw new Error("B: order");
    };
    let checked = 0;
    for (let seed = 1; seed <= 30 && checked < 3; seed++) {
      const r = await L.explore(body, { strategy: "random", iterations: 50, seed, traceDir: false });
      if (r.ok || !String(r.bug.error).includes("B: order")) continue;
      checked++;
      const s = await L.shrink(body, r.bug);
      expect(String(s.bug.error)).toContain("B: order");
      const again = await L.replay(body, s.bug.trace);
      expect(again.ok).toBe(false);
      if (!again.ok) expect(String(again.bug.error)).toContain("B: order");
    }
    expect(checked).toBe(3);
  });
});

describe("preemptionBound: complete up to the bound", () => {
  it("a bug needing 2 preemptions: bound 1 is complete without it, bound 2 finds it", async () => {
    const body = async () => {
      const log = new L.SharedCell("");
      const p = (tag: string) => async () => {
        await log.update((s) => s + tag + "1");
        await log.update((s) => s + tag + "2");
      };
      await L.spawn(p("a"));
      await L.spawn(p("b"));
      await L.sleep(1);
      const s = await log.get();
      if (s === "a1b1a2b2" || s === "b1a1b2a2") throw new Error(`interleaved ${s}`);
    };
    const opts = { strategy: "dpor" as const, iterations: 100000, seed: 1, traceDir: false as const };
    const b1 = await L.explore(body, { ...opts, preemptionBound: 1 });
    expect(b1.ok && b1.stats.complete).toBe(true);
    const b2 = await L.explore(body, { ...opts, preemptionBound: 2 });
    expect(b2.ok).toBe(false);
    if (!b2.ok) expect(b2.bug.schedule.length).toBeGreaterThan(0);
  });
});

describe("linearizable: model.partition is checked", () => {
  const kv = {
    init: () => ({}) as Record<string, unknown>,
    step: (s: Record<string, unknown>, name: string, args: unknown): [unknown, Record<string, unknown>] => {
      const [k, v] = args as [string, unknown];
      return name === "put" ? [true, { ...s, [k]: v }] : [s[k] ?? null, s];
    },
  };
  const stale = () => {
    const h = new L.History();
    h.ok(h.record(undefined, "put", ["x", 1]), true);
    h.ok(h.record(undefined, "get", ["x"]), null);
    return h;
  };
  it("a partition per key finds the stale read, with a failing subsequence from its group", () => {
    const byKey = (ops: readonly L.Op[]) => {
      const m = new Map<unknown, L.Op[]>();
      for (const o of ops) m.set((o.args as unknown[])[0], [...(m.get((o.args as unknown[])[0]) ?? []), o]);
      return [...m.values()];
    };
    const r = L.linearizable(stale(), { ...kv, partition: byKey });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.ops.map((o) => o.name)).toEqual(["put", "get"]);
  });
  it("a partition that leaves an op out, or returns junk, is a TypeError (never a pass)", () => {
    expect(() => L.linearizable(stale(), { ...kv, partition: (ops) => [ops.slice(1)] })).toThrow(/left out op #0/);
    expect(() => L.linearizable(stale(), { ...kv, partition: (ops) => [ops, ops] })).toThrow(/in two groups/);
    expect(() => L.linearizable(stale(), { ...kv, partition: () => 5 as never })).toThrow(/must return an array of arrays/);
  });
});

describe("exit to a name", () => {
  it("a name nobody holds is an ArgumentError, as for send; a held name and a dead pid behave as OTP", async () => {
    const r = await L.explore(async () => {
      await expect(exit("nobody", "bye")).rejects.toThrow(/exit: no process is registered as "nobody"/);
      const q = await spawn(async () => { await receive(); });
      await register("worker", q);
      const ref = await monitor(q);
      await exit("worker", "bye");
      expect(await receive((m: { ref?: unknown }) => m.ref === ref)).toMatchObject({ type: "DOWN", reason: "bye" });
      // The pid is dead now: its signal is dropped, no error.
      await expect(exit(q, "again")).resolves.toBe(true);
    }, { traceDir: false, seed: 3, iterations: 20 });
    expect(r.ok).toBe(true);
  });
});
