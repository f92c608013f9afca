// Exhaustive search with dynamic partial-order reduction: Source-DPOR with sleep sets
// (Abdulla, Aronis, Jonsson, Sagonas, "Optimal Dynamic Partial Order Reduction",
// POPL 2014, Algorithm 1), run as a depth-first search over the runs of one
// exploration. Each run replays a prefix of the DFS stack, then continues with a
// default choice; when it ends, its races are analysed (post hoc, as Nidhugg does) and
// the deepest node with an unexplored backtrack entry becomes the next branch point.
//
// Transitions. A transition is "process p runs its next step": from its resume to and
// including its next sync point (or the body's return). Its operation is known only
// once it ran, so a transition's footprint — the resources it read or wrote — is
// collected while it runs: the recorded operations (strategyOnEvent), the engine
// tables it changed (monitors, links, timers, liveness: the dpor* hooks below, called
// from index.ts) and what the TypeScript side reports with touch() (names freed at a
// death). A process's transition also reads LIFE(p): killing p conflicts with it.
// The decision "fire the next timer" is the transition of pseudo-process 0.
//
// Dependency: same process; or a shared resource that one of the two writes; or one of
// them is global. Global transitions: a timer firing (it moves the virtual clock that
// any step may read, and the next timer depends on every timer created), and the
// body's last step (the iteration ends and drops everything still running).
// Happens-before also includes wake-ups: the transition that enabled p (a send to a
// blocked receive, an unlock, a spawn) precedes p's next transition, and a race
// between them is not reversible.
//
// Timers under the quiescent policy fire only when no process can run: the decision is
// forced, so races with a timer firing are never reversed (nothing could have run in
// its place). Under the race policy the timer is a candidate like a process.
//
// Sleep sets: an entry (p, footprint of p's next transition from that state, as
// recorded when p was explored there) is woken by the first dependent transition. A run
// in which every enabled process sleeps is cut (choose returns PRUNED): it repeats a
// trace already explored, and is not counted.
//
// End of the body: its last transition is global, and every process still enabled at
// that node (it never got to run before the end) is added to that node's backtrack
// set, so the traces where it runs first are explored.
//
// preemptionBound (CHESS / Coyote bounded search): preemptions (switching away from an
// enabled process) are counted along the DFS path; default choices never preempt when
// the bound is reached. The reduction is off under a bound (every candidate within it
// is explored): with race reversal and sleep sets, a schedule within the bound whose
// equivalent schedules all exceed it was missed (Coons, Musuvathi, McKinley, "Bounded
// partial-order reduction", OOPSLA 2013), so "complete up to the bound" was false.
//
// Memory: the DFS stack's per-node data (enabled list, status of each candidate,
// sleep set, footprints of explored children) lives in one pool used as a stack in
// node order; popping nodes truncates it.
import { enabledAt, enabledCount, procIsEnabled, procCount } from "../procs";
import { grow32 } from "../grow";
import { TIMER, DIVERGED } from "./common";

/** choose()'s answer when every candidate is in the sleep set (or the preemption bound forbids the rest). */
export const PRUNED: i32 = -3;

// Op codes (src/engine/ops.ts OP).
const OP_TIMER_FIRE: i32 = 1;
const OP_SPAWN: i32 = 3;
const OP_SEND: i32 = 4;
const OP_EXIT_SIGNAL: i32 = 8;
const OP_MONITOR: i32 = 9;
const OP_LINK: i32 = 11;
const OP_IS_ALIVE: i32 = 14;
const OP_SLEEP: i32 = 17;
const OP_YIELD: i32 = 18;
const OP_REGISTER: i32 = 19;
const OP_UNREGISTER: i32 = 20;
const OP_WHEREIS: i32 = 21;
const OP_REG_READ: i32 = 31;
const OP_SHARED_READ: i32 = 40;
const OP_CALL_CONTROLLED: i32 = 43;
const OP_CLUSTER_FIRST: i32 = 60; // START_NODES .. FAULT
const OP_GLOBAL_READ: i32 = 67;
const OP_CLUSTER_LAST: i32 = 69;

