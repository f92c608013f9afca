// GenServer names through a Registry: `via(reg, key)`, as Elixir's
// `{:via, Registry, {registry, key}}` (gen_server.ex "Name registration";
// registry.ex register_name/2 and whereis_name/1, which never returns a dead pid).
import { describe, it, expect } from "vitest";
import {
  explore, spawn, send, receive, self, monitor, via, whereis, isAlive,
  GenServer, Supervisor, Registry, CallExit, StartError, ArgumentError, Pid,
  type Behaviour, type ExploreOptions,
} from "lockstep";
import { passer, rejection, downOf } from "./helpers/explore";

const passes = passer({ iterations: 60, seed: 21, traceDir: false });



const counter: Behaviour<number, number> = {
  init: (n) => ({ state: n }),
  handleCall: (_req, _from, n) => ({ reply: n, state: n }),
  handleCast: (by: number, n) => ({ state: n + by }),
};

describe("via names", () => {
  it("start, call and cast through via(reg, key); whereis resolves it", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const name = via(reg, ["counter", 1]);
      const pid = await GenServer.start(counter, 10, { name });
      expect(await whereis(name)).toBe(pid);
      expect(await GenServer.whereis(via(reg, ["counter", 1]))).toBe(pid); // keys compare structurally
      await GenServer.cast(name, 5);
      expect(await GenServer.call(name, "get")).toBe(15);
      expect(await Registry.lookup(reg, ["counter", 1])).toEqual([[pid, undefined]]);
    });
  });

  it("a registry name works in place of its handle", async () => {
    await passes(async () => {
      await Registry.start({ keys: "unique", name: "services" });
      const pid = await GenServer.start(counter, 1, { name: via("services", "c") });
      expect(await GenServer.call(via("services", "c"), "get")).toBe(1);
      expect(await GenServer.whereis(via("services", "c"))).toBe(pid);
    });
  });

  it("a taken via name rejects with already_started and the owner's pid", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const first = await GenServer.start(counter, 0, { name: via(reg, "c") });
      const e = await rejection(GenServer.start(counter, 0, { name: via(reg, "c") }));
      expect(e).toBeInstanceOf(StartError);
      expect(e.reason).toBe("already_started");
      expect(e.pid).toBe(first);
    });
  });

  it("two concurrent starts under one via name: exactly one wins", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const me = self();
      for (let i = 0; i < 2; i++) {
        await spawn(async () => {
          try {
            await send(me, { ok: await GenServer.start(counter, i, { name: via(reg, "one") }) });
          } catch (e: any) {
            await send(me, { err: e.reason, pid: e.pid });
          }
        });
      }
      const a: any = await receive();
      const b: any = await receive();
      const [won, lost] = "ok" in a ? [a, b] : [b, a];
      expect(won.ok).toBeInstanceOf(Pid);
      expect(lost).toEqual({ err: "already_started", pid: won.ok });
      expect(await GenServer.whereis(via(reg, "one"))).toBe(won.ok);
    });
  });

  // registry.ex: whereis_name never returns a dead pid, and a dead owner's key is taken over.
  it("after the server exits the name resolves to nothing, calls exit noproc, and the name can be reused", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const name = via(reg, "c");
      const old = await GenServer.start(counter, 0, { name });
      await GenServer.stop(name);
      expect(await GenServer.whereis(name)).toBeUndefined();
      expect((await rejection(GenServer.call(name, "get"))).reason).toBe("noproc");
      await GenServer.cast(name, 1); // casts never fail
      const fresh = await GenServer.start(counter, 7, { name });
      expect(fresh).not.toBe(old);
      expect(await GenServer.call(name, "get")).toBe(7);
    });
  });

  it("a supervised server named via a registry is found again under its name after a restart", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const name = via(reg, "worker");
      const sup = await Supervisor.start([{ id: "w", start: () => GenServer.startLink(counter, 0, { name }) }], { strategy: "one_for_one" });
      const first = (await GenServer.whereis(name))!;
      await GenServer.cast(name, 5);
      expect(await GenServer.call(name, "get")).toBe(5);
      const ref = await monitor(first);
      await GenServer.stop(first, "boom"); // an abnormal exit: the supervisor restarts it, state reset
      expect(await receive(downOf(ref))).toMatchObject({ reason: "boom" });
      const again = (await Supervisor.whichChildren(sup))[0].pid as Pid;
      expect(again).not.toBe(first);
      expect(await GenServer.whereis(name)).toBe(again);
      expect(await GenServer.call(name, "get")).toBe(0);
      expect(await isAlive(first)).toBe(false);
    });
  });

  it("a via name on an unknown or duplicate registry is a clear error", async () => {
    await passes(async () => {
      const e = await rejection(GenServer.start(counter, 0, { name: via("no-such-registry", "k") }));
      expect(e).not.toBeInstanceOf(StartError);
      expect(String(e.message)).toMatch(/no-such-registry/);
      const dup = await Registry.start({ keys: "duplicate" });
      const e2 = await rejection(GenServer.start(counter, 0, { name: via(dup, "k") }));
      expect(e2).toBeInstanceOf(ArgumentError);
      expect(e2.message).toMatch(/via names need a unique registry/);
      expect(await rejection(GenServer.call(via(dup, "k"), "get"))).toBeInstanceOf(ArgumentError); // not a name a server can hold
    }, { iterations: 5 });
  });

  it("call through a via name exits with the server's crash reason", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      await GenServer.start({ init: () => ({ state: 0 }), handleCall: () => { throw new Error("bad request"); } }, null, { name: via(reg, "s") });
      const e = await rejection(GenServer.call(via(reg, "s"), "x"));
      expect(e).toBeInstanceOf(CallExit);
      expect(e.reason.message).toBe("bad request");
    }, { allowCrashes: true });
  });

  it("via(reg, key, value) registers the server with that value (Elixir's {:via, Registry, {reg, key, value}})", async () => {
    await passes(async () => {
      const reg = await Registry.start({ keys: "unique" });
      const pid = await GenServer.start(counter, 1, { name: via(reg, "worker", { role: "primary" }) });
      expect(await Registry.lookup(reg, "worker")).toEqual([[pid, { role: "primary" }]]);
      expect(String(via(reg, "worker", 7))).toMatch(/^via\(.*, "worker", 7\)$/);
      // Without a value the registered value is undefined, as registry.ex's register_name/2 ({reg, key}) stores nil.
      const other = await GenServer.start(counter, 2, { name: via(reg, "plain") });
      expect(await Registry.lookup(reg, "plain")).toEqual([[other, undefined]]);
    });
  });
});
