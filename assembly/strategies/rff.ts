// RFF, reads-from fuzzing (Wolff, Shi, Duck, Mathur, Roychoudhury, "Greybox Fuzzing
// for Concurrency Testing", ASPLOS 2024): a coverage-guided search over schedules
// whose coverage is the set of reads-from pairs seen. A run that shows a pair never
// seen before is kept in a corpus, with the ordering constraints it ran under; later
// runs take a corpus entry, keep its constraints and add one that asks a read of that
// run to read from a different write ("mutation"), and a randomized scheduler tries to
// honour the constraints.
//
// How this follows the paper's RFF algorithm, and where it differs:
// - Differs: events are abstracted as (process, index of the process's operation): pids
//   are stable across runs (spawn order), which stands in for the paper's (thread,
//   program location). A read is a shared-state operation whose aux names the write
//   it observed (src/shared records SHARED_READ and lock acquisitions, SHARED_LOCK,
//   with the observed write's number); a write (SHARED_WRITE) creates write number aux.
//   Coverage is the set of (read event, write event) pairs, plus (an addition to the
//   paper's reads-from coverage) (write, overwritten write) pairs, which make
//   write-write races (lost updates) count as new behaviour.
// - A constraint "a before b" holds back b's process while its next operation would be
//   b and a has not run yet (the next operation of a process is its operation number
//   count[p], known before it runs); "read r from write w" is w-before-r plus r right
//   after w (r's process runs next once w ran: the boost), and r before each write that
//   came after w in the run being mutated (as far as the constraint slots go).
//   When every candidate is held back, the constraints yield (never a false deadlock).
// - Differs: the base scheduler is the random walk; a quarter of the runs ignore the
//   corpus (fresh random runs keep feeding it). Entries are chosen uniformly or, half
//   of the time, the newest, instead of the paper's power schedule. At most MAXC
//   constraints are kept per schedule and MAXE events per run are open to mutation.
// - Operations other than shared-state ones (messages, registry) give no reads-from
//   feedback: on such programs rff behaves like random.
//
// State lives across the iterations of one exploration, so a run depends on the runs
// before it in the same worker: rff is reproducible for a given worker count. A new
// exploration (an iteration number not above the previous one) starts from scratch.
import { below } from "../prng";
import { enabledAt, enabledCount, procIsEnabled } from "../procs";
import { grow32 } from "../grow";
import { I64Map } from "../hashmap";
import { TIMER } from "./common";

// Shared-state op codes (src/engine/ops.ts OP.SHARED_*).
const OP_SHARED_READ: i32 = 40;
const OP_SHARED_WRITE: i32 = 41;
const OP_SHARED_LOCK: i32 = 42;

const READ: i32 = 1;
const WRITE: i32 = 2;

/** Corpus entries kept (a ring: the oldest is replaced). */
const CORPUS: i32 = 64;
/** Shared-state events remembered per run (later ones are not mutated). */
const MAXE: i32 = 256;
/** An event record: pid, index, kind, resource, write number. */
const REC: i32 = 5;
/** Constraints per schedule. */
const MAXC: i32 = 8;
/** A constraint record: a's pid, a's index, b's pid, b's index, boost (1: run b right after a). */
const CREC: i32 = 5;
/** Coverage pairs remembered per exploration (bounded memory). */
const MAX_SEEN: i32 = 1 << 18;

// ---- across the iterations of one exploration ---------------------------------
/** The coverage keys seen in this exploration (value 1); size <= MAX_SEEN. */
const seen = new I64Map(1024);
/** The iteration number of the last rffBegin (i32 max before any, so the first begin starts afresh). */
let lastIteration: i32 = 0x7fffffff;
/** Corpus slot s < corpusSize: corpusEventCount[s] event records (REC ints) from offset s * MAXE * REC. */
const corpusEvents = new StaticArray<i32>(CORPUS * MAXE * REC);
/** corpusEventCount[s] for s < corpusSize: its number of event records, <= MAXE. */
const corpusEventCount = new StaticArray<i32>(CORPUS);
/** Corpus slot s < corpusSize: corpusConsCount[s] constraint records (CREC ints) from offset s * MAXC * CREC. */
const corpusCons = new StaticArray<i32>(CORPUS * MAXC * CREC);
/** corpusConsCount[s] for s < corpusSize: its number of constraints, <= MAXC. */
const corpusConsCount = new StaticArray<i32>(CORPUS);
/** Corpus slots [0, corpusSize) are filled; corpusSize <= CORPUS. */
let corpusSize: i32 = 0;
/** The slot keep() wrote last, or -1 when the corpus is empty; the next keep() on a full corpus overwrites (newest + 1) % CORPUS. */
let newest: i32 = -1;
/** The current run, not yet judged (judged at the next rff begin). */
let pendingRun: bool = false;