// Resource spaces (src/engine/ops.ts RES), and spaces private to dpor.
const SPACE: i32 = 0x1000000;
const RES_PROC: i32 = 0;
const RES_REGISTRY: i32 = 3;
/** LIFE(p): whether p is alive. Every transition of p reads it; a kill writes it. (RES.LIFE in ops.ts; not 6: that is RES.CLUSTER's global names.) */
const RES_LIFE: i32 = 11;
/** MONS(t): the monitors on t (who gets a DOWN when t dies). */
const RES_MONS: i32 = 7;
/** LINKS(p): p's links. */
const RES_LINKS: i32 = 8;
/** The timer wheel: creation order decides which equal-deadline timer fires first. */
const RES_WHEEL: i32 = 9 * SPACE;
/** Every registry, as one resource: registry operations on a key and on the whole registry (select, count) must conflict. */
const RES_REGISTRIES: i32 = 10 * SPACE;
/** src/engine/ops.ts RES.SHARED and RES.CONTROLLED: the resources of controlled() functions (made in a body, or at module level). */
const RES_SHARED_SPACE: i32 = 4;
const RES_CONTROLLED_SPACE: i32 = 5;
/**
 * What controlled() stubs share: state outside lockstep (a database, a module's
 * variable) that two different stubs may both touch (a `read` and a `write`), so every
 * step of a controlled call (its resolution, and its caller waiting on it) writes it.
 */
const RES_OUTSIDE: i32 = 11 * SPACE;

const NONE: i32 = 0;
const BACKTRACK: i32 = 1;
const DONE: i32 = 2;

// ---- this exploration (across runs) ---------------------------------------------

/** The iteration number of the last begin; a begin at a number not above it starts a new exploration. */
let lastIteration: i32 = 0x7fffffff;
/** The bound on preemptions along a path, or -1 (none). */
let bound: i32 = -1;
/** Race timer policy: the timer is a real choice. */
let racing: bool = false;
/** Whether the whole space (up to the bound) was explored. */
let exhausted: bool = false;
/** Complete (not pruned) runs analysed so far. */
let traces: i32 = 0;
/**
 * Naive mode (tests only: the differential test's reference): no reduction at all —
 * every candidate of every node is explored, no sleep sets, no race analysis.
 */
let naive: bool = false;

/** pool[0 .. poolTop): node data and footprints, in node order (see the file comment). */
let pool = new StaticArray<i32>(4096);
let poolTop: i32 = 0;
/** Nodes 0 .. depth-1 are on the DFS stack; node k is the state before decision k. */
let depth: i32 = 0;
/** A run replays the choices of nodes 0 .. prefixLen-1 (the last one is the branch just taken). */
let prefixLen: i32 = 0;
// Node k's fields (k < depth):
/** Pool offset where node k's data starts (popping to k truncates the pool at nMark[k+1]). */
let nMark = new StaticArray<i32>(256);
/** Node k's candidates: pool[nEn[k] .. nEn[k] + nEnLen[k]), ascending pids (0: the timer). */
let nEn = new StaticArray<i32>(256);
let nEnLen = new StaticArray<i32>(256);
/** Node k's status block: for candidate i, pool[nSt[k] + 2i] is NONE/BACKTRACK/DONE and pool[nSt[k] + 2i + 1] the footprint handle of its transition (-1 until it ran). */
let nSt = new StaticArray<i32>(256);
/** Node k's sleep set: nSlLen[k] pairs [pid, footprint handle] from pool[nSl[k]]. */
let nSl = new StaticArray<i32>(256);
let nSlLen = new StaticArray<i32>(256);
/** The candidate node k chooses on the current path. */
let nChoice = new StaticArray<i32>(256);
/** Preemptions taken by decisions 0 .. k-1 on the current path. */
let nPre = new StaticArray<i32>(256);
/** The process at the sync point of decision k (0 before the first), and whether it could have continued. */
let nActor = new StaticArray<i32>(256);
let nActorEnabled = new StaticArray<i32>(256);

// ---- this run ---------------------------------------------------------------------

