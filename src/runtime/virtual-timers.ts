// The `virtualTimers` explore option: during an iteration, setTimeout, setInterval,
// setImmediate, their clear functions, Date.now, `new Date()` and performance.now are
// lockstep's (DESIGN.md, "Plain JavaScript").
//
// - A timer with a delay is an engine timer (the iteration's `timers` policy decides
//   when it fires: quiescent or race). A 0 ms timer and setImmediate are due at once.
// - Due callbacks wait in one FIFO queue, as the host's event loop runs them in order.
//   The head of the queue is a runnable process of its own (a "runner", labelled after
//   the callback), so the strategy orders each callback against all other work: a
//   0 ms timer is a yield the strategy may order.
// - Which process runs a callback: a JavaScript callback typically settles a promise
//   some code awaits (`await new Promise((r) => setTimeout(r, 10))`), and that code
//   continues in the same microtask run, so it must run in the turn of the process
//   that awaits it. So when the runner starts, it hands the callback to the process
//   that created the timer if that process waits on the event loop (its code went
//   idle: src/runtime/calls.ts waitOnEventLoop), else to the first process (in pid
//   order) that does; the callback then runs in that process's turn when the
//   strategy next picks it. When no process waits (the creator is parked in a
//   lockstep call, blocked in receive, or gone) the runner runs the callback itself,
//   as a short-lived process: its sync points are its own, an async callback lives
//   until it settles, and a throw is a crash of that process.
// - Timers belong to the iteration that created them: a leftover reference to these
//   functions, called after the iteration ended, makes a timer that never fires, and
//   the globals are restored when the iteration ends, whatever the outcome
//   (src/explore/run.ts).
//
// Why not @sinonjs/fake-timers: its clock is driven by the test (`tick`, `runAll`,
// `next`), which runs every due timer in deadline order; it has no notion of a
// scheduler choosing between a due timer and another process's step, nor of which
// process a callback belongs to. What it patches and its Node edge cases (Timeout
// objects with ref/unref/hasRef/refresh and a primitive id, clearTimeout clearing any
// kind, Date as a subclass-compatible constructor) are followed here.
import type { Iteration } from "./iteration.js";
import type { Proc } from "./proc.js";
import { OP } from "../engine/ops.js";
import { hostClock } from "../engine/host.js";
import { handTo, waitOnEventLoop } from "./calls.js";
import { errorText } from "../values/show.js";
import { timerCrashMessage } from "./failure.js";

type Fn = (...args: unknown[]) => unknown;

/** The host's own timers and clocks, captured when lockstep loads: the runtime, the explorer and the CLI use only these, never the patched globals. */
const g = globalThis as unknown as Record<string, unknown> & { performance?: { now(): number } };
const RealDate: DateConstructor = Date;

/** Real milliseconds from the host's monotonic clock (progress, time limits, slices). */
export const hostNow: () => number = hostClock;

/** The host's setImmediate, or undefined (browsers). */
export const hostSetImmediate: ((f: () => void) => unknown) | undefined = typeof g.setImmediate === "function" ? (g.setImmediate as Fn).bind(globalThis) as (f: () => void) => unknown : undefined;
const realClearTimeout = typeof g.clearTimeout === "function" ? (g.clearTimeout as Fn).bind(globalThis) : undefined;
const realClearImmediate = typeof g.clearImmediate === "function" ? (g.clearImmediate as Fn).bind(globalThis) : undefined;

/** Default virtual epoch: 2023-11-14T22:13:20Z, so Date-based code sees a realistic date. */
export const DEFAULT_CLOCK_START = 1_700_000_000_000;

/** Node's largest timer delay; a larger one becomes 1 ms (as Node does). */
const TIMEOUT_MAX = 2 ** 31 - 1;

const PROMISIFY = Symbol.for("nodejs.util.promisify.custom");

type Kind = "setTimeout" | "setInterval" | "setImmediate";

const enum State {
  /** Scheduled in the engine: waits for its deadline. */
  PENDING,
  /** In the due queue. */
  DUE,
  /** Its callback was taken to run (a timeout or immediate ends here; an interval is re-armed). */
  RAN,
  CLEARED,
}

/**
 * What setTimeout / setInterval / setImmediate return: Node's Timeout and Immediate
 * shape (ref, unref, hasRef, refresh, close), and a primitive id (`+t`, `${t}`) that
 * the clear functions accept too, as in Node.
 */
