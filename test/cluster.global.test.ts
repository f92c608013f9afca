// Global names (OTP's :global, lib/kernel/src/global.erl): one name per process,
// names freed when the owner dies, each side of a netsplit keeps its own table, and a
// heal that finds a name registered on both sides keeps one process and kills the
// other (random_exit_name/3: exit(Pid, kill)). Cases marked "global_SUITE" follow
// lib/kernel/test/global_SUITE.erl (names, names_hidden, the conflict cases).
import { describe, it, expect } from "vitest";
import { explore, replay, sleep, spawn, send, receive, self, monitor, isAlive, exit, trapExits, Cluster, Global, node, ArgumentError, type Pid } from "lockstep";
import { passer, rejection } from "./helpers/explore";

const passes = passer({ iterations: 200, seed: 2, traceDir: false });
const downOf = (ref: unknown) => (m: any) => m?.type === "DOWN" && m.ref === ref;
const forever = async () => {
  await receive(() => false);
};

describe("Global names", () => {
  it("register / whereis / unregister, with value-shaped results", async () => {
    await passes(async () => {
      const [a] = await Cluster.startNodes(["a"]);
      const p1 = await Cluster.spawn(a, forever);
      const p2 = await spawn(forever);
      expect(await Global.register("svc", p1)).toEqual({ ok: true });
      expect(await Global.whereis("svc")).toBe(p1);
      expect(await Global.register("svc", p2)).toEqual({ ok: false, error: "already_registered", pid: p1 });
      expect(await Global.register("other", p1)).toEqual({ ok: false, error: "pid_already_registered", name: "svc" });
      expect(await Global.unregister("svc")).toEqual({ ok: true });
      expect(await Global.unregister("svc")).toEqual({ ok: true }); // as global:unregister_name, also when free
      expect(await Global.whereis("svc")).toBeUndefined();
      expect(await Global.register("svc")).toEqual({ ok: true }); // default: the caller
      expect(await Global.whereis("svc")).toBe(self());
      await exit(p2, "kill");
      expect(await Global.register("dead", p2)).toEqual({ ok: false, error: "noproc" });
      expect(await rejection(Global.register({} as any))).toBeInstanceOf(TypeError);
      expect(await rejection(Global.send("nobody", "hi"))).toBeInstanceOf(ArgumentError);
      expect(await Global.send("svc", "to myself")).toBe(self());
      expect(await receive()).toBe("to myself");
    });
  });

  it("a name is freed when its owner dies, on every node (global monitors owners)", async () => {
    await passes(async () => {
      const [a, b] = await Cluster.startNodes(["a", "b"]);
      const me = self();
      const owner = await Cluster.spawn(a, async () => {
        await Global.register("leader");
        await send(me, "registered");
        await receive((m) => m === "stop");
      });
      await receive((m) => m === "registered");
      const ask = (n: typeof a) => Cluster.spawn(n, async () => {
        await send(me, { at: node(), pid: await Global.whereis("leader") });
      });
      await ask(b);
      expect((await receive((m) => m.at === b)).pid).toBe(owner);
      const ref = await monitor(owner);
      await send(owner, "stop");
      await receive(downOf(ref));
      await ask(b);
      expect((await receive((m) => m.at === b)).pid).toBeUndefined();
      expect(await Global.whereis("leader")).toBeUndefined();
    });
  });

  it("global_SUITE names: names of processes on a node that goes down disappear; the name can be taken again", async () => {
    await passes(async () => {
      const [a] = await Cluster.startNodes(["a"]);
      const pa = await Cluster.spawn(a, async () => {
        await Global.register("test");
        await forever();
      });
      await Global.whereis("test"); // a step for pa to register in (or not yet)
      await Cluster.stopNode(a);
      expect(await isAlive(pa)).toBe(false);
      expect(await Global.whereis("test")).toBeUndefined();
      expect(await Global.register("test")).toEqual({ ok: true });
    });
  });

  it("each side of a dropping partition forgets the other side's names and may register them itself", async () => {
    await passes(async () => {
      const [a, b] = await Cluster.startNodes(["a", "b"]);
      const me = self();
      const pa = await Cluster.spawn(a, forever);
      expect(await Global.register("x", pa)).toEqual({ ok: true });
      await Cluster.partition([a], [b, "main"]);
      expect(await Global.whereis("x")).toBeUndefined();
      const pb = await Cluster.spawn(b, async () => {
        await send(me, await Global.register("x"));
        await forever();
      });
      expect(await receive()).toEqual({ ok: true });
      expect(await Global.whereis("x")).toBe(pb);
      await Cluster.spawn(a, async () => {
        // a still sees its own registration
        if ((await Global.whereis("x")) !== pa) throw new Error("a lost its name during the partition");
      });
    });
  });

  it("a deferring partition keeps one table (the lock protocol waits for the network, then succeeds)", async () => {
    await passes(async () => {
      const [a] = await Cluster.startNodes(["a"]);
      const pa = await Cluster.spawn(a, forever);
      await Cluster.partition([a], ["main"], { mode: "defer" });
      expect(await Global.register("x", pa)).toEqual({ ok: true });
      expect(await Global.register("x")).toEqual({ ok: false, error: "already_registered", pid: pa });
      await Cluster.heal();
    });
  });

  it("names registered on one side only are known everywhere after the heal", async () => {
    await passes(async () => {
      const [a] = await Cluster.startNodes(["a"]);
      await Cluster.partition([a], ["main"]);
      const pa = await Cluster.spawn(a, forever); // spawned across the split: never runs
      expect(await isAlive(pa)).toBe(false);
      await Cluster.heal();
      const me = self();
      const pa2 = await Cluster.spawn(a, async () => {
        await Global.register("only-a");
        await send(me, "ok");
        await forever();
      });
      await receive();
      expect(await Global.whereis("only-a")).toBe(pa2);
    });
  });
});

