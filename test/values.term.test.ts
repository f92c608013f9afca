import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  hasCycle,
  isPlainObject,
  isSnapshot,
  snapshotKey,
  termCompare,
  termEquals,
} from "../src/values/term.js";
import { Pid } from "../src/values/pid.js";
import { Ref } from "../src/values/ref.js";

// ---------------------------------------------------------------------------
// Generators and a reference model
// ---------------------------------------------------------------------------

const pidA = new Pid(1);
const pidB = new Pid(2);
const pidA2 = new Pid(1); // same id, different process object (another iteration)
const refA = new Ref(7);
const symA = Symbol("a");
const symB = Symbol("a");
const fnA = () => 1;
const mapA = new Map();

/** A small domain so that generated pairs are often equal. */
const leaf = fc.constantFrom<unknown>(
  0, -0, 1, 2, 1.5, NaN, Infinity, -Infinity, 1n, 2n, "1", "", "a", "b",
  true, false, null, undefined,
  symA, symB, Symbol.for("reg"), fnA, mapA, pidA, pidB, pidA2, refA,
);

const { term } = fc.letrec((tie) => ({
  term: fc.oneof(
    { maxDepth: 3, depthIdentifier: "term" },
    leaf,
    fc.array(tie("term"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "c", "__proto__"), tie("term"), { maxKeys: 3 }),
    fc
      .dictionary(fc.constantFrom("a", "b"), tie("term"), { maxKeys: 2 })
      .map((o) => Object.assign(Object.create(null), o)),
  ),
}));

/** Deep copy with object keys in reverse order (and null prototypes preserved). */
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

/**
 * Reference model: a canonical string, built independently of the implementation
 * (identity values get a number from a list scanned with ===).
 */
const identities: unknown[] = [];
function canon(x: unknown): string {
  if (typeof x === "number") return Number.isNaN(x) ? "n:NaN" : `n:${x === 0 ? 0 : x}`;
  if (typeof x === "bigint") return `b:${x}`;
  if (typeof x === "string") return `s:${JSON.stringify(x)}`;
  if (x === null || x === undefined || typeof x === "boolean") return `a:${String(x)}`;
  if (Array.isArray(x)) return `[${Array.from(x, canon).join(",")}]`;
  if (isPlainObject(x)) {
    return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canon(x[k])}`).join(",")}}`;
  }
  let i = identities.indexOf(x);
  if (i < 0) i = identities.push(x) - 1;
  return `#${i}`;
}
const modelEquals = (a: unknown, b: unknown) => canon(a) === canon(b);

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const neg = (n: number) => 0 - n; // avoids -0, which toBe distinguishes from 0

// ---------------------------------------------------------------------------
// termEquals
// ---------------------------------------------------------------------------

