// Condition: a condition variable bound to a Mutex, with Mesa semantics (Lampson and
// Redell, "Experience with Processes and Monitors in Mesa", 1980; also Java's and
// POSIX's): `notify` only makes a waiter runnable; before `wait` returns the waiter
// re-acquires the mutex, and other processes may run (and change the state) in
// between, so callers re-check their predicate in a loop.
//
// Spurious wake-ups (POSIX allows them) are off by default: a waiter returns only
// after a notify. With `{ spuriousWakeups: true }` each wait also arms a 0 ms virtual
// timer that wakes the waiter without a notify. Under the default `timers:
// "quiescent"` policy that timer fires only when no process can run (a would-be
// deadlock becomes a spurious wake-up, and a loop that waits again then ends in the
// step limit instead); under `timers: "race"` it is an event the strategy may pick at
// any step, so an `if` where a `while` is needed is found.
import { block, unblock } from "../runtime/blocking.js";
import { OP } from "../engine/ops.js";
import { Wait, type Proc } from "../runtime/proc.js";
import { UsageError } from "../runtime/errors.js";
import { SharedObject, type SharedOptions } from "./object.js";
import { Mutex } from "./mutex.js";

export interface ConditionOptions extends SharedOptions {
  /** Let `wait` return without a notify (see the module notes); default false. */
  spuriousWakeups?: boolean;
}

/**
 * A condition variable over `mutex` (Mesa semantics); `wait`, `notify` and
 * `notifyAll` are sync points.
 *
 * @example
 * const m = new Mutex(), nonEmpty = new Condition(m);
 * await m.lock();
 * while (queue.length === 0) await nonEmpty.wait();
 * const item = queue.shift();
 * await m.unlock();
 */
export class Condition extends SharedObject {
  readonly mutex: Mutex;
  private readonly spurious: boolean;
  /** Waiting processes in wait order, with their spurious-wake-up timer (-1: none). */
  private readonly waiters: { p: Proc; timer: number }[] = [];
  private notifies = 0;

  constructor(mutex: Mutex, options?: ConditionOptions) {
    super("Condition", options);
    if (!(mutex instanceof Mutex)) throw new TypeError(`new Condition(mutex): expects a Mutex, got ${String(mutex)}`);
    this.mutex = mutex;
    this.spurious = options?.spuriousWakeups === true;
  }

  /**
   * Releases the mutex (which the caller must hold), waits for a notify, then
   * re-acquires the mutex before resolving.
   */
  wait(): Promise<void> {
    return this.sync(OP.BLOCK, "wait", (p, it) => {
      if (this.mutex.owner !== p.home) {
        throw new UsageError(`${this}.wait(): ${p.pid} must hold ${this.mutex} (wait releases it, and re-acquires it before returning)`);
      }
      this.mutex.release();
      const w = { p, timer: -1 };
      this.waiters.push(w);
      block(it, p, Wait.OTHER, undefined, Infinity, () => `${this}.wait (a notify)`);
      if (this.spurious) w.timer = it.timers.callback(p, 0, () => this.spuriousWake(w));
      if (it.detail) it.note(p, OP.BLOCK, () => [`${this}.wait()`, `releases ${this.mutex}, waits`]);
      return it.handoff(p, OP.BLOCK, this.res, this.notifies, undefined).then(() => this.mutex.reacquire(p, "lock"));
    });
  }

  /** Wakes the longest-waiting process, if any. The caller need not hold the mutex. */
  notify(): Promise<void> {
    return this.signal("notify", 1);
  }

  /** Wakes every waiting process. */
  notifyAll(): Promise<void> {
    return this.signal("notifyAll", Infinity);
  }

  private signal(method: string, n: number): Promise<void> {
    return this.sync(OP.SHARED_WRITE, method, (p, it) => {
      let woken = 0;
      while (woken < n && this.waiters.length > 0) {
        const w = this.waiters.shift()!;
        if (!w.p.alive) continue;
        this.wake(w);
        woken++;
      }
      if (this.it.detail) this.it.note(p, OP.SHARED_WRITE, () => [`${this}.${method}()`, woken === 0 ? "no waiter" : `wakes ${woken}`]);
      return this.it.handoff(p, OP.SHARED_WRITE, this.res, ++this.notifies, undefined);
    });
  }

  private wake(w: { p: Proc; timer: number }): void {
    if (w.timer >= 0) this.it.timers.drop(w.timer);
    w.timer = -1;
    w.p.resumeValue = undefined;
    unblock(this.it, w.p);
  }

  private spuriousWake(w: { p: Proc; timer: number }): void {
    w.timer = -1;
    const i = this.waiters.indexOf(w);
    if (i < 0 || !w.p.alive) return;
    this.waiters.splice(i, 1);
    if (this.it.detail) this.it.note(w.p, OP.TIMER_FIRE, () => [`${this}.wait()`, "spurious wake-up"]);
    w.p.resumeValue = undefined;
    unblock(this.it, w.p);
  }
}
