// Concurrent work inside one process: controlled calls (src/shared/controlled.ts) and
// lockstep calls a process starts while another of its calls has not settled
// (`await Promise.all([a(), b()])` where a and b each use a SharedCell).
//
// Each such call runs as a task: a process of its own that the strategy starts like
// any process; it runs the work in its own turn and ends with a resolution step (op
// call-controlled). The caller does not wait at the call: it goes on with its
// synchronous code. When the caller then waits (awaits the results, or anything that
// depends on them) it blocks until one of its tasks resolves, in one step. Results
// are handed over whenever the caller resumes (Iteration.transfer), before its own
// continuation, so `.then` reactions on them run in the caller's turn.
//
// How "the caller now waits" is seen: JavaScript does not tell when an async function
// suspends, but in Node a process.nextTick callback queued from a microtask runs only
// once the microtask queue is empty, that is once every plain await of the caller has
// gone as far as it can: then the caller waits for its calls (or for something
// lockstep does not control). Browsers have no such queue: there a caller that made no
// lockstep call and no new call for IDLE_TICKS microtask ticks is taken as waiting, so
// a chain of plain awaits longer than that between a result and the next call is
// reported as a call out of turn (chains of a few awaits, as async helpers and
// Promise.all make, behave the same in both).
import { enterStep } from "./enter.js";
import { block, unblock } from "./blocking.js";
import { OP, opName, resource, RES } from "../engine/ops.js";
import { Proc, Wait, type InFlight } from "./proc.js";
import type { Iteration } from "./iteration.js";
import { die } from "./exits.js";
import { show, errorText } from "../values/show.js";

/** Browsers: microtask ticks without lockstep activity after which a caller with calls in flight is taken as waiting. */
export const IDLE_TICKS = 12;

// Ticks are reactions to an already resolved promise: Node's queueMicrotask wraps each
// callback for async context tracking and costs several times more.
const RESOLVED: Promise<void> = Promise.resolve();

/** One call running as a task. */
interface Call {
  readonly name: string;
  readonly res: number;
  /** The task running it. */
  proc: Proc | null;
  /** Who gets the result: the caller, or whoever adopted the calls of a task that ended first. */
  owner: Caller;
  /** A concurrent sync point (not a controlled call): floating ones are a missing await. */
  readonly sync: boolean;
  ok: boolean;
  value: unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Runs a callback once the microtask queue has drained: Node runs process.nextTick
 * callbacks queued by a microtask only after the whole microtask queue is empty. Not
 * available in browsers, where the caller's idleness is inferred from IDLE_TICKS
 * quiet ticks instead.
 */
const nodeAfterDrain = (() => {
  // Node itself, not a bundler's `process` shim (whose nextTick may be a plain microtask).
  const proc = (globalThis as { process?: { nextTick?: (f: () => void) => void; versions?: { node?: string }; browser?: boolean } }).process;
  const node = typeof proc?.versions?.node === "string" && proc.browser !== true && typeof proc.nextTick === "function";
  return node ? (f: () => void) => proc!.nextTick!(f) : null;
})();
let afterDrain: ((f: () => void) => void) | null = nodeAfterDrain;

/** @internal Tests: force the browsers' tick-counting idle detection ("ticks") in Node, or restore it. */
export function setIdleDetection(mode: "drain" | "ticks"): void {
  afterDrain = mode === "ticks" ? null : nodeAfterDrain;
}

/** A process that has calls in flight. Invariant: inFlight = calls started - calls handed over. */
export class Caller implements InFlight {
  /** Calls not yet handed to the caller. */
  inFlight = 0;
  /** Of those, concurrent sync points (a process must not end with one floating). */
  syncInFlight = 0;
  /** The resource of the latest call (what a blocked caller's step records). */
  lastRes = 0;
  /** The calls in flight, kept only for readable reports (detail mode). */
  readonly named: Call[] = [];
  /** Settled calls not yet handed over, in settling order. */
  readonly settled: Call[] = [];
  private watching = false;
  /** Node: the first drain was seen; one more round lets nextTicks queued before it run (idle()). */
  private confirming = false;
  /** Bumped by every new call (the tick fallback: the caller is busy, restart the window). */
  activity = 0;
  private seenActivity = 0;
  private seenSteps = 0;
  private quiet = 0;
  private readonly tickFn = () => this.tick();
  private readonly idleFn = () => this.idle();
  private readonly watchFn = () => this.watch();
  private readonly confirmFn = () => afterDrain!(this.idleFn);
  /** Pending settle() calls of this process; null when none. */
  private waiters: { one: boolean; at: number; resolve: (pending: number) => void }[] | null = null;

