// RFF, reads-from fuzzing (Wolff, Shi, Duck, Mathur, Roychoudhury, "Greybox Fuzzing
// for Concurrency Testing", ASPLOS 2024): a coverage-guided search over schedules
// whose coverage is the set of reads-from pairs seen. A run that shows a pair never
// seen before is kept in a corpus, with the ordering constraints it ran under; later
// runs take a corpus entry, keep its constraints and add one that asks a read of that
// run to read from a different write ("mutation"), and a randomized scheduler tries to
// honour the constraints.
//
// How this follows the paper's RFF algorithm, and where it differs:
// - Events are abstracted as (process, resource, n): the n-th access of a process to
//   one shared resource (a cell, a mutex). Pids are stable across runs (spawn order),
//   and counting per resource stands in for the paper's (thread, program location):
//   unlike a process's global operation index, it does not shift when the process
//   takes another path through unrelated operations.
// - Processes by creation site: the artifact's events are program locations, the same
//   for every thread that runs the code, so its "read r from write w" applies to all of
//   them. Ours, by pid, do not: with 99 threads running funcA (twostage_100_bad) a run
//   has ~200 per-pid reads, a mutation seldom picks the one that matters, and "the read
//   before every later write" takes 99 constraints. So when an exploration's first run
//   has SITE_PROCS processes or more, its later runs name each process by its creation
//   site (the spawn's first frames outside lockstep, src/runtime/call-site.ts
//   spawnSite; rffSite; the body and a spawn without a user frame keep their pid):
//   an event is (site, n-th access of the process to the resource), a constraint
//   whose b names a site holds every process of that site, its a is met by any, and
//   the boost picks the first enabled process of the site at b.
//   The first run, named by pid, records every spawn's site and is then renamed, so
//   the corpus keeps it. Smaller programs keep pids after their first run (sites were
//   measured to change little there, and cost a stack per spawn, ~10 µs); sites are
//   asked for only in runs that feed rff's state (rff's, the portfolio's).
//   Duplicate constraints (the processes of a site give the same one many times) are
//   dropped, and a later write with the target write's own event gets no "read first"
//   constraint (it would contradict the target's).
// - A read is a shared-state operation whose aux names the write it observed
//   (src/shared records SHARED_READ and lock acquisitions, SHARED_LOCK, with the
//   observed write's number, so lock acquisition order is a reads-from order too); a
//   write (SHARED_WRITE) creates write number aux. Coverage is the set of (read
//   event, source write event) pairs, plus (an addition to the paper's reads-from
//   coverage) (write, overwritten write) pairs, which make write-write races (lost
//   updates) count as new behaviour.
// - A constraint "a before b" holds back b's process while a has not run and b has
//   not run, from b's operation index in the run being mutated on (a process's next
//   operation is known only after it ran; its index is known before). "Read r from
//   write w" is w-before-r plus r right after w (r's process runs next once w ran: the
//   boost), and r before each write to the same resource that came after w in the run
//   being mutated. When every candidate is held back, the constraints yield (never a
//   false deadlock).
// - Lookups are scan-free: constraints are chained per a (by abstract event) and per
//   b's process (or site); a constraint leaves its b's chain once its a ran, so a step
//   costs O(1) plus the pending constraints that name it (and a boost by site, a scan
//   of the processes), and nothing caps the events or constraints of a run.
// - Differs: the base scheduler is the random walk; a quarter of the runs ignore the
//   corpus (fresh random runs keep feeding it), except under the portfolio, whose
//   other members make those runs. Entries are chosen uniformly or, half of the time,
//   the newest, instead of the paper's power schedule. A mutation asks 1 to 16 reads
//   (uniformly; stacked, as AFL's havoc stacks mutations) of the entry, each taken
//   uniformly among its reads, and, half of the time, asks it for the value before
//   every write to its resource (a stale read), otherwise for any other write: with
//   many writers (reorder_20: 38 writes, 2 reads) that is what finds the bug.
// - The portfolio's other members feed the same coverage set and corpus (rffBegin with
//   mutating = false, see strategy.ts FEEDBACK).
// - Operations other than shared-state ones (messages, registry) give no reads-from
//   feedback: on such programs rff behaves like random.
//
// State lives across the iterations of one exploration, so a run depends on the runs
// before it in the same worker: rff is reproducible for a given worker count. A new
// exploration (an iteration number not above the previous one) starts from scratch.
import { below } from "../prng";
import { enabledAt, enabledCount, procIsEnabled } from "../procs";
import { grow32, growI64 } from "../grow";
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
/** An event record: pid, operation index, kind, resource, write number (written or observed), n (the pid's n-th access to the resource), who (the pid's identity: whoOf). */
const REC: i32 = 7;
/** A constraint record: a's identity (a pid, or a site: whoOf), resource, n; b's identity, resource, n, operation index; boost (1: run b right after a). */
const CREC: i32 = 8;
/** Coverage pairs remembered per exploration (bounded memory). */
const MAX_SEEN: i32 = 1 << 18;
/** A mutation asks 1 to MAX_ASKS reads (uniformly) for another source. */
const MAX_ASKS: i32 = 16;
/** Constraints a mutated run keeps at most from its entry (the rest were inherited from far ancestors). */
const MAX_INHERITED: i32 = 128;
/** A run with this many processes or more makes the exploration's later runs name processes by creation site. */
const SITE_PROCS: i32 = 10;
/** A process identity (who[p]) at or above SITE is a creation site (SITE + its id); below, a pid. */
const SITE: i32 = 0x40000000;

