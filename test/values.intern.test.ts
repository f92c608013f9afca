import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Interner } from "../src/values/intern.js";
import { isPlainObject, termEquals } from "../src/values/term.js";
import { Pid } from "../src/values/pid.js";

const pidA = new Pid(1);
const pidB = new Pid(2);
const symA = Symbol("a");
const fnA = () => 1;

const leaf = fc.constantFrom<unknown>(
  0, -0, 1, 1.5, NaN, 1n, "1", "", "a", "0", true, false, null, undefined,
  symA, Symbol.for("r"), fnA, pidA, pidB,
);

const { term } = fc.letrec((tie) => ({
  term: fc.oneof(
    { maxDepth: 3, depthIdentifier: "key" },
    leaf,
    fc.array(tie("term"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "0", "1"), tie("term"), { maxKeys: 3 }),
  ),
}));

/** Deep copy with object keys reversed: the same term, different objects. */
function reorderedCopy(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(reorderedCopy);
  if (isPlainObject(x)) {
    const out = Object.create(Object.getPrototypeOf(x));
    for (const k of Object.keys(x).reverse()) {
      Object.defineProperty(out, k, {
        value: reorderedCopy(x[k]), enumerable: true, writable: true, configurable: true,
      });
    }
    return out;
  }
  return x;
}

/** Everything observable about an interner, for "state unchanged" checks. */
function observe(interner: Interner, probes: unknown[]): unknown {
  const size = interner.size;
  const keys = Array.from({ length: size }, (_, i) => interner.key(i));
  return { size, keys, found: probes.map((p) => interner.find(p)) };
}

function cyclicArray(): unknown[] {
  const a: unknown[] = ["loop"];
  a.push(a);
  return a;
}

