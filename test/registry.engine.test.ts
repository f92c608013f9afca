// Model test of the registry's engine tables (assembly/registry.ts): fast-check drives
// the debug wasm build and a plain Map/array model side by side, with random
// sequences of register / unregister / lookup / keys / count / meta / process death
// and the later cleanup step, from several processes, over unique and duplicate
// registries with 1..4 partitions, across begin() resets of one engine instance.
import { describe, it, expect, beforeAll } from "vitest";
import fc from "fast-check";
import { createEngine } from "../src/engine/load";
import type { Engine } from "../src/engine/engine";

const PIDS = 5;
const KEYS = 6;

type Cmd =
  | { c: "register"; k: number; p: number }
  | { c: "unregister"; k: number; p: number }
  | { c: "lookup"; k: number }
  | { c: "keys"; p: number }
  | { c: "count" }
  | { c: "scan" }
  | { c: "entriesOf"; k: number; p: number }
  | { c: "kill"; p: number }
  | { c: "cleanup"; p: number }
  | { c: "removeFirst"; k: number }
  | { c: "metaPut"; k: number; v: number }
  | { c: "metaGet"; k: number }
  | { c: "metaDelete"; k: number };

const pid = fc.integer({ min: 1, max: PIDS });
const key = fc.nat(KEYS - 1);
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ c: fc.constant("register" as const), k: key, p: pid }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant("unregister" as const), k: key, p: pid }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant("lookup" as const), k: key }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant("keys" as const), p: pid }) },
  fc.constant({ c: "count" as const }),
  fc.constant({ c: "scan" as const }),
  fc.record({ c: fc.constant("entriesOf" as const), k: key, p: pid }),
  fc.record({ c: fc.constant("kill" as const), p: pid }),
  fc.record({ c: fc.constant("cleanup" as const), p: pid }),
  fc.record({ c: fc.constant("removeFirst" as const), k: key }),
  fc.record({ c: fc.constant("metaPut" as const), k: key, v: fc.nat(100) }),
  fc.record({ c: fc.constant("metaGet" as const), k: key }),
  fc.record({ c: fc.constant("metaDelete" as const), k: key }),
);

interface MEntry {
  key: number;
  pid: number;
  /** The test's stand-in for the stored value: the registration number. */
  val: number;
}

/** The reference: one array of entries in registration order. */
class Model {
  entries: MEntry[] = [];
  alive = new Set<number>();
  meta = new Map<number, number>();
  constructor(readonly unique: boolean) {
    for (let p = 1; p <= PIDS; p++) this.alive.add(p);
  }
  register(k: number, p: number, val: number): number | MEntry {
    if (this.unique) {
      const i = this.entries.findIndex((e) => e.key === k);
      if (i >= 0) {
        if (this.alive.has(this.entries[i].pid)) return -this.entries[i].pid;
        this.entries.splice(i, 1); // dead owner: taken over
      }
    }
    const e = { key: k, pid: p, val };
    this.entries.push(e);
    return e;
  }
  remove(pred: (e: MEntry) => boolean): number {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => !pred(e));
    return before - this.entries.length;
  }
}

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

function run(unique: boolean, partitions: number, cmds: Cmd[], seed: number, byKey = false): void {
  const x = engine.x;
  x.begin(seed, 0, 1, 0, 0, 0, 0, 0);
  for (let p = 1; p <= PIDS; p++) x.spawn(0);
  // An unrelated registry first, so handles and tables are not all zero.
  const other = x.regNew(1, 2);
  x.regRegister(other, 0, 1);
  const r = x.regNew(unique ? 0 : byKey ? 2 : 1, partitions);
  const m = new Model(unique);
  const vals: number[] = []; // entry id -> value (the TS side's handle table)
  let n = 0;
  const lookup = (k: number) => {
    const c = x.regLookup(r, k);
    return engine.readScratch(c).map((e) => [x.regEntryPid(e), vals[e]]);
  };
  for (const c of cmds) {
    switch (c.c) {
      case "register": {
        if (!m.alive.has(c.p)) break; // only a live process registers itself
        const val = n++;
        const want = m.register(c.k, c.p, val);
        const e = x.regRegister(r, c.k, c.p);
        if (typeof want === "number") expect(e).toBe(want);
        else {
          expect(e).toBeGreaterThanOrEqual(0);
          vals[e] = val;
        }
        break;
      }
      case "unregister":
        expect(x.regUnregister(r, c.k, c.p)).toBe(m.remove((e) => e.key === c.k && e.pid === c.p));
        break;
      case "lookup":
        expect(lookup(c.k)).toEqual(m.entries.filter((e) => e.key === c.k).map((e) => [e.pid, e.val]));
        break;
      case "keys": {
        const cnt = x.regKeys(r, c.p);
        expect(engine.readScratch(cnt)).toEqual(m.entries.filter((e) => e.pid === c.p).map((e) => e.key));
        expect(!!x.regHasPid(r, c.p)).toBe(cnt > 0);
        break;
      }
      case "count":
        expect(x.regCount(r)).toBe(m.entries.length);
        break;
      case "scan": {
        const cnt = x.regScan(r);
        const s = engine.readScratch(cnt * 2);
        const got: number[][] = [];
        for (let i = 0; i < cnt; i++) got.push([s[2 * i], x.regEntryPid(s[2 * i + 1]), vals[s[2 * i + 1]]]);
        expect(got).toEqual(m.entries.map((e) => [e.key, e.pid, e.val]));
        break;
      }
      case "entriesOf": {
        const cnt = x.regEntriesOf(r, c.k, c.p);
        expect(engine.readScratch(cnt).map((e) => vals[e])).toEqual(m.entries.filter((e) => e.key === c.k && e.pid === c.p).map((e) => e.val));
        break;
      }
      case "kill":
        m.alive.delete(c.p);
        x.kill(c.p);
        break;
      case "cleanup":
        if (m.alive.has(c.p)) break; // the cleanup step runs only after a death
        expect(x.regPidDown(r, c.p)).toBe(m.remove((e) => e.pid === c.p));
        break;
      case "removeFirst": {
        const cnt = x.regLookup(r, c.k);
        if (cnt === 0) break;
        const e = engine.scratchAt(0);
        expect(!!x.regEntryLive(e)).toBe(true);
        expect(x.regEntryKey(e)).toBe(c.k);
        expect(!!x.regRemove(e)).toBe(true);
        expect(!!x.regRemove(e)).toBe(false);
        const first = m.entries.findIndex((q) => q.key === c.k);
        m.entries.splice(first, 1);
        break;
      }
      case "metaPut":
        expect(x.regMetaPut(r, c.k, c.v)).toBe(m.meta.get(c.k) ?? -1);
        m.meta.set(c.k, c.v);
        break;
      case "metaGet":
        expect(x.regMetaGet(r, c.k)).toBe(m.meta.get(c.k) ?? -1);
        break;
      case "metaDelete":
        expect(x.regMetaDelete(r, c.k)).toBe(m.meta.get(c.k) ?? -1);
        m.meta.delete(c.k);
        break;
    }
    if (unique) {
      for (let k = 0; k < KEYS; k++) {
        const e = m.entries.find((q) => q.key === k);
        const f = x.regFind(r, k);
        expect(f >= 0 ? x.regEntryPid(f) : -1).toBe(e ? e.pid : -1);
      }
    }
  }
  // The unrelated registry was never touched.
  expect(x.regCount(other)).toBe(1);
  expect(x.regEntries()).toBe(m.entries.length + 1);
}