// ---- across the iterations of one exploration ---------------------------------
/** The coverage keys seen in this exploration (value 1); size <= MAX_SEEN. */
const seen = new I64Map(1024);
/** The iteration number of the last rffBegin (i32 max before any, so the first begin starts afresh). */
let lastIteration: i32 = 0x7fffffff;
/** corpusEvents[s] for s < corpusSize: that run's event records (REC ints each), all of them. */
const corpusEvents = new Array<StaticArray<i32>>(CORPUS);
/** corpusCons[s] for s < corpusSize: the constraint records (CREC ints each) that run ran under. */
const corpusCons = new Array<StaticArray<i32>>(CORPUS);
/** Corpus slots [0, corpusSize) are filled; corpusSize <= CORPUS. */
let corpusSize: i32 = 0;
/** The slot keep() wrote last, or -1 when the corpus is empty; the next keep() on a full corpus overwrites (newest + 1) % CORPUS. */
let newest: i32 = -1;
/** The current run, not yet judged (judged at the next rff begin). */
let pendingRun: bool = false;
/** The exploration's first run: the runtime passes every spawn's site (rffSite), which names nothing yet. */
let probing: bool = false;
/** The exploration's runs name processes by creation site (rffSite): its first run had SITE_PROCS processes or more. */
let bySite: bool = false;

// ---- this iteration -------------------------------------------------------------
/** count[p] for 1 <= p <= spawned: operations p performed so far, i.e. the index of its next one. */
let count = new StaticArray<i32>(256);
/** The highest pid spawned this iteration (pids are 1 .. spawned). */
let spawned: i32 = 0;
/** who[p] for 1 <= p <= spawned: p's identity in abstract events: p itself, or SITE + its creation site. */
let who = new StaticArray<i32>(256);
/** siteOf[p] for 1 <= p <= spawned: p's creation site (rffSite; 0 when not told: the body, system processes, a call's task). */
let siteOf = new StaticArray<i32>(256);
/** (pid, resource) -> shared accesses of pid to resource so far this run (absent: 0). */
const accesses = new I64Map(256);
/** (resource, write number) -> slot w (< wCount) of that shared write this run. */
const writers = new I64Map(256);
/** wId[w] for w < wCount: the abstract event (eventId) of the w-th shared write of this run. */
let wId = new StaticArray<i64>(256);
/** Shared writes recorded this run. */
let wCount: i32 = 0;
/** evs[0 .. evCount * REC): this run's shared-state events, in order. */
let evs = new StaticArray<i32>(256 * REC);
/** Events in evs. */
let evCount: i32 = 0;
/** Coverage pairs first seen in this run. */
let fresh: i32 = 0;
/** cons[0 .. consCount * CREC): this run's constraints (from mutate()), kept with the run by keep(). */
let cons = new StaticArray<i32>(16 * CREC);
/** Constraints in cons. */
let consCount: i32 = 0;
/** eventId(a) -> the first constraint c with that a; nextByA[c] chains the rest (-1 ends). */
const byA = new I64Map(64);
/** pid -> the first constraint c whose b is that pid's; nextByB[c] chains the rest (-1 ends). */
const byB = new I64Map(64);
let nextByA = new StaticArray<i32>(16);
let nextByB = new StaticArray<i32>(16);
/** prevByB[c]: the constraint before c in its byB chain (-1: c is the head); a constraint whose a ran leaves the chain. */
let prevByB = new StaticArray<i32>(16);
/** aRan[c] != 0: constraint c's a has run this run (it holds nothing back any more). */
let aRan = new StaticArray<i32>(16);
/** Keys (consKey) of this run's constraints that name a site, for addConstraint's duplicates check. */
const consKeys = new I64Map(64);
/** A process to run next (a constrained read right after its write), or 0. */
let boost: i32 = 0;

