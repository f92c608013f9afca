// Registry (src/otp/registry.ts): every function, unique and duplicate, death cleanup
// and its window, listeners, partitions, via names and bad inputs. Semantics cite
// Elixir's lib/elixir/lib/registry.ex.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  explore, spawn, spawnMonitor, send, receive, self, monitor, whereis, via, isAlive, sleep, exit, register as registerName,
  Registry, RegistryHandle, MatchSpecError, GenServer, ArgumentError, OptionsError, UsageError, StartError, Pid, viaRegister, viaUnregister,
  type ExploreOptions,
} from "lockstep";
import registryRace, { options as raceOptions } from "../examples/registry-race.mjs";

/** Runs body over several schedules; fails the test with the bug report if any iteration fails. */
async function holds(body: () => Promise<void>, opts: ExploreOptions = {}): Promise<void> {
  const r = await explore(body, { iterations: 25, seed: 11, traceDir: false, ...opts });
  if (!r.ok) throw new Error(r.bug.format());
}

/** Waits until the registry's cleanup removed every entry of `pid`. */
async function cleanedUp(reg: RegistryHandle | string, pid: Pid): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if ((await Registry.keys(reg, pid)).length === 0) return;
    // Under the quiescent timer policy a sleep ends only when nothing else can run,
    // so the registry's cleanup process runs first, whatever the strategy.
    await sleep(1);
  }
  throw new Error(`cleanup of ${pid} never ran`);
}

/** Spawns a process that runs `f` and then waits for "stop"; resolves to its pid once `f` is done. */
async function worker(f: () => Promise<unknown>): Promise<Pid> {
  const me = self();
  const pid = await spawn(async () => {
    await send(me, { ready: self(), result: await f() });
    await receive((m) => m === "stop");
  });
  await receive((m) => m?.ready === pid);
  return pid;
}

describe("Registry.start", () => {
  it("resolves to a handle that prints, and a name works in its place", async () => {
    await holds(async () => {
      const a = await Registry.start({ keys: "unique" });
      const b = await Registry.start({ keys: "duplicate", name: "topics", partitions: 3 });
      expect(a).toBeInstanceOf(RegistryHandle);
      expect(String(a)).toBe("#Registry<1 unique>");
      expect(String(b)).toBe("#Registry<topics duplicate>");
      expect([a.keys, b.keys, b.name, b.partitions]).toEqual(["unique", "duplicate", "topics", 3]);
      expect((await Registry.register("topics", "t", 1)).ok).toBe(true);
      expect(await Registry.lookup(b, "t")).toEqual([[self(), 1]]);
    });
  });

  it("rejects bad options with clear errors", async () => {
    await holds(async () => {
      const bad: [unknown, RegExp][] = [
        [undefined, /expects options/],
        [{}, /keys must be "unique" or "duplicate", got undefined/],
        [{ keys: "unique", partitions: 0 }, /partitions must be an integer from 1/],
        [{ keys: "unique", partitions: 1.5 }, /partitions must be an integer/],
        [{ keys: "unique", name: 42 }, /name must be a string or a symbol/],
        [{ keys: "unique", listeners: "x" }, /listeners must be an array of process names or pids/],
        [{ keys: "unique", meta: 5 }, /meta must be a plain object, a Map or \[key, value\] pairs/],
        [{ keys: "unique", meta: [[1, 2, 3]] }, /meta must be .* got the element \[1, 2, 3\]/],
        [{ keys: "unique", partition: 2 }, /unknown option "partition"/],
      ];
      for (const [opts, msg] of bad) {
        const e = await Registry.start(opts as never).catch((x) => x);
        expect(e).toBeInstanceOf(OptionsError);
        expect(String(e.message)).toMatch(msg);
      }
    }, { iterations: 1 });
  });

  it("rejects a name already used in this iteration with already_started", async () => {
    await holds(async () => {
      const a = await Registry.start({ keys: "unique", name: "r" });
      const e = await Registry.start({ keys: "duplicate", name: "r" }).catch((x) => x);
      expect(e).toBeInstanceOf(StartError);
      expect(e.reason).toBe("already_started");
      expect(e.pid).toBe(a);
    }, { iterations: 3 });
  });

  it("accepts initial meta as an object, a Map or pairs", async () => {
    await holds(async () => {
      const a = await Registry.start({ keys: "unique", meta: { color: "red" } });
      const b = await Registry.start({ keys: "unique", meta: new Map<unknown, unknown>([[["t", 1], 2]]) });
      const c = await Registry.start({ keys: "unique", meta: [[1, "one"]] });
      expect(await Registry.meta(a, "color")).toEqual({ ok: true, value: "red" });
      expect(await Registry.meta(b, ["t", 1])).toEqual({ ok: true, value: 2 });
      expect(await Registry.meta(c, 1)).toEqual({ ok: true, value: "one" });
      expect(await Registry.meta(c, 2)).toEqual({ ok: false });
    }, { iterations: 3 });
  });
});

