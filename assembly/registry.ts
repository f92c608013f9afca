// The Registry's key tables (src/otp/registry.ts is the TypeScript side).
//
// Integers only: a registry is a small handle, keys are interned key ids, owners are
// pids, and an entry's id doubles as the handle of its value (the TS side keeps the
// owner and the value beside each other by entry id). Per registry:
//   - a key table per partition: (table, key id) -> the chain of entries under that key
//     (one entry at most in a unique registry, any number in a duplicate one);
//   - a reverse index: (registry, pid) -> the chain of that pid's entries;
//   - a meta table: (registry, meta key id) -> value handle.
// Every entry is also on its table's list of all entries (for count and scans).
//
// Order: every registration takes the next value of a global sequence, and every
// chain is appended in registration order, so one chain reads back in registration
// order. Answers that span several chains (a duplicate key in a partitioned registry,
// scans) are k-way merges of the per-partition chains by sequence number.
//
// Partitions (Elixir's registry.ex): a unique registry, and a duplicate registry
// partitioned by key (DUPLICATE_BY_KEY), put a key in partition key % P; a duplicate
// registry partitioned by pid (the default) puts an entry in partition pid % P (Elixir
// hashes the key, resp. the pid, with phash2). A lookup of a key-partitioned registry
// reads one partition; a pid-partitioned duplicate lookup merges all P. The reverse index is per registry (its "pid partition" is
// only which cleanup process of the TS side watches the pid). Observable answers are
// the same for any P.
//
// Chains are doubly linked through fields of the entry record, with the head's PREV
// pointing at the tail (append and unlink are O(1), the map holds only the head).
// Entry records are interleaved (STRIDE ints each) so one entry is one cache line or
// two. Slots are recycled through a free list; all tables reset in O(1) per iteration.
// The three maps are registry-map.ts's PairMap: open addressing with each slot's
// fields side by side, so a probe costs one cache miss at a million keys.
import { PairMap } from "./registry-map";
import { grow32 } from "./grow";
import { scratchFor } from "./scratch";
import { procAlive } from "./procs";

export const UNIQUE: i32 = 0;
export const DUPLICATE: i32 = 1;
/** A duplicate registry partitioned by key (Elixir's `keys: {:duplicate, :key}`). */
export const DUPLICATE_BY_KEY: i32 = 2;

// Entry record fields.
const TAB: i32 = 0; // table (partition) id; -1 for a free slot
const KEY: i32 = 1;
const PID: i32 = 2;
const SEQ: i32 = 3;
const KNEXT: i32 = 4; // key chain
const KPREV: i32 = 5;
const PNEXT: i32 = 6; // pid chain
const PPREV: i32 = 7;
const ANEXT: i32 = 8; // the table's list of all entries
const APREV: i32 = 9;
const STRIDE: i32 = 10;

/** Entry e is ent[e*STRIDE .. e*STRIDE+STRIDE) for e < slotCount: live when its TAB >= 0, else free (TAB == -1). */
let ent = new StaticArray<i32>(STRIDE * 1024);
/** Entry slots [0, slotCount) have been used this iteration; each is live or on the free list. */
let slotCount: i32 = 0;
/** First free entry slot (free slots chain through KNEXT), or -1. */
let freeHead: i32 = -1;
/** The SEQ the next entry takes: SEQ values are distinct and increase in registration order. */
let seqNext: i32 = 0;