@inline function mix(a: i64, b: i64): i64 {
  let z = <u64>(a * 0x9e3779b97f4a7c15 + b);
  z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >>> 27)) * 0x94d049bb133111eb;
  return <i64>(z ^ (z >>> 31));
}

@inline function pair(a: i32, b: i32): i64 {
  return ((<i64>a) << 32) | <i64>(<u32>b);
}

/** The abstract event "pid's n-th access to resource res", identical across runs. */
@inline function eventId(pid: i32, res: i32, n: i32): i64 {
  return mix(mix(<i64>res, <i64>pid), <i64>n);
}

/** Whether this run wants each spawn's creation site (rffSite): the exploration's first run, and its runs by site. */
export function rffWantsSites(): bool {
  return probing || bySite;
}

/** Process p was spawned from `site` (a small id, the same for every spawn from one source location); by site, p's events are then (site, resource, n). */
export function rffSite(p: i32, site: i32): void {
  if (p < 1 || p > spawned || site < 1 || site >= SITE) return;
  unchecked((siteOf[p] = site));
  if (bySite) unchecked((who[p] = SITE + site));
}

@inline function whoOf(p: i32): i32 {
  return unchecked(who[p]);
}

/** The process to boost for b = (w, res, n) at operation index idx: w itself (a pid), or the first enabled process of site w that reached b; 0: none. */
function boostOf(w: i32, res: i32, n: i32, idx: i32): i32 {
  if (w < SITE) return accessesOf(w, res) <= n ? w : 0;
  for (let p = 1; p <= spawned; p++) {
    if (unchecked(who[p]) != w || !procIsEnabled(p)) continue;
    if (unchecked(count[p]) >= idx && accessesOf(p, res) <= n) return p;
  }
  return 0;
}

function countOf(p: i32): i32 {
  return p >= 1 && p <= spawned ? unchecked(count[p]) : 0;
}

function accessesOf(p: i32, res: i32): i32 {
  const v = accesses.get(pair(p, res));
  return v < 0 ? 0 : v;
}

/**
 * Starts a run of iteration `iteration`: under rff (`mutating`: it may take a corpus
 * entry and mutate it), or under another strategy that only records coverage
 * (strategy.ts FEEDBACK: the portfolio's other members feed the same coverage set and
 * corpus, and draw no random number here).
 */
export function rffBegin(iteration: i32, mutating: bool, freshRuns: bool = true): void {
  if (iteration <= lastIteration) {
    seen.reset();
    corpusSize = 0;
    newest = -1;
    pendingRun = false;
    probing = true;
    bySite = false;
  } else {
    if (probing) {
      // The first run named processes by pid and learned their sites: with many
      // processes, name them by site from now on, the first run's events too (it may
      // be kept in the corpus, and mutations name its events).
      probing = false;
      if (spawned >= SITE_PROCS) {
        bySite = true;
        for (let i = 0; i < evCount; i++) {
          const site = unchecked(siteOf[evs[i * REC]]);
          if (site > 0) unchecked((evs[i * REC + 6] = SITE + site));
        }
      }
    }
    if (pendingRun && fresh > 0) keep();
  }
  lastIteration = iteration;
  pendingRun = true;
  writers.reset();
  accesses.reset();
  wCount = 0;
  evCount = 0;
  fresh = 0;
  boost = 0;
  spawned = 0;
  consCount = 0;
  if (mutating && corpusSize > 0 && (!freshRuns || below(4) != 0)) mutate();
  index();
}