describe("unique registries", () => {
  it("register / lookup / already_registered (also for the owner itself)", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const value = { room: "lobby" };
      const r = await Registry.register(reg, "k", value);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.owner).toBeInstanceOf(Pid);
      const found = await Registry.lookup(reg, "k");
      expect(found).toEqual([[self(), value]]);
      expect(found[0][1]).toBe(value); // stored by reference
      expect(await Registry.register(reg, "k", 2)).toEqual({ ok: false, error: "already_registered", pid: self() });
      const other = await worker(() => Registry.register(reg, "k", 3));
      expect(await Registry.lookup(reg, "k")).toEqual([[self(), value]]);
      const p2 = await worker(async () => (await Registry.register(reg, "other", 4)).ok);
      expect(await Registry.lookup(reg, "other")).toEqual([[p2, 4]]);
      expect(await Registry.lookup(reg, "missing")).toEqual([]);
      expect(await Registry.count(reg)).toBe(2);
      expect(await Registry.keys(reg, other)).toEqual([]);
    });
  });

  it("a worker's already_registered names the owner", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      await Registry.register(reg, "k", 1);
      const me = self();
      await spawn(async () => {
        await send(me, await Registry.register(reg, "k", 2));
      });
      expect(await receive()).toEqual({ ok: false, error: "already_registered", pid: me });
    });
  });

  it("keys compare as terms: structurally, NaN = NaN, -0 = 0, and are snapshotted", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const key = ["room", { id: 1, tag: "a" }];
      await Registry.register(reg, key, "v");
      (key[1] as { id: number }).id = 99; // mutating the caller's object changes nothing
      expect(await Registry.lookup(reg, ["room", { tag: "a", id: 1 }])).toEqual([[self(), "v"]]);
      expect(await Registry.lookup(reg, ["room", { tag: "a", id: 99 }])).toEqual([]);
      await Registry.register(reg, NaN, "nan");
      await Registry.register(reg, 0, "zero");
      expect(await Registry.lookup(reg, NaN)).toEqual([[self(), "nan"]]);
      expect(await Registry.lookup(reg, -0)).toEqual([[self(), "zero"]]);
      const ks = await Registry.keys(reg, self());
      expect(ks).toEqual([["room", { id: 1, tag: "a" }], NaN, 0]);
      expect(Object.isFrozen(ks[0])).toBe(true);
    }, { iterations: 3 });
  });

  it("unregister removes only the caller's entry; always resolves", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      await Registry.register(reg, "mine", 1);
      const other = await worker(async () => {
        await Registry.unregister(reg, "mine"); // not its key: no effect
        await Registry.unregister(reg, "never-registered");
        return Registry.register(reg, "theirs", 2);
      });
      expect(await Registry.lookup(reg, "mine")).toEqual([[self(), 1]]);
      await Registry.unregister(reg, "theirs"); // not ours either
      expect(await Registry.lookup(reg, "theirs")).toEqual([[other, 2]]);
      expect(await Registry.unregister(reg, "mine")).toBeUndefined();
      expect(await Registry.lookup(reg, "mine")).toEqual([]);
      expect(await Registry.register(reg, "mine", 3)).toMatchObject({ ok: true });
    });
  });

  it("updateValue: only the owner, { ok, value, old }", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      await Registry.register(reg, "n", 1);
      expect(await Registry.updateValue(reg, "n", (v: number) => v + 1)).toEqual({ ok: true, value: 2, old: 1 });
      expect(await Registry.lookup(reg, "n")).toEqual([[self(), 2]]);
      expect(await Registry.updateValue(reg, "absent", (v: number) => v + 1)).toEqual({ ok: false });
      let called = false;
      const me = self();
      await spawn(async () => {
        await send(me, await Registry.updateValue(reg, "n", (v: number) => ((called = true), v * 10)));
      });
      expect(await receive()).toEqual({ ok: false });
      expect(called).toBe(false);
      expect(await Registry.lookup(reg, "n")).toEqual([[self(), 2]]);
      const e = await Registry.updateValue(reg, "n", async (v: number) => v).catch((x) => x);
      expect(e).toBeInstanceOf(TypeError);
      const thrown = await Registry.updateValue(reg, "n", () => {
        throw new Error("boom");
      }).catch((x) => x);
      expect(thrown.message).toBe("boom");
      expect(await Registry.lookup(reg, "n")).toEqual([[self(), 2]]);
    });
  });

  it("every answer is the caller's: changing a returned entry or array changes no later answer", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "duplicate" });
      await Registry.register(reg, "k", { n: 1 });
      await Registry.register(reg, "k", 2);
      const first = await Registry.lookup(reg, "k");
      (first[1] as unknown[])[1] = "changed";
      first.reverse();
      first.push([self(), 3]);
      expect(await Registry.lookup(reg, "k")).toEqual([[self(), { n: 1 }], [self(), 2]]);
      await Registry.dispatch(reg, "k", (entries) => {
        entries[0][1] = "changed too";
        entries.pop();
      });
      expect(await Registry.lookup(reg, "k")).toEqual([[self(), { n: 1 }], [self(), 2]]);
      // values themselves are stored by reference
      expect((await Registry.lookup(reg, "k"))[0][1]).toBe(first[1][1]);
      const u = await Registry.start({ keys: "unique" });
      await Registry.register(u, "n", 1);
      const before = (await Registry.lookup(u, "n"))[0];
      before[1] = 7;
      await Registry.updateValue(u, "n", (v: number) => v + 1);
      expect(await Registry.lookup(u, "n")).toEqual([[self(), 2]]);
    });
  });

  it("values(reg, key, pid)", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      await Registry.register(reg, "a", "x");
      const p = await worker(() => Registry.register(reg, "b", "y"));
      expect(await Registry.values(reg, "a", self())).toEqual(["x"]);
      expect(await Registry.values(reg, "a", p)).toEqual([]);
      expect(await Registry.values(reg, "b", p)).toEqual(["y"]);
    });
  });
});

