// Adversarial probe: does the default search FIND the bugs a new user writes in
// actor-style programs (from the public API only), does replay reproduce them, and does
// the fixed twin pass (with "explored all N" when its space is small)?
import { describe, it, expect } from "vitest";
import {
  explore, replay, spawn, send, receive, self, monitor, register, whereis, sleep, yieldNow, makeRef, TIMEOUT,
  GenServer, GenStatem, Supervisor, Registry, Agent, Task, Cluster, Global, CallExit,
} from "lockstep";

const opts = { iterations: 2000, seed: 3, traceDir: false } as const;
const fail = (m: string): never => { throw new Error(m); };
const done = (m: any) => m?.tag === "done";
async function waitDone(n: number): Promise<any[]> {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await receive(done));
  return out;
}

/** The bug must be found, be the user's own error, and replay to the same failure. */
async function findsAndReplays(body: () => Promise<void>, message: RegExp, kind = "exception") {
  const r = await explore(body, opts);
  if (r.ok) throw new Error("bug not found");
  expect(r.bug.kind).toBe(kind);
  expect(r.bug.message).toMatch(message);
  const again = await replay(body, r.bug);
  expect(again.ok).toBe(false);
  if (!again.ok) expect(again.bug.message).toBe(r.bug.message);
}

async function passes(body: () => Promise<void>, complete?: boolean) {
  const r = await explore(body, opts);
  expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  if (complete !== undefined && r.ok) expect(r.stats.complete ?? false).toBe(complete);
}

describe("registry lookup-then-register", () => {
  const server = async () => { for (;;) await receive(); };
  const scenario = (fixed: boolean) => async () => {
    const me = self();
    const starter = async () => {
      let p = await whereis("svc");
      if (p === undefined) {
        const cand = await spawn(server);
        try { await register("svc", cand); p = cand; } catch { if (fixed) p = await whereis("svc"); else p = cand; }
      }
      await send(me, { tag: "done", p });
    };
    await spawn(starter);
    await spawn(starter);
    const [a, b] = await waitDone(2);
    if (a.p !== b.p) fail(`two servers started: ${a.p} and ${b.p}`);
  };
  it("finds two servers started, and replays it", () => findsAndReplays(scenario(false), /two servers started/));
  it("the version that re-reads the name after losing passes", () => passes(scenario(true)));
});

describe("hand-rolled call with a timeout: the late reply", () => {
  const echo = async () => {
    for (;;) {
      const m: any = await receive();
      if (m.n === 1) await sleep(10);
      await send(m.from, { reply: m.n, ref: m.ref });
    }
  };
  const scenario = (tagged: boolean) => async () => {
    const s = await spawn(echo);
    const call = async (n: number, timeout: number) => {
      const ref = makeRef();
      await send(s, { from: self(), n, ref });
      const r: any = await receive((m: any) => (tagged ? m.ref === ref : "reply" in m), { timeout });
      return r === TIMEOUT ? TIMEOUT : r.reply;
    };
    await call(1, 10);
    const r = await call(2, 100);
    if (r !== 2) fail(`second call got reply ${String(r)}`);
  };
  it("finds the stale reply taken by the next call", () => findsAndReplays(scenario(false), /second call got reply 1/));
  it("matching on a fresh ref passes: explored all", () => passes(scenario(true), true));
});

describe("supervisor restart and a cached pid", () => {
  const worker = { init: () => ({ state: 0 }), handleCall: (req: any, _f: unknown, s: number) => (req === "crash" ? { stop: "boom", reply: "ok", state: s } : { reply: "pong", state: s }) };
  it("finds the client calling the crashed worker's pid, and replays it", () =>
    findsAndReplays(async () => {
      await Supervisor.startLink([{ id: "w", start: () => GenServer.startLink(worker, null, { name: "worker" }) }], { strategy: "one_for_one" });
      const cached = await whereis("worker");
      const me = self();
      await spawn(async () => { await GenServer.call("worker", "crash").catch(() => {}); await send(me, { tag: "done" }); });
      await spawn(async () => { const r = await GenServer.call(cached!, "ping").catch((e) => e); await send(me, { tag: "done", r }); });
      for (const x of await waitDone(2)) if (x.r instanceof CallExit) fail(`client with cached pid: ${x.r.reason}`);
    }, /client with cached pid/));
});

describe("Agent get-then-update", () => {
  const scenario = (atomic: boolean) => async () => {
    const a = await Agent.start(() => 0);
    const me = self();
    const inc = async () => {
      if (atomic) await Agent.update(a, (n: number) => n + 1);
      else { const v = await Agent.get(a, (n: number) => n); await Agent.update(a, () => v + 1); }
      await send(me, { tag: "done" });
    };
    await spawn(inc);
    await spawn(inc);
    await waitDone(2);
    const v = await Agent.get(a, (n: number) => n);
    if (v !== 2) fail(`agent lost update: ${v}`);
  };
  it("finds the lost update, and replays it", () => findsAndReplays(scenario(false), /agent lost update: 1/));
  it("the atomic update passes", () => passes(scenario(true)));
});

