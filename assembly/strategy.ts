// Strategy dispatch. Every strategy answers one question, "given the enabled
// processes (and, under the race timer policy, the next timer), which runs next?",
// and may watch spawns, operations and changes of the enabled set to keep its own
// state. Replay is just another strategy. Strategies are pure state machines over the
// integer event stream and the engine's PRNG, so a run is a function of (seed,
// iteration, strategy, parameters). One file per strategy in ./strategies/.
//
// The contract a strategy implements (the dispatch below calls only these):
//   <name>Begin(params)        a new iteration begins (after the PRNG is seeded);
//   <name>Spawn(pid)           a process was spawned (it is already enabled);
//   <name>Event(pid, op, res, aux)  an operation was recorded (optional);
//   <name>Choose(actor, timerReady) -> pid | TIMER | DIVERGED   pick among the enabled
//                              processes (procs.ts enabledAt) and, when timerReady, the
//                              next timer; never a disabled or dead process.
// Stateless strategies (random, replay) implement only Choose.
//
// The dispatcher also keeps two counts every strategy shares: choice points
// (decisions with two or more candidates: PCT's step unit) and preemptions (decisions
// that switched away from a process that could have continued: what shrinking
// minimizes). And it makes the priority strategies fair on request: past `fairAfter`
// choice points they choose uniformly at random (Lockstep's fair_pct), so a process
// starved by priorities, such as a spin-wait on a lower-priority process, does not
// turn into a false step-limit failure.
import { enabledCount, procAlive, procIsEnabled } from "./procs";
import { decisionCount } from "./trace";
import { grow32 } from "./grow";
import { TIMER, DIVERGED } from "./strategies/common";
import { chooseRandom } from "./strategies/random";
import { chooseReplay } from "./strategies/replay";
import { pctBegin, pctSpawn, pctChoose } from "./strategies/pct";
import { posBegin, posSpawn, posEvent, posDead, posChoose } from "./strategies/pos";
import { rankInsert, rankRemove } from "./strategies/heap";
import { rffBegin, rffSpawn, rffEvent, rffChoose } from "./strategies/rff";
import { dporBegin, dporSpawn, dporEvent, dporChoose, PRUNED } from "./strategies/dpor";

export { TIMER, DIVERGED } from "./strategies/common";
export { PRUNED } from "./strategies/dpor";
export { loadReplay } from "./strategies/replay";

// Engine strategy codes (src/engine/engine.ts STRATEGY_CODE mirrors them; test/engine.constants.test.ts checks).
export const RANDOM: i32 = 0;
export const REPLAY: i32 = 1;
/** Parameters: depth d, estimated choice points k, fairAfter (0: never). */
export const PCT: i32 = 2;
/** Parameters: -, -, fairAfter (0: never). */
export const POS: i32 = 3;
/** Parameters: the iteration number (rff keeps a corpus across the iterations of an exploration). */
export const RFF: i32 = 4;
/** Parameters: the iteration number (dpor's DFS stack lives across the iterations of an exploration), the preemption bound (-1: none), naive (1: no reduction; tests only). */
export const DPOR: i32 = 5;
/**
 * Added to a strategy code (begin's `strategy` argument): also record reads-from
 * coverage for this run, into rff's coverage set and corpus, whatever the strategy
 * (the portfolio: every member's runs feed rff, and coverageFresh() rewards the member).
 */
export const FEEDBACK: i32 = 256;

/** The strategy code of the current iteration (RANDOM .. DPOR), set by strategyBegin. */
export let kind: i32 = RANDOM;
/** This run records reads-from coverage for rff although kind is not RFF (FEEDBACK). */
let tracking: bool = false;
/** kind is PCT or POS: then strategies/heap.ts ranks exactly the enabled processes (strategyOnEnabledChange). */
let ranked: bool = false;
/** Choice points after which a ranked strategy chooses uniformly at random; 0 (never) unless ranked. */
let fairAfter: i32 = 0;

/** Choice points so far this iteration: choose() calls that had two or more candidates. */
let choices: i32 = 0;
/**
 * The product of the candidates at every choice point of this run: Knuth's estimate
 * (1975) of how many schedules the whole space has, exact for a uniform random walk
 * in expectation. The portfolio reads it to see whether the space is small enough to
 * enumerate (src/explore/small-space.ts).
 */
let span: f64 = 1;
/** preemptAt[0 .. preemptCount) are the decision numbers that were preemptions, strictly ascending. */
let preemptAt = new StaticArray<i32>(256);
/** Preemptions so far this iteration; preemptCount <= decisions taken. */
let preemptCount: i32 = 0;