describe("termEquals", () => {
  it("compares primitives with SameValueZero", () => {
    expect(termEquals(NaN, NaN)).toBe(true);
    expect(termEquals(-0, 0)).toBe(true);
    expect(termEquals(1, 1)).toBe(true);
    expect(termEquals(1, "1")).toBe(false);
    expect(termEquals(1, 1n)).toBe(false);
    expect(termEquals(10n ** 30n, 10n ** 30n)).toBe(true);
    expect(termEquals(null, undefined)).toBe(false);
    expect(termEquals(false, 0)).toBe(false);
    expect(termEquals("", "")).toBe(true);
  });

  it("compares symbols, functions and class instances by identity", () => {
    expect(termEquals(Symbol("x"), Symbol("x"))).toBe(false);
    expect(termEquals(Symbol.for("x"), Symbol.for("x"))).toBe(true);
    expect(termEquals(pidA, pidA)).toBe(true);
    expect(termEquals(pidA, pidA2)).toBe(false); // same id, another process object
    expect(termEquals(new Ref(1), new Ref(1))).toBe(false);
    expect(termEquals(new Map(), new Map())).toBe(false);
    expect(termEquals(new Date(0), new Date(0))).toBe(false);
    expect(termEquals(() => 1, () => 1)).toBe(false);
    class Point { constructor(readonly x: number) {} }
    expect(termEquals(new Point(1), new Point(1))).toBe(false);
  });

  it("compares arrays and plain objects structurally, key order irrelevant", () => {
    expect(termEquals(["room", 42], ["room", 42])).toBe(true);
    expect(termEquals(["room", 42], ["room", "42"])).toBe(false);
    expect(termEquals([1, [2, [NaN]]], [1, [2, [NaN]]])).toBe(true);
    expect(termEquals({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(termEquals({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(termEquals({ a: 1, c: 2 }, { a: 1, b: 2 })).toBe(false);
    expect(termEquals([], {})).toBe(false);
    expect(termEquals([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(termEquals(Object.assign(Object.create(null), { a: 1 }), { a: 1 })).toBe(true);
    expect(termEquals([pidA], [pidA])).toBe(true);
    expect(termEquals([pidA], [pidB])).toBe(false);
    // eslint-disable-next-line no-sparse-arrays
    expect(termEquals([1, , 3], [1, undefined, 3])).toBe(true);
  });

  it("ignores non-enumerable properties on both sides", () => {
    const a = { x: 1 };
    const b = { y: 2 };
    Object.defineProperty(b, "x", { value: 1, enumerable: false });
    Object.defineProperty(a, "y", { value: 2, enumerable: false });
    expect(termEquals(a, b)).toBe(false); // {x:1} vs {y:2} in enumerable keys
  });

  it("agrees with the reference model (property)", () => {
    fc.assert(
      fc.property(term, term, (a, b) => {
        expect(termEquals(a, b)).toBe(modelEquals(a, b));
        expect(termEquals(b, a)).toBe(termEquals(a, b));
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it("is reflexive, including reordered deep copies (property)", () => {
    fc.assert(
      fc.property(term, (a) => {
        expect(termEquals(a, a)).toBe(true);
        expect(termEquals(a, reorderedCopy(a))).toBe(true);
      }),
    );
  });

  it("is transitive (property)", () => {
    fc.assert(
      fc.property(term, term, term, (a, b, c) => {
        if (termEquals(a, b) && termEquals(b, c)) expect(termEquals(a, c)).toBe(true);
      }),
      { numRuns: 2000, seed: 22 },
    );
  });

  it("reflexive on fc.anything values (property)", () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withNullPrototype: true, withSparseArray: true }),
        (a) => {
          expect(termEquals(a, a)).toBe(true);
          expect(termEquals(a, structuredClone(a))).toBe(true);
        },
      ),
    );
  });

  it("reports distinct cyclic structures with a TypeError, not a stack overflow", () => {
    const a: unknown[] = [];
    a.push(a);
    const b: unknown[] = [];
    b.push(b);
    expect(termEquals(a, a)).toBe(true);
    expect(() => termEquals(a, b)).toThrow(TypeError);
    expect(() => termEquals(a, b)).toThrow(/cyclic/);
    expect(() => termCompare(a, b)).toThrow(/cyclic/);
  });
});

// ---------------------------------------------------------------------------
// termCompare
// ---------------------------------------------------------------------------

describe("termCompare", () => {
  it("orders classes: number < atoms < symbol < Ref < function < object < Pid < array < plain object < string", () => {
    const ascending: unknown[] = [
      NaN, -Infinity, -1, 0, 1, 1n, 2, 3n, Infinity,
      false, null, true, undefined,
      Symbol.for("a"), Symbol.for("b"), Symbol("z"),
      new Ref(1), new Ref(2),
      fnA,
      mapA,
      new Pid(1), new Pid(2),
      [], [9], [1, 1], [1, 2],
      {}, { b: 0 }, { a: 2, b: 0 }, { a: 2, c: 0 },
      "", "A", "a", "ab", "b",
    ];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        const expected = sign(i - j);
        const got = sign(termCompare(ascending[i], ascending[j]));
        if (got !== expected) {
          throw new Error(`compare(${String(i)}, ${String(j)}) = ${got}, expected ${expected}`);
        }
      }
    }
  });

  it("treats -0 and 0 (and NaN and NaN) as equal, 1 and 1n as different", () => {
    expect(termCompare(-0, 0)).toBe(0);
    expect(termCompare(NaN, NaN)).toBe(0);
    expect(termCompare(1, 1n)).toBeLessThan(0);
    expect(termCompare(1n, 1)).toBeGreaterThan(0);
    expect(termCompare(2n, 3)).toBeLessThan(0);
    expect(termCompare(NaN, -(10n ** 40n))).toBeLessThan(0);
  });

  it("orders arrays like tuples (length first) and objects like maps (size, keys, values)", () => {
    expect(termCompare([100], [1, 1])).toBeLessThan(0);
    expect(termCompare([1, 2], [1, 3])).toBeLessThan(0);
    expect(termCompare({ z: 0 }, { a: 0, b: 0 })).toBeLessThan(0);
    expect(termCompare({ a: 9 }, { b: 0 })).toBeLessThan(0);
    expect(termCompare({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(0);
    expect(termCompare({ a: 1, b: 2 }, { a: 1, b: 3 })).toBeLessThan(0);
  });

  it("orders distinct identity values consistently", () => {
    const f = () => 0;
    const g = () => 0;
    const c = termCompare(f, g);
    expect(c).not.toBe(0);
    expect(sign(termCompare(g, f))).toBe(neg(sign(c)));
    expect(termCompare(f, g)).toBe(c); // stable
    expect(termCompare(pidA, pidA2)).not.toBe(0);
  });

  it("is zero exactly when termEquals, and antisymmetric (property)", () => {
    fc.assert(
      fc.property(term, term, (a, b) => {
        const ab = termCompare(a, b);
        expect(ab === 0).toBe(termEquals(a, b));
        expect(sign(termCompare(b, a))).toBe(neg(sign(ab)));
      }),
      { numRuns: 3000, seed: 33 },
    );
  });

  it("is transitive (property)", () => {
    fc.assert(
      fc.property(term, term, term, (a, b, c) => {
        if (termCompare(a, b) <= 0 && termCompare(b, c) <= 0) {
          expect(termCompare(a, c)).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 3000, seed: 44 },
    );
  });

  it("sorts consistently: every pair of a sorted list is in order (property)", () => {
    fc.assert(
      fc.property(fc.array(term, { maxLength: 12 }), (xs) => {
        // Boxed: Array.prototype.sort moves `undefined` to the end without comparing.
        const sorted = xs
          .map((x) => ({ x }))
          .sort((p, q) => termCompare(p.x, q.x))
          .map((p) => p.x);
        for (let i = 0; i < sorted.length; i++) {
          for (let j = i + 1; j < sorted.length; j++) {
            expect(termCompare(sorted[i], sorted[j])).toBeLessThanOrEqual(0);
          }
        }
      }),
    );
  });

  it("is unaffected by object key order (property)", () => {
    fc.assert(
      fc.property(term, term, (a, b) => {
        expect(sign(termCompare(reorderedCopy(a), b))).toBe(sign(termCompare(a, b)));
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// snapshotKey
// ---------------------------------------------------------------------------

describe("snapshotKey", () => {
  it("returns primitives and identity values unchanged", () => {
    for (const x of [1, "a", null, undefined, 1n, symA, fnA, pidA, mapA]) {
      expect(snapshotKey(x)).toBe(x);
    }
  });

  it("deep-copies and freezes arrays and plain objects, keeping identity values", () => {
    const inner = { n: 1, list: [1, 2] };
    const key = ["room", inner, pidA];
    const snap = snapshotKey(key);
    expect(snap).not.toBe(key);
    expect(snap[1]).not.toBe(inner);
    expect(snap[2]).toBe(pidA);
    expect(Object.isFrozen(snap)).toBe(true);
    expect(Object.isFrozen(snap[1])).toBe(true);
    expect(Object.isFrozen((snap[1] as typeof inner).list)).toBe(true);
    expect(termEquals(snap, key)).toBe(true);
    inner.n = 2;
    inner.list.push(3);
    key[0] = "hall";
    expect(snap).toEqual(["room", { n: 1, list: [1, 2] }, pidA]);
    expect(isSnapshot(snap)).toBe(true);
    expect(isSnapshot(key)).toBe(false);
  });

  it("returns an existing snapshot as is", () => {
    const snap = snapshotKey([1, [2]]);
    expect(snapshotKey(snap)).toBe(snap);
  });

  it("keeps null prototypes and own __proto__ keys", () => {
    const bare = Object.assign(Object.create(null), { a: 1 });
    expect(Object.getPrototypeOf(snapshotKey(bare))).toBe(null);
    const withProtoKey = JSON.parse('{"__proto__": 5, "x": 1}');
    const snap = snapshotKey(withProtoKey);
    expect(Object.getPrototypeOf(snap)).toBe(Object.prototype);
    expect(Object.keys(snap).sort()).toEqual(["__proto__", "x"]);
    expect(termEquals(snap, withProtoKey)).toBe(true);
  });

  it("accepts shared (non-cyclic) substructures", () => {
    const shared = [1];
    const snap = snapshotKey([shared, shared, { s: shared }]);
    expect(termEquals(snap, [[1], [1], { s: [1] }])).toBe(true);
  });

  it("rejects cyclic keys with a TypeError naming the cycle", () => {
    const a: unknown[] = ["x"];
    a.push(a);
    expect(() => snapshotKey(a)).toThrow(TypeError);
    expect(() => snapshotKey(a)).toThrow("cyclic key: key[1] refers back to key");
    const o: Record<string, unknown> = { inner: { list: [] as unknown[] } };
    ((o.inner as Record<string, unknown>).list as unknown[]).push(o.inner);
    expect(() => snapshotKey(["k", o])).toThrow(
      "cyclic key: key[1].inner.list[0] refers back to key[1].inner",
    );
  });

  it("is equal to its input and isolated from later mutation (property)", () => {
    fc.assert(
      fc.property(term, (x) => {
        const before = canon(x);
        const snap = snapshotKey(x);
        expect(termEquals(snap, x)).toBe(true);
        mutateEverywhere(x);
        expect(canon(snap)).toBe(before);
      }),
    );
  });

  it("hasCycle finds cycles and accepts DAGs", () => {
    const shared = { a: 1 };
    expect(hasCycle([shared, shared])).toBe(false);
    const c: Record<string, unknown> = {};
    c.self = [c];
    expect(hasCycle({ x: c })).toBe(true);
    expect(hasCycle(5)).toBe(false);
  });
});

/** Push/assign into every mutable array and object reachable from x. */
function mutateEverywhere(x: unknown): void {
  if (Array.isArray(x)) {
    if (Object.isFrozen(x)) return;
    const items = [...x];
    x.push("mutated");
    items.forEach(mutateEverywhere);
  } else if (isPlainObject(x)) {
    if (Object.isFrozen(x)) return;
    const values = Object.keys(x).map((k) => x[k]);
    x.mutated = true;
    values.forEach(mutateEverywhere);
  }
}
