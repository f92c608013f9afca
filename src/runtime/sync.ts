// The one way to write a sync point (loom's branch point, STYLE.md).
//
// `sync(op, act)` finds the calling process and runs `act(p, it)`, which performs the
// operation against the iteration's state and ends with `it.handoff(p, op, resource,
// aux, result)` (or `block(it, ...)` then a hand-off): one engine call records the
// operation and picks who runs next. A new primitive is its validation, its effect
// and that one line.
//
// What the helper owns, so no sync point repeats it:
// - outside an exploration: a UsageError naming the call;
// - an iteration that has ended: a promise that never settles (nothing a dropped
//   process does later counts);
// - a call made while another call of the same process has not settled (`await
//   Promise.all([a(), b()])` where a and b each use a SharedCell): `act` runs as a
//   task acting for that process, so the strategy explores the orders of the two
//   (src/runtime/calls.ts);
// - anything `act` throws becomes the returned promise's rejection.
import { opName, TOUCH_ALL } from "../engine/ops.js";
import { currentIteration, NEVER, type Iteration } from "./iteration.js";
import { concurrentSyncPoint } from "./calls.js";
import { enterStep } from "./enter.js";
import { UsageError } from "./errors.js";
import type { Proc } from "./proc.js";

/** Set once an iteration was abandoned with a process stuck on an uncontrolled await. */
let abandonedProcesses = false;

export function noteAbandoned(): void {
  abandonedProcesses = true;
}

/** Explorations in progress in this thread (withEngine), between whose iterations no lockstep code runs. */
let exploring = 0;

/** The explorer starts (+1) or ends (-1) an exploration. */
export function markExploring(delta: 1 | -1): void {
  exploring += delta;
}

/**
 * A call found no live iteration, but an exploration is running: the caller is code
 * left over from an earlier iteration (a real timer or I/O callback of an iteration
 * abandoned after an uncontrolled await, or a process of one that ended), which runs
 * only between iterations in Node (a live iteration runs within one macrotask, see
 * src/explore/stall.ts). It belongs to no iteration: it is dropped (never settles).
 */
export function leftover(): boolean {
  return exploring > 0;
}

/** The error of a sync point called outside any exploration. */
export function outsideExploration(what: string): UsageError {
  return new UsageError(
    `${what}() was called outside an exploration: lockstep calls only work inside a body run by explore(), check(), replay() or ctest()` +
      (abandonedProcesses ? " (or by a process of an earlier iteration that was abandoned after an uncontrolled await)" : ""),
  );
}

/**
 * A sync point's effect: runs with the calling process (or the task acting for it) and
 * ends with the hand-off. `a` and `b` are the call's arguments, passed through so a hot
 * primitive's act can be a module-level function (no closure allocated per call).
 */
export type Act<T, A = undefined, B = undefined> = (p: Proc, it: Iteration, a: A, b: B) => Promise<T>;

/**
 * Performs sync point `op` for the calling process. `act` runs synchronously with the
 * process (or, for a concurrent call, with the task acting for it: use `p.home` for
 * identity) and returns the hand-off's promise.
 */
export function sync<T, A = undefined, B = undefined>(op: number, act: Act<T, A, B>, a?: A, b?: B): Promise<T> {
  try {
    const it = currentIteration();
    if (it === null) {
      if (leftover()) return NEVER;
      throw outsideExploration(opName(op));
    }
    return syncIn(it, op, act, a, b);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** sync() for an object that belongs to iteration `it` (shared objects check that it is the live one first). */
export function syncIn<T, A = undefined, B = undefined>(it: Iteration, op: number, act: Act<T, A, B>, a?: A, b?: B): Promise<T> {
  try {
    if (it.done) return NEVER;
    const p = it.caller();
    if (p === null) {
      it.fail("missing-await", new Error("call out of turn"), `${opName(op)} was called while no lockstep process was running (from a callback or a promise chain detached from its process)`);
      return NEVER;
    }
    // A dead process, or a task acting for one, does nothing more.
    if (!p.alive || !p.home.alive) return NEVER;
    // Busy: parked in a call, just resumed from one (its continuation has not run yet),
    // or with concurrent calls in flight (then everything it does is concurrent with them).
    if (p.wake !== null || it.selfClaim === p || (p.calls !== null && p.calls.syncInFlight > 0)) return concurrentSyncPoint(it, p, op, act, a as A, b as B);
    p.lastOp = op;
    try {
      return act(p, it, a as A, b as B);
    } catch (e) {
      // A sync point that failed (a taken name, a dead pid) read the state that made it
      // fail, but names no resource: under dpor the step conflicts with every other, so
      // the orders where it would succeed are explored too (sound; failures are rare).
      it.x.touch(TOUCH_ALL, 0);
      throw e;
    }
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Another step of an operation p is already in (a woken waiter that finds the mutex
 * taken again parks again): p is the running process, resumed inside its own call.
 */
export function resync<T>(it: Iteration, p: Proc, op: number, act: Act<T>): Promise<T> {
  try {
    if (enterStep(it, op) === null) return NEVER;
    return act(p, it, undefined, undefined);
  } catch (e) {
    return Promise.reject(e);
  }
}