/** Transitions started this run; transition k was chosen by decision k. */
let n: i32 = 0;
/** tPid[k]: who ran transition k (0: a timer fired). */
let tPid = new StaticArray<i32>(256);
/** tGlobal[k] != 0: transition k is dependent with every transition. */
let tGlobal = new StaticArray<i32>(256);
/** tWake[k]: the transition that made tPid[k] runnable since its previous transition (a wake-up, a spawn), or -1. */
let tWake = new StaticArray<i32>(256);
/** Transition k's accesses: pairs [resource, write] in acc[tAcc[k] .. tAcc[k] + 2 * tAccLen[k]). */
let tAcc = new StaticArray<i32>(256);
let tAccLen = new StaticArray<i32>(256);
let acc = new StaticArray<i32>(1024);
let accTop: i32 = 0;
/** wakeOf[p]: the transition that last made p runnable and that p has not yet followed, or -1. */
let wakeOf = new StaticArray<i32>(256);
/** The run was cut by the sleep set. */
let pruned: bool = false;
/** Analysis scratch: vector clocks (n * width), sequence numbers, per-pid counters, candidates. */
let vc = new StaticArray<i32>(1024);
let seq = new StaticArray<i32>(256);
let counter = new StaticArray<i32>(256);
let cands = new StaticArray<i32>(64);
let inV = new StaticArray<i32>(256);

function growNodes(k: i32): void {
  if (k < nMark.length) return;
  nMark = grow32(nMark, k + 1);
  nEn = grow32(nEn, k + 1);
  nEnLen = grow32(nEnLen, k + 1);
  nSt = grow32(nSt, k + 1);
  nSl = grow32(nSl, k + 1);
  nSlLen = grow32(nSlLen, k + 1);
  nChoice = grow32(nChoice, k + 1);
  nPre = grow32(nPre, k + 1);
  nActor = grow32(nActor, k + 1);
  nActorEnabled = grow32(nActorEnabled, k + 1);
}

function growRun(k: i32): void {
  if (k < tPid.length) return;
  tPid = grow32(tPid, k + 1);
  tGlobal = grow32(tGlobal, k + 1);
  tWake = grow32(tWake, k + 1);
  tAcc = grow32(tAcc, k + 1);
  tAccLen = grow32(tAccLen, k + 1);
}

@inline function push(v: i32): void {
  if (poolTop >= pool.length) pool = grow32(pool, poolTop + 1);
  unchecked((pool[poolTop++] = v));
}

@inline function P(i: i32): i32 {
  return unchecked(pool[i]);
}

/** Starts a run (iteration `iteration` of an exploration). */
export function dporBegin(iteration: i32, preemptionBound: i32, naiveMode: i32, race: bool): void {
  if (iteration <= lastIteration) {
    depth = 0;
    prefixLen = 0;
    poolTop = 0;
    traces = 0;
    exhausted = false;
  }
  lastIteration = iteration;
  bound = preemptionBound;
  // Under a preemption bound the reduction is off: race reversal and sleep sets can
  // leave a schedule within the bound unexplored when its only equivalent schedules
  // exceed it (Coons, Musuvathi, McKinley, OOPSLA 2013), and "complete up to the
  // bound" must hold. Bounded search then enumerates the schedules within the bound,
  // as CHESS's and Coyote's do.
  naive = naiveMode != 0 || preemptionBound >= 0;
  racing = race;
  n = 0;
  accTop = 0;
  pruned = false;
}

/**
 * Whether the candidates now are node k's, recorded when a run first reached it. The
 * chosen one alone is not enough: a body that enables one more process on a later run
 * would leave that process's branches unexplored and the search would call itself
 * complete.
 */
function sameCandidates(k: i32, timerReady: bool): bool {
  const e = unchecked(nEn[k]);
  const len = unchecked(nEnLen[k]);
  if (len != enabledCount + (timerReady ? 1 : 0)) return false;
  if (timerReady && P(e) != TIMER) return false; // TIMER (0) sorts first
  for (let i = 0; i < enabledCount; i++) {
    const p = enabledAt(i);
    let found = false;
    for (let j = 0; j < len && !found; j++) found = P(e + j) == p;
    if (!found) return false;
  }
  return true;
}

/** p was spawned during the current transition: its first step follows it. */
export function dporSpawn(p: i32): void {
  if (p >= wakeOf.length) wakeOf = grow32(wakeOf, p + 1);
  unchecked((wakeOf[p] = n - 1));
}