describe("registry engine tables vs a Map model", () => {
  it("unique registries", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(cmd, { maxLength: 80, size: "max" }), fc.nat(1000), (parts, cmds, seed) => {
        run(true, parts, cmds, seed);
      }),
      { numRuns: 250, seed: 101 },
    );
  });
  it("duplicate registries", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(cmd, { maxLength: 80, size: "max" }), fc.nat(1000), (parts, cmds, seed) => {
        run(false, parts, cmds, seed);
      }),
      { numRuns: 250, seed: 202 },
    );
  });
  it("duplicate registries partitioned by key (DUPLICATE_BY_KEY)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(cmd, { maxLength: 80, size: "max" }), fc.nat(1000), (parts, cmds, seed) => {
        run(false, parts, cmds, seed, true);
      }),
      { numRuns: 250, seed: 303 },
    );
  });
  it("many keys: growth, rehashing and backward-shift deletion keep every chain intact", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(2999), fc.integer({ min: 1, max: 4 })), { minLength: 2000, maxLength: 8000 }), fc.integer({ min: 1, max: 3 }), (ops, parts) => {
        const x = engine.x;
        x.begin(1, 0, 1, 0, 0, 0, 0, 0);
        for (let p = 0; p < 4; p++) x.spawn(0);
        const r = x.regNew(1, parts);
        const model = new Map<number, number[]>();
        for (const [add, k, p] of ops) {
          if (add) {
            x.regRegister(r, k, p);
            model.set(k, [...(model.get(k) ?? []), p]);
          } else {
            x.regUnregister(r, k, p);
            model.set(k, (model.get(k) ?? []).filter((q) => q !== p));
          }
        }
        for (let k = 0; k < 3000; k++) {
          expect(engine.readScratch(x.regLookup(r, k)).map((e) => x.regEntryPid(e))).toEqual(model.get(k) ?? []);
        }
        let total = 0;
        for (const v of model.values()) total += v.length;
        expect(x.regCount(r)).toBe(total);
      }),
      { numRuns: 15, seed: 303 },
    );
  });
  it("begin() empties every table", () => {
    const x = engine.x;
    x.begin(1, 0, 1, 0, 0, 0, 0, 0);
    x.spawn(0);
    const r = x.regNew(1, 1);
    for (let i = 0; i < 1000; i++) x.regRegister(r, i % 10, 1);
    x.regMetaPut(r, 3, 7);
    x.begin(1, 0, 2, 0, 0, 0, 0, 0);
    x.spawn(0);
    const r2 = x.regNew(1, 1);
    expect(r2).toBe(0);
    expect(x.regCount(r2)).toBe(0);
    expect(x.regLookup(r2, 3)).toBe(0);
    expect(x.regKeys(r2, 1)).toBe(0);
    expect(x.regMetaGet(r2, 3)).toBe(-1);
    expect(x.regEntries()).toBe(0);
  });
  it("grows to many entries and keeps registration order within a key", () => {
    const x = engine.x;
    x.begin(1, 0, 1, 0, 0, 0, 0, 0);
    for (let p = 0; p < 100; p++) x.spawn(0);
    const r = x.regNew(1, 3);
    for (let i = 0; i < 20000; i++) x.regRegister(r, i % 7, 1 + (i % 100));
    expect(x.regCount(r)).toBe(20000);
    const pids = engine.readScratch(x.regLookup(r, 3)).map((e) => x.regEntryPid(e));
    const want = [];
    for (let i = 0; i < 20000; i++) if (i % 7 === 3) want.push(1 + (i % 100));
    expect(pids).toEqual(want);
    for (let p = 1; p <= 100; p++) {
      x.kill(p);
      x.regPidDown(r, p);
    }
    expect(x.regCount(r)).toBe(0);
  });
});
