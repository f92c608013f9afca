// The virtual clock and its timer min-heap.
//
// A timer is a slot with a deadline and a creation sequence number; the heap orders
// slots by (deadline, seq), so equal deadlines fire in creation order. The clock
// starts at 0 each iteration and moves only when a timer fires, to its deadline.
// Invariants: heap[0 .. heapSize) is a binary min-heap of pending slot ids;
// hpos[t] is t's index in the heap, or -1 once it fired or was cancelled.
// Freed slots are recycled through a free list, so a long iteration of receive
// timeouts does not grow memory.
import { grow32, growF64 } from "./grow";

/** Virtual ms since the iteration began: 0 at reset, then the deadline of the last fired timer (never decreases). */
export let clock: f64 = 0;
/** The seq the next timerAdd takes: seq values are distinct and increase in creation order. */
let seqNext: i32 = 0;
/** Slots [0, slotCount) have been used this iteration; each is pending (in the heap) or on the free list. */
let slotCount: i32 = 0;
/** First free slot (chained through nextFree), or -1; free slots have hpos == -1. */
let freeHead: i32 = -1;

/** deadline[t] for a pending slot t: clock at creation + delay (>= clock). */
let deadline = new StaticArray<f64>(64);
/** seq[t] for a pending slot t: its creation number, the tie-break among equal deadlines. */
let seq = new StaticArray<i32>(64);
/** owner[t]: the pid that created slot t (kept after it fires, so the fire event can name it). */
let owner = new StaticArray<i32>(64);
/** hpos[t] for t < slotCount: t's index in heap[0 .. heapSize), or -1 when not pending; heap[hpos[t]] == t. */
let hpos = new StaticArray<i32>(64);
/** nextFree[t] for a free slot t: the next free slot, or -1 (meaningless for pending slots). */
let nextFree = new StaticArray<i32>(64);
/** heap[0 .. heapSize) is a binary min-heap of the pending slots on (deadline, seq); hpos[heap[i]] == i. */
let heap = new StaticArray<i32>(64);
/** Number of pending timers. */
export let heapSize: i32 = 0;

export function resetTimers(): void {
  clock = 0;
  seqNext = 0;
  slotCount = 0;
  freeHead = -1;
  heapSize = 0;
}

@inline function less(a: i32, b: i32): bool {
  const da = unchecked(deadline[a]);
  const db = unchecked(deadline[b]);
  return da < db || (da == db && unchecked(seq[a]) < unchecked(seq[b]));
}

@inline function place(i: i32, t: i32): void {
  unchecked((heap[i] = t));
  unchecked((hpos[t] = i));
}

/**
 * Debug check of the heap order at index i: heap[i] is not after its children and, with
 * `parent`, not before its parent (timerCancel's siftDown may leave the parent side to
 * the siftUp that follows it).
 */
function heapOkAt(i: i32, parent: bool): bool {
  const t = unchecked(heap[i]);
  if (unchecked(hpos[t]) != i) return false;
  if (parent && i > 0 && less(t, unchecked(heap[(i - 1) >> 1]))) return false;
  const l = 2 * i + 1;
  if (l < heapSize && less(unchecked(heap[l]), t)) return false;
  if (l + 1 < heapSize && less(unchecked(heap[l + 1]), t)) return false;
  return true;
}

function siftUp(i: i32): void {
  const t = unchecked(heap[i]);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const pt = unchecked(heap[parent]);
    if (!less(t, pt)) break;
    place(i, pt);
    i = parent;
  }
  place(i, t);
  if (!ASC_NO_ASSERT) assert(heapOkAt(i, true), "timer heap order (siftUp)");
}

function siftDown(i: i32): void {
  const t = unchecked(heap[i]);
  while (true) {
    const l = 2 * i + 1;
    if (l >= heapSize) break;
    let c = l;
    const r = l + 1;
    if (r < heapSize && less(unchecked(heap[r]), unchecked(heap[l]))) c = r;
    const ct = unchecked(heap[c]);
    if (!less(ct, t)) break;
    place(i, ct);
    i = c;
  }
  place(i, t);
  if (!ASC_NO_ASSERT) assert(heapOkAt(i, false), "timer heap order (siftDown)");
}

/** Creates a timer firing `delay` virtual ms from now, owned by `pid`; returns its id. */
export function timerAdd(pid: i32, delay: f64): i32 {
  if (!ASC_NO_ASSERT) assert(delay >= 0, "a timer delay is a non-negative number (src/runtime/messages.ts checkTimeout)");
  let t: i32;
  if (freeHead >= 0) {
    t = freeHead;
    freeHead = unchecked(nextFree[t]);
  } else {
    t = slotCount++;
    if (t >= deadline.length) {
      deadline = growF64(deadline, t + 1);
      seq = grow32(seq, t + 1);
      owner = grow32(owner, t + 1);
      hpos = grow32(hpos, t + 1);
      nextFree = grow32(nextFree, t + 1);
    }
  }
  unchecked((deadline[t] = clock + delay));
  unchecked((seq[t] = seqNext++));
  unchecked((owner[t] = pid));
  if (heapSize >= heap.length) heap = grow32(heap, heapSize + 1);
  const i = heapSize++;
  place(i, t);
  siftUp(i);
  return t;
}

function release(t: i32): void {
  unchecked((hpos[t] = -1));
  unchecked((nextFree[t] = freeHead));
  freeHead = t;
}

/** Removes a pending timer from the heap; returns false when it was not pending. */
export function timerCancel(t: i32): bool {
  if (t < 0 || t >= slotCount) return false;
  const i = unchecked(hpos[t]);
  if (i < 0) return false;
  const last = unchecked(heap[--heapSize]);
  if (i < heapSize) {
    place(i, last);
    siftDown(i);
    siftUp(unchecked(hpos[last]));
  }
  release(t);
  return true;
}

export function timerPending(t: i32): bool {
  return t >= 0 && t < slotCount && unchecked(hpos[t]) >= 0;
}

/** Virtual ms left before pending timer t fires. */
export function timerRemaining(t: i32): f64 {
  return unchecked(deadline[t]) - clock;
}

export function timerOwner(t: i32): i32 {
  return unchecked(owner[t]);
}

/** Id of the next timer to fire, or -1. */
export function timerPeek(): i32 {
  return heapSize > 0 ? unchecked(heap[0]) : -1;
}

/** Fires the next timer: advances the clock to its deadline and returns its id. */
export function timerPop(): i32 {
  if (!ASC_NO_ASSERT) assert(heapSize > 0, "timerPop needs a pending timer");
  const t = unchecked(heap[0]);
  if (!ASC_NO_ASSERT) assert(unchecked(deadline[t]) >= clock, "the clock never goes back");
  clock = unchecked(deadline[t]);
  const last = unchecked(heap[--heapSize]);
  if (heapSize > 0) {
    place(0, last);
    siftDown(0);
  }
  release(t);
  return t;
}
