/**
 * Interning of JS values to small integer ids, so the engine (integers only) can keep
 * registry keys: two keys get the same id exactly when `termEquals` says they are the
 * same term. Ids are dense (0, 1, 2, ... in first-interning order) and restart at 0
 * after `reset()`, which the runtime calls between iterations.
 *
 * ## How
 *
 * - Non-structural keys go in a `Map`: one for primitives (strings, numbers,
 *   booleans, null, undefined, bigints), one for identity values (symbols, functions,
 *   class instances such as `Pid`). A `Map` already keys by SameValueZero (NaN = NaN,
 *   -0 = 0, bigints by value, objects and symbols by identity), which is exactly
 *   `termEquals` on these values: one lookup per key.
 * - Arrays and plain objects are looked up in a trie of `Map`s, one step per
 *   component, so finding `["room", 42]` costs three `Map` lookups and allocates
 *   nothing: arrays step by length and then by each element; plain objects step by
 *   key count and then, in sorted key order, by key and by value. A primitive or
 *   identity component steps through the node's `prim` map (SameValueZero again); a
 *   nested array/object is looked up first and steps through the node's `sub` map by
 *   that term's `uid`. The step sequence determines the term, so one node <=> one term.
 *
 * ## Generations: ids reset, work is kept
 *
 * Iterations usually intern the same keys again, so `reset()` does not throw the
 * primitive tables away: it starts a new generation. An id is valid only in the
 * generation it was handed out in (a trie node and a primitive key's record both
 * record their generation). Re-interning a key
 * seen in an earlier iteration costs the lookup plus one push: no snapshot, no trie
 * nodes. Ids depend only on the current iteration's interning order, so they stay
 * deterministic.
 *
 * What is kept is bounded and holds no user objects: identity keys (pids, functions,
 * symbols, class instances) live in a table replaced at every reset; the trie is
 * dropped at a reset if any key stepped through an identity value (such keys, e.g.
 * `[pid, "x"]`, rarely repeat across iterations anyway), and all retained tables are
 * dropped once they exceed `RETAIN_LIMIT` entries. Memory therefore stays flat.
 *
 * A structure is snapshotted (`snapshotKey`) when first seen and the trie keeps the
 * snapshot, so a later mutation of the caller's object changes nothing and `key(id)`
 * returns a frozen copy. Nested arrays/objects get a trie `uid` but no id: `find`
 * answers only for keys that were themselves interned in this generation.
 *
 * Cyclic keys cannot be terms. `intern` snapshots before changing anything, and the
 * lookup walks check for a cycle once they are suspiciously deep, so a cyclic key gets
 * a `TypeError` and leaves the interner unchanged.
 */

import { hasCycle, isStructural, snapshotKey } from "./term.js";

/** One trie node. Maps are created on demand; `uid` is -1 until some term ends here. */
interface TrieNode {
  /** Permanent number of the term ending here (for `sub` steps of enclosing terms). */
  uid: number;
  /** The term's frozen snapshot, once `uid` is set. */
  key: unknown;
  /** The term's id, valid only when `gen` is the interner's current generation. */
  id: number;
  gen: number;
  prim: Map<unknown, TrieNode> | undefined;
  sub: Map<number, TrieNode> | undefined;
}

/** A primitive key's id, valid in generation `gen` only. */
interface PrimitiveId {
  id: number;
  gen: number;
}

/** Retained table entries (primitive keys + trie nodes) above which a reset drops them. */
const RETAIN_LIMIT = 1 << 15;

/**
 * Nesting depth at which lookups stop trusting that the key is acyclic and check.
 * Real keys are far shallower, so the check (linear in the key) almost never runs.
 */
const CYCLE_CHECK_DEPTH = 64;

type Rec = Record<string, unknown>;

/**
 * Maps JS values to dense non-negative integer ids, equal ids iff `termEquals`.
 * Ids are assigned 0, 1, 2, ... in first-interning order and are forgotten by
 * `reset()` (between iterations), so they are deterministic per iteration.
 */
