// Uncontrolled-await detection: the live iteration is not done, yet nothing lockstep
// controls can make it progress, because its running process awaits something
// outside lockstep (a real timer, I/O, a promise that never settles).
//
// While an iteration runs, every hand-off is a microtask, so the microtask queue
// never drains until the iteration ends, except when a process awaits something
// lockstep does not control. Node tells us when it drains: a process.nextTick
// callback queued from a microtask runs only once the microtask queue is empty.
// So the check is a nextTick queued from a microtask; when it runs and the iteration
// is live, it records (iteration, engine step count) and re-arms the same way. Only
// after QUIET_ROUNDS such rounds in a row without a new step is the iteration
// reported as stalled. The rounds matter because other nextTick callbacks run in the
// same batch: controlled()'s idle detection (src/shared/controlled.ts) blocks a
// caller from a nextTick, and user code may await a few nextTicks in its own turn;
// both make progress (a step) within a round or two.
//
// The check never yields to the event loop: between the stall and the verdict no
// timer, I/O callback or setImmediate can run, so whether and at which iteration an
// uncontrolled await is reported does not depend on I/O timing. (A setImmediate probe
// per iteration would not do: a refused connection or a fast read completing before
// it would change the verdict.)
//
// Browsers have no such queue: there one macrotask probe per iteration (MessageChannel)
// detects the stall, so real I/O that completes before the probe runs can still hide
// an uncontrolled await there (README: "What an iteration can end in").
import type { Iteration } from "../runtime/iteration.js";
import { noteAbandoned } from "../runtime/context.js";

/** Rounds (microtask drain + tick) without a new step before a live iteration counts as stalled. */
export const QUIET_ROUNDS = 16;

type Task = () => void;

const RESOLVED: Promise<void> = Promise.resolve();

/** Node's process.nextTick (not a bundler's shim, whose nextTick may be a plain microtask), or null. */
const nodeNextTick: ((f: Task) => void) | null = (() => {
  const proc = (globalThis as { process?: { nextTick?: (f: Task) => void; versions?: { node?: string }; browser?: boolean } }).process;
  const node = typeof proc?.versions?.node === "string" && proc.browser !== true && typeof proc.nextTick === "function";
  return node ? (f: Task) => proc!.nextTick!(f) : null;
})();

let live: Iteration | null = null;
let armed = false;
let seenIt: Iteration | null = null;
let seenSteps = -1;
let quiet = 0;

/**
 * Watches `it` for an uncontrolled await until `unwatch(it)`. `macrotask` queues the
 * browsers' probe (used only where process.nextTick is not Node's).
 */
export function watch(it: Iteration, macrotask: (f: Task) => void): void {
  live = it;
  if (armed) return;
  armed = true;
  if (nodeNextTick !== null) RESOLVED.then(queueCheck);
  else macrotask(probe);
}

export function unwatch(it: Iteration): void {
  if (live === it) live = null;
}

// Queued from a microtask, so the check runs once the microtask queue has drained.
const queueCheck = (): void => nodeNextTick!(check);

function check(): void {
  const it = live;
  if (it === null || it.done) return disarm();
  const steps = it.x.steps();
  if (it !== seenIt || steps !== seenSteps) {
    seenIt = it;
    seenSteps = steps;
    quiet = 0;
  } else if (++quiet >= QUIET_ROUNDS) {
    disarm();
    stall(it);
    return;
  }
  RESOLVED.then(queueCheck);
}

/** Browsers: the macrotask probe ran while an iteration was live. */
function probe(): void {
  const it = live;
  disarm();
  if (it !== null && !it.done) stall(it);
}

function disarm(): void {
  armed = false;
  seenIt = null;
  seenSteps = -1;
  quiet = 0;
}

function stall(it: Iteration): void {
  // Its processes stay parked on the real awaits; sync points they call later fail.
  noteAbandoned();
  it.stalled();
}
