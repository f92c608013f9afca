// Unhandled promise rejections made by a process: `Promise.reject(e)` left floating,
// or an async function called without await whose rejection nobody handles. Node
// reports them (the "unhandledRejection" event) only once the microtask queue has
// drained, which during an exploration happens when the search yields to the event
// loop every few real milliseconds, long after the iteration that made them. Left
// alone, such a rejection killed the Node process after a "no bug" verdict.
//
// Attribution must not depend on that timing, so it is by creation, in two stages:
//
// - During the search, nothing is tagged (a promise hook costs 20-40% of the search's
//   speed); the listener only notes that some rejection was reported ("pending").
// - When that happened, the explorer re-runs the iterations since the last report
//   (their schedules are a function of seed and iteration) with a V8 promise hook
//   that tags every promise created inside a live iteration with the running process
//   (a symbol property: far cheaper than a WeakMap), letting Node report after each
//   one (settleIteration). The first iteration that leaves a tagged rejection fails
//   with kind `crash`, naming the process. Report re-runs, replay and shrink run
//   tagged throughout.
//
// So the verdict is the first iteration, in search order, that failed or left a
// rejection, whenever Node happened to report it. A reported rejection that no
// iteration explains (made outside the exploration) goes on to the other
// "unhandledRejection" listeners, which are set aside while tracking and put back
// after; with none, it becomes a process warning (never a crash: it may come from a
// program that behaves differently when re-run). Browsers: nothing is
// tracked (no promise hooks); the page's own "unhandledrejection" handling applies.
import { hostSetImmediate } from "../runtime/virtual-timers.js";
import { currentIteration, type Iteration, type Failure } from "../runtime/iteration.js";
import type { Proc } from "../runtime/proc.js";
import { errorText } from "../values/show.js";
import { promiseHooks } from "../engine/host.js";

const TAG = Symbol("lockstep.creator");

type Listener = (...a: unknown[]) => void;
interface NodeProcess {
  on(ev: string, f: Listener): unknown;
  off(ev: string, f: Listener): unknown;
  rawListeners(ev: string): Listener[];
  versions?: { node?: string };
  browser?: boolean;
}
interface PromiseHooks {
  onInit(f: (p: Promise<unknown>) => void): () => void;
}

/** A rejection nobody handled, made by `proc` (or in an unclaimed turn) of `it`. */
export interface Rejection {
  it: Iteration;
  proc: Proc | null;
  reason: unknown;
}

const nodeProcess: NodeProcess | null = (() => {
  const p = (globalThis as unknown as { process?: NodeProcess }).process;
  return typeof p?.versions?.node === "string" && p.browser !== true && typeof p.rawListeners === "function" ? p : null;
})();

let hooks: PromiseHooks | null | undefined;
let installs = 0;
let tagging = 0;
let stopHook: (() => void) | null = null;
let saved: Listener[] = [];
/** Tagged rejections by iteration (the first of each iteration counts). */
const recorded = new Map<Iteration, Rejection>();
/** Untagged rejections reported while tracking, not yet explained. */
let pending: [unknown, unknown][] = [];

function tagPromise(p: Promise<unknown>): void {
  const it = currentIteration();
  if (it !== null && !it.done) (p as unknown as Record<symbol, unknown>)[TAG] = [it, it.running];
}

function onUnhandled(reason: unknown, promise: unknown): void {
  const who = promise !== null && typeof promise === "object" ? (promise as Record<symbol, unknown>)[TAG] : undefined;
  if (who === undefined) {
    pending.push([reason, promise]);
    return;
  }
  const [it, proc] = who as [Iteration, Proc | null];
  if (!recorded.has(it)) recorded.set(it, { it, proc, reason });
}

/** True while rejections are tracked (Node, during an exploration). */
export function tracking(): boolean {
  return installs > 0 && hooks !== null;
}

/**
 * Starts tracking (Node only; nested calls are counted). The promise hooks are loaded
 * when tagging first needs them (tagged()): node:v8 takes several ms to load, which a
 * search that leaves no rejection never needs.
 */