describe("conflict resolution on heal (random_exit_name)", () => {
  /**
   * Each side of a netsplit registers "leader" (main is on neither side). A watcher
   * beside each owner reports its DOWN to the body once the network is back.
   */
  const splitBrain = async () => {
    const [a, b] = await Cluster.startNodes(["a", "b"]);
    const me = self();
    const owners: Pid[] = [];
    const results: unknown[] = [];
    for (const n of [a, b]) {
      await Cluster.spawn(n, async () => {
        const owner = await spawn(async () => {
          await sleep(5); // ends after the partition below: timers fire only when nothing else can run
          results.push(await Global.register("leader"));
          await forever();
        });
        owners.push(owner);
        const ref = await monitor(owner);
        const down = await receive(downOf(ref));
        await send(me, { owner, reason: down.reason });
      });
    }
    await Cluster.partition([a], [b]);
    // Quiescent timers: the sleep ends only when nothing else can run, so both registered.
    await sleep(10);
    return { owners, results };
  };

  it("leaves exactly one registered and kills the other with an untrappable kill", async () => {
    const winners = new Set<string>();
    await passes(async () => {
      const { owners, results } = await splitBrain();
      expect(results).toEqual([{ ok: true }, { ok: true }]);
      await Cluster.heal();
      // the conflict is resolved by a scheduled resolver: the loser's watcher reports its death
      const down = await receive();
      expect(down.reason).toBe("killed");
      const winner = owners.find((o) => o !== down.owner)!;
      expect(await Global.whereis("leader")).toBe(winner);
      expect(await isAlive(winner)).toBe(true);
      expect(await isAlive(down.owner)).toBe(false);
      winners.add(String(node(winner)));
    });
    // the strategy chooses which side keeps the name: exploration sees both
    expect([...winners].sort()).toEqual(["a", "b"]);
  });

  it("the kill cannot be trapped", async () => {
    await passes(async () => {
      const [a, b] = await Cluster.startNodes(["a", "b"]);
      const owner = async () => {
        await trapExits(true);
        await sleep(5);
        await Global.register("n");
        await forever();
      };
      const pa = await Cluster.spawn(a, owner);
      const pb = await Cluster.spawn(b, owner);
      await Cluster.partition([a, "main"], [b]);
      await sleep(10);
      await Cluster.heal();
      await sleep(10); // the resolvers ran
      const alive = [await isAlive(pa), await isAlive(pb)];
      expect(alive.filter(Boolean)).toHaveLength(1);
      expect(await Global.whereis("n")).toBe(alive[0] ? pa : pb);
    });
  });

  it("a conflict found by exploration is replayable with the same winner", async () => {
    const body = async () => {
      const { owners } = await splitBrain();
      await Cluster.heal();
      const down = await receive();
      // a "bug" that holds exactly when b's owner lost
      if (node(down.owner).name === "b") throw new Error(`b's leader ${owners[1]} was killed`);
    };
    const r = await explore(body, { iterations: 100, seed: 4, traceDir: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.format()).toMatch(/global-sync name exchange +conflicts resolved/);
    const again = await replay(body, r.bug);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(String(again.bug.error)).toBe(String(r.bug.error));
  });
});