/** Coverage pairs the current (or last) run showed first: the portfolio's reward for the member that ran it. */
export function rffFresh(): i32 {
  return fresh;
}

export function rffSpawn(p: i32): void {
  if (p >= count.length) count = grow32(count, p + 1);
  if (p >= who.length) {
    who = grow32(who, p + 1);
    siteOf = grow32(siteOf, p + 1);
  }
  unchecked((count[p] = 0));
  unchecked((who[p] = p));
  unchecked((siteOf[p] = 0));
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
  let kind: i32 = 0;
  if (op == OP_SHARED_READ || op == OP_SHARED_LOCK) kind = READ;
  else if (op == OP_SHARED_WRITE) kind = WRITE;
  else return;
  const n = accessesOf(pid, res);
  accesses.set(pair(pid, res), n + 1);
  const self = eventId(whoOf(pid), res, n);
  // Constraints whose a is this event: they are met (out of their b's chain); boost
  // their b (a read asked to read from this write).
  for (let c = byA.get(self); c >= 0; c = unchecked(nextByA[c])) {
    const base = c * CREC;
    if (unchecked(aRan[c]) == 0) met(c);
    if (unchecked(cons[base + 7]) == 0) continue;
    const b = boostOf(unchecked(cons[base + 3]), unchecked(cons[base + 4]), unchecked(cons[base + 5]), unchecked(cons[base + 6]));
    if (b > 0) boost = b;
  }
  if (kind == READ) {
    const w = writers.get(pair(res, aux));
    cover(mix(self, w < 0 ? -1 : unchecked(wId[w])));
  } else {
    const prev = writers.get(pair(res, aux - 1));
    cover(mix(self, prev < 0 ? -2 : unchecked(wId[prev]) ^ 1));
    if (wCount >= wId.length) wId = growI64(wId, wCount + 1);
    unchecked((wId[wCount] = self));
    writers.set(pair(res, aux), wCount++);
  }
  if ((evCount + 1) * REC > evs.length) evs = grow32(evs, (evCount + 1) * REC);
  const base = evCount * REC;
  unchecked((evs[base] = pid));
  unchecked((evs[base + 6] = whoOf(pid)));
  unchecked((evs[base + 1] = idx));
  unchecked((evs[base + 2] = kind));
  unchecked((evs[base + 3] = res));
  unchecked((evs[base + 4] = aux));
  unchecked((evs[base + 5] = n));
  evCount++;
}

function copyOf(a: StaticArray<i32>, n: i32): StaticArray<i32> {
  const out = new StaticArray<i32>(n);
  memory.copy(changetype<usize>(out), changetype<usize>(a), (<usize>n) << 2);
  return out;
}

/** Keeps the finished run (it showed new pairs) with its constraints. */
function keep(): void {
  const slot = corpusSize < CORPUS ? corpusSize++ : (newest + 1) % CORPUS;
  newest = slot;
  corpusEvents[slot] = copyOf(evs, evCount * REC);
  corpusCons[slot] = copyOf(cons, consCount * CREC);
}

/**
 * Appends a constraint "event (aWho, aRes, aN) before event (bWho, bRes, bN) at b's
 * operation index bIdx"; aPid and bPid are the processes of the run mutated on.
 */
function addConstraint(aPid: i32, aWho: i32, aRes: i32, aN: i32, bPid: i32, bWho: i32, bRes: i32, bN: i32, bIdx: i32, boostB: i32): void {
  if (aPid == bPid) return; // a process's own order is fixed
  if (aWho >= SITE || bWho >= SITE) {
    // Site events: the processes of a site give the same constraint many times over.
    const key = consKey(aWho, aRes, aN, bWho, bRes, bN, boostB);
    if (consKeys.get(key) >= 0) return;
    consKeys.set(key, 1);
  }
  if ((consCount + 1) * CREC > cons.length) cons = grow32(cons, (consCount + 1) * CREC);
  const base = consCount * CREC;
  unchecked((cons[base] = aWho));
  unchecked((cons[base + 1] = aRes));
  unchecked((cons[base + 2] = aN));
  unchecked((cons[base + 3] = bWho));
  unchecked((cons[base + 4] = bRes));
  unchecked((cons[base + 5] = bN));
  unchecked((cons[base + 6] = bIdx));
  unchecked((cons[base + 7] = boostB));
  consCount++;
}

