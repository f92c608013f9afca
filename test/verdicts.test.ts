// "Verdicts you can trust": a verdict (bug or no bug, and at which iteration) is a
// function of the program, the seed and the iteration alone — not of I/O timing,
// of which iterations ran before, of user formatting code, or of rejections nobody
// handled.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFile } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { explore, spawn, send, receive, self, yieldNow, type ExploreOptions } from "lockstep";
import { termCompare, resetTermOrder } from "../src/values/term.js";
import { show, errorText } from "../src/values/show.js";

const base: ExploreOptions = { traceDir: false, strategy: "random" };

describe("term order of functions and symbols is per iteration", () => {
  it("the same comparisons in two iterations run in different orders give the same per-iteration order", () => {
    const f = () => 1;
    const g = () => 2;
    const s = Symbol("s");
    const t = Symbol("t");
    // "Iteration" 1 meets f and s first; "iteration" 2 meets g and t first.
    resetTermOrder();
    const a = [termCompare(f, g), termCompare(s, t)];
    resetTermOrder();
    const b = [termCompare(g, f), termCompare(t, s)];
    expect(Math.sign(a[0])).toBe(-1);
    expect(Math.sign(b[0])).toBe(-1); // first seen is lower in each iteration
    expect(Math.sign(a[1])).toBe(-1);
    expect(Math.sign(b[1])).toBe(-1);
  });

  /**
   * Two processes race to compare f and g (module-level functions, so they live
   * across iterations) with a fresh function; the body then records whether f < g.
   * Which one is compared first is up to the schedule of that iteration.
   */
  function scenario(throwIfGFirst = true) {
    const f = () => "f";
    const g = () => "g";
    const outcomes: number[] = [];
    const body = async () => {
      const me = self();
      const local = () => "local";
      await spawn(async () => { await yieldNow(); termCompare(f, local); await send(me, 1); });
      await spawn(async () => { await yieldNow(); termCompare(g, local); await send(me, 2); });
      await receive();
      await receive();
      outcomes.push(Math.sign(termCompare(f, g)));
      if (throwIfGFirst && termCompare(f, g) > 0) throw new Error("g was compared first");
    };
    return { body, outcomes };
  }

  it("an iteration's outcome does not depend on which iterations ran before it", async () => {
    const all = scenario(false);
    await explore(all.body, { ...base, seed: 7, iterations: 12 });
    expect(all.outcomes.length).toBe(12);
    for (let i = 1; i <= all.outcomes.length; i++) {
      const one = scenario(false);
      await explore(one.body, { ...base, seed: 7, iterations: 1, firstIteration: i } as ExploreOptions);
      expect(one.outcomes, `iteration ${i}`).toEqual([all.outcomes[i - 1]]);
    }
    // Both orders occur, so the check above means something.
    expect(all.outcomes).toContain(1);
    expect(all.outcomes).toContain(-1);
  });

  it("a shard finds the bug at the same iteration as a plain run", async () => {
    const plain = await explore(scenario().body, { ...base, seed: 28, iterations: 40 });
    expect(plain.ok).toBe(false);
    if (plain.ok) return;
    const i = plain.bug.iteration;
    expect(i).toBe(5); // iterations 1-4 compare f first with seed 28
    // A shard that starts at the plain run's failing iteration (after other iterations
    // of other shards ran in this thread) finds it there, not earlier or later.
    await explore(scenario(false).body, { ...base, seed: 28, iterations: 5 });
    const shard = await explore(scenario().body, { ...base, seed: 28, iterations: 3, firstIteration: i, stride: 2 } as ExploreOptions);
    expect(shard.ok).toBe(false);
    if (!shard.ok) expect(shard.bug.iteration).toBe(i);
    if (i > 1) {
      const before = await explore(scenario().body, { ...base, seed: 28, iterations: i - 1 });
      expect(before.ok).toBe(true);
    }
  });
});