describe("Interner", () => {
  it("hands out dense ids from 0 in first-seen order", () => {
    const it = new Interner();
    expect(it.intern("a")).toBe(0);
    expect(it.intern(42)).toBe(1);
    expect(it.intern("a")).toBe(0);
    expect(it.intern(pidA)).toBe(2);
    expect(it.size).toBe(3);
    expect(it.key(0)).toBe("a");
    expect(it.key(2)).toBe(pidA);
  });

  it("keeps primitives of different types apart and applies SameValueZero", () => {
    const it = new Interner();
    const ids = [1, "1", 1n, true, null, undefined, "", 0].map((k) => it.intern(k));
    expect(new Set(ids).size).toBe(ids.length);
    expect(it.intern(NaN)).toBe(it.intern(NaN));
    expect(it.intern(-0)).toBe(it.intern(0));
    expect(it.intern(10n ** 20n)).toBe(it.intern(10n ** 20n));
    expect(it.intern(Symbol("s"))).not.toBe(it.intern(Symbol("s")));
    expect(it.intern(Symbol.for("s"))).toBe(it.intern(Symbol.for("s")));
  });

  it("interns tuples structurally, with type-exact elements", () => {
    const it = new Interner();
    const room42 = it.intern(["room", 42]);
    expect(it.intern(["room", 42])).toBe(room42);
    expect(it.intern(["room", "42"])).not.toBe(room42);
    expect(it.intern(["room", 42n])).not.toBe(room42);
    expect(it.intern(["room"])).not.toBe(room42);
    expect(it.intern(["room", 42, undefined])).not.toBe(room42);
    expect(it.intern([["room"], 42])).not.toBe(room42);
    expect(it.intern([pidA, 1])).toBe(it.intern([pidA, 1]));
    expect(it.intern([pidA, 1])).not.toBe(it.intern([pidB, 1]));
  });

  it("distinguishes arrays from objects and nesting shapes", () => {
    const it = new Interner();
    const ids = [
      [], {}, [[]], [{}], [1, 2], { 0: 1, 1: 2 }, [[1], 2], [1, [2]], [[1, 2]],
      { a: [1] }, { a: 1 }, { a: { a: 1 } }, ["a", 1], { a: "a" },
    ].map((k) => it.intern(k));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("ignores object key order", () => {
    const it = new Interner();
    expect(it.intern({ a: 1, b: [2, { c: 3, d: 4 }] })).toBe(
      it.intern({ b: [2, { d: 4, c: 3 }], a: 1 }),
    );
    expect(it.intern(Object.assign(Object.create(null), { x: 1 }))).toBe(it.intern({ x: 1 }));
  });

  it("snapshots a structure the first time, so later mutation changes nothing", () => {
    const it = new Interner();
    const key = ["room", { n: 1 }];
    const id = it.intern(key);
    (key[1] as { n: number }).n = 2;
    const snap = it.key(id);
    expect(snap).toEqual(["room", { n: 1 }]);
    expect(Object.isFrozen(snap)).toBe(true);
    expect(it.intern(key)).not.toBe(id); // now a different term
    expect(it.intern(["room", { n: 1 }])).toBe(id);
    expect(it.intern(snap)).toBe(id);
  });

  it("find never interns and never allocates ids", () => {
    const it = new Interner();
    const id = it.intern(["room", 42]);
    it.intern("x");
    const size = it.size;
    expect(it.find(["room", 42])).toBe(id);
    expect(it.find(["room", 43])).toBe(-1);
    expect(it.find(["room"])).toBe(-1);
    expect(it.find([["room", 42]])).toBe(-1);
    expect(it.find({ room: 42 })).toBe(-1);
    expect(it.find("y")).toBe(-1);
    expect(it.find(pidA)).toBe(-1);
    for (let i = 0; i < 1000; i++) expect(it.find(["room", i, { i }])).toBe(-1);
    expect(it.size).toBe(size);
    expect(it.find("x")).toBe(1);
  });

  it("rejects a cyclic key with a TypeError and leaves its state unchanged", () => {
    const it = new Interner();
    it.intern(["a", 1]);
    it.intern({ k: [[1]] });
    it.intern([[["deep"]]]);
    const probes = [["a", 1], { k: [[1]] }, [[["deep"]]], "new"];
    const before = observe(it, probes);
    const cyclic = cyclicArray();
    const obj: Record<string, unknown> = { k: [] };
    (obj.k as unknown[]).push(obj);
    expect(() => it.intern(cyclic)).toThrow(TypeError);
    expect(() => it.intern(cyclic)).toThrow(/cyclic key/);
    expect(() => it.intern(["a", cyclic])).toThrow(/cyclic key/);
    expect(() => it.intern(obj)).toThrow(/cyclic key/);
    expect(observe(it, probes)).toEqual(before);
    // The next new key gets the next id, as if nothing had happened.
    expect(it.intern("new")).toBe((before as { size: number }).size);
  });

  it("detects cycles in find even when the trie has deep nested entries", () => {
    const it = new Interner();
    // Build nested single-element arrays 100 deep so every trie level has `sub` maps.
    let deep: unknown = "leaf";
    for (let i = 0; i < 100; i++) deep = [deep];
    const deepId = it.intern(deep);
    const a: unknown[] = [];
    a.push(a); // [[[[...]]]] forever: follows the same trie path as `deep`
    expect(() => it.find(a)).toThrow(/cyclic key/);
    expect(() => it.intern(a)).toThrow(/cyclic key/);
    expect(it.find(deep)).toBe(deepId);
    let deep2: unknown = "leaf";
    for (let i = 0; i < 100; i++) deep2 = [deep2];
    expect(it.intern(deep2)).toBe(deepId);
  });

  it("reset forgets everything and restarts ids at 0", () => {
    const it = new Interner();
    it.intern("a");
    it.intern(["b", 2]);
    it.reset();
    expect(it.size).toBe(0);
    expect(it.find("a")).toBe(-1);
    expect(it.find(["b", 2])).toBe(-1);
    expect(() => it.key(0)).toThrow(RangeError);
    expect(it.intern(["b", 2])).toBe(0);
  });

  it("gives nested parts of a key no id of their own", () => {
    const it = new Interner();
    it.intern([["room", 1], { a: [2] }]);
    expect(it.size).toBe(1);
    expect(it.find(["room", 1])).toBe(-1);
    expect(it.find({ a: [2] })).toBe(-1);
    expect(it.intern(["room", 1])).toBe(1);
  });

  it("never lets an id from an earlier iteration leak into the next", () => {
    const it = new Interner();
    expect([it.intern("a"), it.intern("b"), it.intern([[1]]), it.intern([pidA])]).toEqual([0, 1, 2, 3]);
    it.reset();
    expect(it.intern("b")).toBe(0);
    expect(it.intern([2])).toBe(1);
    expect(it.find("a")).toBe(-1); // its stale id 0 now belongs to "b"
    expect(it.find([[1]])).toBe(-1);
    expect(it.find([[2]])).toBe(-1);
    expect(it.find([pidA])).toBe(-1);
    expect(it.find(NaN)).toBe(-1);
    expect(it.intern([[1]])).toBe(2);
    expect(it.key(2)).toEqual([[1]]);
    expect(it.intern("a")).toBe(3);
    expect(it.size).toBe(4);
  });

  it("stays correct when a reset drops tables that grew past the retention limit", () => {
    const it = new Interner();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40_000; i++) expect(it.intern(["k", i, round])).toBe(i);
      expect(it.find(["k", 5, round])).toBe(5);
      it.reset();
      expect(it.find(["k", 5, round])).toBe(-1);
      expect(it.intern("x")).toBe(0);
      it.reset();
    }
  });

  it("keeps no identity key (pid, function, symbol) past a reset", () => {
    const it = new Interner();
    const sym = Symbol("s");
    it.intern(pidA);
    it.intern([pidA, "x"]);
    it.intern(sym);
    it.intern(fnA);
    it.reset();
    expect([it.find(pidA), it.find([pidA, "x"]), it.find(sym), it.find(fnA)]).toEqual([-1, -1, -1, -1]);
    const internals = it as unknown as { identities: Map<unknown, number>; nodeCount: number };
    expect(internals.identities.size).toBe(0);
    expect(internals.nodeCount).toBe(2); // just the two empty roots: the trie was dropped
    expect(it.intern([pidA, "x"])).toBe(0);
  });

  it("rejects unknown ids", () => {
    const it = new Interner();
    it.intern("a");
    for (const bad of [-1, 1, 0.5, NaN]) expect(() => it.key(bad)).toThrow(RangeError);
  });

  it("gives equal ids exactly to termEquals keys (property)", () => {
    fc.assert(
      fc.property(fc.array(term, { maxLength: 20 }), (keys) => {
        const it = new Interner();
        const ids = keys.map((k) => it.intern(k));
        for (let i = 0; i < keys.length; i++) {
          for (let j = 0; j < keys.length; j++) {
            expect(ids[i] === ids[j]).toBe(termEquals(keys[i], keys[j]));
          }
          expect(termEquals(it.key(ids[i]), keys[i])).toBe(true);
          expect(it.find(reorderedCopy(keys[i]))).toBe(ids[i]);
          expect(it.intern(reorderedCopy(keys[i]))).toBe(ids[i]);
        }
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it("find agrees with a reference model and never changes the size (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), term), { maxLength: 30 }),
        (ops) => {
          const it = new Interner();
          const model: unknown[] = []; // interned keys, compared with termEquals
          for (const [doIntern, key] of ops) {
            if (doIntern) {
              const id = it.intern(key);
              if (!model.some((m) => termEquals(m, key))) model.push(key);
              expect(termEquals(it.key(id), key)).toBe(true);
            } else {
              const size = it.size;
              const id = it.find(key);
              expect(id >= 0).toBe(model.some((m) => termEquals(m, key)));
              if (id >= 0) expect(termEquals(it.key(id), key)).toBe(true);
              expect(it.size).toBe(size);
            }
          }
        },
      ),
      { numRuns: 500, seed: 22 },
    );
  });

  it("assigns the same ids as a fresh interner after any history (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.array(term, { maxLength: 8 }), { maxLength: 5 }), (rounds) => {
        const reused = new Interner();
        for (const keys of rounds) {
          const fresh = new Interner();
          const expected = keys.map((k) => fresh.intern(k));
          expect(keys.map((k) => reused.intern(k))).toEqual(expected);
          expect(keys.map((k) => reused.find(reorderedCopy(k)))).toEqual(expected);
          for (const k of rounds.flat()) expect(reused.find(k)).toBe(fresh.find(k));
          reused.reset();
        }
      }),
      { numRuns: 300, seed: 33 },
    );
  });

  it("behaves identically after reset, iteration after iteration (property)", () => {
    fc.assert(
      fc.property(fc.array(term, { maxLength: 15 }), (keys) => {
        const it = new Interner();
        const first = keys.map((k) => it.intern(k));
        for (let round = 0; round < 3; round++) {
          it.reset();
          expect(keys.map((k) => it.intern(k))).toEqual(first);
        }
      }),
      { numRuns: 200, seed: 44 },
    );
  });
});
