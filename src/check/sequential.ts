// Sequential consistency (Lamport): some order of all completed operations respects
// each process's program order and the model; no real-time order between processes.
import type { History } from "./history.js";
import type { CheckResult, Model } from "./model.js";
import { checkHistory } from "./check.js";

/**
 * Checks that `h` is sequentially consistent with respect to `model`: like
 * `linearizable`, but only each process's own order (by invocation) must be kept.
 * Ops recorded outside any process (no pid) are each treated as their own process.
 */
export function sequentiallyConsistent<S>(h: History, model: Model<S>): CheckResult {
  return checkHistory(h, model as Model, "sequential", "sequentiallyConsistent");
}
