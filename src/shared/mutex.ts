// Mutex: mutual exclusion between processes, with an owner.
//
// A lock on a held mutex parks the caller (a blocked process, like a receive with no
// message). An unlock wakes every waiter and each, when the strategy runs it, retries:
// it takes the mutex if it is still free or parks again. So which waiter gets the
// mutex, and whether the unlocking process (or a newcomer) barges in first, is a
// scheduling decision the explorer varies, as a pthread mutex allows (Shuttle's
// Mutex does the same). Processes that all wait for mutexes held by each other are
// reported as the runtime's "deadlock" failure, each line naming the mutex and its
// holder ("waits for Mutex#1.lock held by <0.3.0>").
import { block, unblock } from "../runtime/blocking.js";
import { OP } from "../engine/ops.js";
import { resync } from "../runtime/sync.js";
import { Wait, type Proc } from "../runtime/proc.js";
import { UsageError } from "../runtime/errors.js";
import { SharedObject, type SharedOptions } from "./object.js";

/**
 * A non-reentrant mutex; `lock`, `unlock` and `tryLock` are sync points. Only the
 * process holding it may unlock it.
 *
 * @example
 * const m = new Mutex();
 * await m.lock();
 * try { ... } finally { await m.unlock(); }
 * // or: await m.withLock(async () => { ... });
 */
export class Mutex extends SharedObject {
  /** @internal The holder, or null. */
  owner: Proc | null = null;
  /** Blocked lockers; empty whenever the mutex is free (an unlock wakes them all). */
  private readonly waiters: Proc[] = [];
  /** Unlocks so far: the release an acquisition observes (reads-from feedback). */
  private releases = 0;

  constructor(options?: SharedOptions) {
    super("Mutex", options);
  }

  /** Waits until the mutex is free and takes it. */
  lock(): Promise<void> {
    return this.sync(OP.SHARED_LOCK, "lock", (p, it) => {
      if (this.owner === p) throw new UsageError(`${this}.lock(): ${p.pid} already holds it (a Mutex is not reentrant: this would wait forever)`);
      return this.acquireAt(p, "lock");
    });
  }

  /** Takes the mutex if it is free; resolves to whether it did. Never waits. */
  tryLock(): Promise<boolean> {
    return this.sync(OP.SHARED_LOCK, "tryLock", (p, it) => {
      if (this.owner !== null) {
        if (it.detail) it.note(p, OP.SHARED_LOCK, () => [`${this}.tryLock()`, `false (held by ${this.owner!.pid})`]);
        return it.handoff(p, OP.SHARED_READ, this.res, this.releases, false);
      }
      this.owner = p.home;
      if (it.detail) it.note(p, OP.SHARED_LOCK, () => [`${this}.tryLock()`, "true"]);
      return it.handoff(p, OP.SHARED_LOCK, this.res, this.releases, true);
    });
  }

  /** Releases the mutex; rejects with a UsageError if the caller does not hold it. */
  unlock(): Promise<void> {
    return this.sync(OP.SHARED_WRITE, "unlock", (p, it) => {
      if (this.owner !== p.home) {
        throw new UsageError(`${this}.unlock(): ${p.pid} does not hold it (${this.owner === null ? "it is not locked" : `held by ${this.owner.pid}`})`);
      }
      this.release();
      if (this.it.detail) this.it.note(p, OP.SHARED_WRITE, () => [`${this}.unlock()`, ""]);
      return this.it.handoff(p, OP.SHARED_WRITE, this.res, this.releases, undefined);
    });
  }

  /** Runs `fn` holding the mutex and releases it afterwards, even if `fn` throws. */
  async withLock<R>(fn: () => R | Promise<R>): Promise<R> {
    await this.lock();
    try {
      return await fn();
    } finally {
      await this.unlock();
    }
  }

  /** @internal Frees the mutex and wakes every waiter (they retry when scheduled). */
  release(): void {
    this.owner = null;
    this.releases++;
    for (const q of this.waiters) {
      if (q.alive && q.waiting === Wait.OTHER) {
        q.resumeValue = undefined;
        unblock(this.it, q);
      }
    }
    this.waiters.length = 0;
  }

  /**
   * @internal p is at a sync point it entered: take the mutex (one step) or park until
   * an unlock and retry. Resolves once p holds it.
   */
  acquireAt(p: Proc, how: string): Promise<void> {
    const it = this.it;
    if (this.owner === null) {
      this.owner = p.home;
      if (it.detail) it.note(p, OP.SHARED_LOCK, () => [`${this}.${how}()`, "acquired"]);
      return it.handoff(p, OP.SHARED_LOCK, this.res, this.releases, undefined);
    }
    return this.park(p, how);
  }

  /** @internal p was just woken and runs (no step taken yet): take the mutex if free, else wait. */
  reacquire(p: Proc, how: string): Promise<void> | void {
    if (this.owner === null) {
      this.owner = p.home;
      if (this.it.detail) this.it.note(p, OP.SHARED_LOCK, () => [`${this}.${how}() (woken)`, "acquired"]);
      return;
    }
    // Someone barged in between the wake-up and now: waiting again is a new step.
    return resync(this.it, p, OP.SHARED_LOCK, () => this.park(p, how));
  }

  private park(p: Proc, how: string): Promise<void> {
    const it = this.it;
    const holder = this.owner!;
    this.waiters.push(p);
    block(it, p, Wait.OTHER, undefined, Infinity, () => `${this}.lock held by ${holder.pid}`);
    if (it.detail) it.note(p, OP.SHARED_LOCK, () => [`${this}.${how}()`, `waits (held by ${holder.pid})`]);
    return it.handoff(p, OP.BLOCK, this.res, 0, undefined).then(() => this.reacquire(p, how));
  }
}