/** p was made runnable (it was not) during the current transition. */
export function dporWake(p: i32): void {
  if (p >= wakeOf.length) wakeOf = grow32(wakeOf, p + 1);
  unchecked((wakeOf[p] = n - 1));
}

/** The current transition read (write == 0) or wrote resource `res`. */
export function dporAccess(res: i32, write: bool): void {
  if (n == 0) return; // before the first decision: the body's spawn, ordered before everything
  if (accTop + 2 > acc.length) acc = grow32(acc, accTop + 2);
  unchecked((acc[accTop++] = res));
  unchecked((acc[accTop++] = write ? 1 : 0));
  unchecked((tAccLen[n - 1] = tAccLen[n - 1] + 1));
}

/**
 * touch() from the TypeScript side: a registry key stands for every registry (as in
 * dporEvent), and a negative resource makes the current transition dependent with
 * every other (a sync point that failed on state it does not name).
 */
export function dporTouch(res: i32, write: bool): void {
  if (n == 0) return;
  if (res < 0) unchecked((tGlobal[n - 1] = 1));
  else dporAccess(res / SPACE == RES_REGISTRY ? RES_REGISTRIES : res, write);
}

export function dporKill(p: i32): void {
  dporAccess(RES_LIFE * SPACE + p, true);
}

export function dporMonitors(t: i32): void {
  dporAccess(RES_MONS * SPACE + t, true);
}

export function dporLinks(p: i32): void {
  dporAccess(RES_LINKS * SPACE + p, true);
}

export function dporMailbox(p: i32): void {
  dporAccess(RES_PROC * SPACE + p, true);
}

export function dporTimers(): void {
  dporAccess(RES_WHEEL, true);
}

/** An operation was recorded: add what it touched to the current transition. */
export function dporEvent(pid: i32, op: i32, res: i32, aux: i32): void {
  if (n == 0) return;
  // A timer firing, and the cluster's topology changes (a partition, a heal, a node
  // stop, an injected fault, nodes starting, Global's name exchange): they change what
  // every later cross-node send, monitor and link does, so they conflict with everything.
  if (op == OP_TIMER_FIRE || (op >= OP_CLUSTER_FIRST && op <= OP_CLUSTER_LAST && op != OP_GLOBAL_READ)) {
    unchecked((tGlobal[n - 1] = 1));
    return;
  }
  const space = res / SPACE;
  const id = res % SPACE;
  if (res == 0) {
    // A send to something that is not a process, a whereis through a via name.
    if (op == OP_WHEREIS) dporAccess(RES_REGISTRIES, false);
    return;
  }
  if (op == OP_YIELD || op == OP_SLEEP) return; // only the caller's own state (sleep's timer: dporTimers)
  const read = op == OP_SHARED_READ || op == OP_REG_READ || op == OP_WHEREIS || op == OP_IS_ALIVE || op == OP_GLOBAL_READ;
  if (space == RES_REGISTRY) {
    dporAccess(RES_REGISTRIES, !read);
    return;
  }
  if (op == OP_IS_ALIVE) {
    dporAccess(RES_LIFE * SPACE + id, false);
    return;
  }
  dporAccess(res, !read);
  if (op == OP_CALL_CONTROLLED && (space == RES_SHARED_SPACE || space == RES_CONTROLLED_SPACE)) dporAccess(RES_OUTSIDE, true);
  if (space == RES_PROC && (op == OP_SEND || op == OP_EXIT_SIGNAL || op == OP_MONITOR || op == OP_LINK)) {
    // Their effect depends on whether the target is alive.
    dporAccess(RES_LIFE * SPACE + id, false);
  }
  // register(name, q) succeeds only while q lives (a kill of q first makes it fail);
  // unregister(name) only while its owner q lives (q's death frees the name first).
  if (op == OP_REGISTER || op == OP_UNREGISTER) dporAccess(RES_LIFE * SPACE + aux, false);
  if (op == OP_MONITOR || op == OP_LINK) dporMailbox(pid); // a "noproc" DOWN / EXIT lands in the caller's mailbox
  if (op == OP_SPAWN) dporAccess(RES_LIFE * SPACE + id, true);
}