// Registries: kind, partition count, first table id.
/** Registry handles [0, registries) exist this iteration. */
let registries: i32 = 0;
/** regKind[r] for r < registries: UNIQUE, DUPLICATE or DUPLICATE_BY_KEY. */
let regKind = new StaticArray<i32>(16);
/** regParts[r] for r < registries: its partition count, >= 1. */
let regParts = new StaticArray<i32>(16);
/** regBase[r] for r < registries: r owns tables regBase[r] .. regBase[r] + regParts[r] - 1 (consecutive, disjoint across registries). */
let regBase = new StaticArray<i32>(16);
// Tables: owning registry, head of the all-entries list, live entry count.
/** Table ids [0, tabCount) exist this iteration (the sum of all regParts). */
let tabCount: i32 = 0;
/** tabReg[t] for t < tabCount: the registry that owns table t. */
let tabReg = new StaticArray<i32>(16);
/** tabHead[t] for t < tabCount: the oldest live entry of t (its ANEXT/APREV chain, in SEQ order), or -1. */
let tabHead = new StaticArray<i32>(16);
/** tabSize[t] for t < tabCount: the number of live entries with TAB == t (the length of its chain), >= 0. */
let tabSize = new StaticArray<i32>(16);

/** (table, key) -> head of the non-empty KNEXT chain of that table's live entries under key, oldest first. */
const keyMap = new PairMap(4096);
/** (registry, pid) -> head of the non-empty PNEXT chain of pid's live entries in that registry, oldest first. */
const pidMap = new PairMap(1024);
/** (registry, meta key) -> value handle, for the meta keys put and not deleted this iteration. */
const metaMap = new PairMap(64);

/** Merge cursors (one per partition; length >= every regParts), kept to avoid allocating per call. */
let cursors = new StaticArray<i32>(16);

@inline function f(e: i32, field: i32): i32 {
  return unchecked(ent[e * STRIDE + field]);
}
@inline function setf(e: i32, field: i32, v: i32): void {
  unchecked((ent[e * STRIDE + field] = v));
}

/** Clears every registry (called by begin()). */
export function resetRegistry(): void {
  slotCount = 0;
  freeHead = -1;
  seqNext = 0;
  registries = 0;
  tabCount = 0;
  keyMap.reset();
  pidMap.reset();
  metaMap.reset();
}

/** Creates a registry of `kind` (UNIQUE / DUPLICATE / DUPLICATE_BY_KEY) with `partitions` >= 1 tables; returns its handle. */
export function regNew(kind: i32, partitions: i32): i32 {
  const r = registries++;
  if (r >= regKind.length) {
    regKind = grow32(regKind, r + 1);
    regParts = grow32(regParts, r + 1);
    regBase = grow32(regBase, r + 1);
  }
  if (partitions < 1) partitions = 1;
  unchecked((regKind[r] = kind));
  unchecked((regParts[r] = partitions));
  unchecked((regBase[r] = tabCount));
  const end = tabCount + partitions;
  if (end > tabReg.length) {
    tabReg = grow32(tabReg, end);
    tabHead = grow32(tabHead, end);
    tabSize = grow32(tabSize, end);
  }
  for (let t = tabCount; t < end; t++) {
    unchecked((tabReg[t] = r));
    unchecked((tabHead[t] = -1));
    unchecked((tabSize[t] = 0));
  }
  tabCount = end;
  if (partitions > cursors.length) cursors = grow32(cursors, partitions);
  return r;
}

export function regKindOf(r: i32): i32 {
  return unchecked(regKind[r]);
}

// ---- chains -----------------------------------------------------------------------

/** Appends e to the chain starting at h (-1: empty) through fields NEXT/PREV; returns the head. */
@inline function append(h: i32, e: i32, NEXT: i32, PREV: i32): i32 {
  setf(e, NEXT, -1);
  if (h < 0) {
    setf(e, PREV, e);
    return e;
  }
  const tail = f(h, PREV);
  setf(tail, NEXT, e);
  setf(e, PREV, tail);
  setf(h, PREV, e);
  return h;
}

/** Unlinks e from the chain starting at h; returns the new head (-1: now empty). */
@inline function unlink(h: i32, e: i32, NEXT: i32, PREV: i32): i32 {
  const n = f(e, NEXT);
  const p = f(e, PREV);
  if (!ASC_NO_ASSERT) assert(e == h || f(p, NEXT) == e, "chain links agree");
  if (!ASC_NO_ASSERT) assert(n < 0 ? f(h, PREV) == e : f(n, PREV) == e, "chain links agree (the head's PREV is the tail)");
  if (e == h) {
    if (n < 0) return -1;
    setf(n, PREV, p); // p is the tail
    return n;
  }
  setf(p, NEXT, n);
  if (n >= 0) setf(n, PREV, p);
  else setf(h, PREV, p); // e was the tail
  return h;
}