/** Chains this run's constraints by a and by b's process (byA, byB). */
function index(): void {
  byA.reset();
  byB.reset();
  if (consCount > nextByA.length) {
    nextByA = grow32(nextByA, consCount);
    nextByB = grow32(nextByB, consCount);
    prevByB = grow32(prevByB, consCount);
    aRan = grow32(aRan, consCount);
  }
  for (let c = 0; c < consCount; c++) {
    const base = c * CREC;
    const a = eventId(unchecked(cons[base]), unchecked(cons[base + 1]), unchecked(cons[base + 2]));
    unchecked((nextByA[c] = byA.get(a)));
    byA.set(a, c);
    const b = <i64>unchecked(cons[base + 3]);
    const head = byB.get(b);
    unchecked((nextByB[c] = head));
    unchecked((prevByB[c] = -1));
    if (head >= 0) unchecked((prevByB[head] = c));
    byB.set(b, c);
    unchecked((aRan[c] = 0));
  }
}

/** Constraint c's a ran: c holds nothing back any more; it leaves its b's chain, so isHeld walks only pending constraints. */
function met(c: i32): void {
  unchecked((aRan[c] = 1));
  const prev = unchecked(prevByB[c]);
  const next = unchecked(nextByB[c]);
  if (next >= 0) unchecked((prevByB[next] = prev));
  if (prev >= 0) unchecked((nextByB[prev] = next));
  else byB.set(<i64>unchecked(cons[c * CREC + 3]), next);
}

/** A constraint's identity for the duplicates check (its b's operation index left out: processes of a site reach b at different indexes). */
function consKey(a: i32, aRes: i32, aN: i32, b: i32, bRes: i32, bN: i32, boostB: i32): i64 {
  return mix(mix(eventId(a, aRes, aN), eventId(b, bRes, bN)), <i64>boostB);
}

/** Takes a corpus entry's constraints and asks one of its reads to read from another write. */
function mutate(): void {
  const e = below(2) == 0 ? newest : below(corpusSize);
  const ec = corpusCons[e];
  consCount = ec.length / CREC;
  if (ec.length > cons.length) cons = grow32(cons, ec.length);
  memory.copy(changetype<usize>(cons), changetype<usize>(ec), (<usize>ec.length) << 2);
  if (consCount > 0 && below(4) == 0) {
    // Drop one constraint: the last one takes its place.
    const d = below(consCount);
    consCount--;
    for (let f = 0; f < CREC; f++) unchecked((cons[d * CREC + f] = cons[consCount * CREC + f]));
  }
  if (consCount > MAX_INHERITED) {
    // Keep the last MAX_INHERITED: the first ones were inherited from the furthest
    // ancestors, and with several asks per mutation the lists would otherwise grow
    // by generation (twostage_100: twice the time per run, and more schedules).
    const drop = consCount - MAX_INHERITED;
    memory.copy(changetype<usize>(cons), changetype<usize>(cons) + ((<usize>(drop * CREC)) << 2), (<usize>(MAX_INHERITED * CREC)) << 2);
    consCount = MAX_INHERITED;
  }
  const ev = corpusEvents[e];
  const n = ev.length / REC;
  let reads = 0;
  for (let i = 0; i < n; i++) if (unchecked(ev[i * REC + 2]) == READ) reads++;
  if (reads == 0) return;
  // Several asks at once (AFL's stacked havoc mutations; the RFF artifact's
  // multi-mutation runs): bugs that need two or more reads moved together
  // (workstealqueue_bad, reorder_N) are reached in one mutation instead of a chain
  // of kept runs, each of which had to show a new pair.
  consKeys.reset();
  for (let c = 0; c < consCount; c++) {
    const base = c * CREC;
    const a = unchecked(cons[base]);
    const b = unchecked(cons[base + 3]);
    if (a >= SITE || b >= SITE) consKeys.set(consKey(a, unchecked(cons[base + 1]), unchecked(cons[base + 2]), b, unchecked(cons[base + 4]), unchecked(cons[base + 5]), unchecked(cons[base + 7])), 1);
  }
  const asks = 1 + below(MAX_ASKS);
  for (let a = 0; a < asks; a++) askRead(ev, reads);
}

