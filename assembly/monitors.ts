// The monitor index: monitor id -> (watcher, target), plus, per process, the list of
// monitors on it (target list, for DOWN fan-out at death) and the list of monitors it
// holds (watcher list, released when the watcher dies). Both lists are doubly linked
// through the monitor slots, so add, remove and each fan-out entry are O(1).
// Invariants: a live monitor m is in exactly the target list of mTarget[m] and the
// watcher list of mWatcher[m], in creation order; dead slots are on the free list.
import { grow32 } from "./grow";
import { scratchFor } from "./scratch";

/** Monitor ids [0, slotCount) have been used this iteration; each is live or on the free list. */
let slotCount: i32 = 0;
/** First free monitor slot (chained through tNext), or -1; free slots have live == 0. */
let freeHead: i32 = -1;
/** watcher[m] for a live m: the pid that holds the monitor (its watcher list contains m). */
let watcher = new StaticArray<i32>(64);
/** target[m] for a live m: the monitored pid (its target list contains m). */
let target = new StaticArray<i32>(64);
/** live[m] for m < slotCount: 1 while m is on both its lists, 0 once removed (then it is on the free list). */
let live = new StaticArray<i32>(64);
// Links within the target list and the watcher list.
/** tNext[m]: m's successor in target[m]'s target list (-1 at the tail); for a free slot, the next free slot. */
let tNext = new StaticArray<i32>(64);
/** tPrev[m] for a live m: its predecessor in the target list, -1 at the head. */
let tPrev = new StaticArray<i32>(64);
/** wNext[m] for a live m: its successor in watcher[m]'s watcher list, -1 at the tail. */
let wNext = new StaticArray<i32>(64);
/** wPrev[m] for a live m: its predecessor in the watcher list, -1 at the head. */
let wPrev = new StaticArray<i32>(64);
// Per pid: head and tail of its target list and its watcher list.
/** tHead[p] for p < pidCap: the oldest live monitor on p, or -1 (then tTail[p] == -1 too). */
let tHead = new StaticArray<i32>(256);
/** tTail[p] for p < pidCap: the newest live monitor on p, or -1. */
let tTail = new StaticArray<i32>(256);
/** wHead[p] for p < pidCap: the oldest live monitor p holds, or -1 (then wTail[p] == -1 too). */
let wHead = new StaticArray<i32>(256);
/** wTail[p] for p < pidCap: the newest live monitor p holds, or -1. */
let wTail = new StaticArray<i32>(256);
/** Pids [0, pidCap) have initialised heads and tails this iteration; every live monitor's watcher and target are below it. */
let pidCap: i32 = 0;

export function resetMonitors(): void {
  slotCount = 0;
  freeHead = -1;
  pidCap = 0;
}

function ensurePid(p: i32): void {
  if (p < pidCap) return;
  if (p >= tHead.length) {
    tHead = grow32(tHead, p + 1);
    tTail = grow32(tTail, p + 1);
    wHead = grow32(wHead, p + 1);
    wTail = grow32(wTail, p + 1);
  }
  for (let i = pidCap; i <= p; i++) {
    unchecked((tHead[i] = -1));
    unchecked((tTail[i] = -1));
    unchecked((wHead[i] = -1));
    unchecked((wTail[i] = -1));
  }
  pidCap = p + 1;
}

/** Records that `w` monitors `t`; returns the monitor id. */
export function monAdd(w: i32, t: i32): i32 {
  ensurePid(w > t ? w : t);
  let m: i32;
  if (freeHead >= 0) {
    m = freeHead;
    freeHead = unchecked(tNext[m]);
  } else {
    m = slotCount++;
    if (m >= watcher.length) {
      watcher = grow32(watcher, m + 1);
      target = grow32(target, m + 1);
      live = grow32(live, m + 1);
      tNext = grow32(tNext, m + 1);
      tPrev = grow32(tPrev, m + 1);
      wNext = grow32(wNext, m + 1);
      wPrev = grow32(wPrev, m + 1);
    }
  }
  unchecked((watcher[m] = w));
  unchecked((target[m] = t));
  unchecked((live[m] = 1));
  // append to t's target list
  const tt = unchecked(tTail[t]);
  unchecked((tPrev[m] = tt));
  unchecked((tNext[m] = -1));
  if (tt >= 0) unchecked((tNext[tt] = m));
  else unchecked((tHead[t] = m));
  unchecked((tTail[t] = m));
  // append to w's watcher list
  const wt = unchecked(wTail[w]);
  unchecked((wPrev[m] = wt));
  unchecked((wNext[m] = -1));
  if (wt >= 0) unchecked((wNext[wt] = m));
  else unchecked((wHead[w] = m));
  unchecked((wTail[w] = m));
  return m;
}