describe("duplicate registries", () => {
  it("accept the same key many times, in registration order", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "duplicate" });
      await Registry.register(reg, "t", 1);
      await Registry.register(reg, "t", 2);
      const p = await worker(() => Registry.register(reg, "t", 3));
      await Registry.register(reg, "u", 4);
      await Registry.register(reg, "t", 5);
      expect(await Registry.lookup(reg, "t")).toEqual([[self(), 1], [self(), 2], [p, 3], [self(), 5]]);
      expect(await Registry.keys(reg, self())).toEqual(["t", "t", "u", "t"]);
      expect(await Registry.values(reg, "t", self())).toEqual([1, 2, 5]);
      expect(await Registry.count(reg)).toBe(5);
      await Registry.unregister(reg, "t"); // all of the caller's entries under "t"
      expect(await Registry.lookup(reg, "t")).toEqual([[p, 3]]);
      expect(await Registry.keys(reg, self())).toEqual(["u"]);
      expect(await Registry.count(reg)).toBe(2);
    });
  });

  it("updateValue is not supported", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "duplicate" });
      await Registry.register(reg, "t", 1);
      const e = await Registry.updateValue(reg, "t", (v: number) => v).catch((x) => x);
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toMatch(/not supported for duplicate registries/);
    }, { iterations: 2 });
  });

  it("match / countMatch / unregisterMatch (Elixir's doc examples)", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "duplicate" });
      await Registry.register(reg, "hello", [1, "atom", 1]);
      await Registry.register(reg, "hello", [2, "atom", 2]);
      const me = self();
      expect(await Registry.match(reg, "hello", [1, "_", "_"])).toEqual([[me, [1, "atom", 1]]]);
      expect(await Registry.match(reg, "hello", ["_", "atom", "_"])).toHaveLength(2);
      expect(await Registry.match(reg, "hello", ["$1", "_", "$1"])).toHaveLength(2);
      expect(await Registry.match(reg, "hello", ["_", "_", "$1"], [[">", "$1", 1]])).toEqual([[me, [2, "atom", 2]]]);
      expect(await Registry.match(reg, "hello", ["_", "$1", "_"], [["is_string", "$1"]])).toHaveLength(2);
      expect(await Registry.countMatch(reg, "hello", ["_", "_", "$1"], [[">", "$1", 1]])).toBe(1);
      expect(await Registry.countMatch(reg, "nope", "_")).toBe(0);
      await Registry.unregisterMatch(reg, "hello", [2, "_", "_"]);
      expect(await Registry.lookup(reg, "hello")).toEqual([[me, [1, "atom", 1]]]);
      await Registry.unregisterMatch(reg, "hello", "nothing-like-it");
      expect(await Registry.count(reg)).toBe(1);
      await Registry.unregisterMatch(reg, "hello", "_");
      expect(await Registry.count(reg)).toBe(0);
    });
  });

  it("unregisterMatch leaves other processes' entries", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "duplicate" });
      const p = await worker(() => Registry.register(reg, "k", "a"));
      await Registry.register(reg, "k", "a");
      await Registry.unregisterMatch(reg, "k", "a");
      expect(await Registry.lookup(reg, "k")).toEqual([[p, "a"]]);
    });
  });

  it("dispatch calls a function or a [module, fnName, extraArgs] triple with the entries", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "duplicate" });
      const me = self();
      const subs: Pid[] = [];
      for (let i = 0; i < 3; i++) {
        subs.push(
          await worker(async () => {
            await Registry.register(reg, "news", i);
          }),
        );
      }
      const seen: unknown[] = [];
      await Registry.dispatch(reg, "news", async (entries) => {
        seen.push(entries);
        for (const [pid, v] of entries) await send(pid, { v });
      });
      expect(seen).toEqual([subs.map((p, i) => [p, i])]);
      const mod = {
        calls: [] as unknown[],
        fan(this: { calls: unknown[] }, entries: unknown, a: number, b: number) {
          this.calls.push([entries, a, b]);
        },
      };
      await Registry.dispatch(reg, "news", [mod, "fan", [7, 8]]);
      expect(mod.calls).toEqual([[subs.map((p, i) => [p, i]), 7, 8]]);
      let called = false;
      await Registry.dispatch(reg, "empty", () => {
        called = true;
      });
      expect(called).toBe(false); // never invoked without entries (Elixir)
      expect(me).toBe(self());
    });
  });

  it("dispatch with exactly one entry calls back once with [[pid, value]] (unique and duplicate)", async () => {
    await holds(async () => {
      for (const keys of ["unique", "duplicate"] as const) {
        const reg = await Registry.start({ keys });
        const owner = await worker(() => Registry.register(reg, "solo", { n: 1 }));
        const calls: unknown[] = [];
        await Registry.dispatch(reg, "solo", (entries) => {
          calls.push(entries);
        });
        expect(calls).toEqual([[[owner, { n: 1 }]]]);
        const mod = { calls: [] as unknown[], fan(entries: unknown, x: string) { this.calls.push([entries, x]); } };
        await Registry.dispatch(reg, "solo", [mod, "fan", ["extra"]]);
        expect(mod.calls).toEqual([[[[owner, { n: 1 }]], "extra"]]);
      }
    });
  });
});

describe("select and countSelect", () => {
  it("run match specs over [key, pid, value] in registration order", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique", partitions: 4 });
      const me = self();
      for (let i = 0; i < 6; i++) await Registry.register(reg, `k${i}`, i);
      expect(await Registry.select(reg, [[["$1", "_", "$3"], [[">", "$3", 2]], ["$1"]]])).toEqual(["k3", "k4", "k5"]);
      expect(await Registry.select(reg, [[["$1", "$2", "$3"], [], [{ key: "$1", pid: "$2", value: "$3" }]]])).toEqual(
        [0, 1, 2, 3, 4, 5].map((i) => ({ key: `k${i}`, pid: me, value: i })),
      );
      expect(await Registry.select(reg, [[["k1", "_", "_"], [], ["$_"]]])).toEqual([["k1", me, 1]]);
      expect(await Registry.select(reg, [])).toEqual([]);
      expect(await Registry.countSelect(reg, [[["_", "_", "$1"], [["<", "$1", 4]], [true]]])).toBe(4);
      // ETS select_count counts only results that are `true`.
      expect(await Registry.countSelect(reg, [[["_", "_", "$1"], [], ["$1"]]])).toBe(0);
    }, { iterations: 5 });
  });

  it("reject malformed specs with a MatchSpecError", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      for (const spec of [{}, [["_", []]], [[["$1"], [], ["$1"]]], [[["$1", "_", "_"], [["frob", "$1"]], ["$1"]]]]) {
        const e = await Registry.select(reg, spec).catch((x) => x);
        expect(e).toBeInstanceOf(MatchSpecError);
      }
      expect(await Registry.countSelect(reg, "nope").catch((x) => x)).toBeInstanceOf(MatchSpecError);
      expect(await Registry.match(reg, "k", "$_").catch((x) => x)).toBeInstanceOf(MatchSpecError);
    }, { iterations: 2 });
  });
});