export class VirtualTimer {
  /** @internal */ state: State = State.PENDING;
  /** @internal engine timer slot while PENDING, else -1 */ slot = -1;
  private refed = true;
  /** @internal */
  constructor(
    /** @internal */ readonly loop: EventLoop | null,
    readonly id: number,
    /** @internal */ readonly kind: Kind,
    /** @internal */ readonly callback: Fn,
    /** @internal */ readonly args: unknown[],
    /** @internal delay in virtual ms (0: due at once) */ readonly delay: number,
    /** @internal the interval, or -1 */ readonly repeat: number,
    /** @internal the process that created it */ readonly owner: Proc | null,
  ) {}

  ref(): this {
    this.refed = true;
    return this;
  }
  unref(): this {
    this.refed = false;
    return this;
  }
  hasRef(): boolean {
    return this.refed;
  }
  /** Restarts the countdown from now with the same delay (also re-activates a timeout that already fired, as Node does). */
  refresh(): this {
    this.loop?.refresh(this);
    return this;
  }
  close(): this {
    this.loop?.clear(this);
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
  /** @internal */
  describe(): string {
    return `${this.kind} #${this.id} callback${this.owner ? `, set by ${this.owner.pid}` : ""}`;
  }
}

/** One iteration's timers: engine timers pending, the due queue, and the runner of its head. */
class EventLoop {
  private readonly byId = new Map<number, VirtualTimer>();
  private nextId = 1;
  /** Timers scheduled in the engine (state PENDING). */
  private pending = 0;
  /** Due timers in the order they became due; due[0] is run by `runner` when it starts. */
  private readonly due: VirtualTimer[] = [];
  /** The process spawned for due[0], until it starts; null when the queue is empty or its head was taken. */
  private runner: Proc | null = null;
  /** Date.now() at the iteration's end, for leftover references called afterwards. */
  endNow = -1;

  constructor(
    readonly it: Iteration,
    readonly clockStart: number,
  ) {}

  /** Whether a timer callback can still run (the iteration does not deadlock while it can). */
  live(): boolean {
    return this.pending > 0 || this.due.length > 0;
  }

  now(): number {
    return this.it.done ? this.endNow : this.clockStart + this.it.x.now();
  }

  perfNow(): number {
    return this.now() - this.clockStart;
  }

  add(kind: Kind, callback: unknown, ms: unknown, args: unknown[]): VirtualTimer {
    if (typeof callback !== "function") throw new TypeError(`${kind}: the callback must be a function, got ${callback === null ? "null" : typeof callback}`);
    const it = this.it;
    const t = new VirtualTimer(this, this.nextId++, kind, callback as Fn, args, kind === "setImmediate" ? 0 : delayOf(ms, kind === "setInterval"), kind === "setInterval" ? delayOf(ms, true) : -1, it.done ? null : it.caller());
    // A leftover reference called after its iteration ended makes a timer that never fires.
    if (it.done) return t;
    this.byId.set(t.id, t);
    this.schedule(t, t.delay);
    if (it.detail && t.owner) it.note(t.owner, OP.TIMER_CALLBACK, () => [`${kind}(${kind === "setImmediate" ? "" : `${t.delay}`})`, `#${t.id}`]);
    return t;
  }

  private schedule(t: VirtualTimer, ms: number): void {
    if (ms === 0) return this.makeDue(t);
    t.state = State.PENDING;
    this.pending++;
    const owner = t.owner ?? this.it.procs[1]!;
    t.slot = this.it.timers.callback(owner, ms, () => this.fired(t));
  }

  /** The engine fired t's timer (inside a scheduling decision). */
  private fired(t: VirtualTimer): void {
    t.slot = -1;
    this.pending--;
    this.makeDue(t);
  }

  private makeDue(t: VirtualTimer): void {
    t.state = State.DUE;
    this.due.push(t);
    this.ensureRunner();
  }

  private ensureRunner(): void {
    if (this.runner !== null || this.due.length === 0) return;
    const head = this.due[0];
    const r = this.it.spawnProcess(() => this.runHead(r), false, () => head.describe());
    r.timer = head;
    this.runner = r;
  }