describe("show() never runs user code", () => {
  class Hostile {
    calls = 0;
    get boom(): string {
      throw new Error("getter ran");
    }
    toString(): string {
      throw new Error("toString ran");
    }
    toJSON(): never {
      throw new Error("toJSON ran");
    }
  }

  it("a message with a throwing getter and toString gives the same schedule and failure in the search and the report's re-run", async () => {
    const body = async () => {
      const me = self();
      await spawn(async () => {
        const m = new Hostile();
        Object.defineProperty(m, "own", { get: () => { throw new Error("own getter ran"); }, enumerable: true });
        await send(me, m);
        await send(me, "second");
      });
      await receive();
      await receive();
      throw new Error("found it");
    };
    const r = await explore(body, { ...base, seed: 3, iterations: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    expect(r.bug.message).toContain("found it");
    expect(r.bug.nondeterminism).toBeUndefined();
    // The re-run's readable interleaving follows the search's decisions to the same end.
    const last = r.bug.events[r.bug.events.length - 1];
    expect(last.op).toBe("FAILS: exception");
    expect(last.step).toBe(r.bug.step);
    const sent = r.bug.events.find((e) => e.op === "send" && e.detail.includes("Hostile"));
    expect(sent?.detail).toContain("Hostile { calls: 0, own: [Getter] }");
    expect(r.bug.format()).toContain("found it");
  });

  it("show() of a Proxy whose traps throw returns a description", () => {
    const trap = () => {
      throw new Error("trap ran");
    };
    const p = new Proxy({}, { get: trap, getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, has: trap });
    expect(show(p)).toMatch(/cannot be read/);
    expect(show({ inner: p })).toMatch(/inner: \[object that cannot be read/);
    const { proxy, revoke } = Proxy.revocable([1, 2], {});
    revoke();
    expect(show(proxy)).toMatch(/cannot be read/);
  });

  it("getters, toString, toJSON and static name getters are never called", () => {
    const h = new Hostile();
    expect(show(h)).toBe("Hostile { calls: 0 }");
    expect(show({ a: 1, get b() { throw new Error("no"); } })).toBe("{ a: 1, b: [Getter] }");
    class Named { static get name(): string { throw new Error("static name ran"); } }
    expect(show(Named)).toBe("[Function]");
    const e = new Error("boom");
    Object.defineProperty(e, "name", { get: () => { throw new Error("name getter ran"); } });
    expect(errorText(e)).toBe("Error: boom");
    // lockstep's own classes still print their own way.
    expect(show([new Date(0)])).toBe("[Date(1970-01-01T00:00:00.000Z)]");
  });
});

describe("uncontrolled awaits are reported deterministically (Node)", () => {
  // A port nothing listens on: connections to it are refused at once.
  let refusedPort = 0;
  beforeAll(async () => {
    const srv: Server = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    refusedPort = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
  });

  const ios: Record<string, () => Promise<unknown>> = {
    "fetch to a refused port": () => fetch(`http://127.0.0.1:${refusedPort}/`).catch((e) => e),
    "fs/promises readFile": () => readFile(new URL("../package.json", import.meta.url)),
    "a real setTimeout": () => new Promise((r) => setTimeout(r, 0)),
    "a net socket": () =>
      new Promise((r) => {
        const s = connect(refusedPort, "127.0.0.1");
        s.on("error", r);
        s.on("connect", () => {
          s.destroy();
          r(undefined);
        });
      }),
  };

  /**
   * <0.2.0> awaits real I/O only when "b" reaches it before "a", which the schedule
   * decides; with I/O that completes quickly the iteration could otherwise go on
   * and pass, so the verdict used to depend on I/O timing.
   */
  const bodyWith = (io: () => Promise<unknown>) => async () => {
    const me = self();
    const w = await spawn(async () => {
      const first = await receive();
      if (first === "b") await io();
      await send(me, "done");
    });
    await spawn(async () => { await send(w, "a"); });
    await spawn(async () => { await send(w, "b"); });
    await receive((m) => m === "done");
  };

  for (const [name, io] of Object.entries(ios)) {
    it(`${name}: reported at the same iteration in 5 explorations with one seed`, async () => {
      const seen: string[] = [];
      for (let k = 0; k < 5; k++) {
        const r = await explore(bodyWith(io), { ...base, seed: 5, iterations: 50 });
        expect(r.ok, `run ${k}`).toBe(false);
        if (r.ok) return;
        expect(r.bug.kind).toBe("uncontrolled-await");
        expect(r.bug.message).toMatch(/^<0\.2\.0> awaited something lockstep does not control/);
        expect(r.bug.message).toContain("after its receive");
        expect(r.bug.nondeterminism).toBeUndefined();
        seen.push(`${r.bug.iteration} ${r.bug.schedule.join(",")}`);
      }
      expect(new Set(seen).size, seen.join(" | ")).toBe(1);
    });
  }

  it("the message names the process and its last lockstep operation (or none)", async () => {
    const r = await explore(async () => {
      await readFile(new URL("../package.json", import.meta.url));
    }, { ...base, seed: 1, iterations: 3 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("uncontrolled-await");
    expect(r.bug.iteration).toBe(1);
    expect(r.bug.message).toContain("<0.1.0> (body) awaited something lockstep does not control");
    expect(r.bug.message).toContain("before making any lockstep call");
  });

  it("the message names the real resource the process started", async () => {
    const r = await explore(bodyWith(ios["a real setTimeout"]), { ...base, seed: 5, iterations: 50 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.message).toContain("(a real Timeout it started)");
  });

  it("a promise that nothing can settle, with nothing real pending, is a deadlock (a lost wake-up), deterministically", async () => {
    const seen: string[] = [];
    for (let k = 0; k < 3; k++) {
      const r = await explore(bodyWith(() => new Promise(() => {})), { ...base, seed: 5, iterations: 50 });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.bug.kind).toBe("deadlock");
      expect(r.bug.message).toMatch(/^Deadlock \(a lost wake-up\): <0\.2\.0> awaits a promise that nothing can settle after its receive/);
      seen.push(`${r.bug.iteration} ${r.bug.schedule.join(",")}`);
    }
    expect(new Set(seen).size).toBe(1);
    // A wake-up lost in library code: the resolver is dropped, never called.
    const lost = await explore(async () => {
      let wake: (() => void) | undefined;
      const waiter = new Promise<void>((r) => (wake = r));
      wake = undefined; // the bug: the resolver is lost
      await yieldNow();
      await waiter;
    }, { ...base, seed: 1, iterations: 5 });
    expect(lost.ok).toBe(false);
    if (!lost.ok) expect(lost.bug.kind).toBe("deadlock");
  });

  it("the iteration is the first one whose schedule reaches the I/O", async () => {
    // Same program with a controlled stand-in for the I/O: it records which
    // iterations take the I/O branch.
    const reached: number[] = [];
    let iteration = 0;
    await explore(async () => {
      iteration++;
      await bodyWith(async () => { reached.push(iteration); })();
    }, { ...base, seed: 5, iterations: 50 });
    const r = await explore(bodyWith(ios["a real setTimeout"]), { ...base, seed: 5, iterations: 50 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.iteration).toBe(reached[0]);
  });
});

describe("unhandled rejections made by a process", () => {
  const root = new URL("..", import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), "ls-rejections-"));

  /**
   * Runs an exploration in a child Node process (the sources through tsx). The
   * child prints the verdict and exits 3 for a bug, 0 for none; a Node crash from an
   * unhandled rejection would exit 1 with no verdict printed.
   */
  function child(kind: "floating" | "async-fn" | "allowed" | "listeners" | "mixed" | "both") {
    const script = join(dir, `${kind}.mts`);
    writeFileSync(script, `
import { explore, replay, spawn, send, receive, self } from ${JSON.stringify(join(root, "src/index.ts"))};
const kind = ${JSON.stringify(kind)};
const seen = [];
process.on("unhandledRejection", (reason) => seen.push(String(reason && reason.message)));
// <0.2.0> sees the order in which "a", "b" and "c" reach it, and acts on it.
const body = (onOrder) => async () => {
  const me = self();
  const w = await spawn(async () => {
    onOrder([await receive(), await receive(), await receive()].join(""));
    await send(me, "done");
  });
  for (const m of ["a", "b", "c"]) await spawn(async () => { await send(w, m); });
  await receive((m) => m === "done");
};
async function fails() { await null; throw new Error("async fn"); }
const leave = kind === "async-fn" ? () => { void fails(); } : () => { void Promise.reject(new Error("floating")); };
// A rejection left when the order is "cba" ("bca" for "mixed", which also crashes
// <0.2.0> outright on "cab": with seed 9 the rejection comes first, at iteration 41,
// and the crash at 69, before Node reports the rejection).
const leaveOn = kind === "mixed" ? "bca" : "cba";
const bad = (order) => {
  if (order === leaveOn) leave();
  if (kind === "mixed" && order === "cab") throw new Error("cab");
  if (kind === "both" && order === leaveOn) throw new Error("both");
};
const opts = { seed: 9, iterations: 200, strategy: "random", traceDir: false, allowCrashes: kind === "allowed" };
// Which iterations see which order, found with a harmless stand-in.
const orders = {};
let i = 0;
await explore(async () => { i++; await body((o) => { orders[o] ??= i; })(); }, opts);
const verdicts = [];
let replayed = null;
for (let k = 0; k < 5; k++) {
  const r = await explore(body(bad), opts);
  if (!r.ok) replayed = await replay(body(bad), r.bug).then((x) => x.ok ? "passed" : x.bug.kind + " " + x.bug.pid);
  verdicts.push(r.ok ? { ok: true } : { ok: false, kind: r.bug.kind, iteration: r.bug.iteration, pid: String(r.bug.pid), message: r.bug.message, nd: r.bug.nondeterminism ?? null, last: r.bug.events.at(-1), schedule: r.bug.schedule.join(",") });
}
if (kind === "listeners") {
  // After the exploration the user's listener is back and gets rejections again.
  void Promise.reject(new Error("after"));
  await new Promise((r) => setTimeout(r, 10));
}
console.log(JSON.stringify({ reached: orders.cba, orders, verdicts, seen, replayed }));
process.exitCode = verdicts[0].ok ? 0 : 3;
`);
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: root, encoding: "utf8", env: { ...process.env, LOCKSTEP_ENGINE: "debug" } });
    return { code: r.status, out: r.stdout, err: r.stderr, json: r.stdout ? JSON.parse(r.stdout.trim().split("\n").pop()!) : null };
  }

  for (const kind of ["floating", "async-fn"] as const) {
    it(`a ${kind === "floating" ? "floating Promise.reject" : "rejected async function nobody awaits"} is a crash of its iteration, naming the process; exit code is the bug's`, () => {
      const r = child(kind);
      expect(r.code, r.err).toBe(3);
      const { reached, verdicts } = r.json;
      expect(reached).toBeGreaterThan(1);
      for (const v of verdicts) {
        expect(v).toEqual(verdicts[0]); // deterministic: same iteration, schedule, message
      }
      const v = verdicts[0];
      expect(v.kind).toBe("crash");
      expect(v.iteration).toBe(reached);
      expect(v.pid).toBe("<0.2.0>");
      expect(v.message).toContain(`<0.2.0> left a promise rejected with nobody handling it: Error: ${kind === "floating" ? "floating" : "async fn"}`);
      expect(v.nd).toBeNull();
      expect(v.last.op).toBe("FAILS: crash");
      expect(r.json.seen).toEqual([]); // not passed on to other listeners
      expect(r.json.replayed).toBe("crash <0.2.0>"); // replay(body, bug) reproduces it
    });
  }

  it("the verdict is the first iteration that failed or left a rejection, whenever Node reported it", () => {
    const r = child("mixed");
    expect(r.code, r.err).toBe(3);
    const { orders, verdicts } = r.json;
    for (const v of verdicts) expect(v).toEqual(verdicts[0]);
    const v = verdicts[0];
    expect(orders.bca).toBeLessThan(orders.cab);
    expect(v.iteration).toBe(orders.bca);
    expect(v.kind).toBe("crash");
    expect(v.message).toContain("<0.2.0> left a promise rejected with nobody handling it: Error: floating");
  });

  it("an iteration that fails and also leaves a rejection reports its own failure, and Node is not killed", () => {
    const r = child("both");
    expect(r.code, r.err).toBe(3);
    const v = r.json.verdicts[0];
    expect(v.iteration).toBe(r.json.orders.cba);
    expect(v.message).toContain("Process <0.2.0> crashed: Error: both");
    expect(r.err).not.toContain("lockstep: a promise was rejected");
    expect(r.json.seen).toEqual([]);
  });

  it("with allowCrashes the verdict is no bug, and Node is not killed afterwards", () => {
    const r = child("allowed");
    expect(r.code, r.err).toBe(0);
    expect(r.json.verdicts.every((v: { ok: boolean }) => v.ok)).toBe(true);
    expect(r.json.seen).toEqual([]);
  });

  it("other unhandledRejection listeners work again after the exploration", () => {
    const r = child("listeners");
    expect(r.code, r.err).toBe(3);
    expect(r.json.seen).toEqual(["after"]);
  });
});
