// Link sets. A link {a, b} is one slot with two half-edges, 2l (a's side) and 2l+1
// (b's side), each on its owner's doubly linked list; a hash map from the ordered pair
// (min, max) to the slot makes link / unlink / "are they linked" O(1).
// Invariants: a live link l appears once in the map and once in each endpoint's list.
import { grow32 } from "./grow";
import { I64Map, pair } from "./hashmap";
import { scratchFor } from "./scratch";

/** Link slots [0, slotCount) have been used this iteration; each is live (in `index`) or on the free list. */
let slotCount: i32 = 0;
/** First free link slot (chained through endA), or -1. */
let freeHead: i32 = -1;
/** endA[l] for a live l: the first pid given to linkAdd (owner of half-edge 2l); for a free slot, the next free slot. */
let endA = new StaticArray<i32>(64);
/** endB[l] for a live l: the other pid (owner of half-edge 2l+1); endA[l] != endB[l]. */
let endB = new StaticArray<i32>(64);
/** hNext[h] for a half-edge h of a live link: the next half-edge in its owner's list, -1 at the end. */
let hNext = new StaticArray<i32>(128);
/** hPrev[h] for a half-edge h of a live link: the previous half-edge in its owner's list, -1 at the head. */
let hPrev = new StaticArray<i32>(128);
/** head[p] for p < pidCap: p's most recently linked half-edge (lists are newest first), or -1. */
let head = new StaticArray<i32>(256);
/** Pids [0, pidCap) have an initialised head this iteration; both ends of every live link are below it. */
let pidCap: i32 = 0;
/** keyOf(a, b) -> l for each live link l = {a, b}, and nothing else. */
const index = new I64Map(128);

export function resetLinks(): void {
  slotCount = 0;
  freeHead = -1;
  pidCap = 0;
  index.reset();
}

function ensurePid(p: i32): void {
  if (p < pidCap) return;
  if (p >= head.length) head = grow32(head, p + 1);
  for (let i = pidCap; i <= p; i++) unchecked((head[i] = -1));
  pidCap = p + 1;
}

@inline function ownerOf(h: i32): i32 {
  return (h & 1) == 0 ? unchecked(endA[h >> 1]) : unchecked(endB[h >> 1]);
}

@inline function otherOf(h: i32): i32 {
  return (h & 1) == 0 ? unchecked(endB[h >> 1]) : unchecked(endA[h >> 1]);
}

function pushHalf(h: i32, p: i32): void {
  const first = unchecked(head[p]);
  unchecked((hPrev[h] = -1));
  unchecked((hNext[h] = first));
  if (first >= 0) unchecked((hPrev[first] = h));
  unchecked((head[p] = h));
}

function dropHalf(h: i32): void {
  const p = ownerOf(h);
  const pr = unchecked(hPrev[h]);
  const nx = unchecked(hNext[h]);
  if (!ASC_NO_ASSERT) assert(pr >= 0 ? unchecked(hNext[pr]) == h : unchecked(head[p]) == h, "half-edge list links agree");
  if (!ASC_NO_ASSERT) assert(nx < 0 || unchecked(hPrev[nx]) == h, "half-edge list links agree");
  if (pr >= 0) unchecked((hNext[pr] = nx));
  else unchecked((head[p] = nx));
  if (nx >= 0) unchecked((hPrev[nx] = pr));
}

@inline function keyOf(a: i32, b: i32): i64 {
  return a < b ? pair(a, b) : pair(b, a);
}

/** Links a and b (idempotent). Returns true when a new link was made. */
export function linkAdd(a: i32, b: i32): bool {
  if (a == b) return false;
  const k = keyOf(a, b);
  if (index.get(k) >= 0) return false;
  ensurePid(a > b ? a : b);
  let l: i32;
  if (freeHead >= 0) {
    l = freeHead;
    freeHead = unchecked(endA[l]);
  } else {
    l = slotCount++;
    if (l >= endA.length) {
      endA = grow32(endA, l + 1);
      endB = grow32(endB, l + 1);
      hNext = grow32(hNext, 2 * l + 2);
      hPrev = grow32(hPrev, 2 * l + 2);
    }
  }
  unchecked((endA[l] = a));
  unchecked((endB[l] = b));
  pushHalf(2 * l, a);
  pushHalf(2 * l + 1, b);
  index.set(k, l);
  return true;
}

function freeLink(l: i32): void {
  dropHalf(2 * l);
  dropHalf(2 * l + 1);
  unchecked((endA[l] = freeHead));
  freeHead = l;
}

/** Removes the link between a and b; returns false when there was none. */
export function linkRemove(a: i32, b: i32): bool {
  const l = index.delete(keyOf(a, b));
  if (l < 0) return false;
  freeLink(l);
  return true;
}

export function linked(a: i32, b: i32): bool {
  return index.get(keyOf(a, b)) >= 0;
}

/**
 * Process p died: removes all its links and writes the other endpoints to scratch,
 * most recent link first. Returns their number.
 */
export function linkTakeAll(p: i32): i32 {
  const n = linkCount(p);
  if (n == 0) return 0;
  const out = scratchFor(n);
  let i = 0;
  let h = unchecked(head[p]);
  while (h >= 0) {
    const next = unchecked(hNext[h]);
    const other = otherOf(h);
    unchecked((out[i++] = other));
    const l = h >> 1;
    index.delete(keyOf(p, other));
    freeLink(l);
    h = next;
  }
  if (!ASC_NO_ASSERT) assert(i == n && unchecked(head[p]) == -1, "every link of p was taken");
  return n;
}

/** Whether p has a link (linkTakeAll(p) would answer more than 0). */
export function linkAny(p: i32): bool {
  return p < pidCap && unchecked(head[p]) >= 0;
}

/** Number of links p has. */
export function linkCount(p: i32): i32 {
  if (p >= pidCap) return 0;
  let n = 0;
  let h = unchecked(head[p]);
  while (h >= 0) {
    n++;
    h = unchecked(hNext[h]);
  }
  return n;
}
