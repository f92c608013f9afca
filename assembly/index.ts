// lockstep's scheduling engine: the only exports of build/engine.wasm.
// Integers (and f64 virtual times) cross this boundary, never objects or strings;
// list answers go to the scratch region (scratch.ts). src/engine/engine.ts is the
// TypeScript side of this file.
//
// Debug checks are written `if (!ASC_NO_ASSERT) assert(...)`: under --noAssert (the
// release build) assert() still evaluates its argument, and the constant guard keeps
// the check's code out of build/engine.wasm; build/engine.debug.wasm runs them.
import {
  procSpawn, procKill, procEnable, procDisable, procAlive, procIsEnabled,
  procFlags, procSetFlags, enabledCount, resetProcs, procCount,
} from "./procs";
import {
  timerAdd, timerCancel, timerPending, timerRemaining, timerPeek, timerPop, timerOwner,
  resetTimers, clock,
} from "./timers";
import { resetMonitors, monWatched, monLive, monWatcher, monAdd as monAdd_, monRemove as monRemove_, monTarget, monTargetDown as monTargetDown_, monWatcherDown as monWatcherDown_ } from "./monitors";
import { resetLinks, linkAny, linkAdd as linkAdd_, linkRemove as linkRemove_, linkTakeAll as linkTakeAll_ } from "./links";
import { dporTouch, dporWake, dporKill, dporMonitors, dporLinks, dporMailbox, dporTimers } from "./strategies/dpor";
import { resetRegistry } from "./registry";
import { recordEvent, recordDecision, resetTrace, decisionCount, eventCount } from "./trace";
import {
  choose, strategyBegin, strategyTracksRff, strategyOnSpawn, strategyOnEvent, strategyOnEnabledChange, loadReplay, DIVERGED, TIMER, kind, DPOR, FEEDBACK,
} from "./strategy";
import { seedPrng } from "./prng";
import { rffWantsSites, rffSite } from "./strategies/rff";
import { scratchFor } from "./scratch";

export { scratchPtr, scratchReserve, scratchCap } from "./scratch";
export { monLive, monWatcher, monTarget };
export { linked, linkCount } from "./links";
export { dporNext, dporTraces, dporComplete, dporPruned } from "./strategies/dpor";
export { eventsPtr, decisionsPtr, eventField, scheduleHash } from "./trace";
export { choicePoints, pathSpan, preemptions, preemptionsPtr } from "./strategy";
export { rffFresh as coverageFresh } from "./strategies/rff";
export {
  regNew, regKindOf, regRegister, regEntriesOf, regUnregister, regRemove, regPidDown, regFind, regEntryPid,
  regEntryKey, regEntryLive, regHasPid, regLookup, regKeys, regCount, regScan, regMetaPut, regMetaGet,
  regMetaDelete, regEntries,
} from "./registry";

/** Op code the engine records itself when a timer fires (mirrored in src/engine/ops.ts). */
const OP_TIMER_FIRE: i32 = 1;

/** pick()/step() answer: nothing can run and no timer is pending. */
const NOTHING: i32 = -1;

/** The race timer policy of this iteration: the next timer is a candidate at every decision, not only when nothing can run. */
let racing: bool = false;
/** The timer fired by the last TIMER decision of this iteration (its slot may be reused since), or -1 before any. */
let fired: i32 = -1;

/**
 * Starts an iteration: clears every table in O(1) (counts and generations reset;
 * per-pid and per-slot fields are initialised again when reused) and seeds the PRNG
 * from (seed, iteration, strategy). `race` selects the race timer policy. `lean` (1)
 * keeps no operation records this iteration, only decisions (trace.ts); it changes no
 * decision. 0, the default of a call that omits it, records everything.
 */
export function begin(seedLo: u32, seedHi: u32, iteration: u32, strategy: i32, race: i32, p1: i32, p2: i32, p3: i32, lean: i32): void {
  resetProcs();
  resetTimers();
  resetMonitors();
  resetLinks();
  resetRegistry();
  resetTrace(lean == 0);
  racing = race != 0;
  fired = -1;
  // FEEDBACK (strategy.ts) is a flag on the code: the member's own schedule, PRNG
  // stream included, is the same with or without it.
  const code = strategy & ~FEEDBACK;
  seedPrng(seedLo, seedHi, iteration, <u32>code);
  strategyBegin(code, p1, p2, p3, racing, <i32>(iteration & 0x7fffffff), (strategy & FEEDBACK) != 0);
}

/** Loads `n` decisions from scratch to be replayed (strategy REPLAY). */
export function replayLoad(n: i32, strict: i32): void {
  loadReplay(scratchFor(n), n, strict != 0);
}

/**
 * 1 when this run's reads-from feedback wants each spawn's creation site (rff, or a
 * run that records coverage for it: the exploration's first run, and every later one
 * when the first had many processes): the runtime then passes it to spawnSite.
 */
export function wantsSites(): i32 {
  return strategyTracksRff() && rffWantsSites() ? 1 : 0;
}

/** Process p was spawned from creation site `site` (a small id, the same for every spawn from one source location). */
export function spawnSite(p: i32, site: i32): void {
  rffSite(p, site);
}

export function spawn(flags: i32): i32 {
  const p = procSpawn(flags);
  strategyOnSpawn(p);
  return p;
}

export function kill(p: i32): void {
  if (kind == DPOR) dporKill(p);
  procKill(p);
  strategyOnEnabledChange(p);
}
/**
 * A process's death in one call when nothing watches it: kill(p) and
 * monWatcherDown(p), then 0 when no monitor targets p and p has no link (with the
 * dependency accesses monTargetDown(p) and linkTakeAll(p) would record, which then
 * need not be called), else 1 (nothing more done: call monTargetDown(p) and
 * linkTakeAll(p) as for a plain kill).
 */