@inline function keyTable(r: i32, key: i32, pid: i32): i32 {
  const parts = unchecked(regParts[r]);
  const base = unchecked(regBase[r]);
  if (parts == 1) return base;
  return base + (unchecked(regKind[r]) == DUPLICATE ? pid : key) % parts;
}

function alloc(): i32 {
  let e = freeHead;
  if (e >= 0) {
    freeHead = f(e, KNEXT);
    return e;
  }
  e = slotCount++;
  if ((e + 1) * STRIDE > ent.length) ent = grow32(ent, (e + 1) * STRIDE);
  return e;
}

/** Appends a new entry to its key chain (slot ks of keyMap, from slot()), pid chain and table list. */
function insert(r: i32, t: i32, key: i32, pid: i32, ks: i32): i32 {
  const e = alloc();
  setf(e, TAB, t);
  setf(e, KEY, key);
  setf(e, PID, pid);
  setf(e, SEQ, seqNext++);
  if (ks >= 0) append(keyMap.valueAt(ks), e, KNEXT, KPREV);
  else keyMap.insertAt(~ks, t, key, append(-1, e, KNEXT, KPREV));
  pidMap.reserve();
  const ps = pidMap.slot(r, pid);
  if (ps >= 0) append(pidMap.valueAt(ps), e, PNEXT, PPREV);
  else pidMap.insertAt(~ps, r, pid, append(-1, e, PNEXT, PPREV));
  unchecked((tabHead[t] = append(unchecked(tabHead[t]), e, ANEXT, APREV)));
  unchecked((tabSize[t] = unchecked(tabSize[t]) + 1));
  if (!ASC_NO_ASSERT) assert(f(unchecked(tabHead[t]), APREV) == e, "a new entry is its table's newest (the tail)");
  return e;
}

/** Unlinks e from its key chain and the table list and frees its slot (the pid chain is the caller's). */
function removeKeySide(e: i32, t: i32): void {
  const key = f(e, KEY);
  const ks = keyMap.slot(t, key);
  const kh = keyMap.valueAt(ks);
  const nk = unlink(kh, e, KNEXT, KPREV);
  if (nk != kh) {
    if (nk < 0) keyMap.delete(t, key);
    else keyMap.setAt(ks, nk);
  }
  unchecked((tabHead[t] = unlink(unchecked(tabHead[t]), e, ANEXT, APREV)));
  unchecked((tabSize[t] = unchecked(tabSize[t]) - 1));
  if (!ASC_NO_ASSERT) assert(unchecked(tabSize[t]) >= 0 && (unchecked(tabSize[t]) == 0) == (unchecked(tabHead[t]) < 0), "tabSize counts tabHead's chain");
  setf(e, TAB, -1);
  setf(e, KNEXT, freeHead);
  freeHead = e;
}

/** Removes a live entry from its three chains and frees its slot. */
function remove(e: i32): void {
  const t = f(e, TAB);
  if (!ASC_NO_ASSERT) assert(t >= 0, "only a live entry is removed");
  const r = unchecked(tabReg[t]);
  const pid = f(e, PID);
  const ps = pidMap.slot(r, pid);
  const ph = pidMap.valueAt(ps);
  const np = unlink(ph, e, PNEXT, PPREV);
  if (np != ph) {
    if (np < 0) pidMap.delete(r, pid);
    else pidMap.setAt(ps, np);
  }
  removeKeySide(e, t);
}

// ---- writes -----------------------------------------------------------------------

/**
 * Registers `pid` under `key`. Returns the new entry id (>= 0), or -owner when the key
 * of a unique registry is held by a live process (possibly `pid` itself). A unique key
 * whose owner is dead is taken over: the stale entry is removed first (Elixir's
 * register_key checks Process.alive? the same way).
 */
