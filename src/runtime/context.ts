// Finding the running iteration for plain (non-sync) calls such as self() and now().
// Sync points find theirs through sync() (src/runtime/sync.ts).
import { currentIteration, NEVER, type Iteration } from "./iteration.js";
import { UsageError } from "./errors.js";

export { noteAbandoned } from "./sync.js";

/** The running iteration, for plain (non-sync) calls such as self() and now(). */
export function iterationFor(what: string): Iteration {
  const it = currentIteration();
  if (it === null || it.caller() === null) {
    throw new UsageError(`${what} was called outside a lockstep process: it only works inside a body run by explore(), check(), replay() or ctest()`);
  }
  return it;
}

export { NEVER };