describe("meta", () => {
  it("putMeta / meta / deleteMeta with any term as key", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique", name: "m" });
      expect(await Registry.meta(reg, "k")).toEqual({ ok: false });
      expect(await Registry.putMeta("m", "k", 1)).toBeUndefined();
      await Registry.putMeta(reg, ["tuple", 1], { deep: true });
      expect(await Registry.meta(reg, "k")).toEqual({ ok: true, value: 1 });
      expect(await Registry.meta(reg, ["tuple", 1])).toEqual({ ok: true, value: { deep: true } });
      await Registry.putMeta(reg, "k", 2);
      expect(await Registry.meta(reg, "k")).toEqual({ ok: true, value: 2 });
      await Registry.deleteMeta(reg, "k");
      await Registry.deleteMeta(reg, "never");
      expect(await Registry.meta(reg, "k")).toEqual({ ok: false });
      // meta keys and registration keys are separate spaces
      expect(await Registry.lookup(reg, ["tuple", 1])).toEqual([]);
    }, { iterations: 3 });
  });
});

describe("death cleanup", () => {
  it("removes a dead owner's entries, in every registry, once the cleanup runs", async () => {
    await holds(async () => {
      const u = await Registry.start({ keys: "unique" });
      const d = await Registry.start({ keys: "duplicate", partitions: 2 });
      const { pid } = await spawnMonitor(async () => {
        await Registry.register(u, "a", 1);
        await Registry.register(u, "b", 2);
        await Registry.register(d, "t", 3);
        await Registry.register(d, "t", 4);
      });
      await receive((m) => m?.type === "DOWN");
      await cleanedUp(u, pid);
      await cleanedUp(d, pid);
      expect(await Registry.count(u)).toBe(0);
      expect(await Registry.count(d)).toBe(0);
      expect(await Registry.lookup(d, "t")).toEqual([]);
    });
  });

  it("the dead-owner window: exploration reaches a lookup that still sees the dead owner", async () => {
    const body = async () => {
      const reg = await Registry.start({ keys: "unique" });
      const { pid } = await spawnMonitor(async () => {
        await Registry.register(reg, "k", "v");
      });
      await receive((m) => m?.type === "DOWN"); // the owner is certainly dead now
      const seen = await Registry.lookup(reg, "k");
      if (seen.length > 0) {
        expect(seen).toEqual([[pid, "v"]]);
        expect(await isAlive(pid)).toBe(false);
        throw new Error("lookup saw a dead owner");
      }
    };
    const r = await explore(body, { iterations: 200, seed: 3, strategy: "random", traceDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.kind).toBe("exception");
    if (!r.ok) expect(String((r.bug.error as Error).message)).toBe("lookup saw a dead owner");
    // ...and the other order (cleanup first) is reachable too.
    const after = await explore(
      async () => {
        const reg = await Registry.start({ keys: "unique" });
        await spawnMonitor(async () => {
          await Registry.register(reg, "k", "v");
        });
        await receive((m) => m?.type === "DOWN");
        if ((await Registry.lookup(reg, "k")).length === 0) throw new Error("cleaned up before the lookup");
      },
      { iterations: 200, seed: 3, strategy: "random", traceDir: false },
    );
    expect(after.ok).toBe(false);
    if (!after.ok) expect(String((after.bug.error as Error).message)).toBe("cleaned up before the lookup");
    if (!after.ok) expect(after.bug.kind).toBe("exception");
  });

  it("in the window, count / keys / select / dispatch see the dead owner; whereis(via) never does", async () => {
    let windows = 0;
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const name = via(reg, "srv");
      const { pid } = await spawnMonitor(async () => {
        await Registry.register(reg, "srv", 1);
      });
      await receive((m) => m?.type === "DOWN");
      const w = await whereis(name);
      expect(w).toBeUndefined();
      const n = await Registry.count(reg);
      const ks = await Registry.keys(reg, pid);
      const sel = await Registry.select(reg, [[["$1", "$2", "_"], [], [["$1", "$2"]]]]);
      let dispatched: unknown = [];
      await Registry.dispatch(reg, "srv", (e) => {
        dispatched = e;
      });
      // All reads happen in one window or after the cleanup; they agree with each other unless the cleanup ran in between.
      if (n === 1 && sel.length === 1) {
        windows++;
        expect(ks).toEqual(["srv"]);
        expect(sel).toEqual([["srv", pid]]);
      }
      if ((dispatched as unknown[]).length > 0) expect(dispatched).toEqual([[pid, 1]]);
      expect(await whereis(name)).toBeUndefined();
    }, { iterations: 100, strategy: "random" });
    expect(windows).toBeGreaterThan(0);
  });

  it("a unique key whose owner is dead is taken over, even before the cleanup", async () => {
    let early = 0;
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const { pid } = await spawnMonitor(async () => {
        await Registry.register(reg, "k", "old");
      });
      await receive((m) => m?.type === "DOWN");
      if ((await Registry.keys(reg, pid)).length > 0) early++;
      expect(await Registry.register(reg, "k", "new")).toMatchObject({ ok: true });
      expect(await Registry.lookup(reg, "k")).toEqual([[self(), "new"]]);
      await cleanedUp(reg, pid);
      expect(await Registry.lookup(reg, "k")).toEqual([[self(), "new"]]); // the cleanup spares the new owner
    }, { iterations: 100, strategy: "random" });
    expect(early).toBeGreaterThan(0);
  });

  it("an unregistered process is no longer watched; registering again watches it again", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "duplicate" });
      const { pid } = await spawnMonitor(async () => {
        await Registry.register(reg, "a", 1);
        await Registry.unregister(reg, "a");
        await Registry.register(reg, "b", 2);
      });
      await receive((m) => m?.type === "DOWN");
      await cleanedUp(reg, pid);
      expect(await Registry.count(reg)).toBe(0);
    });
  });

  it("the cleanup process is a system process: a body blocked forever is a deadlock naming only user processes", async () => {
    const r = await explore(
      async () => {
        await Registry.start({ keys: "unique" });
        await receive();
      },
      { iterations: 1, seed: 1, traceDir: false },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.bug.kind).toBe("deadlock");
      expect(r.bug.message).not.toMatch(/registry/);
    }
  });
});

