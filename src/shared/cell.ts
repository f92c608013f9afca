// SharedCell: one value that several processes read and write. Every method is a
// sync point, so the explorer interleaves other processes between a `get` and the
// `set` that depends on it: exactly where lost updates hide.
import { OP } from "../engine/ops.js";
import { show } from "../values/show.js";
import { SharedObject, type SharedOptions } from "./object.js";

/** SameValueZero, the equality of Map keys and Array.prototype.includes. */
export function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

/**
 * A value shared between processes; every method is a sync point.
 *
 * @example
 * const balance = new SharedCell(100);
 * const v = await balance.get();   // another process may run here
 * await balance.set(v - 30);       // ...and overwrite what it wrote
 */
export class SharedCell<T> extends SharedObject {
  private value: T;
  /** Writes so far; the value read is write number `writes` (0: the initial value). */
  private writes = 0;

  constructor(initial: T, options?: SharedOptions) {
    super("SharedCell", options);
    this.value = initial;
  }

  /** The current value. */
  get(): Promise<T> {
    return this.sync(OP.SHARED_READ, "get", (p, it) => {
      if (this.it.detail) this.it.note(p, OP.SHARED_READ, () => [`${this}.get()`, show(this.value)]);
      return this.it.handoff(p, OP.SHARED_READ, this.res, this.writes, this.value);
    });
  }

  /** Replaces the value. */
  set(value: T): Promise<void> {
    return this.sync(OP.SHARED_WRITE, "set", (p, it) => {
      this.value = value;
      if (this.it.detail) this.it.note(p, OP.SHARED_WRITE, () => [`${this}.set(${show(value)})`, ""]);
      return this.it.handoff(p, OP.SHARED_WRITE, this.res, ++this.writes, undefined);
    });
  }

  /**
   * Atomically replaces the value with `fn(value)` and resolves to the new value.
   * `fn` runs synchronously inside the sync point; if it throws, nothing is written
   * and the call rejects with its error.
   */
  update(fn: (value: T) => T): Promise<T> {
    return this.sync(OP.SHARED_WRITE, "update", (p, it) => {
      if (typeof fn !== "function") throw new TypeError(`${this}.update expects a function, got ${show(fn)}`);
      const next = fn(this.value);
      if (next !== null && typeof next === "object" && typeof (next as { then?: unknown }).then === "function") {
        throw new TypeError(`${this}.update: the function must return the new value synchronously, not a promise`);
      }
      if (this.it.detail) this.it.note(p, OP.SHARED_WRITE, () => [`${this}.update(): ${show(this.value)} ->`, show(next)]);
      this.value = next;
      return this.it.handoff(p, OP.SHARED_WRITE, this.res, ++this.writes, next);
    });
  }

  /**
   * Sets the value to `next` if it currently equals `expected` (SameValueZero: `===`,
   * with NaN equal to NaN); resolves to whether it did.
   */
  compareAndSet(expected: T, next: T): Promise<boolean> {
    return this.sync(OP.SHARED_WRITE, "compareAndSet", (p, it) => {
      const ok = sameValueZero(this.value, expected);
      if (this.it.detail) this.it.note(p, ok ? OP.SHARED_WRITE : OP.SHARED_READ, () => [`${this}.compareAndSet(${show(expected)}, ${show(next)})`, ok ? "true" : `false (is ${show(this.value)})`]);
      if (!ok) return this.it.handoff(p, OP.SHARED_READ, this.res, this.writes, false);
      this.value = next;
      return this.it.handoff(p, OP.SHARED_WRITE, this.res, ++this.writes, true);
    });
  }
}
