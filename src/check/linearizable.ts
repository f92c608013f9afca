// Linearizability (Herlihy & Wing): every completed operation takes effect at one
// instant between its invocation and completion, in an order the model accepts.
import type { History } from "./history.js";
import type { CheckResult, Model } from "./model.js";
import { checkHistory } from "./check.js";

/**
 * Checks that `h` is linearizable with respect to `model` (Wing & Gong search with
 * Lowe's memoization, per `model.partition` group). `fail` ops never happened; `info`
 * and never-completed ops may take effect at any time after their invocation, or not
 * at all. On failure `ops` is a smallest failing subsequence found and `explanation`
 * names the op with no legal place and the model state(s) there.
 */
export function linearizable<S>(h: History, model: Model<S>): CheckResult {
  return checkHistory(h, model as Model, "linearizable", "linearizable");
}