describe("listeners", () => {
  it("receive register and unregister events (by name and by pid)", async () => {
    await holds(async () => {
      const me = self();
      const log = await spawn(async () => {
        for (;;) await send(me, { heard: await receive() });
      });
      await registerName("listener");
      const reg = await Registry.start({ keys: "duplicate", listeners: ["listener", log] });
      await Registry.register(reg, ["k", 1], "v");
      const event = await receive((m) => m?.type === "register");
      expect(event).toEqual({ type: "register", registry: reg, key: ["k", 1], pid: me, value: "v" });
      const heard = await receive((m) => m?.heard);
      expect(heard.heard).toEqual(event);
      await Registry.unregister(reg, ["k", 1]);
      expect(await receive((m) => m?.type === "unregister")).toEqual({ type: "unregister", registry: reg, key: ["k", 1], pid: me });
      // Elixir's unregister/2 notifies even when nothing was registered under the key.
      await Registry.unregister(reg, "never");
      expect(await receive((m) => m?.type === "unregister")).toEqual({ type: "unregister", registry: reg, key: "never", pid: me });
      // A failed unique registration is not an event; listeners are not told about deaths.
    });
  });

  it("a taken unique key sends no event; unregisterMatch notifies when the key is empty", async () => {
    await holds(async () => {
      const me = self();
      await registerName("l");
      const u = await Registry.start({ keys: "unique", listeners: ["l"] });
      await Registry.register(u, "k", 1);
      await receive((m) => m?.type === "register");
      await spawn(async () => {
        await send(me, await Registry.register(u, "k", 2));
      });
      await receive((m) => m?.ok === false);
      const d = await Registry.start({ keys: "duplicate", listeners: ["l"] });
      await Registry.register(d, "t", 1);
      await Registry.register(d, "t", 2);
      await Registry.unregisterMatch(d, "t", 1);
      await Registry.unregisterMatch(d, "t", 2);
      const got: unknown[] = [];
      for (let i = 0; i < 3; i++) got.push(await receive());
      expect(got).toEqual([
        { type: "register", registry: d, key: "t", pid: me, value: 1 },
        { type: "register", registry: d, key: "t", pid: me, value: 2 },
        { type: "unregister", registry: d, key: "t", pid: me },
      ]);
      expect(await receive(undefined, { timeout: 0 })).toBeTypeOf("symbol"); // nothing else
    });
  });
});

describe("partitions", () => {
  /** The same scripted history on a registry; returns every observation. */
  async function history(keys: "unique" | "duplicate", partitions: number): Promise<unknown[]> {
    const reg = await Registry.start({ keys, partitions });
    const obs: unknown[] = [];
    const ws: Pid[] = [];
    for (let w = 0; w < 5; w++) {
      ws.push(
        await worker(async () => {
          for (let i = 0; i < 6; i++) obs.push(await Registry.register(reg, `k${(w * 7 + i) % 9}`, [w, i]));
        }),
      );
    }
    // Pids differ with the number of partitions (one cleanup process each): name workers by index.
    // (The replacer reads the holder: JSON.stringify has applied Pid.toJSON to `v` already.)
    const norm = (x: unknown) =>
      JSON.stringify(x, function (this: Record<string, unknown>, k, v) {
        const raw = this[k];
        return raw instanceof Pid ? `w${ws.indexOf(raw)}` : v;
      });
    for (let k = 0; k < 9; k++) obs.push(norm(await Registry.lookup(reg, `k${k}`)));
    for (const w of ws) obs.push(norm(await Registry.keys(reg, w)));
    obs.push(await Registry.count(reg));
    obs.push(norm(await Registry.select(reg, [[["$1", "$2", "$3"], [], ["$_"]]])));
    return obs.map((o) => (typeof o === "object" && o !== null && "owner" in o ? "ok" : norm(o)));
  }

  it("give the same answers for 1, 2 and 5 partitions (unique and duplicate)", async () => {
    for (const keys of ["unique", "duplicate"] as const) {
      const results: unknown[][] = [];
      for (const parts of [1, 2, 5]) {
        const r = await explore(
          async () => {
            results.push(await history(keys, parts));
          },
          { iterations: 1, seed: 5, traceDir: false },
        );
        if (!r.ok) throw new Error(r.bug.format());
      }
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    }
  });

  it("spread registrants over one cleanup process per partition", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "duplicate", partitions: 3 });
      const owners = new Set<string>();
      const pids: Pid[] = [];
      for (let i = 0; i < 3; i++) {
        pids.push(
          await worker(async () => {
            const r = await Registry.register(reg, "t", i);
            if (r.ok) owners.add(String(r.owner));
          }),
        );
      }
      expect(owners.size).toBe(3);
      for (const p of pids) await send(p, "stop");
      for (const p of pids) await cleanedUp(reg, p);
      expect(await Registry.count(reg)).toBe(0);
    });
  });
});

