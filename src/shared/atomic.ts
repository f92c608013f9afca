// Atomic: a shared number with atomic read-modify-write operations (java.util.concurrent
// AtomicInteger's vocabulary). Each call is one sync point, so `incrementAndGet` never
// loses an update, while `get` followed by `set` can.
import { OP } from "../engine/ops.js";
import { show } from "../values/show.js";
import { SharedObject, type SharedOptions } from "./object.js";

/** `what` names the call, after `owner` when there is one ("Atomic#1.add"): the text is built only for the error. */
function checkNumber(v: unknown, owner: Atomic | null, what: string): asserts v is number {
  if (typeof v !== "number") throw new TypeError(`${owner !== null ? `${owner}.` : ""}${what} expects a number, got ${show(v)}`);
}

/**
 * A shared number; every method is one atomic sync point.
 *
 * @example
 * const hits = new Atomic(0);
 * await hits.incrementAndGet(); // 1, whatever else runs
 */
export class Atomic extends SharedObject {
  private value: number;
  private writes = 0;

  constructor(initial = 0, options?: SharedOptions) {
    super("Atomic", options);
    checkNumber(initial, null, "new Atomic()");
    this.value = initial;
  }

  private read(method: string): Promise<number> {
    return this.sync(OP.SHARED_READ, method, (p, it) => {
      if (it.detail) it.note(p, OP.SHARED_READ, () => [`${this}.${method}()`, show(this.value)]);
      return it.handoff(p, OP.SHARED_READ, this.res, this.writes, this.value);
    });
  }

  /** Writes `f(value)` and resolves to the new value (`returnOld`: to the old one). */
  private write(method: string, arg: number | undefined, f: (v: number) => number, returnOld: boolean): Promise<number> {
    return this.sync(OP.SHARED_WRITE, method, (p, it) => {
      const old = this.value;
      this.value = f(old);
      if (it.detail) it.note(p, OP.SHARED_WRITE, () => [`${this}.${method}(${arg === undefined ? "" : show(arg)})`, `${show(old)} -> ${show(this.value)}`]);
      return it.handoff(p, OP.SHARED_WRITE, this.res, ++this.writes, returnOld ? old : this.value);
    });
  }

  /** The current value. */
  get(): Promise<number> {
    try {
      return this.read("get");
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Replaces the value. */
  async set(value: number): Promise<void> {
    checkNumber(value, this, "set");
    await this.write("set", value, () => value, false);
  }

  /** Adds `delta`; resolves to the new value. */
  add(delta: number): Promise<number> {
    try {
      checkNumber(delta, this, "add");
      return this.write("add", delta, (v) => v + delta, false);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Adds 1; resolves to the new value. */
  incrementAndGet(): Promise<number> {
    return this.add(1);
  }

  /** Subtracts 1; resolves to the new value. */
  decrementAndGet(): Promise<number> {
    return this.add(-1);
  }

  /** Adds `delta`; resolves to the value before. */
  getAndAdd(delta: number): Promise<number> {
    try {
      checkNumber(delta, this, "getAndAdd");
      return this.write("getAndAdd", delta, (v) => v + delta, true);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Replaces the value; resolves to the value before. */
  getAndSet(value: number): Promise<number> {
    try {
      checkNumber(value, this, "getAndSet");
      return this.write("getAndSet", value, () => value, true);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Sets `next` if the value is `expected` (SameValueZero); resolves to whether it did. */
  compareAndSet(expected: number, next: number): Promise<boolean> {
    return this.sync(OP.SHARED_WRITE, "compareAndSet", (p, it) => {
      checkNumber(next, this, "compareAndSet");
      const ok = this.value === expected || (this.value !== this.value && expected !== expected);
      if (this.it.detail) this.it.note(p, ok ? OP.SHARED_WRITE : OP.SHARED_READ, () => [`${this}.compareAndSet(${show(expected)}, ${show(next)})`, ok ? "true" : `false (is ${show(this.value)})`]);
      if (!ok) return this.it.handoff(p, OP.SHARED_READ, this.res, this.writes, false);
      this.value = next;
      return this.it.handoff(p, OP.SHARED_WRITE, this.res, ++this.writes, true);
    });
  }
}
