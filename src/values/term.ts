/**
 * Erlang-term semantics for JavaScript values: equality, a total order and key
 * snapshots. Registry keys, match-spec literals and guard comparisons all go through
 * these three functions, so "are these the same key?" has exactly one answer.
 *
 * ## Which values are compared how
 *
 * - Primitives compare by value with SameValueZero: `NaN` equals `NaN`, `-0` equals
 *   `0`, and strings, booleans, `null`, `undefined` and bigints compare by value.
 *   A number and a bigint are never equal (`1 !== 1n`, as with `===`).
 * - Symbols compare by identity.
 * - Arrays and plain objects (prototype `Object.prototype` or `null`) compare
 *   structurally. For objects only own enumerable string keys count (what
 *   `Object.keys` lists) and their order does not matter. Array holes read as
 *   `undefined`; extra non-index properties on arrays are ignored.
 * - Everything else (functions, class instances such as `Pid` and `Ref`, `Map`,
 *   `Date`, objects from another realm, ...) compares by identity.
 *
 * ## Term order (for `termCompare` and the `<`, `=<`, ... guards)
 *
 * Modelled on Erlang's `number < atom < reference < fun < port < pid < tuple < map
 * < list < bitstring`, with JS values mapped onto those classes:
 *
 * ```
 * number | bigint  <  false < null < true < undefined  <  symbol  <  Ref
 *   <  function  <  other identity object  <  Pid  <  array  <  plain object  <  string
 * ```
 *
 * - number/bigint: numerically; `NaN` is below every other number (so the order is
 *   total); `-0` and `0` are equal; a number and a bigint with the same value order
 *   the number first (they are different terms).
 * - `false`, `null`, `true`, `undefined` play Erlang's atoms `false`, `nil`, `true`,
 *   `undefined` and sort alphabetically by those names, as atoms do.
 * - symbols: registered ones (`Symbol.for`) first, by registry key; then the others
 *   in the order they were first compared in the current iteration.
 * - `Ref` and `Pid`: by their numeric id, then (only for distinct objects sharing an
 *   id, e.g. from different iterations) in first-compared order.
 * - functions and other identity objects: in the order they were first compared in
 *   the current iteration (the numbering restarts when an iteration begins, see
 *   `resetTermOrder`), so the order is a function of the iteration alone.
 * - arrays: Erlang tuple order — the shorter array first, then element by element.
 * - plain objects: Erlang map order — fewer keys first, then the sorted key lists
 *   element by element, then the values in sorted-key order.
 * - strings: by UTF-16 code units, as JS `<` does.
 *
 * `termCompare(a, b) === 0` exactly when `termEquals(a, b)`.
 *
 * ## Cycles
 *
 * Keys are snapshotted (so acyclic), but guard operands may be arbitrary values.
 * Comparing two distinct cyclic structures would recurse forever; the stack overflow
 * is caught and reported as a `TypeError` naming the cycle instead.
 */

import { Pid } from "./pid.js";
import { Ref } from "./ref.js";

const objectProto = Object.prototype;
const isEnumerable = Object.prototype.propertyIsEnumerable;

/** True for a plain object: prototype `Object.prototype` or `null`, not an array. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return (proto === objectProto || proto === null) && !Array.isArray(x);
}

/** True for values compared structurally: arrays and plain objects. */
export function isStructural(x: unknown): x is readonly unknown[] | Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  if (Array.isArray(x)) return true;
  const proto = Object.getPrototypeOf(x);
  return proto === objectProto || proto === null;
}

// ---------------------------------------------------------------------------
// Equality
// ---------------------------------------------------------------------------

/**
 * Erlang-term equality for JS values (see the module comment): SameValueZero for
 * primitives, structural for arrays and plain objects, identity for the rest.
 * Throws a `TypeError` if both arguments are distinct cyclic structures.
 */
export function termEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
    // Only NaN is unequal to itself; `-0 === 0` and bigints were handled by `===`.
    return a !== a && b !== b;
  }
  try {
    return equalObjects(a, b);
  } catch (err) {
    throw explainOverflow(err, a, b);
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
    return a !== a && b !== b;
  }
  return equalObjects(a, b);
}

function equalObjects(a: object, b: object): boolean {
  const aArray = Array.isArray(a);
  if (aArray !== Array.isArray(b)) return false;
  if (aArray) return equalArrays(a as unknown[], b as unknown[]);
  return isPlainObject(a) && isPlainObject(b) && equalRecords(a, b);
}

function equalArrays(a: readonly unknown[], b: readonly unknown[]): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (!equal(a[i], b[i])) return false;
  return true;
}

