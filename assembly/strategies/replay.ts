// Replay: follow a recorded decision list. Strict replay (replay(), reports) returns
// DIVERGED at an impossible decision and past the end of the list: a program that
// needs more decisions than the trace holds is not following it, and carrying on
// would let a trace "pass" on a schedule nobody recorded. Lenient replay (shrinking
// candidates) instead continues without preemption, at an impossible decision and
// past the end: the current process if it can run, else the lowest enabled pid,
// else the timer.
import { enabledAt, enabledCount, procIsEnabled } from "../procs";
import { grow32 } from "../grow";
import { TIMER, DIVERGED } from "./common";

/** replayed[0 .. replayLen) are the decisions to follow: decision i is a pid or TIMER (0), as loaded (not validated). */
let replayed = new StaticArray<i32>(1024);
/** Number of decisions loaded by the last loadReplay; kept across iterations until the next load. */
let replayLen: i32 = 0;
/** Strict replay returns DIVERGED off the list; lenient replay continues without preemption. */
let replayStrict: bool = true;

export function loadReplay(src: StaticArray<i32>, n: i32, strict: bool): void {
  if (n > replayed.length) replayed = grow32(replayed, n);
  memory.copy(changetype<usize>(replayed), changetype<usize>(src), (<usize>n) << 2);
  replayLen = n;
  replayStrict = strict;
}

function lowestEnabled(): i32 {
  let best = 0x7fffffff;
  for (let i = 0; i < enabledCount; i++) {
    const p = enabledAt(i);
    if (p < best) best = p;
  }
  return best;
}

/** The non-preemptive continuation used past the end of a replayed prefix. */
function continueWithout(actor: i32): i32 {
  if (enabledCount == 0) return TIMER;
  if (procIsEnabled(actor)) return actor;
  return lowestEnabled();
}

/** Decision number `step` of the replay, or DIVERGED (strict) when it is impossible or past the end. */
export function chooseReplay(step: i32, actor: i32, timerReady: bool): i32 {
  if (step >= replayLen) return replayStrict ? DIVERGED : continueWithout(actor);
  const d = unchecked(replayed[step]);
  if (d == TIMER ? timerReady : procIsEnabled(d)) return d;
  return replayStrict ? DIVERGED : continueWithout(actor);
}