export class Interner {
  /**
   * Primitive key -> its id and the generation that handed it out. A record, so that
   * re-interning a key of an earlier generation is one `Map` lookup and two stores,
   * and checking an id's generation touches no other table.
   */
  private primitives = new Map<unknown, PrimitiveId>();
  /** Identity key (object, function, symbol) -> id; current generation only. */
  private identities = new Map<unknown, number>();
  private arrays!: TrieNode;
  private objects!: TrieNode;
  private nodeCount = 0;
  /** True once a trie step is an identity value (which must not outlive the reset). */
  private trieHoldsIdentities = false;
  private nextUid = 0;
  private gen = 0;
  /** id -> key, for the current generation only. */
  private keys: unknown[] = [];

  constructor() {
    this.dropTables();
  }

  /** Number of ids handed out since the last reset. */
  get size(): number {
    return this.keys.length;
  }

  /**
   * The id of `key`, interning (and snapshotting) it if it is new.
   * @throws TypeError for a cyclic key; the interner is then unchanged.
   */
  intern(key: unknown): number {
    switch (typeof key) {
      case "object":
        if (key === null) return this.internPrimitive(key);
        break;
      case "function":
      case "symbol":
        return this.internIdentity(key);
      default:
        return this.internPrimitive(key);
    }
    let node: TrieNode | undefined;
    if (Array.isArray(key)) node = this.findArray(key, 0);
    else if (isStructural(key)) node = this.findRecord(key as Rec, 0);
    else return this.internIdentity(key);
    if (node === undefined || node.uid < 0) node = this.insert(snapshotKey(key));
    if (node.gen !== this.gen) {
      node.gen = this.gen;
      node.id = this.newId(node.key);
    }
    return node.id;
  }

  /**
   * The id of `key` if it was interned since the last reset, else -1. Never allocates
   * ids or trie nodes, so lookups of unknown keys keep memory flat.
   * @throws TypeError for a cyclic key (it can never have been interned).
   */
  find(key: unknown): number {
    switch (typeof key) {
      case "object":
        if (key === null) return this.findPrimitive(key);
        break;
      case "function":
      case "symbol":
        return this.identities.get(key) ?? -1;
      default:
        return this.findPrimitive(key);
    }
    let node: TrieNode | undefined;
    if (Array.isArray(key)) node = this.findArray(key, 0);
    else if (isStructural(key)) node = this.findRecord(key as Rec, 0);
    else return this.identities.get(key) ?? -1;
    return node !== undefined && node.gen === this.gen ? node.id : -1;
  }

  /**
   * The key an id stands for: the value itself for non-structural keys, the frozen
   * snapshot for arrays and plain objects.
   * @throws RangeError for an id not handed out since the last reset.
   */
  key(id: number): unknown {
    if (!(id >= 0 && id < this.keys.length) || !Number.isInteger(id)) {
      throw new RangeError(`Interner.key: unknown id ${id} (${this.keys.length} ids interned)`);
    }
    return this.keys[id];
  }

  /** Forget every id (called between iterations); ids restart at 0. */
  reset(): void {
    this.keys = [];
    this.gen++;
    this.identities = new Map();
    const retained = this.primitives.size + this.nodeCount;
    if (retained > RETAIN_LIMIT) this.primitives = new Map();
    if (retained > RETAIN_LIMIT || this.trieHoldsIdentities) this.dropTables();
  }

  private dropTables(): void {
    this.trieHoldsIdentities = false;
    this.nodeCount = 0;
    this.nextUid = 0;
    this.arrays = this.newNode();
    this.objects = this.newNode();
  }

  private newId(key: unknown): number {
    const id = this.keys.length;
    this.keys.push(key);
    return id;
  }

  // --- non-structural keys ---------------------------------------------------

  /** The current-generation id of a primitive key, or -1. */
  private findPrimitive(key: unknown): number {
    const rec = this.primitives.get(key);
    return rec !== undefined && rec.gen === this.gen ? rec.id : -1;
  }

