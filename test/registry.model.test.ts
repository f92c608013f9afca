// Model test of the whole Registry (interning, engine tables, values, cleanup,
// listeners): random sequences of register / unregister / unregisterMatch /
// updateValue / lookup / dispatch / match / countMatch / keys / values / count /
// select / countSelect / meta / whereis(via) and process death, issued by several
// worker processes, checked step by step against a plain array model. The body drives
// the workers one command at a time, so the history is the same under every schedule,
// except for one thing the schedule decides: when a registry's cleanup process removes
// a dead owner's entries (Elixir's window: "certain operations may return processes
// that are already dead"). After a "die" the body sleeps: under the quiescent timer
// policy the sleep ends only once the cleanup processes have run. After a "crash" it
// goes on at once, and the model keeps the dead owner's entries as pending: each read
// must show all of that owner's entries or none (a cleanup is one atomic step), once
// gone they never come back, a unique key of a dead owner is taken over by the next
// registrant, and whereis(via) never returns the dead pid. Both registries have the
// body as a listener: every register / unregister event is checked, in order.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { explore, spawnMonitor, send, receive, self, sleep, whereis, via, Registry, TIMEOUT, type Pid, type RegistryHandle } from "lockstep";

const WORKERS = 3;
/** Key makers: structural keys are rebuilt on every use, so only term equality can find them. */
const KEYS: (() => unknown)[] = [() => "s", () => 1, () => ["room", 1], () => ({ b: [2], a: "x" }), () => NaN, () => ["room", 2]];

/** A value is [tag, n]: n is the operation number, tag = n % 3. */
type Value = [number, number];

/** Value filters (match, countMatch, unregisterMatch): the match-spec encoding and its meaning. */
const FILTERS: ((t: number) => { pattern: unknown; guards: unknown[]; test: (v: Value) => boolean })[] = [
  (t) => ({ pattern: [t, "_"], guards: [], test: (v) => v[0] === t }),
  (t) => ({ pattern: ["$1", "$2"], guards: [["orelse", ["==", "$1", t], [">", "$2", 20]]], test: (v) => v[0] === t || v[1] > 20 }),
  (t) => ({ pattern: ["$1", "_"], guards: [["not", ["==", "$1", t]]], test: (v) => v[0] !== t }),
  () => ({ pattern: "_", guards: [], test: () => true }),
  (t) => ({ pattern: ["_", "$2"], guards: [["andalso", [">=", "$2", 5 * t], ["=<", "$2", 5 * t + 15]]], test: (v) => v[1] >= 5 * t && v[1] <= 5 * t + 15 }),
];

type Op =
  | { op: "register" | "unregister" | "updateValue"; w: number; reg: number; k: number }
  | { op: "unregisterMatch"; w: number; reg: number; k: number; f: number; t: number }
  | { op: "lookup" | "dispatch"; reg: number; k: number }
  | { op: "match" | "countMatch"; reg: number; k: number; f: number; t: number }
  | { op: "keys"; reg: number; w: number }
  | { op: "deadKeys"; reg: number }
  | { op: "values"; reg: number; w: number; k: number }
  | { op: "count"; reg: number }
  | { op: "select" | "countSelect"; reg: number; t: number; f: number }
  | { op: "putMeta" | "deleteMeta" | "meta"; reg: number; k: number }
  | { op: "whereis"; k: number }
  | { op: "die" | "crash"; w: number };

const w = fc.nat(WORKERS - 1);
const reg = fc.nat(1);
const k = fc.nat(KEYS.length - 1);
const f = fc.nat(FILTERS.length - 1);
const t = fc.nat(2);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant("register" as const), w, reg, k }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("unregister" as const), w, reg, k }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("unregisterMatch" as const), w, reg, k, f, t }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("updateValue" as const), w, reg, k }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("lookup" as const), reg, k }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("dispatch" as const), reg, k }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("match" as const, "countMatch" as const), reg, k, f, t }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("keys" as const), reg, w }) },
  fc.record({ op: fc.constant("deadKeys" as const), reg }),
  fc.record({ op: fc.constant("values" as const), reg, w, k }),
  fc.record({ op: fc.constant("count" as const), reg }),
  fc.record({ op: fc.constantFrom("select" as const, "countSelect" as const), reg, t, f: fc.nat(2) }),
  fc.record({ op: fc.constantFrom("putMeta" as const, "deleteMeta" as const, "meta" as const), reg, k }),
  fc.record({ op: fc.constant("whereis" as const), k }),
  fc.record({ op: fc.constantFrom("die" as const, "crash" as const), w }),
);

interface MEntry {
  k: number;
  pid: Pid;
  value: Value;
}