/** Stores transition k's footprint in the pool: [global, count, (res, write) * count]; returns its handle. */
function storeFootprint(k: i32): i32 {
  const h = poolTop;
  push(unchecked(tGlobal[k]));
  const len = unchecked(tAccLen[k]);
  push(len);
  const base = unchecked(tAcc[k]);
  for (let i = 0; i < 2 * len; i++) push(unchecked(acc[base + i]));
  return h;
}

/** Whether two accesses lists conflict: a shared resource one of them writes. */
function conflictFp(h: i32, k: i32): bool {
  if (P(h) != 0 || unchecked(tGlobal[k]) != 0) return true;
  const la = P(h + 1);
  const lb = unchecked(tAccLen[k]);
  const b = unchecked(tAcc[k]);
  for (let i = 0; i < la; i++) {
    const r = P(h + 2 + 2 * i);
    const w = P(h + 3 + 2 * i);
    for (let j = 0; j < lb; j++) {
      if (unchecked(acc[b + 2 * j]) == r && (w != 0 || unchecked(acc[b + 2 * j + 1]) != 0)) return true;
    }
  }
  return false;
}

/** Whether a sleeping (pid, footprint) entry is dependent with transition k. */
function sleepDependent(pid: i32, h: i32, k: i32): bool {
  return pid == unchecked(tPid[k]) || conflictFp(h, k);
}

/** Whether transitions a and b of this run are dependent. */
function dependent(a: i32, b: i32): bool {
  if (unchecked(tPid[a]) == unchecked(tPid[b])) return true;
  if (unchecked(tGlobal[a]) != 0 || unchecked(tGlobal[b]) != 0) return true;
  const la = unchecked(tAccLen[a]);
  const lb = unchecked(tAccLen[b]);
  const ba = unchecked(tAcc[a]);
  const bb = unchecked(tAcc[b]);
  for (let i = 0; i < la; i++) {
    const r = unchecked(acc[ba + 2 * i]);
    const w = unchecked(acc[ba + 2 * i + 1]);
    for (let j = 0; j < lb; j++) {
      if (unchecked(acc[bb + 2 * j]) == r && (w != 0 || unchecked(acc[bb + 2 * j + 1]) != 0)) return true;
    }
  }
  return false;
}

function inSleep(k: i32, pid: i32): bool {
  const s = unchecked(nSl[k]);
  const len = unchecked(nSlLen[k]);
  for (let i = 0; i < len; i++) if (P(s + 2 * i) == pid) return true;
  return false;
}

/** Index of `pid` among node k's candidates, or -1. */
function candIndex(k: i32, pid: i32): i32 {
  const e = unchecked(nEn[k]);
  const len = unchecked(nEnLen[k]);
  for (let i = 0; i < len; i++) if (P(e + i) == pid) return i;
  return -1;
}

/** Whether choosing `pid` at node k is a preemption (as assembly/strategy.ts counts them). */
function preempts(k: i32, pid: i32): bool {
  const a = unchecked(nActor[k]);
  return pid > 0 && a > 0 && pid != a && unchecked(nActorEnabled[k]) != 0;
}

/** withinBound for a node whose actor fields are not set yet. */
function withinBoundAt(k: i32, actor: i32, pid: i32): bool {
  if (bound < 0) return true;
  const pre = k == 0 ? 0 : unchecked(nPre[k - 1]) + (preempts(k - 1, unchecked(nChoice[k - 1])) ? 1 : 0);
  const p = pid > 0 && actor > 0 && pid != actor && procIsEnabled(actor);
  return pre + (p ? 1 : 0) <= bound;
}

function withinBound(k: i32, pid: i32): bool {
  return bound < 0 || unchecked(nPre[k]) + (preempts(k, pid) ? 1 : 0) <= bound;
}

/** The transition that just ended (n - 1) gets its footprint stored in its node, when this path explores it for the first time. */
function finishTransition(): void {
  if (n == 0) return;
  const k = n - 1;
  const i = candIndex(k, unchecked(nChoice[k]));
  const slot = unchecked(nSt[k]) + 2 * i + 1;
  if (P(slot) < 0) {
    const h = storeFootprint(k);
    unchecked((pool[slot] = h));
  }
}

