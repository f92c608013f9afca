// Semaphore: a counter of permits. An acquire with no permit left parks the caller;
// a release wakes every waiter and each retries when the strategy runs it, so which
// waiter gets the permit is a scheduling decision (as for Mutex). Permits have no
// owner: any process may release.
import { block, unblock } from "../runtime/blocking.js";
import { OP } from "../engine/ops.js";
import { resync } from "../runtime/sync.js";
import { Wait, type Proc } from "../runtime/proc.js";
import { show } from "../values/show.js";
import { SharedObject, type SharedOptions } from "./object.js";

/**
 * A counting semaphore; `acquire`, `release` and `tryAcquire` are sync points.
 *
 * @example
 * const slots = new Semaphore(2);
 * await slots.acquire();
 * try { ... } finally { await slots.release(); }
 */
export class Semaphore extends SharedObject {
  private permits: number;
  private readonly waiters: Proc[] = [];
  /** Releases so far: what an acquisition observes (reads-from feedback). */
  private releases = 0;

  constructor(permits: number, options?: SharedOptions) {
    super("Semaphore", options);
    if (typeof permits !== "number" || !Number.isSafeInteger(permits) || permits < 0) {
      throw new TypeError(`new Semaphore(permits): permits must be a non-negative integer, got ${show(permits)}`);
    }
    this.permits = permits;
  }

  /** Takes a permit, waiting until one is available. */
  acquire(): Promise<void> {
    return this.sync(OP.SHARED_LOCK, "acquire", (p, it) => {
      if (this.permits > 0) {
        this.permits--;
        if (this.it.detail) this.it.note(p, OP.SHARED_LOCK, () => [`${this}.acquire()`, `acquired (${this.permits} left)`]);
        return this.it.handoff(p, OP.SHARED_LOCK, this.res, this.releases, undefined);
      }
      return this.park(p);
    });
  }

  /** Takes a permit if one is available; resolves to whether it did. Never waits. */
  tryAcquire(): Promise<boolean> {
    return this.sync(OP.SHARED_LOCK, "tryAcquire", (p, it) => {
      const ok = this.permits > 0;
      if (ok) this.permits--;
      if (this.it.detail) this.it.note(p, OP.SHARED_LOCK, () => [`${this}.tryAcquire()`, String(ok)]);
      return this.it.handoff(p, ok ? OP.SHARED_LOCK : OP.SHARED_READ, this.res, this.releases, ok);
    });
  }

  /** Returns a permit and wakes the waiters. */
  release(): Promise<void> {
    return this.sync(OP.SHARED_WRITE, "release", (p, it) => {
      this.permits++;
      this.releases++;
      for (const q of this.waiters) {
        if (q.alive && q.waiting === Wait.OTHER) {
          q.resumeValue = undefined;
          unblock(this.it, q);
        }
      }
      this.waiters.length = 0;
      if (this.it.detail) this.it.note(p, OP.SHARED_WRITE, () => [`${this}.release()`, `${this.permits} available`]);
      return this.it.handoff(p, OP.SHARED_WRITE, this.res, this.releases, undefined);
    });
  }

  /** The permits available now (a sync point: another process may change it next). */
  available(): Promise<number> {
    return this.sync(OP.SHARED_READ, "available", (p, it) => {
      if (this.it.detail) this.it.note(p, OP.SHARED_READ, () => [`${this}.available()`, String(this.permits)]);
      return this.it.handoff(p, OP.SHARED_READ, this.res, this.releases, this.permits);
    });
  }

  private park(p: Proc): Promise<void> {
    this.waiters.push(p);
    block(this.it, p, Wait.OTHER, undefined, Infinity, () => `${this}.acquire (no permit left)`);
    if (this.it.detail) this.it.note(p, OP.SHARED_LOCK, () => [`${this}.acquire()`, "waits (no permit)"]);
    return this.it.handoff(p, OP.BLOCK, this.res, 0, undefined).then(() => this.retry(p));
  }

  /** p was woken by a release and runs: take a permit if one is left, else wait again (a new step). */
  private retry(p: Proc): Promise<void> | void {
    if (this.permits > 0) {
      this.permits--;
      if (this.it.detail) this.it.note(p, OP.SHARED_LOCK, () => [`${this}.acquire() (woken)`, `acquired (${this.permits} left)`]);
      return;
    }
    return resync(this.it, p, OP.SHARED_LOCK, () => this.park(p));
  }
}