/** Asks one of the `reads` reads of the run `ev` (a corpus entry's events), uniformly, to read from another write. */
function askRead(ev: StaticArray<i32>, reads: i32): void {
  const n = ev.length / REC;
  let pick = below(reads);
  let r = 0;
  for (let i = 0; i < n; i++) {
    if (unchecked(ev[i * REC + 2]) != READ) continue;
    if (pick-- == 0) {
      r = i * REC;
      break;
    }
  }
  const res = unchecked(ev[r + 3]);
  const observed = unchecked(ev[r + 4]);
  // The writes to the same resource in that run, numbered 1, 2, ... (0: the initial value).
  let writes = 0;
  for (let i = 0; i < n; i++) {
    const q = i * REC;
    if (unchecked(ev[q + 2]) == WRITE && unchecked(ev[q + 3]) == res) writes++;
  }
  if (writes == 0) return;
  // The source to ask for: half of the time the value before every write (a read
  // moved before all the writes: the classic stale read), otherwise any other write.
  let target = observed != 0 && below(2) == 0 ? 0 : below(writes + 1);
  if (target == observed) target = (target + 1) % (writes + 1);
  const rPid = unchecked(ev[r]);
  const rWho = unchecked(ev[r + 6]);
  const rIdx = unchecked(ev[r + 1]);
  const rN = unchecked(ev[r + 5]);
  // The target write's abstract event: a later write with the same one (by another
  // process of its site) gets no "read first" constraint, which would contradict it.
  let tWho = 0, tN = -1;
  for (let i = 0; i < n; i++) {
    const q = i * REC;
    if (unchecked(ev[q + 2]) == WRITE && unchecked(ev[q + 3]) == res && unchecked(ev[q + 4]) == target) {
      tWho = unchecked(ev[q + 6]);
      tN = unchecked(ev[q + 5]);
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    const q = i * REC;
    if (unchecked(ev[q + 2]) != WRITE || unchecked(ev[q + 3]) != res) continue;
    const id = unchecked(ev[q + 4]);
    const qPid = unchecked(ev[q]);
    const qWho = unchecked(ev[q + 6]);
    const qN = unchecked(ev[q + 5]);
    if (id == target) addConstraint(qPid, qWho, res, qN, rPid, rWho, res, rN, rIdx, 1); // the target write, then the read at once
    else if (id > target && (qWho != tWho || qN != tN)) addConstraint(rPid, rWho, res, rN, qPid, qWho, res, qN, unchecked(ev[q + 1]), 0); // the read before every later write
  }
}

/** Whether p must wait: some constraint's b is p's, p reached b's operation index without performing b, and its a has not run. */
function isHeld(p: i32): bool {
  const next = countOf(p);
  for (let c = byB.get(<i64>whoOf(p)); c >= 0; c = unchecked(nextByB[c])) {
    const base = c * CREC;
    if (next < unchecked(cons[base + 6])) continue;
    if (accessesOf(p, unchecked(cons[base + 4])) > unchecked(cons[base + 5])) continue;
    return true;
  }
  return false;
}

export function rffChoose(timerReady: bool): i32 {
  if (boost > 0) {
    const b = boost;
    boost = 0;
    if (procIsEnabled(b) && !isHeld(b)) return b;
  }
  const n = enabledCount;
  const k = timerReady ? n + 1 : n;
  if (consCount > 0) {
    // Held processes are skipped: count the others, then pick among them.
    let allowed = timerReady ? 1 : 0;
    for (let i = 0; i < n; i++) if (!isHeld(enabledAt(i))) allowed++;
    if (allowed > 0 && allowed < k) {
      let pick = below(allowed);
      for (let i = 0; i < n; i++) {
        const p = enabledAt(i);
        if (isHeld(p)) continue;
        if (pick == 0) return p;
        pick--;
      }
      return TIMER;
    }
  }
  // No constraint applies, or every candidate is held back: the random walk.
  if (k == 1) return n == 1 ? enabledAt(0) : TIMER;
  const i = below(k);
  return i == n ? TIMER : enabledAt(i);
}