/** Decision n: who runs next (a pid, TIMER) or PRUNED. */
export function dporChoose(actor: i32, timerReady: bool): i32 {
  finishTransition();
  const k = n;
  let choice: i32;
  if (k < depth) {
    // On the replayed prefix: the program is deterministic, so the same candidates.
    choice = unchecked(nChoice[k]);
    // The body must be deterministic: replaying the prefix, the same candidates. A body
    // that is not (it depends on the run's number, a module-level variable carried from
    // run to run, Math.random) gets DIVERGED here, and the runtime rejects the search
    // with a clear error rather than exploring something else than it thinks.
    if (!sameCandidates(k, timerReady)) return DIVERGED;
  } else {
    growNodes(k);
    const mark = poolTop;
    unchecked((nMark[k] = mark));
    // Candidates, ascending (insertion sort: the enabled set is small).
    const en = poolTop;
    if (timerReady) push(TIMER);
    for (let i = 0; i < enabledCount; i++) {
      const p = enabledAt(i);
      let j = poolTop;
      push(p);
      while (j > en && P(j - 1) > p) {
        unchecked((pool[j] = pool[j - 1]));
        j--;
      }
      unchecked((pool[j] = p));
    }
    const len = poolTop - en;
    unchecked((nEn[k] = en));
    unchecked((nEnLen[k] = len));
    const st = poolTop;
    for (let i = 0; i < len; i++) {
      push(naive && withinBoundAt(k, actor, P(en + i)) ? BACKTRACK : NONE);
      push(-1);
    }
    unchecked((nSt[k] = st));
    // Sleep set: what slept at the parent, and the parent's other explored children,
    // that are independent of the transition the parent took.
    const sl = poolTop;
    if (k > 0 && !naive) {
      const q = k - 1;
      const ps = unchecked(nSl[q]);
      for (let i = 0; i < unchecked(nSlLen[q]); i++) {
        const pid = P(ps + 2 * i);
        const h = P(ps + 2 * i + 1);
        if (!sleepDependent(pid, h, q)) {
          push(pid);
          push(h);
        }
      }
      const pe = unchecked(nEn[q]);
      const pst = unchecked(nSt[q]);
      const chosen = unchecked(nChoice[q]);
      for (let i = 0; i < unchecked(nEnLen[q]); i++) {
        const pid = P(pe + i);
        if (pid == chosen || P(pst + 2 * i) != DONE) continue;
        const h = P(pst + 2 * i + 1);
        if (!sleepDependent(pid, h, q)) {
          push(pid);
          push(h);
        }
      }
    }
    unchecked((nSl[k] = sl));
    unchecked((nSlLen[k] = (poolTop - sl) >> 1));
    unchecked((nActor[k] = actor));
    unchecked((nActorEnabled[k] = procIsEnabled(actor) ? 1 : 0));
    unchecked((nPre[k] = k == 0 ? 0 : unchecked(nPre[k - 1]) + (preempts(k - 1, unchecked(nChoice[k - 1])) ? 1 : 0)));
    // Default choice: keep running the actor (no preemption), else the lowest pid, the timer last.
    choice = -1;
    if (procIsEnabled(actor) && !inSleep(k, actor)) choice = actor;
    else {
      for (let i = 0; i < len; i++) {
        const p = P(en + i);
        if (p == TIMER || inSleep(k, p) || !withinBound(k, p)) continue;
        choice = p;
        break;
      }
      if (choice < 0 && timerReady && !inSleep(k, TIMER)) choice = TIMER;
    }
    if (choice < 0) {
      // Every candidate sleeps: this run would only repeat explored traces.
      poolTop = mark;
      pruned = true;
      return PRUNED;
    }
    unchecked((pool[st + 2 * candIndex(k, choice)] = DONE));
    unchecked((nChoice[k] = choice));
    depth = k + 1;
  }
  growRun(k);
  unchecked((tPid[k] = choice));
  unchecked((tGlobal[k] = choice == TIMER ? 1 : 0));
  unchecked((tAcc[k] = accTop));
  unchecked((tAccLen[k] = 0));
  let w: i32 = -1;
  if (choice > 0 && choice < wakeOf.length) {
    w = unchecked(wakeOf[choice]);
    unchecked((wakeOf[choice] = -1));
  }
  unchecked((tWake[k] = w));
  n = k + 1;
  if (choice > 0) dporAccess(RES_LIFE * SPACE + choice, false);
  return choice;
}

