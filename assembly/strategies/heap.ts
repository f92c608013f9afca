// The priority order shared by the priority strategies (pct, pos): an indexed binary
// max-heap over the enabled processes, keyed by a per-process i64 priority.
//
// Invariants:
//   heap[0 .. rankedCount) holds each ranked pid exactly once, ordered by `higher`;
//   p is ranked exactly when at[p] < rankedCount and heap[at[p]] == p (so entries left
//   over from an earlier iteration read as unranked, and rankReset is O(1));
//   prio[p] is p's priority whether or not it is ranked (a blocked process keeps it).
// The engine keeps this set equal to its enabled set through strategyOnEnabledChange
// (assembly/strategy.ts); `resync` repairs it if some engine code changed the enabled
// set without telling the strategy. Insert, remove, update and top are O(log n).
import { enabledAt, enabledCount, procIsEnabled } from "../procs";
import { grow32, growI64 } from "../grow";

/** heap[0 .. rankedCount): the ranked pids, a binary max-heap under `higher`; at[heap[i]] == i. */
let heap = new StaticArray<i32>(256);
/** at[p] for a pid introduced by rankNew this iteration: p's index in heap while ranked, else -1 (older entries are stale: see isRanked). */
let at = new StaticArray<i32>(256);
/** prio[p] for a pid introduced by rankNew this iteration: its current priority, ranked or not. */
let prio = new StaticArray<i64>(256);
/** Number of ranked pids; equal to enabledCount whenever rankTop answers. */
export let rankedCount: i32 = 0;

/** Empties the order (O(1)); pids of the new iteration are introduced by rankNew. */
export function rankReset(): void {
  rankedCount = 0;
}

/** Introduces a freshly spawned pid with priority `v`, ranked (a new process is enabled). */
export function rankNew(p: i32, v: i64): void {
  if (p >= at.length) {
    at = grow32(at, p + 1);
    heap = grow32(heap, p + 1);
    prio = growI64(prio, p + 1);
  }
  unchecked((at[p] = -1));
  unchecked((prio[p] = v));
  rankInsert(p);
}

/** Ties break towards the lower pid, so the order is total and deterministic. */
@inline function higher(a: i32, b: i32): bool {
  const va = unchecked(prio[a]);
  const vb = unchecked(prio[b]);
  return va > vb || (va == vb && a < b);
}

@inline function place(i: i32, p: i32): void {
  unchecked((heap[i] = p));
  unchecked((at[p] = i));
}

/**
 * Debug check of the heap order at index i: heap[i] is not lower than its children and,
 * with `parent`, not higher than its parent (rankRemove's siftDown leaves the parent
 * side to the siftUp that follows it).
 */
function heapOkAt(i: i32, parent: bool): bool {
  const p = unchecked(heap[i]);
  if (unchecked(at[p]) != i) return false;
  if (parent && i > 0 && higher(p, unchecked(heap[(i - 1) >> 1]))) return false;
  const l = 2 * i + 1;
  if (l < rankedCount && higher(unchecked(heap[l]), p)) return false;
  if (l + 1 < rankedCount && higher(unchecked(heap[l + 1]), p)) return false;
  return true;
}

function siftUp(i: i32): void {
  const p = unchecked(heap[i]);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const q = unchecked(heap[parent]);
    if (!higher(p, q)) break;
    place(i, q);
    i = parent;
  }
  place(i, p);
  if (!ASC_NO_ASSERT) assert(heapOkAt(i, true), "rank heap order (siftUp)");
}

function siftDown(i: i32): void {
  const p = unchecked(heap[i]);
  while (true) {
    const l = 2 * i + 1;
    if (l >= rankedCount) break;
    let c = l;
    const r = l + 1;
    if (r < rankedCount && higher(unchecked(heap[r]), unchecked(heap[l]))) c = r;
    const q = unchecked(heap[c]);
    if (!higher(q, p)) break;
    place(i, q);
    i = c;
  }
  place(i, p);
  if (!ASC_NO_ASSERT) assert(heapOkAt(i, false), "rank heap order (siftDown)");
}

export function isRanked(p: i32): bool {
  if (p <= 0 || p >= at.length) return false;
  const i = unchecked(at[p]);
  return i >= 0 && i < rankedCount && unchecked(heap[i]) == p;
}

export function rankInsert(p: i32): void {
  if (isRanked(p)) return;
  assert(procIsEnabled(p), "only enabled processes are ranked");
  place(rankedCount, p);
  rankedCount++;
  siftUp(rankedCount - 1);
}

export function rankRemove(p: i32): void {
  if (!isRanked(p)) return;
  const i = unchecked(at[p]);
  unchecked((at[p] = -1));
  rankedCount--;
  if (i == rankedCount) return;
  place(i, unchecked(heap[rankedCount]));
  siftDown(i);
  siftUp(i);
}

export function priorityOf(p: i32): i64 {
  return unchecked(prio[p]);
}

/** Sets p's priority, restoring the heap order if p is ranked. */
export function setPriority(p: i32, v: i64): void {
  const old = unchecked(prio[p]);
  unchecked((prio[p] = v));
  if (!isRanked(p)) return;
  const i = unchecked(at[p]);
  if (v > old) siftUp(i);
  else siftDown(i);
}

/** The highest-priority ranked pid, or 0 when none is ranked. */
export function rankTop(): i32 {
  if (rankedCount != enabledCount || (rankedCount > 0 && !procIsEnabled(unchecked(heap[0])))) resync();
  assert(rankedCount == enabledCount, "the ranked set is the enabled set");
  return rankedCount > 0 ? unchecked(heap[0]) : 0;
}

/**
 * Makes the ranked set equal to the enabled set again. O(n log n), and only reached
 * when some engine path changed the enabled set without the strategy hook.
 */
function resync(): void {
  for (let i = 0; i < rankedCount; i++) unchecked((at[unchecked(heap[i])] = -1));
  rankedCount = 0;
  for (let i = 0; i < enabledCount; i++) rankInsert(enabledAt(i));
}
