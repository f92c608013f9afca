// Strict replay: the program must follow the trace step by step and to its end. The
// engine replays the decisions (assembly/strategies/replay.ts, DIVERGED when one is
// impossible or they run out); this compares each recorded operation with the
// trace's and, at the end, checks that the whole trace was used.
import { opName, describeResource } from "../engine/ops.js";
import type { Iteration, ReplayCheck, ReplayConfig } from "../runtime/iteration.js";
import type { Failure } from "../runtime/failure.js";

/** One recorded operation, readable: "<0.2.0> send to <0.1.0>" (divergence messages). */
function opText(pid: number, op: number, res: number): string {
  const what = describeResource(op, res, pid);
  return `${pid === 0 ? "the timer" : `<0.${pid}.0>`} ${opName(op)}${what ? ` ${what}` : ""}`;
}

function diverged(it: Iteration, step: number, expected: string, actual: string, verb: string): void {
  it.divergence = { step, expected, actual };
  it.fail("divergence", new Error("replay diverged"), `Replay diverged at step ${step}: expected ${expected}, ${verb} ${actual}`);
}

/** Compares a run's operations with a trace's [step, pid, op, resource, aux] records. */
class TraceCheck implements ReplayCheck {
  /** Operations already compared: records [0, checked) matched. */
  private checked = 0;

  constructor(
    private readonly decisions: readonly number[],
    private readonly events: readonly number[][] | undefined,
  ) {}

  matches(it: Iteration): boolean {
    const want = this.events;
    if (want === undefined) return true;
    const x = it.x;
    const n = x.events();
    for (let i = this.checked; i < n; i++) {
      const w = want[i] as number[] | undefined; // undefined: an operation the trace does not have
      const pid = x.eventField(i, 1);
      const op = x.eventField(i, 2);
      const res = x.eventField(i, 3);
      if (w === undefined || pid !== w[1] || op !== w[2] || res !== w[3]) {
        const expected = w ? opText(w[1], w[2], w[3]) : `no further operation (the trace has ${want.length} operations)`;
        diverged(it, x.eventField(i, 0), expected, opText(pid, op, res), "got");
        return false;
      }
    }
    this.checked = n;
    return true;
  }

  impossible(it: Iteration, actor: number): void {
    const step = it.x.steps();
    const want = this.decisions[step];
    if (want === undefined) {
      const who = actor > 0 ? ` after ${it.procs[actor]!.pid}'s ${opName(it.procs[actor]!.lastOp)}` : " to start the body";
      diverged(it, step, `the run to end (the trace has ${this.decisions.length} decisions)`, `not end: it needed another scheduling decision${who}`, "but the program did");
    } else if (want === 0) {
      diverged(it, step, "the next timer to fire", "not fire one: no timer was pending", "but the program did");
    } else {
      diverged(it, step, `<0.${want}.0> to run`, `not run <0.${want}.0>: it could not run (blocked, ended or never spawned)`, "but the program did");
    }
  }

  ended(it: Iteration, failure: Failure | null): Failure | null {
    if (!this.matches(it)) return null; // it failed the run as a divergence
    const decisions = this.decisions;
    const want = this.events;
    const x = it.x;
    const step = x.steps();
    const ended = failure ? `it failed (${failure.kind}: ${failure.message.split("\n")[0]})` : "the test body returned";
    if (step < decisions.length) {
      const next = decisions[step] === 0 ? "the next timer to fire" : `<0.${decisions[step]}.0> to run`;
      it.divergence = { step, expected: `${decisions.length} decisions (next: ${next})`, actual: `end there: ${ended}` };
    } else if (want !== undefined && x.events() < want.length) {
      const w = want[x.events()];
      it.divergence = { step, expected: `${opText(w[1], w[2], w[3])} (operation ${x.events() + 1} of ${want.length})`, actual: `nothing more: it ended, ${ended}` };
    } else return null;
    const d = it.divergence;
    return { kind: "divergence", error: new Error("replay diverged"), message: `Replay diverged at step ${step}: expected ${d.expected}, but the program did ${d.actual}`, step };
  }
}

/**
 * The replay part of an iteration config: follow `decisions`; `strict` replays also
 * compare each operation with `events` and must use the whole trace (a divergence
 * otherwise); lenient ones (shrinking) carry on past the end.
 */
export function replayOf(decisions: number[], strict: boolean, events?: number[][]): ReplayConfig {
  return { decisions, strict, check: strict || events !== undefined ? new TraceCheck(decisions, events) : undefined };
}
