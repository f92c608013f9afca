// Models and check results shared by the linearizability and sequential-consistency checkers.
import type { Op } from "./history.js";

/**
 * A sequential specification. `step` must be pure: it returns the result the
 * operation would produce from `state` and the state after it (results are compared
 * with the observed ones as Erlang terms, `termEquals`).
 *
 * States are memoized by a canonical key: `key(state)` if given, else
 * `JSON.stringify(state)`. Give `key` when JSON does not identify the state (a `Map`,
 * `Set`, bigint, or an object whose key order varies between equal states).
 *
 * `partition(ops)`, if given, splits the operations into groups checked
 * independently (P-compositionality, e.g. one group per key of a key-value store).
 */
export interface Model<S = unknown> {
  init(): S;
  step(state: S, name: string, args: unknown): [result: unknown, next: S];
  key?(state: S): string;
  partition?(ops: readonly Op[]): readonly (readonly Op[])[];
}

export type CheckResult =
  | { ok: true }
  | {
      ok: false;
      /** A smallest failing subsequence found (each op with its invocation and completion). */
      ops: Op[];
      /** Which operation has no legal place, and the model state(s) where it would have to go. */
      explanation: string;
    };
