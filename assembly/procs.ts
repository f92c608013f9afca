// The process table and the enabled set.
//
// Pids are 1, 2, 3, ... in spawn order within an iteration (the test body is 1);
// 0 is never a process (decision lists use it for "a timer fired").
// Invariants:
//   status[p] is ALIVE or DEAD for 1 <= p <= procCount;
//   enabled[0 .. enabledCount) holds each enabled pid exactly once, and
//   pos[p] is its index there, or -1 when p is not enabled. Only live pids are enabled.
// Add, remove and uniform pick are O(1): removal swaps the last element into the hole.
import { grow32 } from "./grow";

export const ALIVE: i32 = 1;
export const DEAD: i32 = 2;
export const FLAG_SYSTEM: i32 = 1;

/** Pids 1 .. procCount were spawned this iteration (the highest pid so far); reset to 0 by resetProcs. */
export let procCount: i32 = 0;
/** status[p] for 1 <= p <= procCount: ALIVE until procKill, then DEAD; entries above procCount are stale. */
let status = new StaticArray<i32>(256);
/** flags[p] for 1 <= p <= procCount: the caller's flag bits (FLAG_SYSTEM, ...); the engine only stores them. */
let flags = new StaticArray<i32>(256);
/** pos[p] for 1 <= p <= procCount: p's index in enabled[0 .. enabledCount), or -1 when p is not enabled. */
let pos = new StaticArray<i32>(256);
/** enabled[0 .. enabledCount): each enabled (hence ALIVE) pid once; enabled[pos[p]] == p. */
let enabled = new StaticArray<i32>(256);
/** Size of the enabled set; 0 <= enabledCount <= procCount. */
export let enabledCount: i32 = 0;

export function resetProcs(): void {
  procCount = 0;
  enabledCount = 0;
}

/** Creates a live, enabled process and returns its pid. */
export function procSpawn(flagBits: i32): i32 {
  const p = ++procCount;
  if (p >= status.length) {
    status = grow32(status, p + 1);
    flags = grow32(flags, p + 1);
    pos = grow32(pos, p + 1);
    enabled = grow32(enabled, p + 1);
  }
  unchecked((status[p] = ALIVE));
  unchecked((flags[p] = flagBits));
  unchecked((pos[p] = -1));
  procEnable(p);
  return p;
}

export function procAlive(p: i32): bool {
  return p > 0 && p <= procCount && unchecked(status[p]) == ALIVE;
}

export function procExists(p: i32): bool {
  return p > 0 && p <= procCount;
}

export function procFlags(p: i32): i32 {
  return unchecked(flags[p]);
}

export function procSetFlags(p: i32, f: i32): void {
  unchecked((flags[p] = f));
}

/** Marks p dead and removes it from the enabled set. */
export function procKill(p: i32): void {
  procDisable(p);
  unchecked((status[p] = DEAD));
}

export function procEnable(p: i32): void {
  if (unchecked(pos[p]) >= 0 || unchecked(status[p]) != ALIVE) return;
  unchecked((pos[p] = enabledCount));
  unchecked((enabled[enabledCount] = p));
  enabledCount++;
  if (!ASC_NO_ASSERT) assert(enabledCount <= procCount, "the enabled set holds spawned pids only");
}

export function procDisable(p: i32): void {
  const i = unchecked(pos[p]);
  if (i < 0) return;
  if (!ASC_NO_ASSERT) assert(i < enabledCount && unchecked(enabled[i]) == p, "pos[p] indexes p in enabled");
  const last = unchecked(enabled[--enabledCount]);
  unchecked((enabled[i] = last));
  unchecked((pos[last] = i));
  unchecked((pos[p] = -1));
}

export function procIsEnabled(p: i32): bool {
  return p > 0 && p <= procCount && unchecked(pos[p]) >= 0;
}

/** The i-th enabled pid, 0 <= i < enabledCount (order is arbitrary but deterministic). */
export function enabledAt(i: i32): i32 {
  return unchecked(enabled[i]);
}