export function regRegister(r: i32, key: i32, pid: i32): i32 {
  const t = keyTable(r, key, pid);
  keyMap.reserve();
  let ks = keyMap.slot(t, key);
  if (ks >= 0 && unchecked(regKind[r]) == UNIQUE) {
    const h = keyMap.valueAt(ks);
    const owner = f(h, PID);
    if (procAlive(owner)) return -owner;
    remove(h);
    ks = keyMap.slot(t, key);
  }
  return insert(r, t, key, pid, ks);
}

/**
 * Writes to scratch the entries of `pid` under `key`, in registration order; returns
 * how many. Walks the key chain and the pid chain in step and answers from whichever
 * ends first, so the cost is O(min(entries under key, entries of pid)).
 */
export function regEntriesOf(r: i32, key: i32, pid: i32): i32 {
  let a = keyMap.get(keyTable(r, key, pid), key);
  let b = pidMap.get(r, pid);
  if (a < 0 || b < 0) return 0;
  const ka = a;
  const kb = b;
  // Advance both until one chain ends.
  while (a >= 0 && b >= 0) {
    a = f(a, KNEXT);
    b = f(b, PNEXT);
  }
  let n = 0;
  let out = scratchFor(16);
  if (a < 0) {
    for (let e = ka; e >= 0; e = f(e, KNEXT)) {
      if (f(e, PID) != pid) continue;
      if (n >= out.length) out = scratchFor(n + 1);
      unchecked((out[n++] = e));
    }
  } else {
    for (let e = kb; e >= 0; e = f(e, PNEXT)) {
      if (f(e, KEY) != key) continue;
      if (n >= out.length) out = scratchFor(n + 1);
      unchecked((out[n++] = e));
    }
  }
  return n;
}

/** Removes every entry of `pid` under `key`; returns how many. */
export function regUnregister(r: i32, key: i32, pid: i32): i32 {
  const n = regEntriesOf(r, key, pid);
  const out = scratchFor(n);
  for (let i = 0; i < n; i++) remove(unchecked(out[i]));
  return n;
}

/** Removes one entry by id; false when it is not live. */
export function regRemove(e: i32): bool {
  if (e < 0 || e >= slotCount || f(e, TAB) < 0) return false;
  remove(e);
  return true;
}

/** The cleanup step after `pid` died: removes all its entries in `r`; returns how many. */
export function regPidDown(r: i32, pid: i32): i32 {
  // The whole pid chain goes: unlink each entry from the key side only, then drop
  // the chain's head once (no per-entry head updates).
  let e = pidMap.delete(r, pid);
  let n = 0;
  while (e >= 0) {
    const next = f(e, PNEXT);
    if (!ASC_NO_ASSERT) assert(f(e, PID) == pid && unchecked(tabReg[f(e, TAB)]) == r, "a pid chain holds that pid's entries in that registry");
    removeKeySide(e, f(e, TAB));
    n++;
    e = next;
  }
  return n;
}

// ---- reads ------------------------------------------------------------------------

/** The entry of `key` in a unique registry, or -1. */
export function regFind(r: i32, key: i32): i32 {
  return keyMap.get(keyTable(r, key, 0), key);
}

export function regEntryPid(e: i32): i32 {
  return f(e, PID);
}
export function regEntryKey(e: i32): i32 {
  return f(e, KEY);
}
export function regEntryLive(e: i32): bool {
  return e >= 0 && e < slotCount && f(e, TAB) >= 0;
}

/** True when `pid` has at least one entry in `r`. */
export function regHasPid(r: i32, pid: i32): bool {
  return pidMap.get(r, pid) >= 0;
}

/**
 * Merges the chains whose heads are in cursors[0 .. k) by sequence number, writing
 * each entry id (preceded by its key id when `withKey`) to scratch. Returns the
 * number of entries.
 */