/**
 * Starts an iteration under strategy k with its parameters (after the PRNG is seeded).
 * `feedback`: record reads-from coverage too (rff's own runs always do); `iteration`
 * tells rff's coverage where a new exploration starts.
 */
export function strategyBegin(k: i32, p1: i32, p2: i32, p3: i32, race: bool, iteration: i32 = 0, feedback: bool = false): void {
  kind = k;
  tracking = feedback && k != RFF && k != REPLAY;
  choices = 0;
  span = 1;
  preemptCount = 0;
  ranked = k == PCT || k == POS;
  fairAfter = ranked && p3 > 0 ? p3 : 0;
  if (k == PCT) pctBegin(p1, p2);
  else if (k == POS) posBegin();
  else if (k == RFF) rffBegin(p1, true, p2 == 0); // p2 = 1: the portfolio's rff, whose other members make the fresh runs
  else if (k == DPOR) dporBegin(p1, p2, p3, race);
  if (tracking) rffBegin(iteration, false);
}

/** Whether this run feeds rff's reads-from state (rff's own runs, FEEDBACK runs). */
export function strategyTracksRff(): bool {
  return kind == RFF || tracking;
}

/** Called when a process is spawned (it is already enabled). */
export function strategyOnSpawn(pid: i32): void {
  if (kind == PCT) pctSpawn(pid);
  else if (kind == POS) posSpawn(pid);
  else if (kind == RFF) rffSpawn(pid);
  else if (kind == DPOR) dporSpawn(pid);
  if (tracking) rffSpawn(pid);
}

/** Called for every recorded operation. */
export function strategyOnEvent(pid: i32, op: i32, res: i32, aux: i32): void {
  if (kind == POS) posEvent(pid, op, res);
  else if (kind == RFF) rffEvent(pid, op, res, aux);
  else if (kind == DPOR) dporEvent(pid, op, res, aux);
  if (tracking) rffEvent(pid, op, res, aux);
}

/** Called after p was enabled, disabled or killed (priority strategies rank enabled processes). */
export function strategyOnEnabledChange(p: i32): void {
  if (!ranked) return;
  if (procIsEnabled(p)) rankInsert(p);
  else rankRemove(p);
  if (kind == POS && !procAlive(p)) posDead(p);
}

/**
 * Chooses the next process (a pid) or TIMER. `actor` is the process at the sync
 * point (0 before the first step); `timerReady` says whether firing the next timer is
 * one of the choices (race policy, or nothing else can run).
 */
export function choose(actor: i32, timerReady: bool): i32 {
  const width = enabledCount + (timerReady ? 1 : 0);
  const forced = width <= 1;
  if (!forced) {
    choices++;
    span *= f64(width);
  }
  let c: i32;
  if (kind == REPLAY) c = chooseReplay(decisionCount, actor, timerReady);
  else if (fairAfter > 0 && choices > fairAfter) c = chooseRandom(timerReady);
  else if (kind == PCT) c = pctChoose(choices, forced, timerReady);
  else if (kind == POS) c = posChoose(timerReady);
  else if (kind == RFF) c = rffChoose(timerReady);
  else if (kind == DPOR) c = dporChoose(actor, timerReady);
  else c = chooseRandom(timerReady);
  if (c == PRUNED) return c;
  if (!ASC_NO_ASSERT) assert(c == DIVERGED || (c == TIMER ? timerReady : procIsEnabled(c)), "a strategy picks an enabled process, or the timer when it is ready");
  if (c > 0 && actor > 0 && c != actor && procIsEnabled(actor)) {
    if (preemptCount >= preemptAt.length) preemptAt = grow32(preemptAt, preemptCount + 1);
    if (!ASC_NO_ASSERT) assert(preemptCount == 0 || unchecked(preemptAt[preemptCount - 1]) < decisionCount, "preemptions are recorded once per decision, in order");
    unchecked((preemptAt[preemptCount++] = decisionCount));
  }
  return c;
}

/** Decisions so far that had two or more candidates. */
export function choicePoints(): i32 {
  return choices;
}

/** Knuth's estimate of the number of schedules, from this run's choice points (see span). */
export function pathSpan(): f64 {
  return span;
}

/** Preemptions so far (their decision numbers are at preemptionsPtr()). */
export function preemptions(): i32 {
  return preemptCount;
}

export function preemptionsPtr(): usize {
  return changetype<usize>(preemptAt);
}