describe("via names", () => {
  it("send, whereis and monitor resolve through the registry (handle or name)", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique", name: "names" });
      const me = self();
      const srv = await spawn(async () => {
        expect(await viaRegister(via(reg, ["srv", 1]))).toEqual({ ok: true });
        await send(me, "registered");
        const m = await receive();
        await send(me, { echo: m });
      });
      await receive((m) => m === "registered");
      expect(await whereis(via(reg, ["srv", 1]))).toBe(srv);
      expect(await whereis(via("names", ["srv", 1]))).toBe(srv);
      expect(await whereis(via(reg, "nobody"))).toBeUndefined();
      const ref = await monitor(via("names", ["srv", 1]));
      await send(via("names", ["srv", 1]), "hi");
      expect(await receive((m) => m?.echo)).toEqual({ echo: "hi" });
      const down = await receive((m) => m?.type === "DOWN");
      expect(down).toMatchObject({ ref, pid: srv, reason: "normal" });
      expect(await whereis(via(reg, ["srv", 1]))).toBeUndefined();
      await cleanedUp(reg, srv);
      const e = await send(via(reg, ["srv", 1]), "late").catch((x) => x);
      expect(e).toBeInstanceOf(ArgumentError);
    });
  });

  it("viaRegister reports the live owner of a taken name; viaUnregister frees it", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const me = self();
      expect(await viaRegister(via(reg, "n"), "val")).toEqual({ ok: true });
      expect(await Registry.lookup(reg, "n")).toEqual([[me, "val"]]);
      await spawn(async () => {
        await send(me, await viaRegister(via(reg, "n")));
      });
      expect(await receive()).toEqual({ ok: false, pid: me });
      await viaUnregister(via(reg, "n"));
      expect(await whereis(via(reg, "n"))).toBeUndefined();
    });
  });

  it("GenServer start / call / cast through via names; a taken name is already_started", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique", name: "servers" });
      const counter = {
        async init(n: number) {
          return { state: n };
        },
        async handleCall(req: string, _from: unknown, n: number) {
          return { reply: req === "get" ? n : null, state: n };
        },
        async handleCast(req: string, n: number) {
          return { state: req === "inc" ? n + 1 : n };
        },
      };
      const name = via("servers", "counter");
      const pid = await GenServer.start(counter, 41, { name });
      expect(await Registry.lookup(reg, "counter")).toEqual([[pid, undefined]]);
      await GenServer.cast(name, "inc");
      expect(await GenServer.call(name, "get")).toBe(42);
      const e = await GenServer.start(counter, 0, { name }).catch((x) => x);
      expect(e).toBeInstanceOf(StartError);
      expect(e.reason).toBe("already_started");
      expect(e.pid).toBe(pid);
    });
  });

  it("via names need a unique registry", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "duplicate" });
      expect(await viaRegister(via(reg, "n")).catch((x) => x)).toBeInstanceOf(ArgumentError);
      expect(await whereis(via(reg, "n")).catch((x) => x.message)).toMatch(/via names need a unique registry/);
      expect(await send(via("nope", "n"), 1).catch((x) => x)).toBeInstanceOf(ArgumentError);
    }, { iterations: 2 });
  });
});

describe("bad inputs", () => {
  it("unknown registries, handles of another iteration, cyclic keys, non-pids, bad callbacks", async () => {
    let old: RegistryHandle | undefined;
    await holds(async () => {
      old = await Registry.start({ keys: "unique" });
    }, { iterations: 1 });
    await holds(async () => {
      const unknown = await Registry.lookup("nope", "k").catch((x) => x);
      expect(unknown).toBeInstanceOf(ArgumentError);
      expect(unknown.message).toMatch(/Registry.lookup: unknown registry "nope"/);
      expect((await Registry.count(old!).catch((x) => x)).message).toMatch(/started in another iteration/);
      expect(await Registry.register({} as never, "k", 1).catch((x) => x)).toBeInstanceOf(ArgumentError);
      const reg = await Registry.start({ keys: "unique" });
      const cyclic: unknown[] = [];
      cyclic.push(cyclic);
      const c = await Registry.register(reg, cyclic, 1).catch((x) => x);
      expect(c).toBeInstanceOf(TypeError);
      expect(c.message).toMatch(/cannot be a registry key.*cyclic/);
      expect(await Registry.count(reg)).toBe(0);
      expect(await Registry.keys(reg, "pid" as never).catch((x) => x.message)).toMatch(/Registry.keys expects a pid/);
      expect(await Registry.values(reg, "k", 1 as never).catch((x) => x)).toBeInstanceOf(TypeError);
      expect((await Registry.dispatch(reg, "k", 42 as never).catch((x) => x)).message).toMatch(/function or a \[module, fnName, extraArgs\]/);
      expect((await Registry.dispatch(reg, "k", [{}, "nope", []]).catch((x) => x)).message).toMatch(/has no function "nope"/);
      expect(await Registry.updateValue(reg, "k", "f" as never).catch((x) => x)).toBeInstanceOf(TypeError);
    }, { iterations: 2 });
  });

  it("outside an exploration: a UsageError", async () => {
    await expect(Registry.lookup("r", "k")).rejects.toBeInstanceOf(UsageError);
    await expect(Registry.start({ keys: "unique" })).rejects.toBeInstanceOf(UsageError);
    await expect(Registry.dispatch("r", "k", () => {})).rejects.toBeInstanceOf(UsageError);
    await expect(Registry.updateValue("r", "k", (v) => v)).rejects.toBeInstanceOf(UsageError);
  });
});