/** Adds `pid` to node k's backtrack set (when it is a candidate, not explored, not asleep and within the bound); true when the node already covers it. */
function cover(k: i32, pid: i32): bool {
  const i = candIndex(k, pid);
  if (i < 0) return false;
  const st = unchecked(nSt[k]) + 2 * i;
  if (P(st) != NONE || inSleep(k, pid)) return true;
  if (!withinBound(k, pid)) return false;
  unchecked((pool[st] = BACKTRACK));
  return true;
}

/** Whether node k already explores, plans or sleeps on `pid`. */
function covered(k: i32, pid: i32): bool {
  const i = candIndex(k, pid);
  return i >= 0 && (P(unchecked(nSt[k]) + 2 * i) != NONE || inSleep(k, pid));
}

/** Adds every candidate of node k (the fallback when an initial is not a candidate there). */
function coverAll(k: i32): void {
  const e = unchecked(nEn[k]);
  for (let i = 0; i < unchecked(nEnLen[k]); i++) cover(k, P(e + i));
}

/** hb(a, b) for a < b: a happens before b. */
@inline function hb(a: i32, b: i32, width: i32): bool {
  return unchecked(vc[b * width + tPid[a]]) >= unchecked(seq[a]);
}

/**
 * The run ended: analyse its races, pick the next branch. `ended` != 0 when its last
 * transition ended the iteration (the body returned, or a failure such as a crash);
 * 0 when it stopped with nothing runnable (deadlock) or was pruned. Returns 1 when
 * another run is due, 0 when the space (up to the bound) is exhausted, -1 when the run
 * ended before the end of the prefix it replayed (the body is not deterministic).
 */
export function dporNext(ended: i32): i32 {
  // A run that ended inside the prefix it was to replay: the body did less this time
  // than on the run that recorded the prefix (dporChoose catches the other differences).
  if (!pruned && n < prefixLen) {
    depth = 0;
    return -1;
  }
  if (!pruned) {
    if (n > 0 && ended != 0) unchecked((tGlobal[n - 1] = 1)); // the end drops everything
    finishTransition();
    traces++;
  }
  if (!naive) analyse();
  if (!naive) coverDisabled();
  if (!pruned && n > 0 && ended != 0 && !naive) {
    // Processes still runnable when the body ended never ran their next step here.
    const last = n - 1;
    const e = unchecked(nEn[last]);
    for (let i = 0; i < unchecked(nEnLen[last]); i++) {
      const p = P(e + i);
      if (p != TIMER || racing) cover(last, p);
    }
  }
  // The deepest node with a backtrack entry not yet explored.
  for (let k = depth - 1; k >= 0; k--) {
    const e = unchecked(nEn[k]);
    const st = unchecked(nSt[k]);
    for (let i = 0; i < unchecked(nEnLen[k]); i++) {
      if (P(st + 2 * i) != BACKTRACK) continue;
      const p = P(e + i);
      if (inSleep(k, p)) continue;
      unchecked((pool[st + 2 * i] = DONE));
      unchecked((nChoice[k] = p));
      if (k + 1 < depth) poolTop = unchecked(nMark[k + 1]);
      depth = k + 1;
      prefixLen = k + 1;
      return 1;
    }
  }
  depth = 0;
  exhausted = true;
  return 0;
}

/**
 * Source-DPOR assumes a transition never disables another, but here one can: a kill
 * disables a process that was about to run (it never runs again, so no race with its
 * next step is ever seen), and under the race policy a transition that changes the
 * timer wheel (a receive satisfied before its timeout, a cancelTimer, a new earlier
 * timer) disables or replaces the firing that was a candidate at its node. The
 * disabled candidate is explored first at that node instead.
 */