export function exit(p: i32): i32 {
  kill(p);
  monWatcherDown_(p);
  if (monWatched(p) || linkAny(p)) return 1;
  if (kind == DPOR) {
    dporMonitors(p);
    dporLinks(p);
  }
  return 0;
}
export function enable(p: i32): void {
  if (kind == DPOR && procAlive(p) && !procIsEnabled(p)) dporWake(p);
  procEnable(p);
  strategyOnEnabledChange(p);
}
export function disable(p: i32): void {
  procDisable(p);
  strategyOnEnabledChange(p);
}
export function isAlive(p: i32): bool {
  return procAlive(p);
}
export function isEnabled(p: i32): bool {
  return procIsEnabled(p);
}
export function flags(p: i32): i32 {
  return procFlags(p);
}
export function setFlags(p: i32, f: i32): void {
  procSetFlags(p, f);
}
export function processCount(): i32 {
  return procCount;
}
export function runnableCount(): i32 {
  return enabledCount;
}

/** Records an operation that is not followed by a decision. */
export function record(pid: i32, op: i32, res: i32, aux: i32): void {
  recordEvent(pid, op, res, aux);
  strategyOnEvent(pid, op, res, aux);
}

/**
 * The one call per sync point: records the operation `actor` just performed, then
 * decides who runs next. Returns a pid; TIMER (0) when the next timer fired (read it
 * with firedTimer(), apply its effect, then call pick()); NOTHING (-1) when no
 * process can run and no timer is pending; DIVERGED (-2) when a replayed decision is
 * impossible.
 */
export function step(actor: i32, op: i32, res: i32, aux: i32): i32 {
  recordEvent(actor, op, res, aux);
  strategyOnEvent(actor, op, res, aux);
  return pick(actor);
}

/**
 * Adds resource `res` (read, or written when `write` != 0) to what the current step
 * touched, for effects the recorded operations do not name (dpor's dependency
 * relation; a no-op under every other strategy).
 */
export function touch(res: i32, write: i32): void {
  if (kind == DPOR) dporTouch(res, write != 0);
}

// Monitor and link tables (monitors.ts, links.ts); under dpor each change is also an access.
export function monAdd(w: i32, t: i32): i32 {
  if (kind == DPOR) dporMonitors(t);
  return monAdd_(w, t);
}
export function monRemove(m: i32): bool {
  if (kind == DPOR && monLive(m)) dporMonitors(monTarget(m));
  return monRemove_(m);
}
export function monTargetDown(t: i32): i32 {
  const n = monTargetDown_(t);
  if (kind == DPOR) {
    dporMonitors(t);
    const out = scratchFor(2 * n);
    for (let i = 0; i < n; i++) dporMailbox(out[2 * i + 1]); // the DOWN messages
  }
  return n;
}
export function monWatcherDown(w: i32): i32 {
  // The watcher is dead: its monitors can deliver nothing any more, and its death (a
  // LIFE write) already orders it with every monitor operation that names it.
  return monWatcherDown_(w);
}
export function linkAdd(a: i32, b: i32): bool {
  if (kind == DPOR) {
    dporLinks(a);
    dporLinks(b);
  }
  return linkAdd_(a, b);
}
export function linkRemove(a: i32, b: i32): bool {
  if (kind == DPOR) {
    dporLinks(a);
    dporLinks(b);
  }
  return linkRemove_(a, b);
}
export function linkTakeAll(p: i32): i32 {
  const n = linkTakeAll_(p);
  if (kind == DPOR) {
    dporLinks(p);
    const out = scratchFor(n);
    for (let i = 0; i < n; i++) {
      dporLinks(out[i]);
      dporMailbox(out[i]); // an exit signal: an EXIT message, or a death (its LIFE write comes with kill)
    }
  }
  return n;
}

/** Decides who runs next without recording an operation (see step). */
export function pick(actor: i32): i32 {
  const t = timerPeek();
  let timerReady = false;
  if (enabledCount == 0) {
    if (t < 0) return NOTHING;
    timerReady = true;
  } else if (racing && t >= 0) {
    timerReady = true;
  }
  const c = choose(actor, timerReady);
  if (c < 0) return c; // DIVERGED, PRUNED
  recordDecision(c);
  if (c == TIMER) {
    fired = timerPop();
    recordEvent(0, OP_TIMER_FIRE, fired, timerOwner(fired));
    strategyOnEvent(0, OP_TIMER_FIRE, fired, timerOwner(fired));
  }
  return c;
}

export function firedTimer(): i32 {
  return fired;
}

export function steps(): i32 {
  return decisionCount;
}
export function events(): i32 {
  return eventCount;
}
export function strategyKind(): i32 {
  return kind;
}

// ---- virtual time ---------------------------------------------------------------
export function now(): f64 {
  return clock;
}
export function addTimer(pid: i32, delay: f64): i32 {
  if (kind == DPOR) dporTimers();
  return timerAdd(pid, delay);
}
export function cancelTimer(t: i32): bool {
  if (kind == DPOR) dporTimers();
  return timerCancel(t);
}
export function timerIsPending(t: i32): bool {
  return timerPending(t);
}
export function timerLeft(t: i32): f64 {
  return timerRemaining(t);
}
export function nextTimer(): i32 {
  return timerPeek();
}

/** Fires nothing, just removes and returns the next timer (tests and benchmarks), or -1. */
export function popTimer(): i32 {
  return timerPeek() >= 0 ? timerPop() : -1;
}