// ---- this iteration -------------------------------------------------------------
/** count[p] for 1 <= p <= spawned: operations p performed so far, i.e. the index of its next one. */
let count = new StaticArray<i32>(256);
/** The highest pid spawned this iteration (pids are 1 .. spawned). */
let spawned: i32 = 0;
/** (resource, write number) -> writer slot (< wCount) for the shared writes of this run. */
const writers = new I64Map(256);
/** wPid[w] for w < wCount: the pid of the w-th shared write of this run. */
let wPid = new StaticArray<i32>(256);
/** wIdx[w] for w < wCount: that write's operation index in its process. */
let wIdx = new StaticArray<i32>(256);
/** Shared writes recorded this run. */
let wCount: i32 = 0;
/** evs[0 .. evCount * REC): the first MAXE shared-state events of this run, in order. */
const evs = new StaticArray<i32>(MAXE * REC);
/** Events in evs; evCount <= MAXE. */
let evCount: i32 = 0;
/** Coverage pairs first seen in this run. */
let fresh: i32 = 0;
/** cons[0 .. consCount * CREC): this run's constraints (from mutate()), kept with the run by keep(). */
const cons = new StaticArray<i32>(MAXC * CREC);
/** Constraints in cons; consCount <= MAXC. */
let consCount: i32 = 0;
/** A process to run next (a constrained read right after its write), or 0. */
let boost: i32 = 0;
/** rffChoose's scratch: held[0 .. h) are distinct enabled pids held back by a constraint. */
const held = new StaticArray<i32>(MAXC);

@inline function mix(a: i64, b: i64): i64 {
  let z = <u64>(a * 0x9e3779b97f4a7c15 + b);
  z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >>> 27)) * 0x94d049bb133111eb;
  return <i64>(z ^ (z >>> 31));
}

@inline function writeKey(res: i32, id: i32): i64 {
  return ((<i64>res) << 32) | <i64>(<u32>id);
}

function countOf(p: i32): i32 {
  return p >= 1 && p <= spawned ? unchecked(count[p]) : 0;
}

/** Starts a run of iteration `iteration` under rff. */
export function rffBegin(iteration: i32): void {
  if (iteration <= lastIteration) {
    seen.reset();
    corpusSize = 0;
    newest = -1;
    pendingRun = false;
  } else if (pendingRun && fresh > 0) {
    keep();
  }
  lastIteration = iteration;
  pendingRun = true;
  writers.reset();
  wCount = 0;
  evCount = 0;
  fresh = 0;
  boost = 0;
  spawned = 0;
  consCount = 0;
  if (corpusSize > 0 && below(4) != 0) mutate();
}

export function rffSpawn(p: i32): void {
  if (p >= count.length) count = grow32(count, p + 1);
  unchecked((count[p] = 0));
  if (p > spawned) spawned = p;
}

function cover(key: i64): void {
  if (seen.get(key) >= 0 || seen.size >= MAX_SEEN) return;
  seen.set(key, 1);
  fresh++;
}

/** Process `pid` performed an operation (pid 0: a timer fired). */
export function rffEvent(pid: i32, op: i32, res: i32, aux: i32): void {
  if (pid <= 0 || pid > spawned) return;
  const idx = unchecked(count[pid]);
  unchecked((count[pid] = idx + 1));
  for (let c = 0; c < consCount; c++) {
    const base = c * CREC;
    if (unchecked(cons[base + 4]) != 0 && unchecked(cons[base]) == pid && unchecked(cons[base + 1]) == idx) {
      const b = unchecked(cons[base + 2]);
      if (countOf(b) <= unchecked(cons[base + 3])) boost = b;
    }
  }
  let kind: i32 = 0;
  if (op == OP_SHARED_READ || op == OP_SHARED_LOCK) kind = READ;
  else if (op == OP_SHARED_WRITE) kind = WRITE;
  else return;
  const self = mix(mix(<i64>res, <i64>pid), <i64>idx);
  if (kind == READ) {
    const w = writers.get(writeKey(res, aux));
    cover(mix(self, w < 0 ? -1 : mix(<i64>unchecked(wPid[w]), <i64>unchecked(wIdx[w]))));
  } else {
    const prev = writers.get(writeKey(res, aux - 1));
    cover(mix(self, prev < 0 ? -2 : mix(<i64>unchecked(wPid[prev]), <i64>unchecked(wIdx[prev])) ^ 1));
    if (wCount >= wPid.length) {
      wPid = grow32(wPid, wCount + 1);
      wIdx = grow32(wIdx, wCount + 1);
    }
    unchecked((wPid[wCount] = pid));
    unchecked((wIdx[wCount] = idx));
    writers.set(writeKey(res, aux), wCount++);
  }
  if (evCount < MAXE) {
    const base = evCount * REC;
    unchecked((evs[base] = pid));
    unchecked((evs[base + 1] = idx));
    unchecked((evs[base + 2] = kind));
    unchecked((evs[base + 3] = res));
    unchecked((evs[base + 4] = aux));
    evCount++;
  }
}

/** Keeps the finished run (it showed new pairs) with its constraints. */
function keep(): void {
  const slot = corpusSize < CORPUS ? corpusSize++ : (newest + 1) % CORPUS;
  newest = slot;
  memory.copy(changetype<usize>(corpusEvents) + ((<usize>(slot * MAXE * REC)) << 2), changetype<usize>(evs), (<usize>(evCount * REC)) << 2);
  unchecked((corpusEventCount[slot] = evCount));
  memory.copy(changetype<usize>(corpusCons) + ((<usize>(slot * MAXC * CREC)) << 2), changetype<usize>(cons), (<usize>(consCount * CREC)) << 2);
  unchecked((corpusConsCount[slot] = consCount));
}

