// POS, partial order sampling (Yuan, Yang, Gu, "Partial Order Aware Concurrency
// Sampling", CAV 2018). Follows the paper's POS algorithm (random priorities with
// reassignment for racing events): every pending event has a random priority, the
// enabled event with the highest priority runs, and after it ran the events that race
// with it get fresh random priorities. Events that do not race keep theirs, so a
// process whose priority is low stays out of the way over many steps: a bug needing
// one process to run k steps in a row is found with probability about 1/(k+1) per run
// instead of the random walk's 2^-k.
//
// How this differs from the paper's POS:
// - With fairAfter > 0, past that many choice points the dispatcher (assembly/strategy.ts)
//   chooses uniformly at random instead.
// - The pending timer is one extra event with a priority of its own (race policy).
// - Races are judged on an approximation of the pending event, below.
//
// The approximation (documented in the README): a process's pending event is the code
// it runs until its next sync point, whose operation the engine learns only after it
// ran. POS here takes the resource of the process's last operation as the resource of
// its pending event, which is exact for the common loops that keep talking to the same
// mailbox, registry key or shared cell. Two events race when their resources are equal
// (src/engine/ops.ts: a mailbox is its pid, a registry key its key id, ...). The
// process that ran gets a fresh priority too: its next event is a new event. A fired
// timer re-draws the timer's priority.
//
// Spawns: a spawned process gets a fresh priority at its parent's spawn and its first
// event races with nothing (it touches nothing known). The parent's next event keeps
// the priority the spawn ran with instead of drawing a fresh one, as if spawning were
// part of one event: a parent spawning n children must beat every child spawned so far
// at every spawn, which with a fresh draw each time happens with probability about
// 1/5 for n = 2 and 1/35 for n = 4, and with its priority kept 1/(n+1) (1/3, 1/5), so
// bugs that need the parent to finish spawning before its children move are within
// reach. Keeping it also keeps a correlation many bugs need: a parent that got through
// its spawns leaves its early children with low priorities, so an early child tends to
// run last. Re-drawing the unstarted children at each later spawn (spawn racing with
// their first events) was measured worse on the SCTBench ports and on the depth-2
// ordering program (docs/strategies.md), so it is not done.
//
// Per step: O(log n) for the executed process plus O(m log n) for the m processes
// whose pending event races with it (the work POS is defined to do).
import { nextU32 } from "../prng";
import { grow32 } from "../grow";
import { I64Map } from "../hashmap";
import { rankReset, rankNew, rankTop, setPriority, priorityOf } from "./heap";
import { TIMER } from "./common";
import { procAlive } from "../procs";

/** pending[p] when p's pending event touches nothing (dead, or spawned outside a spawn event). */
const NO_RESOURCE: i32 = -1;
/** Spawn op code (src/engine/ops.ts OP.SPAWN). */
const OP_SPAWN: i32 = 3;

// Processes grouped by the resource of their pending event: a doubly linked list per
// resource, its head in `heads` (resource -> pid). Pids are >= 1, so 0 ends a list.
// Invariant: p is in the list of pending[p] exactly when pending[p] != NO_RESOURCE.
/** resource -> the first pid of its non-empty list; resources with an empty list are absent. */
const heads = new I64Map(256);
/** pending[p] for a pid spawned this iteration: the resource of its last operation, or NO_RESOURCE (not run yet, just spawned a process, or dead). */
let pending = new StaticArray<i32>(256);
/** nextIn[p] while pending[p] != NO_RESOURCE: the next pid in that resource's list, 0 at the end. */
let nextIn = new StaticArray<i32>(256);
/** prevIn[p] while pending[p] != NO_RESOURCE: the previous pid in that resource's list, 0 at the head. */
let prevIn = new StaticArray<i32>(256);
/** The priority of the pending timer event: drawn at posBegin and again each time a timer fires. */
let timerPrio: i64 = 0;

function fresh(): i64 {
  const hi = <i64>(nextU32() >>> 1);
  return (hi << 32) | <i64>nextU32();
}

export function posBegin(): void {
  rankReset();
  heads.reset();
  timerPrio = fresh();
}

export function posSpawn(p: i32): void {
  if (p >= pending.length) {
    pending = grow32(pending, p + 1);
    nextIn = grow32(nextIn, p + 1);
    prevIn = grow32(prevIn, p + 1);
  }
  unchecked((pending[p] = NO_RESOURCE));
  rankNew(p, fresh());
}

function unlink(p: i32): void {
  const r = unchecked(pending[p]);
  if (r == NO_RESOURCE) return;
  const prev = unchecked(prevIn[p]);
  const next = unchecked(nextIn[p]);
  if (!ASC_NO_ASSERT) assert(prev != 0 ? unchecked(nextIn[prev]) == p : heads.get(<i64>r) == p, "resource list links agree");
  if (prev != 0) unchecked((nextIn[prev] = next));
  else if (next != 0) heads.set(<i64>r, next);
  else heads.delete(<i64>r);
  if (next != 0) unchecked((prevIn[next] = prev));
  unchecked((pending[p] = NO_RESOURCE));
}

function linkTo(p: i32, r: i32): void {
  const head = heads.get(<i64>r);
  unchecked((pending[p] = r));
  unchecked((prevIn[p] = 0));
  unchecked((nextIn[p] = head < 0 ? 0 : head));
  if (head > 0) unchecked((prevIn[head] = p));
  heads.set(<i64>r, p);
}

/** Re-draws the priority of every process in list `key` except `pid`. */
function redraw(key: i32, pid: i32): void {
  let q = heads.get(<i64>key);
  while (q > 0) {
    const next = unchecked(nextIn[q]);
    if (q != pid) setPriority(q, fresh());
    q = next;
  }
}

/** Process `pid` (0: the timer wheel) executed operation `op` on resource `res`. */
export function posEvent(pid: i32, op: i32, res: i32): void {
  if (pid == 0) {
    timerPrio = fresh();
    return;
  }
  if (!ASC_NO_ASSERT) assert(res >= 0, "resources are non-negative (src/engine/ops.ts resource)");
  redraw(res, pid);
  unlink(pid);
  // After a spawn the parent keeps its priority, unlinked until its next event (header).
  if (op == OP_SPAWN && procAlive(pid)) return;
  if (!procAlive(pid)) return; // its last operation was its exit
  linkTo(pid, res);
  setPriority(pid, fresh());
}

/** A dead process leaves its resource list (its priority no longer matters). */
export function posDead(p: i32): void {
  unlink(p);
}

export function posChoose(timerReady: bool): i32 {
  const top = rankTop();
  if (!timerReady) return top;
  if (top == 0 || timerPrio > priorityOf(top)) return TIMER;
  return top;
}
