// SharedMap: a Map shared between processes; every method is a sync point. Keys
// compare as in a JS Map (SameValueZero; objects by identity).
//
// Each key is its own resource, so the strategies see get/set/has/delete on one key
// as racing and operations on different keys as independent; `entries` and `size`
// touch the whole map and use the map's resource (an approximation: POS does not see
// them race with a single-key write).
import { OP, resource, RES } from "../engine/ops.js";
import { show } from "../values/show.js";
import { SharedObject, newSharedId, type SharedOptions } from "./object.js";

/** A key's resource id and write count (kept after a delete: a delete is a write). */
interface KeySlot {
  res: number;
  writes: number;
}

/**
 * A Map shared between processes; every method is a sync point.
 *
 * @example
 * const cache = new SharedMap<string, number>();
 * if (!(await cache.has("k"))) await cache.set("k", await compute());
 */
export class SharedMap<K, V> extends SharedObject {
  private readonly data = new Map<K, V>();
  private readonly slots = new Map<K, KeySlot>();
  /** Writes to any key: what `entries` and `size` observed. */
  private writes = 0;

  constructor(entries?: Iterable<readonly [K, V]>, options?: SharedOptions) {
    super("SharedMap", options);
    if (entries !== undefined && entries !== null) for (const [k, v] of entries) this.data.set(k, v);
  }

  private slot(key: K): KeySlot {
    let s = this.slots.get(key);
    if (s === undefined) this.slots.set(key, (s = { res: resource(RES.SHARED, newSharedId(this.it)), writes: 0 }));
    return s;
  }

  /** A read of `key`; `result` is computed at the step (a concurrent call runs later). */
  private read<R>(method: string, key: K, result: () => R): Promise<R> {
    return this.sync(OP.SHARED_READ, method, (p, it) => {
      const s = this.slot(key);
      const r = result();
      if (it.detail) it.note(p, OP.SHARED_READ, () => [`${this}.${method}(${show(key)})`, show(r)]);
      return it.handoff(p, OP.SHARED_READ, s.res, s.writes, r);
    });
  }

  /** The value under `key`, or undefined. */
  get(key: K): Promise<V | undefined> {
    try {
      return this.read("get", key, () => this.data.get(key));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Whether `key` is present. */
  has(key: K): Promise<boolean> {
    try {
      return this.read("has", key, () => this.data.has(key));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Sets `key` to `value`. */
  set(key: K, value: V): Promise<void> {
    return this.sync(OP.SHARED_WRITE, "set", (p, it) => {
      const s = this.slot(key);
      this.data.set(key, value);
      this.writes++;
      if (this.it.detail) this.it.note(p, OP.SHARED_WRITE, () => [`${this}.set(${show(key)}, ${show(value)})`, ""]);
      return this.it.handoff(p, OP.SHARED_WRITE, s.res, ++s.writes, undefined);
    });
  }

  /** Removes `key`; resolves to whether it was present. */
  delete(key: K): Promise<boolean> {
    return this.sync(OP.SHARED_WRITE, "delete", (p, it) => {
      const s = this.slot(key);
      const had = this.data.delete(key);
      this.writes++;
      if (this.it.detail) this.it.note(p, OP.SHARED_WRITE, () => [`${this}.delete(${show(key)})`, String(had)]);
      return this.it.handoff(p, OP.SHARED_WRITE, s.res, ++s.writes, had);
    });
  }

  /** A read of the whole map; `result` is computed at the step. */
  private whole<R>(method: string, result: () => R): Promise<R> {
    return this.sync(OP.SHARED_READ, method, (p, it) => {
      const r = result();
      if (it.detail) it.note(p, OP.SHARED_READ, () => [`${this}.${method}()`, show(r)]);
      return it.handoff(p, OP.SHARED_READ, this.res, this.writes, r);
    });
  }

  /** A snapshot of the entries, in insertion order. */
  entries(): Promise<[K, V][]> {
    try {
      return this.whole("entries", () => [...this.data.entries()]);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The number of entries. */
  size(): Promise<number> {
    try {
      return this.whole("size", () => this.data.size);
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