describe("reports", () => {
  it("registry operations appear in a bug's interleaving", async () => {
    const r = await explore(
      async () => {
        const reg = await Registry.start({ keys: "unique", name: "rooms" });
        await Registry.register(reg, "lobby", 1);
        expect(await Registry.lookup(reg, "lobby")).toEqual([]);
      },
      { iterations: 1, seed: 1, traceDir: false },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.bug.kind).toBe("exception");
      const text = r.bug.format();
      expect(text).toMatch(/reg-write register\(rooms, "lobby", 1\)/);
      expect(text).toMatch(/reg-read +lookup\(rooms, "lobby"\) +\[\[<0.1.0>, 1\]\]/);
    }
  });
});

describe("examples/registry-race.mjs", () => {
  it("lockstep finds the lookup-then-register race", async () => {
    const r = await explore(registryRace, { ...raceOptions, seed: 1, traceDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.bug.kind).toBe("exception");
      expect(String((r.bug.error as Error).message)).toMatch(/both created "lobby"/);
    }
  });
});

describe("surviving mutants of registry.ts (npm run mutate)", () => {
  it("a symbol works as a registry name, in place of the handle and in via()", async () => {
    await holds(async () => {
      const name = Symbol("rooms");
      const reg = await Registry.start({ keys: "unique", name });
      expect((await Registry.register(name, "lobby", 1)).ok).toBe(true);
      expect(await Registry.lookup(name, "lobby")).toEqual([[self(), 1]]);
      expect(await Registry.lookup(reg, "lobby")).toEqual([[self(), 1]]);
      expect(await whereis(via(name, "lobby"))).toBe(self());
    }, { iterations: 3 });
  });

  it("dispatch accepts only a [module, fnName: string, extraArgs: array] triple", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "duplicate" });
      await Registry.register(reg, "k", 1);
      const mod = { f: (..._a: unknown[]) => {}, 1: () => {} };
      for (const bad of [[mod, 1, []], [null, "f", []], [mod, "f", "xy"], [mod, "f"], ["f", "length", []]]) {
        const e = await Registry.dispatch(reg, "k", bad as never).catch((x) => x);
        expect(e, String(bad)).toBeInstanceOf(TypeError);
        expect(e.message).toMatch(/expects a function or a \[module, fnName, extraArgs\] triple/);
      }
      // A function module works (typeof "function").
      const calls: unknown[] = [];
      const fmod = Object.assign(() => {}, { run: (es: unknown, x: unknown) => calls.push([es, x]) });
      await Registry.dispatch(reg, "k", [fmod, "run", ["x"]]);
      expect(calls).toEqual([[[[self(), 1]], "x"]]);
    }, { iterations: 1 });
  });

  it("start: 1024 partitions at most; listeners are names (string or symbol) or pids", async () => {
    await holds(async () => {
      const big = await Registry.start({ keys: "duplicate", partitions: 1024 });
      expect(big.partitions).toBe(1024);
      const e = await Registry.start({ keys: "unique", partitions: 1025 }).catch((x) => x);
      expect(e).toBeInstanceOf(OptionsError);
      expect(e.message).toMatch(/partitions must be an integer from 1 to 1024, got 1025/);
      const bad = await Registry.start({ keys: "unique", listeners: [42 as never] }).catch((x) => x);
      expect(bad).toBeInstanceOf(OptionsError);
      const l = Symbol("listener");
      await registerName(l);
      const reg = await Registry.start({ keys: "unique", listeners: [l] });
      await Registry.register(reg, "k", 1);
      expect(await receive()).toEqual({ type: "register", registry: reg, key: "k", pid: self(), value: 1 });
    }, { iterations: 1 });
  });

  it("each partition's cleanup process is spawned at start: pids stay in spawn order", async () => {
    await holds(async () => {
      await Registry.start({ keys: "duplicate", partitions: 3 });
      expect(String(await spawn(async () => {}))).toBe("<0.5.0>");
    }, { iterations: 2 });
  });

  it("the cleanup process ignores stray messages and keeps cleaning up", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const { pid } = await spawnMonitor(async () => {
        const r = await Registry.register(reg, "k", 1);
        if (!r.ok) throw new Error("not registered");
        for (const junk of [undefined, null, "junk", { type: "DOWN", pid: "not a pid" }, { type: "EXIT" }]) await send(r.owner, junk);
      });
      await receive((m) => m?.type === "DOWN");
      await cleanedUp(reg, pid);
      expect(await Registry.count(reg)).toBe(0);
    });
  });

  it("updateValue may set null or undefined", async () => {
    await holds(async () => {
      const reg = await Registry.start({ keys: "unique" });
      await Registry.register(reg, "k", 1);
      expect(await Registry.updateValue(reg, "k", () => null)).toEqual({ ok: true, value: null, old: 1 });
      expect(await Registry.updateValue(reg, "k", () => undefined)).toEqual({ ok: true, value: undefined, old: null });
      expect(await Registry.lookup(reg, "k")).toEqual([[self(), undefined]]);
    }, { iterations: 1 });
  });
});