describe("Registry.dispatch racing unregister", () => {
  it("finds an event delivered after unsubscribing (a crash of the subscriber), and replays it", () =>
    findsAndReplays(async () => {
      const reg = await Registry.start({ keys: "duplicate" });
      const me = self();
      const sub = await spawn(async () => {
        await Registry.register(reg, "topic", null);
        await send(me, { tag: "registered" });
        await receive((m) => m === "leave");
        await Registry.unregister(reg, "topic");
        if ((await receive((m) => m === "event", { timeout: 50 })) !== TIMEOUT) fail("event delivered after unsubscribe");
        await send(me, { tag: "done" });
      });
      await receive((m: any) => m?.tag === "registered");
      await spawn(async () => { await Registry.dispatch(reg, "topic", async (es: any[]) => { for (const [p] of es) await send(p, "event"); }); });
      await send(sub, "leave");
      await receive(done);
    }, /event delivered after unsubscribe/, "crash"));
});

describe("leader election with Global.register across a partition", () => {
  const election = (faults: boolean) => async () => {
    const [a, b] = await Cluster.startNodes(["a", "b"]);
    let acting = 0;
    const candidate = async () => {
      for (let i = 0; i < 3; i++) {
        if ((await Global.register("leader", self())).ok) {
          if (++acting > 1) fail("two leaders acting at once");
          await sleep(10);
          acting--;
          await Global.unregister("leader");
          return;
        }
        await sleep(5);
      }
    };
    if (faults) await Cluster.faults({ partitions: 1 });
    await Cluster.spawn(a, candidate);
    await Cluster.spawn(b, candidate);
    await sleep(100);
  };
  it("finds two leaders when the strategy isolates a node, and replays it", () => findsAndReplays(election(true), /two leaders acting at once/, "crash"));
  it("without a partition one leader at a time: explored all", () => passes(election(false), true));
});

describe("GenStatem: postponing by re-sending to self reorders", () => {
  const machine = (manual: boolean) => ({
    init: () => ({ state: "closed", data: [] as string[] }),
    async handleEvent(type: any, content: any, state: string, data: string[]) {
      if (typeof type === "object" && "call" in type) return { actions: [{ reply: [type.call, data] as [any, unknown] }] };
      if (content === "open") return { state: "open" };
      if (state === "closed") {
        if (!manual) return { actions: ["postpone" as const] };
        await send(self(), content);
        return {};
      }
      return { data: [...data, content] };
    },
  });
  const scenario = (manual: boolean) => async () => {
    const m = await GenStatem.start(machine(manual), null);
    const me = self();
    await spawn(async () => { await GenStatem.cast(m, "w1"); await GenStatem.cast(m, "w2"); await send(me, { tag: "done" }); });
    await spawn(async () => { await GenStatem.cast(m, "open"); await send(me, { tag: "done" }); });
    await waitDone(2);
    const log: string[] = await GenStatem.call(m, "log");
    if (log.join() !== "w1,w2") fail(`writes reordered: ${log.join()}`);
  };
  it("finds the reordering, and replays it", () => findsAndReplays(scenario(true), /writes reordered/));
  it("the postpone action keeps the order", () => passes(scenario(false)));
});

describe("a poll loop starves quiescent timers", () => {
  // Real time would end this loop (the sleeper wakes); under timers: "quiescent" the
  // spinning body keeps virtual time still. The step-limit report must say so.
  it("the step-limit report names the pending timer and the way out", async () => {
    const r = await explore(async () => {
      await spawn(async () => { await sleep(5); await register("late", self()); await receive(); });
      while ((await whereis("late")) === undefined) await yieldNow();
    }, { ...opts, iterations: 1, maxSteps: 2000 });
    if (r.ok) throw new Error("expected a step limit");
    expect(r.bug.kind).toBe("step-limit");
    expect(r.bug.message).toMatch(/1 timer\(s\) never fired: under timers: "quiescent"/);
  });
  it("under timers: 'race' the loop ends", async () => {
    const r = await explore(async () => {
      await spawn(async () => { await sleep(5); await register("late", self()); await receive(); });
      while ((await whereis("late")) === undefined) await yieldNow();
    }, { ...opts, iterations: 50, timers: "race" });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });
});

describe("spin-waits under the default strategy", () => {
  // The small-space pass's depth-first search ran the spinner forever first and
  // reported a livelock for a loop every fair schedule ends.
  it("a body polling whereis until a spawned process registers passes", async () => {
    const r = await explore(async () => {
      await spawn(async () => { await register("x", self()); await receive(); });
      while ((await whereis("x")) === undefined) await yieldNow();
    }, { ...opts, seed: 1, iterations: 200, maxSteps: 5000 });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });
  it("a real livelock (two processes bouncing a message forever) is still reported", async () => {
    const r = await explore(async () => {
      const bounce = async () => { for (;;) { const m: any = await receive(); await send(m.to, { to: self() }); } };
      const a = await spawn(bounce);
      const b = await spawn(bounce);
      await send(a, { to: b });
      await receive();
    }, { ...opts, iterations: 200, maxSteps: 5000 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.kind).toBe("step-limit");
  });
});