function merge(k: i32, NEXT: i32, withKey: bool): i32 {
  let out = scratchFor(64);
  let i = 0;
  let n = 0;
  while (true) {
    let best = -1;
    let bestSeq: i32 = i32.MAX_VALUE;
    for (let c = 0; c < k; c++) {
      const e = unchecked(cursors[c]);
      if (e >= 0 && f(e, SEQ) < bestSeq) {
        bestSeq = f(e, SEQ);
        best = c;
      }
    }
    if (best < 0) break;
    const e = unchecked(cursors[best]);
    unchecked((cursors[best] = f(e, NEXT)));
    if (i + 2 > out.length) out = scratchFor(i + 2);
    if (withKey) unchecked((out[i++] = f(e, KEY)));
    unchecked((out[i++] = e));
    n++;
  }
  return n;
}

/**
 * The entry ids under `key` in scratch, in registration order; returns the count.
 * (Read an entry's pid with regEntryPid; the TS side keeps it beside the value.)
 */
export function regLookup(r: i32, key: i32): i32 {
  const parts = unchecked(regParts[r]);
  if (parts == 1 || unchecked(regKind[r]) != DUPLICATE) {
    let e = keyMap.get(keyTable(r, key, 0), key);
    let out = scratchFor(64);
    let i = 0;
    while (e >= 0) {
      if (i >= out.length) out = scratchFor(i + 1);
      unchecked((out[i++] = e));
      e = f(e, KNEXT);
    }
    return i;
  }
  const base = unchecked(regBase[r]);
  for (let p = 0; p < parts; p++) unchecked((cursors[p] = keyMap.get(base + p, key)));
  return merge(parts, KNEXT, false);
}

/** Key ids of `pid`'s entries in scratch, one per entry, in registration order; returns the count. */
export function regKeys(r: i32, pid: i32): i32 {
  let e = pidMap.get(r, pid);
  let out = scratchFor(64);
  let i = 0;
  while (e >= 0) {
    if (i >= out.length) out = scratchFor(i + 1);
    unchecked((out[i++] = f(e, KEY)));
    e = f(e, PNEXT);
  }
  return i;
}

/** Number of entries in `r` (dead owners included until their cleanup). */
export function regCount(r: i32): i32 {
  const parts = unchecked(regParts[r]);
  const base = unchecked(regBase[r]);
  let n = 0;
  for (let p = 0; p < parts; p++) n += unchecked(tabSize[base + p]);
  return n;
}

/** Every entry of `r` as [key id, entry id] pairs in scratch, in registration order; returns the count. */
export function regScan(r: i32): i32 {
  const parts = unchecked(regParts[r]);
  const base = unchecked(regBase[r]);
  if (parts == 1) {
    const out = scratchFor(2 * unchecked(tabSize[base]));
    let i = 0;
    for (let e = unchecked(tabHead[base]); e >= 0; e = f(e, ANEXT)) {
      unchecked((out[i++] = f(e, KEY)));
      unchecked((out[i++] = e));
    }
    return i >> 1;
  }
  for (let p = 0; p < parts; p++) unchecked((cursors[p] = unchecked(tabHead[base + p])));
  return merge(parts, ANEXT, true);
}

// ---- meta -------------------------------------------------------------------------

/** Stores a meta value handle; returns the handle it replaced, or -1. */
export function regMetaPut(r: i32, key: i32, h: i32): i32 {
  const old = metaMap.get(r, key);
  metaMap.set(r, key, h);
  return old;
}
export function regMetaGet(r: i32, key: i32): i32 {
  return metaMap.get(r, key);
}
/** Removes a meta key; returns its handle, or -1. */
export function regMetaDelete(r: i32, key: i32): i32 {
  return metaMap.delete(r, key);
}

/** Live entries over all registries (tests, benchmarks). */
export function regEntries(): i32 {
  let n = 0;
  for (let t = 0; t < tabCount; t++) n += unchecked(tabSize[t]);
  return n;
}
