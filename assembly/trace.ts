// The trace buffer: one fixed-width record per operation and one integer per
// scheduling decision. Records are [step, pid, op, resource, aux]:
//   step      the number of decisions taken before this operation (0-based),
//   pid       the process that performed it (0 for the timer wheel),
//   op        an op code (defined in src/engine/ops.ts; the engine only compares them),
//   resource  what it touched: a mailbox's pid, a timer, a registry key, a cell...,
//   aux       an op-specific integer (message handle, reason code, ...).
// Decisions are the chosen pid per step, 0 meaning "fire the next timer".
// Both buffers are reused across iterations (reset keeps their capacity).
//
// Operation records are kept only when someone reads them: a replay (strict replay
// compares them, shrinking and trace files keep them) or a report's re-run. During the
// search the schedule is a function of (seed, iteration, strategy), strategies watch
// operations through their own hooks (strategy.ts strategyOnEvent), and a failing
// iteration is re-run with records on (src/explore/explore.ts reproduce), so the search
// records decisions only: no per-step writes, and no growth of the largest buffer.
import { grow32 } from "./grow";

export const RECORD_WIDTH: i32 = 5;

/** events[0 .. eventCount * RECORD_WIDTH): the records of this iteration in order; record steps never decrease. */
let events = new StaticArray<i32>(RECORD_WIDTH * 1024);
/** Records written this iteration. */
export let eventCount: i32 = 0;
/** decisions[0 .. decisionCount): decision i is the pid chosen at step i, or 0 (TIMER). */
let decisions = new StaticArray<i32>(1024);
/** Decisions taken this iteration: the step number of the next decision. */
export let decisionCount: i32 = 0;
/** Operation records are kept this iteration (eventCount stays 0 otherwise). */
let recording: bool = true;

export function resetTrace(record: bool): void {
  recording = record;
  eventCount = 0;
  decisionCount = 0;
  resetHash();
}

export function recordEvent(pid: i32, op: i32, res: i32, aux: i32): void {
  if (!recording) return;
  const base = eventCount * RECORD_WIDTH;
  if (base + RECORD_WIDTH > events.length) events = grow32(events, base + RECORD_WIDTH);
  unchecked((events[base] = decisionCount));
  unchecked((events[base + 1] = pid));
  unchecked((events[base + 2] = op));
  unchecked((events[base + 3] = res));
  unchecked((events[base + 4] = aux));
  eventCount++;
}

export function recordDecision(choice: i32): void {
  if (decisionCount >= decisions.length) decisions = grow32(decisions, decisionCount + 1);
  unchecked((decisions[decisionCount++] = choice));
  hashDecision(choice);
}

export function eventsPtr(): usize {
  return changetype<usize>(events);
}

export function decisionsPtr(): usize {
  return changetype<usize>(decisions);
}

/** Field `f` of event `i` (for strategies that look back at the trace). */
export function eventField(i: i32, f: i32): i32 {
  return unchecked(events[i * RECORD_WIDTH + f]);
}

// A rolling FNV-1a hash of the decisions, so the explorer can count distinct
// schedules without copying them out.
/** FNV-1a-style hash (32-bit, one u32 per decision rather than per byte) of decisions[0 .. decisionCount). */
let hash: u32 = 0x811c9dc5;

export function resetHash(): void {
  hash = 0x811c9dc5;
}

export function hashDecision(c: i32): void {
  hash = (hash ^ <u32>c) * 16777619;
}

export function scheduleHash(): u32 {
  return hash;
}