  private internPrimitive(key: unknown): number {
    const rec = this.primitives.get(key);
    if (rec === undefined) {
      const id = this.newId(key);
      this.primitives.set(key, { id, gen: this.gen });
      return id;
    }
    if (rec.gen !== this.gen) {
      rec.gen = this.gen;
      rec.id = this.newId(key);
    }
    return rec.id;
  }

  private internIdentity(key: unknown): number {
    let id = this.identities.get(key);
    if (id === undefined) {
      id = this.newId(key);
      this.identities.set(key, id);
    }
    return id;
  }

  // --- trie lookup (no mutation) ---------------------------------------------

  private findArray(a: readonly unknown[], depth: number): TrieNode | undefined {
    let node = this.arrays.prim?.get(a.length);
    for (let i = 0; node !== undefined && i < a.length; i++) {
      node = this.findStep(node, a[i], depth);
    }
    return node;
  }

  private findRecord(o: Rec, depth: number): TrieNode | undefined {
    const keys = sortedKeys(o);
    let node = this.objects.prim?.get(keys.length);
    for (let i = 0; node !== undefined && i < keys.length; i++) {
      node = node.prim?.get(keys[i]);
      if (node !== undefined) node = this.findStep(node, o[keys[i]], depth);
    }
    return node;
  }

  private findStep(node: TrieNode, v: unknown, depth: number): TrieNode | undefined {
    if (typeof v !== "object" || v === null || !isStructural(v)) return node.prim?.get(v);
    if (node.sub === undefined) return undefined; // no structure was ever stored here
    if (depth === CYCLE_CHECK_DEPTH && hasCycle(v)) {
      throw new TypeError("cyclic key: a key must not contain itself");
    }
    const inner = Array.isArray(v) ? this.findArray(v, depth + 1) : this.findRecord(v as Rec, depth + 1);
    return inner === undefined || inner.uid < 0 ? undefined : node.sub.get(inner.uid);
  }

  // --- trie insertion (input is a snapshot: frozen and acyclic) ---------------

  /** The node of a snapshotted structure, creating its path and uid if needed. */
  private insert(snap: unknown): TrieNode {
    const node = Array.isArray(snap) ? this.insertArray(snap) : this.insertRecord(snap as Rec);
    if (node.uid < 0) {
      node.uid = this.nextUid++;
      node.key = snap;
    }
    return node;
  }

  private insertArray(a: readonly unknown[]): TrieNode {
    let node = this.primChild(this.arrays, a.length);
    for (let i = 0; i < a.length; i++) node = this.insertStep(node, a[i]);
    return node;
  }

  private insertRecord(o: Rec): TrieNode {
    const keys = sortedKeys(o);
    let node = this.primChild(this.objects, keys.length);
    for (const k of keys) node = this.insertStep(this.primChild(node, k), o[k]);
    return node;
  }

  private insertStep(node: TrieNode, v: unknown): TrieNode {
    if (typeof v !== "object" || v === null || !isStructural(v)) return this.primChild(node, v);
    return this.subChild(node, this.insert(v).uid);
  }

  private newNode(): TrieNode {
    this.nodeCount++;
    return { uid: -1, key: undefined, id: -1, gen: -1, prim: undefined, sub: undefined };
  }

  private primChild(node: TrieNode, step: unknown): TrieNode {
    const map = (node.prim ??= new Map());
    let child = map.get(step);
    if (child === undefined) {
      child = this.newNode();
      map.set(step, child);
      const t = typeof step;
      if ((t === "object" && step !== null) || t === "function" || t === "symbol") {
        this.trieHoldsIdentities = true;
      }
    }
    return child;
  }

  private subChild(node: TrieNode, uid: number): TrieNode {
    const map = (node.sub ??= new Map());
    let child = map.get(uid);
    if (child === undefined) {
      child = this.newNode();
      map.set(uid, child);
    }
    return child;
  }
}

/** Own enumerable keys in code-unit order (the canonical order for the trie). */
function sortedKeys(o: Rec): string[] {
  const keys = Object.keys(o);
  if (keys.length > 1) keys.sort();
  return keys;
}