  /** A runner starts: take the head of the due queue and run it, or hand it to a process waiting on the event loop. */
  private runHead(r: Proc): unknown {
    this.runner = null;
    const t = this.due.shift();
    this.ensureRunner();
    if (t === undefined) return undefined;
    const it = this.it;
    if (t.repeat >= 0) this.schedule(t, t.repeat);
    else {
      t.state = State.RAN;
      this.byId.delete(t.id);
    }
    const to = this.waiter(t);
    r.timer = t;
    if (to !== null) {
      if (it.detail) it.note(r, OP.TIMER_CALLBACK, () => [t.describe(), `handed to ${to.pid}`]);
      handTo(it, to, () => this.runIn(t, to));
      return undefined;
    }
    if (it.detail) it.note(r, OP.TIMER_CALLBACK, () => [t.describe(), "runs"]);
    // Runs as this process: a throw or a rejection is its crash (crashMessage names the timer).
    return t.callback.apply(t, t.args);
  }

  /**
   * The process to run t's callback in: one still holding earlier callbacks it was
   * handed (so callbacks run in the order they became due), else its creator if its
   * code is idle, else the first process that waits on the event loop, else none.
   */
  private waiter(t: VirtualTimer): Proc | null {
    const procs = this.it.procs;
    for (const q of procs) if (q !== undefined && q.alive && q.due !== null) return q;
    // Its creator's code is idle (waiting, or woken by a result but not yet resumed):
    // the callback continues that code, in its turn.
    const o = t.owner;
    if (o !== null && o.alive && (o.eventWait || o.idle)) return o;
    for (const q of procs) if (q !== undefined && q.alive && q.eventWait) return q;
    return null;
  }

  /** t's callback, in p's turn (handed to p). */
  private runIn(t: VirtualTimer, p: Proc): void {
    // Cleared after it was handed but before p's turn came: in JavaScript a callback
    // runs when its timer fires, so a clear that returned first means it never runs.
    if (t.state === State.CLEARED) return;
    const it = this.it;
    let r: unknown;
    try {
      r = t.callback.apply(t, t.args);
    } catch (e) {
      this.crashed(t, p, e);
      return;
    }
    if (r !== null && typeof r === "object" && typeof (r as PromiseLike<unknown>).then === "function") {
      (r as PromiseLike<unknown>).then(undefined, (e: unknown) => {
        if (!it.done) this.crashed(t, p, e);
      });
    }
  }

  private crashed(t: VirtualTimer, p: Proc, e: unknown): void {
    if (this.it.config.allowCrashes) return;
    this.it.fail("crash", e, timerCrashMessage(p, t.describe(), errorText(e)), p);
  }

  /** clearTimeout / clearInterval / clearImmediate of one of this loop's timers (any of them clears any kind, as in Node). */
  clear(t: VirtualTimer): void {
    if (this.it.done) return;
    this.unschedule(t);
    t.state = State.CLEARED;
    this.byId.delete(t.id);
  }

  private unschedule(t: VirtualTimer): void {
    if (t.state === State.PENDING && t.slot >= 0) {
      this.it.timers.drop(t.slot);
      t.slot = -1;
      this.pending--;
    } else if (t.state === State.DUE) {
      const i = this.due.indexOf(t);
      this.due.splice(i, 1);
      // Its runner has not started: it must not run (a cleared timer is not a step).
      if (i === 0 && this.runner !== null) {
        killUnstarted(this.it, this.runner);
        this.runner = null;
        this.ensureRunner();
      }
    }
  }

  refresh(t: VirtualTimer): void {
    if (this.it.done || t.state === State.CLEARED) return;
    this.unschedule(t);
    this.byId.set(t.id, t);
    this.schedule(t, t.delay);
  }