function equalRecords(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  // Same count and every key of `a` an own enumerable key of `b` => same key sets.
  for (const k of keys) {
    if (!isEnumerable.call(b, k) || !equal(a[k], b[k])) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Order
// ---------------------------------------------------------------------------

/** Class ranks of the term order, lowest first (see the module comment). */
const enum Rank {
  Number = 0,
  Atom = 1,
  Symbol = 2,
  Ref = 3,
  Function = 4,
  Other = 5,
  Pid = 6,
  Array = 7,
  Object = 8,
  String = 9,
}

function rankOf(x: unknown): Rank {
  switch (typeof x) {
    case "number":
    case "bigint":
      return Rank.Number;
    case "string":
      return Rank.String;
    case "boolean":
    case "undefined":
      return Rank.Atom;
    case "symbol":
      return Rank.Symbol;
    case "function":
      return Rank.Function;
  }
  if (x === null) return Rank.Atom;
  if (Array.isArray(x)) return Rank.Array;
  if (x instanceof Pid) return Rank.Pid;
  if (x instanceof Ref) return Rank.Ref;
  return isPlainObject(x) ? Rank.Object : Rank.Other;
}

/**
 * A total order on JS values modelled on Erlang's term order (documented in the
 * module comment). Returns a negative number, zero or a positive number; zero
 * exactly when `termEquals(a, b)`.
 */
export function termCompare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  try {
    return compare(a, b);
  } catch (err) {
    throw explainOverflow(err, a, b);
  }
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ra = rankOf(a);
  const rb = rankOf(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case Rank.Number:
      return compareNumeric(a as number | bigint, b as number | bigint);
    case Rank.String:
      return (a as string) < (b as string) ? -1 : 1; // equal strings were `===`
    case Rank.Atom:
      return atomRank(a) - atomRank(b);
    case Rank.Symbol:
      return compareSymbols(a as symbol, b as symbol);
    case Rank.Ref:
    case Rank.Pid:
      return (a as Ref | Pid).id - (b as Ref | Pid).id || identityOrder(a as object, b as object);
    case Rank.Array:
      return compareArrays(a as unknown[], b as unknown[]);
    case Rank.Object:
      return compareRecords(a as Record<string, unknown>, b as Record<string, unknown>);
    default:
      return identityOrder(a as object, b as object);
  }
}

function compareNumeric(a: number | bigint, b: number | bigint): number {
  // JS relational operators compare number and bigint by mathematical value.
  if (a < b) return -1;
  if (a > b) return 1;
  const aNaN = a !== a;
  const bNaN = b !== b;
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? -1 : 1;
  if (typeof a === typeof b) return 0; // includes -0 vs 0
  return typeof a === "number" ? -1 : 1;
}

/** Erlang atoms sort alphabetically: false < nil (null) < true < undefined. */
function atomRank(x: unknown): number {
  return x === false ? 0 : x === null ? 1 : x === true ? 2 : 3;
}

function compareSymbols(a: symbol, b: symbol): number {
  const ka = Symbol.keyFor(a);
  const kb = Symbol.keyFor(b);
  if (ka !== undefined && kb !== undefined) return ka < kb ? -1 : ka > kb ? 1 : 0;
  if (ka !== undefined) return -1;
  if (kb !== undefined) return 1;
  return identityOrder(a, b);
}

function compareArrays(a: readonly unknown[], b: readonly unknown[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const c = compare(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function compareRecords(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length) return ka.length - kb.length;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  }
  for (const k of ka) {
    const c = compare(a[k], b[k]);
    if (c !== 0) return c;
  }
  return 0;
}

/*
 * Identity values have no intrinsic order, so each gets a sequence number the first
 * time it is compared. The numbering restarts with every iteration
 * (`resetTermOrder`, called by the explorer as an iteration begins): the order is
 * then first-compared order within the iteration, a function of the iteration's own
 * schedule, so iteration i behaves the same whether or not iterations 1..i-1 ran
 * first (shards, workers, replay). A module-global numbering made a plain run and
 * `--shard 2/2` disagree on the same iteration.
 *
 * A WeakMap keeps this from holding anything alive. Unregistered symbols are valid
 * WeakMap keys since ES2023 (Node 20, Chromium 108); on older engines symbols fall
 * back to a strong Map (only symbols compared in the current iteration are kept).
 */
let identitySeq = new WeakMap<object, number>();
const symbolsAreWeakKeys = (() => {
  try {
    new WeakMap<object, number>().set(Symbol("probe") as unknown as object, 0);
    return true;
  } catch {
    return false;
  }
})();
let symbolSeq: Map<unknown, number> | WeakMap<object, number> = symbolsAreWeakKeys
  ? identitySeq
  : new Map<unknown, number>();
let nextIdentitySeq = 0;

/**
 * Forgets the order of identity values (functions, symbols, class instances): the
 * next comparisons number them afresh in first-compared order. Called when an
 * iteration begins, so term order depends on that iteration alone.
 */
export function resetTermOrder(): void {
  if (nextIdentitySeq === 0) return;
  identitySeq = new WeakMap<object, number>();
  symbolSeq = symbolsAreWeakKeys ? identitySeq : new Map<unknown, number>();
  nextIdentitySeq = 0;
}

function identitySeqOf(x: object | symbol): number {
  // TS lib ES2022 types WeakMap keys as objects only, hence the cast.
  const table = (typeof x === "symbol" ? symbolSeq : identitySeq) as WeakMap<object, number>;
  const key = x as object;
  let n = table.get(key);
  if (n === undefined) {
    n = nextIdentitySeq++;
    table.set(key, n);
  }
  return n;
}

function identityOrder(a: object | symbol, b: object | symbol): number {
  if (a === b) return 0;
  return identitySeqOf(a) - identitySeqOf(b);
}

// ---------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------

/** Every structure produced by `snapshotKey`: deep-frozen and acyclic by construction. */
const snapshots = new WeakSet<object>();

/**
 * A deep, frozen copy of a key: arrays and plain objects are copied (recursively) and
 * frozen, identity values (functions, class instances, symbols) are kept as they are,
 * primitives are returned unchanged. Later mutation of the original changes nothing.
 * A value that is already a snapshot is returned as is. Array holes become
 * `undefined`; a plain object keeps its prototype (`Object.prototype` or `null`).
 *
 * @throws TypeError if the structure is cyclic ("cyclic key: ...").
 */
export function snapshotKey<T>(x: T): T {
  if (!isStructural(x) || snapshots.has(x)) return x;
  return snapshotNode(x, [], []) as T;
}

/** True if `x` was produced by `snapshotKey` (so it is deep-frozen and acyclic). */
export function isSnapshot(x: unknown): boolean {
  return typeof x === "object" && x !== null && snapshots.has(x);
}

function snapshotNode(x: unknown, ancestors: object[], labels: string[]): unknown {
  if (!isStructural(x) || snapshots.has(x)) return x;
  if (ancestors.includes(x)) throw cyclicError(x, ancestors, labels);
  ancestors.push(x);
  const copy = Array.isArray(x)
    ? snapshotArray(x, ancestors, labels)
    : snapshotRecord(x as Record<string, unknown>, ancestors, labels);
  ancestors.pop();
  Object.freeze(copy);
  snapshots.add(copy);
  return copy;
}

function snapshotArray(x: readonly unknown[], ancestors: object[], labels: string[]): unknown[] {
  const copy = new Array<unknown>(x.length);
  for (let i = 0; i < x.length; i++) {
    labels.push(`[${i}]`);
    copy[i] = snapshotNode(x[i], ancestors, labels);
    labels.pop();
  }
  return copy;
}

function snapshotRecord(
  x: Record<string, unknown>,
  ancestors: object[],
  labels: string[],
): Record<string, unknown> {
  // Object.create + plain assignment is safe even for a "__proto__" key only when the
  // target has no Object.prototype setter in its chain, so define properties instead.
  const copy = Object.create(Object.getPrototypeOf(x)) as Record<string, unknown>;
  for (const k of Object.keys(x)) {
    labels.push(/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
    const value = snapshotNode(x[k], ancestors, labels);
    labels.pop();
    Object.defineProperty(copy, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

function cyclicError(x: object, ancestors: object[], labels: string[]): TypeError {
  const depth = ancestors.indexOf(x);
  const target = "key" + labels.slice(0, depth).join("");
  const from = "key" + labels.join("");
  return new TypeError(
    `cyclic key: ${from} refers back to ${target}; keys must be acyclic ` +
      `(arrays and plain objects are compared structurally)`,
  );
}

// ---------------------------------------------------------------------------
// Cycle detection (only after a stack overflow, so it costs nothing normally)
// ---------------------------------------------------------------------------

/** True if an array/plain-object structure reachable from `root` contains a cycle. */
export function hasCycle(root: unknown): boolean {
  if (!isStructural(root)) return false;
  const onPath = new Set<object>();
  const done = new Set<object>();
  const stack: { node: object; children: unknown[]; next: number }[] = [];
  const enter = (node: object) => {
    onPath.add(node);
    stack.push({ node, children: childrenOf(node), next: 0 });
  };
  enter(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next === top.children.length) {
      onPath.delete(top.node);
      done.add(top.node);
      stack.pop();
      continue;
    }
    const child = top.children[top.next++];
    if (!isStructural(child) || done.has(child)) continue;
    if (onPath.has(child)) return true;
    enter(child);
  }
  return false;
}

function childrenOf(node: object): unknown[] {
  if (Array.isArray(node)) return Array.from(node);
  const rec = node as Record<string, unknown>;
  return Object.keys(rec).map((k) => rec[k]);
}

/** Turn a stack overflow caused by cyclic operands into a clear TypeError. */
function explainOverflow(err: unknown, a: unknown, b: unknown): unknown {
  if (!(err instanceof RangeError)) return err;
  if (hasCycle(a) || hasCycle(b)) {
    return new TypeError("cannot compare cyclic structures as terms (a value refers to itself)");
  }
  return err;
}