  constructor(
    readonly it: Iteration,
    readonly p: Proc,
  ) {}

  /** Watches for the caller to go idle. */
  watch(): void {
    if (this.watching) return;
    this.watching = true;
    if (afterDrain !== null) {
      this.confirming = false;
      afterDrain(this.idleFn);
      return;
    }
    this.seenSteps = this.it.x.steps();
    this.seenActivity = this.activity;
    this.quiet = 0;
    RESOLVED.then(this.tickFn);
  }

  /** The fallback: idle after IDLE_TICKS ticks without a call, or as soon as it parks. */
  private tick(): void {
    const { it, p } = this;
    if (it.done || !p.alive || it.running !== p || p.wake !== null) return this.idle();
    const steps = it.x.steps();
    if (this.activity !== this.seenActivity || steps !== this.seenSteps) {
      this.seenActivity = this.activity;
      this.seenSteps = steps;
      this.quiet = 0;
    } else if (++this.quiet >= IDLE_TICKS) {
      return this.idle();
    }
    RESOLVED.then(this.tickFn);
  }

  /** The caller stopped running its code: it waits for something, or it is parked in a lockstep call. */
  private idle(): void {
    // Library code's process.nextTick callbacks are part of this turn (dataloader
    // dispatches its batch from one, queued from a promise job after this watch began):
    // ticks queued before this one run after it in the same batch, so look once more,
    // from a promise job, after them and the promise jobs they start.
    if (afterDrain !== null && !this.confirming) {
      this.confirming = true;
      RESOLVED.then(this.confirmFn);
      return;
    }
    this.watching = false;
    const { it, p } = this;
    if (it.done || !p.alive) return;
    if (it.running === p && p.wake === null) {
      if (this.settled.length > 0) {
        this.handOver();
        this.watch();
      } else if (this.waiters !== null && this.release()) {
        // settle() returned: its code runs on (and is watched again while calls remain).
      } else if (this.inFlight > 0 || this.waiters !== null) {
        // Its own calls, or (settle) other processes' calls: woken when one resolves.
        this.block();
      }
      return;
    }
    // Parked in a lockstep call: Iteration.transfer hands results over when it
    // resumes and calls resumed(), which watches again.
    if (p.wake !== null) return;
    // Handed the turn but not yet started (another caller's idle check, run just before
    // in the same batch of nextTick callbacks, blocked and handed over): look again
    // after the microtasks, not at once (a nextTick queued now would run before them).
    RESOLVED.then(this.watchFn);
  }

  /** The caller is idle with calls in flight: block it (one step) until one settles. */
  private block(): void {
    const { it, p } = this;
    if (enterStep(it, OP.CALL_CONTROLLED) === null) return;
    p.eventWait = true;
    p.idle = true;
    // A fixed label: a deadlock report lists the call tasks themselves, with what they wait for.
    block(it, p, Wait.OTHER, undefined, Infinity, "the results of its controlled calls");
    if (it.detail) it.note(p, OP.CALL_CONTROLLED, () => [`awaits ${this.describe()}`, "waits"]);
    void it.handoff(p, OP.CALL_CONTROLLED, this.lastRes, 0, undefined);
  }

  /** The caller resumes (Iteration.transfer / resumeNow): hand results over, watch while calls remain. */
  resumed(): void {
    if (this.settled.length > 0) this.handOver();
    if (this.inFlight > 0 || this.waiters !== null) this.watch();
  }

  /**
   * settle(): resolves once this process is idle (the code that follows the results
   * handed over so far has run) and no controlled call of the iteration is in flight
   * (fast-check's waitAll is global too), or, with `one`, once it is idle after at least
   * one more call resolved (or none is in flight). Resolves to the number of calls
   * still in flight.
   */
  settle(one: boolean): Promise<number> {
    return new Promise<number>((resolve) => {
      if (this.waiters === null) this.it.settlers.push(this.p);
      (this.waiters ??= []).push({ one, at: this.it.callsResolved, resolve });
      this.watch();
    });
  }

  /** Idle: resolves the settle() calls that are satisfied; false when none is. */
  private release(): boolean {
    const all = this.waiters!;
    const pending = this.it.pendingCalls();
    const ready = all.filter((w) => pending === 0 || (w.one && this.it.callsResolved > w.at));
    if (ready.length === 0) return false;
    const rest = all.filter((w) => !ready.includes(w));
    this.waiters = rest.length > 0 ? rest : null;
    if (this.waiters === null) this.it.settlers.splice(this.it.settlers.indexOf(this.p), 1);
    for (const w of ready) w.resolve(pending);
    if (this.inFlight > 0 || this.waiters !== null) this.watch();
    return true;
  }


