// Models and check results shared by the linearizability and sequential-consistency checkers.
import type { Op } from "./history.js";

/**
 * A sequential specification. `step` must be pure: it returns the result the
 * operation would produce from `state` and the state after it (results are compared
 * with the observed ones as Erlang terms, `termEquals`).
 *
 * States are memoized by a canonical key: `key(state)` if given, else a structural
 * key (src/check/state-key.ts) that tells apart every two states a step could: NaN
 * and null, -0 and 0, Maps and Sets by content in insertion order, class instances
 * by identity. Give `key` to merge more states (e.g. a Set whose insertion order
 * does not matter) or for cyclic states.
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