function unlinkSlot(m: i32): void {
  if (!ASC_NO_ASSERT) assert(unchecked(live[m]) != 0, "only a live monitor is unlinked");
  const t = unchecked(target[m]);
  const tp = unchecked(tPrev[m]);
  const tn = unchecked(tNext[m]);
  if (!ASC_NO_ASSERT) assert(tp >= 0 ? unchecked(tNext[tp]) == m : unchecked(tHead[t]) == m, "target list links agree");
  if (!ASC_NO_ASSERT) assert(tn >= 0 ? unchecked(tPrev[tn]) == m : unchecked(tTail[t]) == m, "target list links agree");
  if (tp >= 0) unchecked((tNext[tp] = tn));
  else unchecked((tHead[t] = tn));
  if (tn >= 0) unchecked((tPrev[tn] = tp));
  else unchecked((tTail[t] = tp));
  const w = unchecked(watcher[m]);
  const wp = unchecked(wPrev[m]);
  const wn = unchecked(wNext[m]);
  if (!ASC_NO_ASSERT) assert(wp >= 0 ? unchecked(wNext[wp]) == m : unchecked(wHead[w]) == m, "watcher list links agree");
  if (!ASC_NO_ASSERT) assert(wn >= 0 ? unchecked(wPrev[wn]) == m : unchecked(wTail[w]) == m, "watcher list links agree");
  if (wp >= 0) unchecked((wNext[wp] = wn));
  else unchecked((wHead[w] = wn));
  if (wn >= 0) unchecked((wPrev[wn] = wp));
  else unchecked((wTail[w] = wp));
  unchecked((live[m] = 0));
  unchecked((tNext[m] = freeHead));
  freeHead = m;
}

/** Removes a live monitor; returns false when it was not live. */
export function monRemove(m: i32): bool {
  if (m < 0 || m >= slotCount || unchecked(live[m]) == 0) return false;
  unlinkSlot(m);
  return true;
}

export function monLive(m: i32): bool {
  return m >= 0 && m < slotCount && unchecked(live[m]) != 0;
}

export function monWatcher(m: i32): i32 {
  return unchecked(watcher[m]);
}

export function monTarget(m: i32): i32 {
  return unchecked(target[m]);
}

/**
 * Target `t` died: removes every monitor on it and writes [monitorId, watcher] pairs
 * to scratch in creation order. Returns the number of pairs.
 */
export function monTargetDown(t: i32): i32 {
  if (t >= pidCap) return 0;
  let n = 0;
  let m = unchecked(tHead[t]);
  while (m >= 0) {
    n++;
    m = unchecked(tNext[m]);
  }
  const out = scratchFor(n * 2);
  let i = 0;
  m = unchecked(tHead[t]);
  while (m >= 0) {
    const next = unchecked(tNext[m]);
    unchecked((out[i++] = m));
    unchecked((out[i++] = watcher[m]));
    unlinkSlot(m);
    m = next;
  }
  return n;
}

/** Whether some live monitor watches `t` (monTargetDown(t) would answer more than 0). */
export function monWatched(t: i32): bool {
  return t < pidCap && unchecked(tHead[t]) >= 0;
}

/** Watcher `w` died: silently releases every monitor it held. Returns how many. */
export function monWatcherDown(w: i32): i32 {
  if (w >= pidCap) return 0;
  let n = 0;
  let m = unchecked(wHead[w]);
  while (m >= 0) {
    const next = unchecked(wNext[m]);
    unlinkSlot(m);
    n++;
    m = next;
  }
  return n;
}