function coverDisabled(): void {
  for (let j = 0; j + 1 < n; j++) {
    const e = unchecked(nEn[j]);
    const chosen = unchecked(nChoice[j]);
    for (let i = 0; i < unchecked(nEnLen[j]); i++) {
      const q = P(e + i);
      if (q == chosen || (q == TIMER && !racing)) continue;
      if (candIndex(j + 1, q) < 0 || (q == TIMER && wroteWheel(j))) cover(j, q);
    }
  }
}

/** Whether transition j changed the timer wheel. */
function wroteWheel(j: i32): bool {
  const b = unchecked(tAcc[j]);
  for (let i = 0; i < unchecked(tAccLen[j]); i++) {
    if (unchecked(acc[b + 2 * i]) == RES_WHEEL && unchecked(acc[b + 2 * i + 1]) != 0) return true;
  }
  return false;
}

/** Source-DPOR's race reversal over the transitions of this run. */
function analyse(): void {
  const width = procCount + 1;
  if (n * width > vc.length) vc = grow32(vc, n * width);
  if (n > seq.length) {
    seq = grow32(seq, n);
    inV = grow32(inV, n);
  }
  if (width > counter.length) counter = grow32(counter, width);
  for (let p = 0; p < width; p++) unchecked((counter[p] = 0));
  // Vector clocks: join the clocks of every earlier dependent transition and of the waker.
  for (let j = 0; j < n; j++) {
    const row = j * width;
    for (let p = 0; p < width; p++) unchecked((vc[row + p] = 0));
    const w = unchecked(tWake[j]);
    if (w >= 0) for (let p = 0; p < width; p++) unchecked((vc[row + p] = max(vc[row + p], vc[w * width + p])));
    for (let i = 0; i < j; i++) {
      if (!dependent(i, j)) continue;
      const r = i * width;
      for (let p = 0; p < width; p++) unchecked((vc[row + p] = max(vc[row + p], vc[r + p])));
    }
    const me = unchecked(tPid[j]);
    const s = unchecked(counter[me]) + 1;
    unchecked((counter[me] = s));
    unchecked((seq[j] = s));
    unchecked((vc[row + me] = s));
  }
  // Races i ⋖ j: dependent, different processes, no transition between that i happens before and that happens before j.
  for (let j = 1; j < n; j++) {
    const pj = unchecked(tPid[j]);
    if (pj == TIMER && !racing) continue; // forced: nothing could run in its place
    for (let i = j - 1; i >= 0; i--) {
      const pi = unchecked(tPid[i]);
      if (pi == pj || (pi == TIMER && !racing)) continue;
      if (i == unchecked(tWake[j]) || !dependent(i, j)) continue;
      let direct = true;
      for (let k = i + 1; k < j; k++) {
        if (hb(i, k, width) && hb(k, j, width)) {
          direct = false;
          break;
        }
      }
      if (!direct) continue;
      // v = the transitions after i that do not happen after it, then j; its initials.
      let nc = 0;
      for (let k = i + 1; k <= j; k++) {
        const inv = k == j || !hb(i, k, width);
        unchecked((inV[k] = inv ? 1 : 0));
        if (!inv) continue;
        let initial = true;
        for (let m = i + 1; m < k; m++) {
          if (unchecked(inV[m]) != 0 && hb(m, k, width)) {
            initial = false;
            break;
          }
        }
        if (initial) {
          if (nc >= cands.length) cands = grow32(cands, nc + 1);
          unchecked((cands[nc++] = tPid[k]));
        }
      }
      let done = false;
      for (let c = 0; c < nc && !done; c++) if (covered(i, unchecked(cands[c]))) done = true;
      if (done) continue;
      let added = false;
      for (let c = 0; c < nc && !added; c++) {
        const q = unchecked(cands[c]);
        if (candIndex(i, q) >= 0 && withinBound(i, q)) added = cover(i, q);
      }
      // An initial that could not run at node i: classic DPOR's fallback, every candidate.
      if (!added) {
        let anyCand = false;
        for (let c = 0; c < nc; c++) if (candIndex(i, unchecked(cands[c])) >= 0) anyCand = true;
        if (!anyCand) coverAll(i);
      }
    }
  }
}

export function dporTraces(): i32 {
  return traces;
}

export function dporComplete(): bool {
  return exhausted;
}

export function dporPruned(): bool {
  return pruned;
}