  describe(): string {
    return this.named.map((c) => `${c.name}() ${c.proc!.pid}`).join(", ");
  }

  /** Settles, in the caller's turn, the promises of the calls that finished. */
  private handOver(): void {
    const done = this.settled;
    for (const c of done) {
      this.inFlight--;
      if (c.sync) this.syncInFlight--;
      if (this.named.length > 0) this.named.splice(this.named.indexOf(c), 1);
      if (c.ok) c.resolve(c.value);
      else c.reject(c.value);
    }
    done.length = 0;
    if (this.it.settlers.length > 0) wakeSettlers(this.it);
  }

  /** Call c finished (in its task's turn). */
  finished(c: Call): void {
    this.settled.push(c);
    if (this.p.alive) wakeFromEventWait(this.it, this.p);
  }

  /**
   * A task of this iteration ended while calls it started were still in flight (a stub
   * that fired another call without awaiting it): they belong to this caller's turn
   * now, so their continuations run when it resumes.
   */
  adopt(inner: Caller): void {
    for (const c of inner.named) this.named.push(c);
    this.inFlight += inner.inFlight;
    this.syncInFlight += inner.syncInFlight;
    inner.inFlight = inner.syncInFlight = 0;
    inner.named.length = 0;
    for (const t of this.it.procs) {
      const c = t !== undefined ? (t.call as Call | null) : null;
      if (c !== null && c.owner === inner) c.owner = this;
    }
    for (const c of inner.settled) this.finished(c);
    inner.settled.length = 0;
  }
}

/** A call resolved or was handed over: processes waiting in settle() look again. */
function wakeSettlers(it: Iteration): void {
  for (const q of it.settlers) if (q.alive && q.eventWait) wakeFromEventWait(it, q);
}

function callerOf(it: Iteration, p: Proc): Caller {
  const c = p.calls;
  if (c !== null) return c as Caller;
  const made = new Caller(it, p);
  p.calls = made;
  return made;
}

/**
 * Starts `run` as a task of the calling process p and returns the promise of its
 * result, settled in p's turn. `run` is called in the task's turn with the task.
 */
export function startCall<R>(it: Iteration, p: Proc, name: string, res: number, sync: boolean, label: string | (() => string), run: (task: Proc) => unknown, describeCall?: () => string): Promise<R> {
  const caller = callerOf(it, p);
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<R>((r, j) => {
    resolve = r as (v: unknown) => void;
    reject = j;
  });
  const call: Call = { name, res, proc: null, owner: caller, sync, ok: true, value: undefined, resolve, reject };
  const t = spawnTask(it, label, sync ? p.home : null, () => runCall(it, call, run));
  call.proc = t;
  t.call = call;
  if (it.detail) it.note(p, OP.CALL_CONTROLLED, () => [describeCall ? describeCall() : `${name}()`, `task ${t.pid}`]);
  caller.inFlight++;
  if (sync) caller.syncInFlight++;
  caller.lastRes = res;
  if (it.config.detail) caller.named.push(call);
  caller.activity++;
  caller.watch();
  return promise;
}

/** settle() for process p (src/shared/settle.ts). */
export function settleCalls(it: Iteration, p: Proc, one: boolean): Promise<number> {
  return callerOf(it, p).settle(one);
}

/**
 * A lockstep call made by p while another of its calls had not settled: it runs as a
 * task acting for p (`home`), so the strategy orders it against everything else.
 */
export function concurrentSyncPoint<T, A, B>(it: Iteration, p: Proc, op: number, act: (p: Proc, it: Iteration, a: A, b: B) => Promise<T>, a: A, b: B): Promise<T> {
  const name = opName(op);
  const home = p.home;
  return startCall<T>(it, p, name, resource(RES.PROC, home.id), true, () => `${name} of ${home.pid}`, (t) => {
    t.lastOp = op;
    return act(t, it, a, b);
  }, () => `${name} (concurrent with ${opName(p.lastOp)})`);
}

/**
 * A call's task: a process without Iteration.launch's async wrapper (a call is short
 * and cannot crash: its error goes to the caller), which makes it about twice as
 * cheap. transfer() resolves a process's wake-up before claim() has made it the
 * running process, so the call starts one microtask later, in its own turn.
 */
function spawnTask(it: Iteration, label: string | (() => string), home: Proc | null, start: () => unknown): Proc {
  const id = it.x.spawn(0);
  const t = new Proc(id, null, false, label);
  if (home !== null) t.home = home;
  it.procs[id] = t;
  t.wake = () => {
    RESOLVED.then(start);
  };
  return t;
}

/** The body of a call's task: run it, then resolve (the task ends in one step). */
function runCall(it: Iteration, call: Call, run: (t: Proc) => unknown): unknown {
  const t = call.proc!;
  if (it.detail) it.note(t, OP.START, () => ["", ""]);
  let r: unknown;
  try {
    r = run(t);
  } catch (e) {
    return resolveCall(it, call, false, e);
  }
  if (r !== null && (typeof r === "object" || typeof r === "function") && typeof (r as PromiseLike<unknown>).then === "function") {
    return Promise.resolve(r).then(
      (v) => resolveWhenIdle(it, call, true, v),
      (e) => resolveWhenIdle(it, call, false, e),
    );
  }
  return resolveCall(it, call, true, r);
}

/**
 * The work's promise settled. A task that made calls of its own may still have code
 * running in its turn: reactions to the results it was handed (a queue starting its
 * next job from a `.then` of the previous one, inside sequence()). The task resolves
 * (and ends) once that code is idle too, as a caller's idleness is seen (Caller.watch);
 * a task that made no call resolves at once.
 */
function resolveWhenIdle(it: Iteration, call: Call, ok: boolean, value: unknown): void {
  if (call.proc!.calls === null) return resolveCall(it, call, ok, value);
  const done = () => resolveCall(it, call, ok, value);
  if (afterDrain !== null) {
    // Two rounds, as Caller.idle: nextTicks queued before the first run first.
    afterDrain(() => void RESOLVED.then(() => afterDrain!(done)));
    return;
  }
  let n = IDLE_TICKS;
  const tick = (): void => void (--n > 0 ? RESOLVED.then(tick) : done());
  RESOLVED.then(tick);
}

function resolveCall(it: Iteration, call: Call, ok: boolean, value: unknown): void {
  const t = call.proc!;
  if (it.done || !t.alive) return;
  // A timer callback run in another process's turn settled what the task's idle code
  // awaited, and its work went on to the end there: it resolves in its own turn.
  if (it.deferToOwnTurn(t, () => resolveCall(it, call, ok, value))) return;
  // The work must have finished in the task's own turn (it awaited nothing uncontrolled).
  if (enterStep(it, OP.CALL_CONTROLLED) === null) return;
  call.ok = ok;
  call.value = value;
  it.callsResolved++;
  if (it.settlers.length > 0) wakeSettlers(it);
  const owner = call.owner;
  if (owner.p.alive) owner.finished(call);
  // Calls this task started and did not await continue in the owner's turn.
  const inner = t.calls as Caller | null;
  if (inner !== null && (inner.inFlight > 0 || inner.settled.length > 0) && owner.p.alive) owner.adopt(inner);
  if (it.detail) it.note(t, OP.CALL_CONTROLLED, () => [`${call.name}() resolves`, ok ? show(value) : `throws ${errorText(value)}`]);
  die(it, t, "normal");
  const next = it.decide(t, OP.CALL_CONTROLLED, call.res, 1);
  if (next) it.transfer(next);
}

/**
 * p's code went idle while virtual timers are pending (the stall detector saw the
 * microtask queue drain in its turn, src/explore/stall.ts): block it, in one step,
 * until a timer callback is handed to it or one of its controlled calls settles.
 * Returns false when p is not in a state to wait (parked, or not running).
 */
export function waitOnEventLoop(it: Iteration, label: string): boolean {
  const p = it.running;
  if (p === null || p.wake !== null || it.selfClaim !== null || !p.alive) return false;
  if (enterStep(it, OP.EVENT_WAIT) === null) return false;
  p.eventWait = true;
  p.idle = true;
  block(it, p, Wait.OTHER, undefined, Infinity, label);
  if (it.detail) it.note(p, OP.EVENT_WAIT, () => ["awaits a timer callback", "waits"]);
  void it.handoff(p, OP.EVENT_WAIT, resource(RES.PROC, p.id), 0, undefined);
  return true;
}

/** Makes p runnable again if it waits on its calls or the event loop (what woke it runs when it resumes). */
export function wakeFromEventWait(it: Iteration, p: Proc): void {
  if (!p.eventWait) return;
  p.eventWait = false;
  p.resumeValue = undefined;
  unblock(it, p);
}

/** Hands `fn` to p, to run in p's turn when it next resumes (Iteration.transfer), and wakes p if it waits. */
export function handTo(it: Iteration, p: Proc, fn: () => void): void {
  (p.due ??= []).push(fn);
  wakeFromEventWait(it, p);
}
