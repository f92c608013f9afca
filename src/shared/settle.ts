// settle() and sequence(): fast-check's scheduler waits (waitAll / waitIdle / waitOne)
// and scheduled sequences (scheduleSequence) in lockstep's terms (docs/from-fast-check.md).
import { currentIteration, NEVER } from "../runtime/iteration.js";
import { settleCalls } from "../runtime/calls.js";
import { leftover } from "../runtime/sync.js";
import { UsageError } from "../runtime/errors.js";
import { yieldNow } from "../runtime/time.js";
import { controlled } from "./controlled.js";
import { show } from "../values/show.js";

/** Options of `settle`. */
export interface SettleOptions {
  /**
   * Return once one more result of a controlled call was delivered and the code
   * following it ran (or nothing is in flight): fast-check's `waitOne`. Default false:
   * wait until no call is in flight (`waitAll` / `waitIdle`).
   */
  one?: boolean;
}

/**
 * Waits until no controlled call of the calling process is pending and the code that
 * follows their results (`.then` reactions, the rest of the async functions that
 * awaited them, calls those start in turn) has run. Each result is still a scheduling
 * point: the strategy picks the order in which they are delivered. Resolves to the
 * number of calls still in flight (0, except with `one`: fast-check's `count()`).
 *
 * @example
 * // waitOne-style: look at the state after each delivered result
 * do pending = await settle({ one: true }); while (check(), pending > 0);
 *
 * @example
 * const search = controlled(async (q: string) => `results for ${q}`);
 * let shown = "";
 * void search("a").then((r) => (shown = r));
 * void search("ab").then((r) => (shown = r));
 * await settle();
 * // shown is either result: the later query's answer may arrive first
 */
export function settle(options?: SettleOptions): Promise<number> {
  try {
    if (options !== undefined && (options === null || typeof options !== "object")) throw new TypeError(`settle expects an options object, got ${show(options)}`);
    const one = options?.one ?? false;
    if (typeof one !== "boolean") throw new TypeError(`settle: one must be a boolean, got ${show(one)}`);
    const it = currentIteration();
    if (it === null) {
      if (leftover()) return NEVER;
      throw new UsageError("settle() was called outside an exploration: call it from a body run by explore(), check(), replay() or ctest()");
    }
    if (it.done) return NEVER;
    const p = it.caller();
    if (p === null) {
      it.fail("missing-await", new Error("call out of turn"), "settle() was called while no lockstep process was running (from a callback or a promise chain detached from its process)");
      return NEVER;
    }
    if (!p.alive) return NEVER;
    return settleCalls(it, p, one);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Options of `sequence`. */
export interface SequenceOptions {
  /** The name in reports (default "sequence"). */
  name?: string;
}

/**
 * Runs `steps` one after another as one task of the calling process: the task starts
 * when the strategy picks it, and between two steps any other work may run, so each
 * step is a scheduled event (fast-check's `scheduleSequence`). Resolves when the last
 * step has finished; rejects with the first step's error (later steps do not run).
 *
 * @example
 * // A user types "a", then "b", while earlier searches are answered in any order.
 * await sequence([() => type("a"), () => type("b")]);
 */
export function sequence(steps: readonly (() => unknown)[], options?: SequenceOptions): Promise<void> {
  if (!Array.isArray(steps) || steps.some((s) => typeof s !== "function")) {
    return Promise.reject(new TypeError(`sequence expects an array of functions, got ${show(steps)}`));
  }
  const run = controlled(async () => {
    for (let i = 0; i < steps.length; i++) {
      if (i > 0) await yieldNow();
      await steps[i]();
    }
  }, { name: options?.name ?? "sequence" });
  return run();
}