function addConstraint(aPid: i32, aIdx: i32, bPid: i32, bIdx: i32, boostB: i32): void {
  if (aPid == bPid) return; // a process's own order is fixed
  let c = consCount;
  if (c == MAXC) c = below(MAXC);
  else consCount++;
  if (!ASC_NO_ASSERT) assert(consCount <= MAXC, "at most MAXC constraints");
  const base = c * CREC;
  unchecked((cons[base] = aPid));
  unchecked((cons[base + 1] = aIdx));
  unchecked((cons[base + 2] = bPid));
  unchecked((cons[base + 3] = bIdx));
  unchecked((cons[base + 4] = boostB));
}

/** Takes a corpus entry's constraints and asks one of its reads to read from another write. */
function mutate(): void {
  const e = below(2) == 0 ? newest : below(corpusSize);
  consCount = unchecked(corpusConsCount[e]);
  memory.copy(changetype<usize>(cons), changetype<usize>(corpusCons) + ((<usize>(e * MAXC * CREC)) << 2), (<usize>(consCount * CREC)) << 2);
  if (consCount > 0 && below(4) == 0) {
    // Drop one constraint: the last one takes its place.
    const d = below(consCount);
    consCount--;
    for (let f = 0; f < CREC; f++) unchecked((cons[d * CREC + f] = cons[consCount * CREC + f]));
  }
  const n = unchecked(corpusEventCount[e]);
  if (n == 0) return;
  const ev = e * MAXE * REC;
  for (let attempt = 0; attempt < 8; attempt++) {
    const r = ev + below(n) * REC;
    if (unchecked(corpusEvents[r + 2]) != READ) continue;
    const res = unchecked(corpusEvents[r + 3]);
    const observed = unchecked(corpusEvents[r + 4]);
    // The writes to the same resource in that run, by number (1, 2, ...).
    let writes = 0;
    for (let i = 0; i < n; i++) {
      const q = ev + i * REC;
      if (unchecked(corpusEvents[q + 2]) == WRITE && unchecked(corpusEvents[q + 3]) == res) writes++;
    }
    if (writes == 0) continue;
    let target = below(writes + 1); // 0: the initial value
    if (target == observed) target = (target + 1) % (writes + 1);
    if (target == observed) continue;
    const rPid = unchecked(corpusEvents[r]);
    const rIdx = unchecked(corpusEvents[r + 1]);
    for (let i = 0; i < n; i++) {
      const q = ev + i * REC;
      if (unchecked(corpusEvents[q + 2]) != WRITE || unchecked(corpusEvents[q + 3]) != res) continue;
      const id = unchecked(corpusEvents[q + 4]);
      const qPid = unchecked(corpusEvents[q]);
      const qIdx = unchecked(corpusEvents[q + 1]);
      if (id == target) addConstraint(qPid, qIdx, rPid, rIdx, 1); // the target write, then the read at once
      else if (id > target) addConstraint(rPid, rIdx, qPid, qIdx, 0); // the read before every later write
    }
    return;
  }
}

/** Whether p must wait: its next operation is some constraint's b and that constraint's a has not run. */
function isHeld(p: i32): bool {
  const next = countOf(p);
  for (let c = 0; c < consCount; c++) {
    const base = c * CREC;
    if (unchecked(cons[base + 2]) == p && unchecked(cons[base + 3]) == next && countOf(unchecked(cons[base])) <= unchecked(cons[base + 1])) return true;
  }
  return false;
}

export function rffChoose(timerReady: bool): i32 {
  if (boost > 0) {
    const b = boost;
    boost = 0;
    if (procIsEnabled(b) && !isHeld(b)) return b;
  }
  // Processes held back by a constraint (at most one per constraint).
  let h = 0;
  for (let c = 0; c < consCount; c++) {
    const p = unchecked(cons[c * CREC + 2]);
    if (!procIsEnabled(p)) continue;
    let dup = false;
    for (let i = 0; i < h; i++) if (unchecked(held[i]) == p) dup = true;
    if (!dup && isHeld(p)) unchecked((held[h++] = p));
  }
  const n = enabledCount;
  const allowed = n - h + (timerReady ? 1 : 0);
  if (h == 0 || allowed == 0) {
    // No constraint applies, or every candidate is held back: the random walk.
    const k = timerReady ? n + 1 : n;
    if (k == 1) return n == 1 ? enabledAt(0) : TIMER;
    const i = below(k);
    return i == n ? TIMER : enabledAt(i);
  }
  let pick = below(allowed);
  for (let i = 0; i < n; i++) {
    const p = enabledAt(i);
    let skip = false;
    for (let j = 0; j < h; j++) if (unchecked(held[j]) == p) skip = true;
    if (skip) continue;
    if (pick == 0) return p;
    pick--;
  }
  return TIMER;
}