  byIdOf(x: unknown): VirtualTimer | undefined {
    if (x instanceof VirtualTimer) return x.loop === this ? x : undefined;
    if (typeof x === "number" || typeof x === "string") return this.byId.get(Number(x));
    return undefined;
  }
}

/** A runner that was never picked: it leaves without a step (its launch never resumes). */
function killUnstarted(it: Iteration, r: Proc): void {
  r.alive = false;
  r.reason = "normal";
  r.wake = null;
  r.wakeErr = null;
  it.x.kill(r.id);
}

/** Node's delay coercion: not a number or below 1 is 1 ms (an interval) or a 0 ms yield (a timeout); above 2^31-1 is 1 ms. */
function delayOf(ms: unknown, interval: boolean): number {
  const d = ms === undefined ? 0 : Number(ms);
  if (!(d >= 1)) return interval || d > 0 ? 1 : 0;
  return d > TIMEOUT_MAX ? 1 : d;
}

/** The live iteration's loop (one iteration runs at a time per thread). */
let active: EventLoop | null = null;

/**
 * The stall detector found the running process's code idle (src/explore/stall.ts):
 * with a timer that can still fire, it waits on the event loop (a step), and true is
 * returned; otherwise the stall is real.
 */
export function idleOnEventLoop(it: Iteration): boolean {
  const loop = active;
  if (loop === null || loop.it !== it || !loop.live()) return false;
  return waitOnEventLoop(it, "a timer callback (virtual timers) or the results of its controlled calls");
}


const GLOBALS = ["setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate", "Date"] as const;

/**
 * Installs the virtual timers and clocks for iteration `it`; returns the function that
 * restores every patched global exactly as it was (call it in a finally).
 */
export function installVirtualTimers(it: Iteration, clockStart: number): () => void {
  const loop = new EventLoop(it, clockStart);
  active = loop;
  const saved = GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
  const perf = g.performance as object | undefined;
  const savedPerfNow = perf !== undefined ? Object.getOwnPropertyDescriptor(perf, "now") : undefined;

  const clear = (x: unknown, real: Fn | undefined): void => {
    const t = loop.byIdOf(x);
    if (t !== undefined) loop.clear(t);
    // Not ours: a host timer created outside the iteration keeps working.
    else if (x !== undefined && x !== null && !(x instanceof VirtualTimer) && real !== undefined) real(x);
  };
  const setTimeoutV = function setTimeout(cb: unknown, ms?: unknown, ...args: unknown[]) {
    return loop.add("setTimeout", cb, ms, args);
  };
  Object.defineProperty(setTimeoutV, PROMISIFY, { value: (ms?: number, value?: unknown) => new Promise((r) => loop.add("setTimeout", r, ms, [value])) });
  const setImmediateV = function setImmediate(cb: unknown, ...args: unknown[]) {
    return loop.add("setImmediate", cb, 0, args);
  };
  Object.defineProperty(setImmediateV, PROMISIFY, { value: (value?: unknown) => new Promise((r) => loop.add("setImmediate", r, 0, [value])) });
  const values: Record<(typeof GLOBALS)[number], unknown> = {
    setTimeout: setTimeoutV,
    setInterval: function setInterval(cb: unknown, ms?: unknown, ...args: unknown[]) {
      return loop.add("setInterval", cb, ms, args);
    },
    setImmediate: setImmediateV,
    clearTimeout: function clearTimeout(t: unknown) {
      clear(t, realClearTimeout);
    },
    clearInterval: function clearInterval(t: unknown) {
      clear(t, realClearTimeout);
    },
    clearImmediate: function clearImmediate(t: unknown) {
      clear(t, realClearImmediate);
    },
    Date: virtualDate(loop),
  };
  for (const [name, d] of saved) {
    Object.defineProperty(globalThis, name, { value: values[name], writable: true, configurable: true, enumerable: d?.enumerable ?? false });
  }
  if (perf !== undefined) Object.defineProperty(perf, "now", { value: () => loop.perfNow(), writable: true, configurable: true, enumerable: true });

  return () => {
    loop.endNow = loop.clockStart + it.x.now();
    if (active === loop) active = null;
    for (const [name, d] of saved) {
      if (d !== undefined) Object.defineProperty(globalThis, name, d);
      else delete (globalThis as Record<string, unknown>)[name];
    }
    if (perf !== undefined) {
      if (savedPerfNow !== undefined) Object.defineProperty(perf, "now", savedPerfNow);
      else delete (perf as { now?: unknown }).now;
    }
  };
}

/**
 * A Date whose `new Date()`, `Date()` and `Date.now()` read the virtual clock; with
 * arguments it is the real Date. A Proxy, so `Date.prototype`, the statics
 * (Date.UTC, Date.parse), `instanceof Date` (both for dates made before and during the
 * iteration) and subclassing all keep working.
 */
function virtualDate(loop: EventLoop): DateConstructor {
  const now = (): number => loop.now();
  return new Proxy(RealDate, {
    construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
    apply: () => new RealDate(now()).toString(),
    get: (target, prop) => (prop === "now" ? now : Reflect.get(target, prop)),
  });
}