describe("error messages name the function", () => {
  it("an unknown registry or a bad key is reported by the function that got it", async () => {
    await holds(async () => {
      const calls: [string, () => Promise<unknown>][] = [
        ["register", () => Registry.register("nope", "k", 1)],
        ["unregister", () => Registry.unregister("nope", "k")],
        ["unregisterMatch", () => Registry.unregisterMatch("nope", "k", "_")],
        ["lookup", () => Registry.lookup("nope", "k")],
        ["dispatch", () => Registry.dispatch("nope", "k", () => {})],
        ["match", () => Registry.match("nope", "k", "_")],
        ["countMatch", () => Registry.countMatch("nope", "k", "_")],
        ["values", () => Registry.values("nope", "k", self())],
        ["updateValue", () => Registry.updateValue("nope", "k", (v) => v)],
        ["count", () => Registry.count("nope")],
        ["keys", () => Registry.keys("nope", self())],
        ["select", () => Registry.select("nope", [[["_", "_", "_"], [], [true]]])],
        ["countSelect", () => Registry.countSelect("nope", [[["_", "_", "_"], [], [true]]])],
        ["meta", () => Registry.meta("nope", "k")],
        ["putMeta", () => Registry.putMeta("nope", "k", 1)],
        ["deleteMeta", () => Registry.deleteMeta("nope", "k")],
      ];
      for (const [fn, call] of calls) {
        const e = await call().catch((x) => x);
        expect(e, fn).toBeInstanceOf(ArgumentError);
        expect(e.message).toBe(`Registry.${fn}: unknown registry "nope" (pass the handle Registry.start resolved to, or its name)`);
      }
      const reg = await Registry.start({ keys: "unique" });
      const cyclic: unknown[] = [];
      cyclic.push(cyclic);
      const keyed: [string, () => Promise<unknown>][] = [
        ["register", () => Registry.register(reg, cyclic, 1)],
        ["unregister", () => Registry.unregister(reg, cyclic)],
        ["unregisterMatch", () => Registry.unregisterMatch(reg, cyclic, "_")],
        ["lookup", () => Registry.lookup(reg, cyclic)],
        ["countMatch", () => Registry.countMatch(reg, cyclic, "_")],
        ["updateValue", () => Registry.updateValue(reg, cyclic, (v) => v)],
        ["meta", () => Registry.meta(reg, cyclic)],
        ["putMeta", () => Registry.putMeta(reg, cyclic, 1)],
      ];
      for (const [fn, call] of keyed) {
        const e = await call().catch((x) => x);
        expect(e, fn).toBeInstanceOf(TypeError);
        expect(e.message, fn).toMatch(new RegExp(`^Registry\\.${fn}: the key .* cannot be a registry key`));
      }
      expect((await Registry.values(reg, "k", 42 as never).catch((x) => x)).message).toMatch(/^Registry\.values expects a pid/);
      expect((await Registry.start({ keys: "unique", meta: { a: 1 } }).then(() => Registry.start({ keys: "unique", meta: [[cyclic, 1]] })).catch((x) => x)).message).toMatch(/^Registry\.start meta: the key/);
    }, { iterations: 1 });
  });
});

describe("lookup and dispatch follow every change", () => {
  type Op =
    | { t: "reg"; key: string; v: number }
    | { t: "unreg"; key: string }
    | { t: "unregMatch"; key: string; v: number }
    | { t: "owner"; key: string; n: number }
    | { t: "die"; o: number }
    | { t: "read"; key: string };
  const key = fc.constantFrom("a", "b");
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ t: fc.constant("reg" as const), key, v: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ t: fc.constant("unreg" as const), key }),
    fc.record({ t: fc.constant("unregMatch" as const), key, v: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ t: fc.constant("owner" as const), key, n: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ t: fc.constant("die" as const), o: fc.nat(5) }),
    fc.record({ t: fc.constant("read" as const), key }),
    fc.record({ t: fc.constant("read" as const), key }),
  );

  it("lookup and dispatch always show the model's entries, read twice in a row after every kind of change", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 60 }), fc.integer({ min: 1, max: 3 }), async (ops, partitions) => {
        const r = await explore(async () => {
          const reg = await Registry.start({ keys: "duplicate", partitions });
          const me = self();
          const model: { pid: Pid; key: string; v: number }[] = [];
          const owners: Pid[] = [];
          const expected = (k: string) => model.filter((e) => e.key === k).map((e) => [e.pid, e.v]);
          const read = async (k: string) => {
            expect(await Registry.lookup(reg, k)).toEqual(expected(k));
            let seen: unknown = [];
            await Registry.dispatch(reg, k, (entries) => {
              seen = [...entries];
            });
            expect(seen).toEqual(expected(k));
            expect(await Registry.lookup(reg, k)).toEqual(expected(k));
          };
          for (const o of ops) {
            if (o.t === "reg") {
              await Registry.register(reg, o.key, o.v);
              model.push({ pid: me, key: o.key, v: o.v });
            } else if (o.t === "unreg") {
              await Registry.unregister(reg, o.key);
              for (let i = model.length - 1; i >= 0; i--) if (model[i].pid === me && model[i].key === o.key) model.splice(i, 1);
            } else if (o.t === "unregMatch") {
              await Registry.unregisterMatch(reg, o.key, o.v);
              for (let i = model.length - 1; i >= 0; i--) if (model[i].pid === me && model[i].key === o.key && model[i].v === o.v) model.splice(i, 1);
            } else if (o.t === "owner") {
              const k = o.key, n = o.n;
              const pid = await worker(async () => {
                for (let i = 0; i < n; i++) await Registry.register(reg, k, 10 + i);
              });
              for (let i = 0; i < n; i++) model.push({ pid, key: k, v: 10 + i });
              owners.push(pid);
            } else if (o.t === "die") {
              const pid = owners.splice(o.o % Math.max(owners.length, 1), 1)[0];
              if (pid === undefined) continue;
              await exit(pid, "kill");
              await cleanedUp(reg, pid);
              for (let i = model.length - 1; i >= 0; i--) if (model[i].pid === pid) model.splice(i, 1);
            }
            if (o.t === "die") {
              await read("a");
              await read("b");
            } else await read(o.key);
          }
        }, { iterations: 1, seed: 1, traceDir: false });
        if (!r.ok) throw new Error(r.bug.format());
      }),
      { numRuns: 60, seed: 20261127 },
    );
  });
});