/** A worker: performs the commands it is sent, replies with the result, exits on "die". */
async function workerLoop(): Promise<void> {
  for (;;) {
    const m = await receive();
    if (m.run === "die") return;
    await send(m.from, { result: await m.run() });
  }
}

/** How often the window showed: a dead owner's entries seen, a dead owner's key taken over. */
const stats = { deadSeen: 0, takeovers: 0 };

const isEvent = (m: any) => m?.type === "register" || m?.type === "unregister";
const isResult = (m: any) => m !== null && typeof m === "object" && "result" in m;

function body(ops: Op[], partitions: number) {
  return async () => {
    const me = self();
    const regs: RegistryHandle[] = [
      await Registry.start({ keys: "unique", partitions, listeners: [me] }),
      await Registry.start({ keys: "duplicate", partitions, listeners: [me] }),
    ];
    const model: MEntry[][] = [[], []];
    /** Dead owners whose entries the registry's cleanup may not have removed yet. */
    const pending: Set<Pid>[] = [new Set(), new Set()];
    const meta = [new Map<number, number>(), new Map<number, number>()];
    const events: unknown[][] = [];
    const workers: Pid[] = [];
    let lastDead: Pid | undefined;
    const spawnWorker = async () => (await spawnMonitor(workerLoop)).pid;
    for (let i = 0; i < WORKERS; i++) workers.push(await spawnWorker());
    const on = async (i: number, fn: () => Promise<unknown>) => {
      await send(workers[i], { from: me, run: fn });
      return (await receive(isResult)).result;
    };
    const event = (type: string, r: number, kk: number, pid: Pid, value?: Value) =>
      events.push(type === "register" ? [type, r, KEYS[kk](), pid, value] : [type, r, KEYS[kk](), pid]);
    /** The dead owner's entries were removed by the cleanup: from now on they are gone. */
    const cleaned = (r: number, d: Pid) => {
      pending[r].delete(d);
      model[r] = model[r].filter((e) => e.pid !== d);
    };
    /**
     * An observation of the entries `scope` selects: a pending dead owner's entries
     * in scope are all there (not cleaned yet) or all gone (cleaned).
     */
    const observe = (r: number, scope: (e: MEntry) => boolean, got: Pid[]) => {
      for (const d of [...pending[r]]) {
        const want = model[r].filter((e) => scope(e) && e.pid === d).length;
        if (want === 0) continue;
        const seen = got.filter((p) => p === d).length;
        if (seen === 0) cleaned(r, d);
        else {
          expect(seen).toBe(want);
          stats.deadSeen++;
        }
      }
    };
    /** A count over `scope`: resolves a pending owner only when exactly one is in scope. */
    const observeCount = (r: number, scope: (e: MEntry) => boolean, got: number) => {
      const live = model[r].filter((e) => scope(e) && !pending[r].has(e.pid)).length;
      const inScope = [...pending[r]].map((d) => [d, model[r].filter((e) => scope(e) && e.pid === d).length] as const).filter(([, n]) => n > 0);
      if (inScope.length === 1 && got === live) cleaned(r, inScope[0][0]);
      else if (inScope.length > 1) {
        // Several pending owners: the count is the live entries plus some of theirs.
        const sums = new Set([0]);
        for (const [, n] of inScope) for (const s of [...sums]) sums.add(s + n);
        expect(sums.has(got - live), `count ${got}, live ${live}, pending ${inScope.map(([, n]) => n)}`).toBe(true);
        return;
      }
      expect(got).toBe(model[r].filter(scope).length);
    };
    const entries = (r: number, kk: number) => model[r].filter((e) => e.k === kk).map((e) => [e.pid, e.value]);
    let n = 0;
    for (const o of ops) {
      const value: Value = [n % 3, n];
      n++;
      switch (o.op) {
        case "register": {
          const pid = workers[o.w];
          const got = (await on(o.w, () => Registry.register(regs[o.reg], KEYS[o.k](), value))) as { ok: boolean; pid?: Pid; owner?: Pid };
          const holder = o.reg === 0 ? model[0].find((e) => e.k === o.k) : undefined;
          if (holder && !pending[0].has(holder.pid)) {
            expect(got).toEqual({ ok: false, error: "already_registered", pid: holder.pid });
          } else {
            expect(got.ok).toBe(true);
            // A dead owner's key is taken over, whether or not its cleanup ran.
            if (holder) {
              model[0] = model[0].filter((e) => e !== holder);
              if (pending[0].has(holder.pid)) stats.takeovers++;
            }
            model[o.reg].push({ k: o.k, pid, value });
            event("register", o.reg, o.k, pid, value);
          }
          break;
        }
        case "unregister":
          await on(o.w, () => Registry.unregister(regs[o.reg], KEYS[o.k]()));
          model[o.reg] = model[o.reg].filter((e) => !(e.k === o.k && e.pid === workers[o.w]));
          event("unregister", o.reg, o.k, workers[o.w]); // always (Elixir's unregister/2)
          break;
        case "unregisterMatch": {
          const { pattern, guards, test } = FILTERS[o.f](o.t);
          await on(o.w, () => Registry.unregisterMatch(regs[o.reg], KEYS[o.k](), pattern, guards));
          const mine = (e: MEntry) => e.k === o.k && e.pid === workers[o.w];
          model[o.reg] = model[o.reg].filter((e) => !(mine(e) && test(e.value)));
          // Listeners hear of it when none of the caller's entries under the key is left.
          if (!model[o.reg].some(mine)) event("unregister", o.reg, o.k, workers[o.w]);
          break;
        }
        case "updateValue": {
          const got = (await on(o.w, () =>
            Registry.updateValue(regs[o.reg], KEYS[o.k](), (old: Value) => [old[0], old[1] + 1000]).catch((e: Error) => ({ rejected: e.name })),
          )) as object;
          if (o.reg === 1) {
            expect(got).toEqual({ rejected: "ArgumentError" }); // Elixir raises for duplicate registries
            break;
          }
          const mine = model[0].find((e) => e.k === o.k && e.pid === workers[o.w]);
          if (!mine) expect(got).toEqual({ ok: false });
          else {
            const next: Value = [mine.value[0], mine.value[1] + 1000];
            expect(got).toEqual({ ok: true, value: next, old: mine.value });
            mine.value = next;
          }
          break;
        }
        case "lookup": {
          const got = await Registry.lookup(regs[o.reg], KEYS[o.k]());
          observe(o.reg, (e) => e.k === o.k, got.map((e) => e[0]));
          expect(got).toEqual(entries(o.reg, o.k));
          break;
        }
        case "dispatch": {
          const calls: unknown[] = [];
          await Registry.dispatch(regs[o.reg], KEYS[o.k](), (es) => {
            calls.push(es);
          });
          observe(o.reg, (e) => e.k === o.k, calls.length === 1 ? (calls[0] as [Pid, Value][]).map((e) => e[0]) : []);
          const want = entries(o.reg, o.k);
          expect(calls).toEqual(want.length > 0 ? [want] : []); // called once with the entries, never without
          break;
        }
        case "match": {
          const { pattern, guards, test } = FILTERS[o.f](o.t);
          const got = await Registry.match(regs[o.reg], KEYS[o.k](), pattern, guards);
          const scope = (e: MEntry) => e.k === o.k && test(e.value);
          observe(o.reg, scope, got.map((e) => e[0]));
          expect(got).toEqual(model[o.reg].filter(scope).map((e) => [e.pid, e.value]));
          break;
        }
        case "countMatch": {
          const { pattern, guards, test } = FILTERS[o.f](o.t);
          const got = await Registry.countMatch(regs[o.reg], KEYS[o.k](), pattern, guards);
          observeCount(o.reg, (e) => e.k === o.k && test(e.value), got);
          break;
        }
        case "keys": {
          const got = await Registry.keys(regs[o.reg], workers[o.w]);
          expect(got).toEqual(model[o.reg].filter((e) => e.pid === workers[o.w]).map((e) => KEYS[e.k]()));
          break;
        }
        case "deadKeys": {
          if (lastDead === undefined) break;
          const d = lastDead;
          const got = await Registry.keys(regs[o.reg], d);
          observe(o.reg, (e) => e.pid === d, got.map(() => d));
          expect(got).toEqual(model[o.reg].filter((e) => e.pid === d).map((e) => KEYS[e.k]()));
          break;
        }
        case "values":
          expect(await Registry.values(regs[o.reg], KEYS[o.k](), workers[o.w])).toEqual(
            model[o.reg].filter((e) => e.pid === workers[o.w] && e.k === o.k).map((e) => e.value),
          );
          break;
        case "count":
          observeCount(o.reg, () => true, await Registry.count(regs[o.reg]));
          break;
        case "select": {
          // Keys, pids and n of the entries tagged t or with n above 20 (o.f picks the body shape).
          const bodies = [["$_"], [["$1", "$2", "$4"]], [{ key: "$1", n: "$4" }]];
          const spec = [[["$1", "$2", ["$3", "$4"]], [["orelse", ["==", "$3", o.t], [">", "$4", 20]]], bodies[o.f]]];
          const got = (await Registry.select(regs[o.reg], spec)) as unknown[];
          const scope = (e: MEntry) => e.value[0] === o.t || e.value[1] > 20;
          if (o.f === 0) observe(o.reg, scope, (got as [unknown, Pid, Value][]).map((e) => e[1]));
          else if (o.f === 1) observe(o.reg, scope, (got as [unknown, Pid, number][]).map((e) => e[1]));
          else if (pending[o.reg].size > 0) break; // the object body carries no pid to resolve the window with
          const want = model[o.reg].filter(scope);
          expect(got).toEqual(
            want.map((e) => (o.f === 0 ? [KEYS[e.k](), e.pid, e.value] : o.f === 1 ? [KEYS[e.k](), e.pid, e.value[1]] : { key: KEYS[e.k](), n: e.value[1] })),
          );
          break;
        }
        case "countSelect": {
          // select_count counts the entries whose body evaluates to true (f = 2: a body that is never true).
          const specs = [
            [[["_", "$2", ["$3", "_"]], [["andalso", ["==", "$3", o.t], ["is_pid", "$2"]]], [true]]],
            [[["_", "_", ["_", "$4"]], [[">=", "$4", 10 * o.t]], [true]]],
            [[["_", "_", ["$3", "_"]], [], ["$3"]]],
          ];
          const scopes = [(e: MEntry) => e.value[0] === o.t, (e: MEntry) => e.value[1] >= 10 * o.t, () => false];
          observeCount(o.reg, scopes[o.f], await Registry.countSelect(regs[o.reg], specs[o.f]));
          break;
        }
        case "putMeta":
          await Registry.putMeta(regs[o.reg], KEYS[o.k](), n);
          meta[o.reg].set(o.k, n);
          break;
        case "deleteMeta":
          await Registry.deleteMeta(regs[o.reg], KEYS[o.k]());
          meta[o.reg].delete(o.k);
          break;
        case "meta": {
          const v = meta[o.reg].get(o.k);
          expect(await Registry.meta(regs[o.reg], KEYS[o.k]())).toEqual(v === undefined ? { ok: false } : { ok: true, value: v });
          break;
        }
        case "whereis": {
          // Never a dead pid, even before the cleanup ran.
          const holder = model[0].find((e) => e.k === o.k && !pending[0].has(e.pid));
          expect(await whereis(via(regs[0], KEYS[o.k]()))).toBe(holder?.pid);
          break;
        }
        case "die":
        case "crash": {
          const dead = workers[o.w];
          await send(dead, { run: "die" });
          await receive((m) => m?.type === "DOWN" && m.pid === dead);
          for (let r = 0; r < 2; r++) {
            if (!model[r].some((e) => e.pid === dead)) continue;
            pending[r].add(dead);
            if (o.op === "crash") {
              // A first look into the window: every entry, the dead owner's all there or all gone.
              const got = (await Registry.select(regs[r], [[["$1", "$2", "$3"], [], ["$_"]]])) as [unknown, Pid, Value][];
              observe(r, () => true, got.map((e) => e[1]));
              expect(got).toEqual(model[r].map((e) => [KEYS[e.k](), e.pid, e.value]));
              // whereis(via) never returns the dead owner, cleaned up or not.
              if (r === 0) for (const e of model[0]) if (e.pid === dead) expect(await whereis(via(regs[0], KEYS[e.k]()))).toBeUndefined();
            }
          }
          if (o.op === "die") {
            await sleep(1); // ends once the cleanup processes have run (quiescent timers)
            for (let r = 0; r < 2; r++) for (const d of [...pending[r]]) cleaned(r, d);
          }
          lastDead = dead;
          workers[o.w] = await spawnWorker();
          break;
        }
      }
      // Listener events, in order; none for a death, a cleanup or a failed registration.
      const heard: unknown[][] = [];
      for (;;) {
        const m = await receive(isEvent, { timeout: 0 });
        if (m === TIMEOUT) break;
        const r = regs.indexOf(m.registry);
        expect(r).toBeGreaterThanOrEqual(0);
        heard.push(m.type === "register" ? [m.type, r, m.key, m.pid, m.value] : [m.type, r, m.key, m.pid]);
        expect(Object.keys(m).length).toBe(m.type === "register" ? 5 : 4);
      }
      expect(heard).toEqual(events);
      events.length = 0;
    }
  };
}

describe("Registry vs a model (fast-check)", () => {
  it("random operation sequences from several processes give the model's answers, through the dead-owner window", async () => {
    let windows = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 30, maxLength: 80 }), fc.integer({ min: 1, max: 3 }), fc.nat(1000), async (ops, partitions, seed) => {
        if (ops.some((o) => o.op === "crash")) windows++;
        const r = await explore(body(ops, partitions), { iterations: 2, seed, strategy: "pct", traceDir: false });
        if (!r.ok) throw new Error(r.bug.format());
      }),
      { numRuns: 100, seed: 20260 },
    );
    expect(windows).toBeGreaterThan(50);
    expect(stats.deadSeen).toBeGreaterThan(20);
    expect(stats.takeovers).toBeGreaterThan(0);
  });
});
