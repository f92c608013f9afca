// The error of a run that stopped following what it was asked to follow: a replay
// whose program no longer matches its trace, or a dpor search whose body behaved
// differently from one run to the next.
import { LockstepError } from "../runtime/errors.js";

export class ReplayDivergence extends LockstepError {
  override name = "ReplayDivergence";
  constructor(
    readonly step: number,
    readonly expected: string,
    readonly actual: string,
    message?: string,
  ) {
    super(message ?? `replay diverged at step ${step}: the trace expected ${expected}, but the program did ${actual}. The program changed since the trace was recorded, the trace is incomplete, or the program depends on something outside lockstep's control.`);
  }
}