export function startTracking(): void {
  if (nodeProcess === null || installs++ > 0) return;
  saved = nodeProcess.rawListeners("unhandledRejection").slice();
  for (const f of saved) nodeProcess.off("unhandledRejection", f);
  nodeProcess.on("unhandledRejection", onUnhandled);
}

/** Stops tracking: unexplained rejections go to the listeners that are put back. */
export function stopTracking(): void {
  if (nodeProcess === null || installs === 0 || --installs > 0) return;
  forwardPending();
  nodeProcess.off("unhandledRejection", onUnhandled);
  for (const f of saved) nodeProcess.on("unhandledRejection", f);
  saved = [];
  recorded.clear();
  if (stopHook !== null) {
    stopHook();
    stopHook = null;
    tagging = 0;
  }
}

/** Whether rejections were reported (by Node, at the last yield) that no iteration explained yet. */
export function hasPending(): boolean {
  return pending.length > 0;
}

/** The pending rejections came from an iteration that was found: forget them. */
export function explainPending(): void {
  pending = [];
}

/**
 * Rejections no re-run explained (made outside the iterations, or by a program that
 * does not behave the same when re-run): to the user's listeners, or, when there is
 * none, a process warning; never thrown, so a verdict is never followed by a crash.
 */
export function forwardPending(): void {
  const list = pending;
  pending = [];
  for (const [reason, promise] of list) {
    if (saved.length === 0) {
      (nodeProcess as unknown as { emitWarning(w: string): void }).emitWarning(
        `lockstep: a promise was rejected with nobody handling it during an exploration, and no iteration reproduced it when re-run: ${errorText(reason)}`,
      );
      continue;
    }
    for (const f of saved) f.call(nodeProcess, reason, promise);
  }
}

function nodeTurn(): Promise<void> {
  return new Promise((r) => hostSetImmediate!(r));
}

/** Lets Node report the rejections made so far (one macrotask), if tracking. */
export async function flushRejections(): Promise<void> {
  if (tracking()) await nodeTurn();
}

/** Runs `run` with promises tagged by their creating process (nested calls are counted). */
export async function tagged<T>(run: () => Promise<T>): Promise<T> {
  if (!tracking()) return run();
  if (hooks === undefined) hooks = await promiseHooks<PromiseHooks>();
  if (hooks === null) return run();
  if (tagging++ === 0) stopHook = hooks.onInit(tagPromise);
  try {
    return await run();
  } finally {
    if (--tagging === 0 && stopHook !== null) {
      stopHook();
      stopHook = null;
    }
  }
}

/** The `crash` failure an unhandled rejection makes of its iteration. */
function rejectionFailure(r: Rejection, step: number): Failure {
  const who = r.proc ? String(r.proc) : "A process";
  return {
    kind: "crash",
    error: r.reason,
    message:
      `${who} left a promise rejected with nobody handling it: ${errorText(r.reason)}\n` +
      `(an unawaited async call or a floating Promise.reject; await it or add .catch; pass allowCrashes: true to ignore)`,
    pid: r.proc?.pid,
    step,
  };
}

/**
 * After `it` ended (run under `tagged`): lets Node report its unhandled rejections.
 * Returns the one it left, if any; when it has no failure of its own and crashes are
 * not allowed, that becomes its failure (kind "crash").
 */
export async function settleIteration(it: Iteration): Promise<Rejection | undefined> {
  if (!tracking()) return undefined;
  await nodeTurn();
  const r = recorded.get(it);
  if (r === undefined) return undefined;
  recorded.delete(it);
  if (it.failure === null && !it.config.allowCrashes) {
    const f = rejectionFailure(r, it.x.steps());
    it.failure = f;
    if (it.config.detail) {
      const first = f.message.split("\n")[0];
      it.log.push({ step: f.step, pid: r.proc ? String(r.proc.pid) : "-", op: "FAILS: crash", detail: "", result: first.length > 70 ? first.slice(0, 69) + "…" : first });
    }
  }
  return r;
}
