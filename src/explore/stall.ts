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
import { idleOnEventLoop } from "../runtime/virtual-timers.js";

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
/** The browsers' macrotask queue, as given to watch(). */
let probeQueue: ((f: Task) => void) | null = null;
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
  probeQueue = macrotask;
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
    // With virtual timers, an idle process whose timer can still fire waits on the
    // event loop (a step) instead (src/runtime/virtual-timers.ts).
    if (idleOnEventLoop(it)) quiet = 0;
    else {
      disarm();
      stall(it);
      return;
    }
  }
  RESOLVED.then(queueCheck);
}

/** Browsers: the macrotask probe ran while an iteration was live. */
function probe(): void {
  const it = live;
  disarm();
  if (it === null || it.done) return;
  if (idleOnEventLoop(it)) {
    armed = true;
    probeQueue!(probe);
  } else stall(it);
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
  const started = newHostResources();
  if (started === null || started.length > 0) it.stalled(started ?? undefined);
  // Nothing real was started since the iteration began: what the process awaits can never
  // settle (a lost wake-up), which is a deadlock, not a wait on I/O.
  else it.lostWakeUp();
}

/**
 * Node's active handles and requests (timers, sockets, fs requests...) by type, counted
 * when the iteration began: an iteration runs entirely in microtasks,
 * so resources that exist at a stall and not then were started by the iteration.
 */
const activeResources: (() => string[]) | null = (() => {
  const proc = (globalThis as { process?: { getActiveResourcesInfo?: () => string[] } }).process;
  return nodeNextTick !== null && typeof proc?.getActiveResourcesInfo === "function" ? () => proc.getActiveResourcesInfo!() : null;
})();
let baseline = new Map<string, number>();

function countByType(list: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of list) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** Records the host's resources (when each iteration begins: src/explore/run.ts). */
export function markHostResources(): void {
  if (activeResources !== null) baseline = countByType(activeResources());
}

/** Resource types started since the baseline (e.g. ["Timeout", "FSReqPromise"]), or null where unknown (browsers). */
function newHostResources(): string[] | null {
  if (activeResources === null) return null;
  const out: string[] = [];
  for (const [t, n] of countByType(activeResources())) if (n > (baseline.get(t) ?? 0)) out.push(t);
  return out;
}
