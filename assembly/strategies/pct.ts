// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
// "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010).
// Follows the paper's PCT randomized scheduler: every process gets a random distinct
// priority, the highest-priority enabled process always runs, and at d-1 change
// points, chosen uniformly over the k steps of a run, the process about to run drops
// below every initial priority. A bug of depth d is found in one run with probability
// at least 1/(n k^(d-1)).
//
// How this differs from the paper's scheduler, and why:
// - Processes appear as they spawn, so a new process draws a uniform random 62-bit
//   priority instead of taking a slot of a permutation fixed in advance: its rank
//   among the processes not yet lowered is uniform, as in the paper (ties, about
//   2^-62 per pair, break towards the lower pid: strategies/heap.ts).
// - The paper counts k over all steps; here steps are counted only where there is a
//   choice (two or more candidates), as Shuttle and Coyote do: a change point during a
//   forced step would be wasted. k comes from the TypeScript side: the decisions of a
//   calibration run, an upper estimate of a run's choice points
//   (src/explore/strategies.ts, calibrate).
// - The d-1 change points are drawn independently, so two may fall on the same choice
//   point; then both apply there, one after the other (the second lowers the new top).
// - Each change point is, with probability 1/2, uniform over [1, k] (the paper's draw)
//   and otherwise log-uniform over [1, k] (an octave [2^e, 2^(e+1)) uniformly, then a
//   point in it uniformly), so early change points are likely. k is an upper estimate
//   that can be several times a run's real choice points (contended mutexes: an unlock
//   wakes every waiter), and a uniform change point past the run's end never fires.
//   The uniform half keeps a constant-factor version of the guarantee: any given choice
//   point is drawn with probability at least 1/(2k), so a depth-d bug is found with
//   probability at least 1/(n (2k)^(d-1)).
// - At a change point the candidate that would run next is lowered (Coyote's reading
//   of "the running thread"); under the race timer policy "the next timer" is one
//   candidate with a priority of its own, whichever timer that is, and can be lowered
//   the same way.
// - With fairAfter > 0, past that many choice points the dispatcher (assembly/strategy.ts)
//   stops asking PCT and chooses uniformly at random; the paper's guarantee holds only
//   for bugs within the first fairAfter choice points.
import { below, nextU32 } from "../prng";
import { rankReset, rankNew, rankTop, setPriority, priorityOf } from "./heap";
import { TIMER } from "./common";

/** lockstep's bound on d (src/explore/strategies.ts validates options against it). */
export const MAX_DEPTH: i32 = 20;

// Invariants: the i-th change point sets priority depth-1-i (in [1, MAX_DEPTH)), so
// lowered priorities are distinct; an initial priority is MAX_DEPTH plus a 62-bit draw,
// so it is above every lowered one and never wraps.
/** The bug depth d of this run, clamped to [1, MAX_DEPTH]. */
let depth: i32 = 3;
/** changeAt[0 .. depth-1): the change points, choice-point numbers in [1, k] drawn by changePoint, independent (they may repeat). */
let changeAt = new StaticArray<i32>(MAX_DEPTH);
/** The priority of "the next timer" as a candidate (race policy): initial at pctBegin, lowered like a process's, not redrawn when a timer fires. */
let timerPrio: i64 = 0;

/** A random initial priority (a 62-bit draw, so adding MAX_DEPTH cannot wrap), above every change-point priority. */
function initialPriority(): i64 {
  const hi = <i64>(nextU32() >>> 2);
  const lo = <i64>nextU32();
  return (<i64>MAX_DEPTH) + ((hi << 32) | lo);
}

/** Starts a run: `d` the depth, `k` the estimated number of choice points. */
export function pctBegin(d: i32, k: i32): void {
  depth = d < 1 ? 1 : d > MAX_DEPTH ? MAX_DEPTH : d;
  if (k < 1) k = 1;
  rankReset();
  for (let i = 0; i < depth - 1; i++) unchecked((changeAt[i] = changePoint(k)));
  timerPrio = initialPriority();
}

/** A change point in [1, k]: half the time uniform, half the time log-uniform (see the header). */
function changePoint(k: i32): i32 {
  if (below(2) == 0) return 1 + below(k);
  const octaves = 32 - clz<i32>(k); // k in [2^(octaves-1), 2^octaves)
  const lo = 1 << below(octaves);
  const hi = min(k, (lo << 1) - 1);
  const c = lo + below(hi - lo + 1);
  if (!ASC_NO_ASSERT) assert(c >= 1 && c <= k, "a change point is a choice point in [1, k]");
  return c;
}

export function pctSpawn(p: i32): void {
  rankNew(p, initialPriority());
}

/**
 * `choice` is the 1-based number of this choice point (decisions with two or more
 * candidates), `forced` says there is only one candidate.
 */
export function pctChoose(choice: i32, forced: bool, timerReady: bool): i32 {
  if (!forced) {
    for (let i = 0; i < depth - 1; i++) {
      if (unchecked(changeAt[i]) == choice) lowerNext(<i64>(depth - 1 - i), timerReady);
    }
  }
  return best(timerReady);
}

/** The candidate with the highest priority: a pid, or TIMER. */
function best(timerReady: bool): i32 {
  const top = rankTop();
  if (!timerReady) return top;
  if (top == 0 || timerPrio > priorityOf(top)) return TIMER;
  return top;
}

function lowerNext(v: i64, timerReady: bool): void {
  if (!ASC_NO_ASSERT) assert(v >= 1 && v < <i64>MAX_DEPTH, "a lowered priority is below every initial one");
  const c = best(timerReady);
  if (c == TIMER) timerPrio = v;
  else if (c > 0) setPriority(c, v);
}
