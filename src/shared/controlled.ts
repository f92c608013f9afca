// controlled(fn): plain async code against stubs (a database, a fetch) made explorable.
//
// Every call of a controlled function runs as a task (src/runtime/calls.ts): a process
// of its own, labelled after the function (`read() <0.4.0>`), that the strategy starts
// like any process; it runs `fn` and ends with a resolution step (op call-controlled).
// The caller does not wait at the call: it goes on with its synchronous code, so
// `Promise.all([a(), b()])` or three `inc()` flows started without `spawn` each get
// their own tasks and the explorer interleaves them. When the caller then waits it
// blocks until one of its tasks resolves, in one step; results are handed over
// whenever it resumes (also from a sleep or another lockstep call).
//
// So for `await f()` the call and the resolution are each a scheduling point: other
// processes and tasks may run between the caller's call and fn's start, and between
// fn's end and the caller's resumption.
//
// What is supported: any mix of awaits over controlled calls and plain promises that
// settle in microtasks, nested controlled calls (a stub calling another stub, awaited
// or not: a call a stub did not await continues in its caller's turn), stubs that use
// lockstep calls themselves (sleep, a SharedCell), and lockstep calls made while
// controlled calls are in flight. Not supported: stubs or callers awaiting real I/O or
// real timers (an uncontrolled await), and calls from outside a lockstep process.
import { resource, RES } from "../engine/ops.js";
import { currentIteration, NEVER } from "../runtime/iteration.js";
import { UsageError } from "../runtime/errors.js";
import { IDLE_TICKS, startCall } from "../runtime/calls.js";
import { leftover } from "../runtime/sync.js";
import { show } from "../values/show.js";
import { newSharedId } from "./object.js";

export { IDLE_TICKS, setIdleDetection } from "../runtime/calls.js";

let lastFnId = 0;

/** Options of `controlled`. */
export interface ControlledOptions {
  /** The name in reports (default: the function's name). */
  name?: string;
  /**
   * When `fn` runs. "scheduled" (default): in a task the strategy starts, so the order
   * in which calls start is explored too. "eager": at once, in the caller's code, as a
   * plain call would; only the delivery of its result is a scheduling point
   * (fast-check's `scheduleFunction`). An eager `fn` must settle by itself (plain
   * values and promises), not wait on other controlled calls.
   */
  start?: "scheduled" | "eager";
}

/**
 * Wraps an async function (a stub for a database, a service, a fetch) so that each
 * call runs as a task the explorer schedules: the call and the resolution are each a
 * scheduling point. Call the wrapper from lockstep processes (the test body, spawned
 * processes, other controlled functions); calls started together (`Promise.all`)
 * interleave with each other. `fn` may await plain promises and lockstep calls, not
 * real I/O or timers.
 *
 * @example
 * let stock = 1;
 * const read = controlled(async () => stock);
 * const write = controlled(async (v: number) => { stock = v; });
 * const buy = async () => { const s = await read(); if (s > 0) await write(s - 1); };
 * await explore(async () => {
 *   stock = 1;
 *   await Promise.all([buy(), buy()]);
 *   if (stock < 0) throw new Error("oversold");
 * });
 */
export function controlled<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, options?: ControlledOptions): (...args: A) => Promise<Awaited<R>> {
  if (typeof fn !== "function") throw new TypeError(`controlled expects an async function, got ${show(fn)}`);
  // A wrapper made inside an iteration (in the body) gets a per-iteration id, so its
  // resource is the same when the iteration is replayed; one made outside (a module's
  // stub) keeps one id for the whole run.
  const it0 = currentIteration();
  // The iteration it belongs to (made in a body), or null (a module's stub: every iteration's).
  const home = it0 !== null && !it0.done ? it0 : null;
  const id = home !== null ? newSharedId(home) : ++lastFnId;
  const res = resource(home !== null ? RES.SHARED : RES.CONTROLLED, id);
  const name = options?.name ?? (fn.name || `controlled#${id}`);
  if (typeof name !== "string") throw new TypeError(`controlled: name must be a string`);
  const label = `${name}()`;
  const start = options?.start ?? "scheduled";
  if (start !== "scheduled" && start !== "eager") throw new TypeError(`controlled: start must be "scheduled" or "eager", got ${show(start)}`);

  const wrapper = function (this: unknown, ...args: A): Promise<Awaited<R>> {
    const it = currentIteration();
    // Iteration isolation: a wrapper made in an iteration belongs to it, and code left
    // over from an earlier iteration (it runs between iterations: src/runtime/sync.ts)
    // belongs to none; neither may start work in another iteration.
    if (it === null ? leftover() : home !== null && it !== home) {
      // Said once per iteration, in case a live body kept this wrapper from an earlier one.
      if (it !== null && !it.done) it.warn(`${name}() was made by controlled() in an earlier iteration and called in this one: the call was dropped (create controlled functions in the body, or at module level)`);
      return NEVER;
    }
    if (it === null) {
      return Promise.reject(new UsageError(`${name}() (a controlled function) was called outside an exploration: call it from a body run by explore(), check(), replay() or ctest()`));
    }
    if (it.done) return NEVER;
    const p = it.caller();
    if (p === null) {
      it.fail(
        "missing-await",
        new Error("call out of turn"),
        `${name}() (a controlled function) was called while no lockstep process was running: ` +
          `plain async code that went on after its process was taken as waiting (in a browser: more than ${IDLE_TICKS} microtask ticks after a controlled result without a lockstep call)`,
      );
      return NEVER;
    }
    if (!p.alive) return NEVER;
    const self = this;
    // Report text, made only when a report is being built.
    const describe = it.detail ? () => `${name}(${args.map((a) => show(a)).join(", ")})` : undefined;
    if (start === "eager") {
      // fn runs now; its outcome is captured at once (a rejection is handled, not
      // reported as unhandled while it waits) and delivered by the task.
      let outcome: Promise<{ ok: boolean; v: unknown }>;
      try {
        outcome = Promise.resolve((fn as (...a: unknown[]) => unknown).apply(self, args)).then((v) => ({ ok: true, v }), (v: unknown) => ({ ok: false, v }));
      } catch (e) {
        outcome = Promise.resolve({ ok: false, v: e });
      }
      return startCall<Awaited<R>>(it, p, name, res, false, label, () => outcome.then((o) => (o.ok ? o.v : Promise.reject(o.v))), describe);
    }
    return startCall<Awaited<R>>(it, p, name, res, false, label, () => (fn as (...a: unknown[]) => unknown).apply(self, args), describe);
  };
  return wrapper;
}

