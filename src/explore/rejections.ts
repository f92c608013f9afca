// Unhandled promise rejections made by a process: `Promise.reject(e)` left floating,
// or an async function called without await whose rejection nobody handles. Node
// reports them (the "unhandledRejection" event) only once the microtask queue has
// drained, which during an exploration happens when the search yields to the event
// loop every few real milliseconds, long after the iteration that made them. Left
// alone, such a rejection killed the Node process after a "no bug" verdict.
//
// Attribution must not depend on that timing, so it is by creation: while an
// exploration runs (and only then), a V8 promise hook tags every promise created
// inside a live iteration with the process that was running (a symbol property:
// far cheaper than a WeakMap). When the event fires, the tag names the process and
// its iteration, and the rejection is recorded; the explorer turns it into a
// `crash` failure of that iteration (see src/explore/explore.ts). The search only
// stops at a yield or at its end, but it reports the first iteration, in search
// order, that failed or left a rejection, so the verdict does not depend on when the
// events fired.
//
// Other "unhandledRejection" listeners keep working: while tracking, rejections that
// carry no tag are passed on to them (or, when there is none, thrown as Node's
// default would). Browsers: nothing is tracked (no promise hooks there); the page's
// own "unhandledrejection" handling applies.
import { current, type Iteration, type Failure } from "../runtime/iteration.js";
import type { Proc } from "../runtime/process.js";
import { errorText } from "../values/show.js";

const TAG = Symbol("lockstep.creator");

interface NodeProcess {
  on(ev: string, f: (...a: unknown[]) => void): unknown;
  off(ev: string, f: (...a: unknown[]) => void): unknown;
  rawListeners(ev: string): ((...a: unknown[]) => void)[];
  versions?: { node?: string };
  browser?: boolean;
}
interface PromiseHooks {
  onInit(f: (p: Promise<unknown>) => void): () => void;
}

/** A rejection nobody handled, made by `proc` (or an unclaimed turn) of `it`. */
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
let stopHook: (() => void) | null = null;
let saved: ((...a: unknown[]) => void)[] = [];
/** Recorded rejections by iteration (the first one of each iteration counts). */
let recorded = new Map<Iteration, Rejection>();

function tagPromise(p: Promise<unknown>): void {
  const it = current;
  if (it !== null && !it.done) (p as unknown as Record<symbol, unknown>)[TAG] = it.running ?? it;
}

function onUnhandled(reason: unknown, promise: unknown): void {
  const who = promise !== null && typeof promise === "object" ? (promise as Record<symbol, unknown>)[TAG] : undefined;
  if (who !== undefined) {
    const proc = (who as Proc).pid !== undefined ? (who as Proc) : null;
    const it = proc !== null ? proc.it : (who as Iteration);
    if (!recorded.has(it)) recorded.set(it, { it, proc, reason });
    return;
  }
  if (saved.length === 0) throw reason; // Node's default: an uncaught exception
  for (const f of saved) f.call(nodeProcess, reason, promise);
}

/**
 * Starts tracking (Node only; nested calls are counted). Pair with `stopTracking`.
 * Loads node:v8 once, hence async.
 */
export async function startTracking(): Promise<void> {
  if (nodeProcess === null) return;
  if (hooks === undefined) {
    try {
      hooks = ((await import("node:v8")) as unknown as { promiseHooks?: PromiseHooks }).promiseHooks ?? null;
    } catch {
      hooks = null;
    }
  }
  if (hooks === null || installs++ > 0) return;
  recorded = new Map();
  stopHook = hooks.onInit(tagPromise);
  saved = nodeProcess.rawListeners("unhandledRejection").slice();
  for (const f of saved) nodeProcess.off("unhandledRejection", f);
  nodeProcess.on("unhandledRejection", onUnhandled);
}

export function stopTracking(): void {
  if (nodeProcess === null || hooks === null || hooks === undefined || installs === 0 || --installs > 0) return;
  stopHook?.();
  stopHook = null;
  nodeProcess.off("unhandledRejection", onUnhandled);
  for (const f of saved) nodeProcess.on("unhandledRejection", f);
  saved = [];
  recorded = new Map();
}

/** True while rejections are tracked (Node, during an exploration). */
export function tracking(): boolean {
  return installs > 0 && hooks !== null && hooks !== undefined;
}

/** One macrotask: Node reports pending unhandled rejections before it runs. */
function nodeTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Lets Node report pending unhandled rejections (one macrotask), if tracking. */
export async function flushRejections(): Promise<void> {
  if (tracking()) await nodeTurn();
}

/** The rejection recorded for `it`, if any. */
export function rejectionOf(it: Iteration): Rejection | undefined {
  return recorded.get(it);
}

/**
 * The first search iteration (lowest number) that left a rejection, among those
 * recorded so far; crashes allowed, calibration runs (iteration 0) and report re-runs
 * do not count.
 */
export function firstRejected(): Rejection | undefined {
  let first: Rejection | undefined;
  for (const r of recorded.values()) {
    const c = r.it.config;
    if (c.iteration < 1 || c.detail || c.replay || c.allowCrashes) continue;
    if (first === undefined || c.iteration < first.it.config.iteration) first = r;
  }
  return first;
}

/** The `crash` failure an unhandled rejection makes of its iteration. */
export function rejectionFailure(r: Rejection, step: number): Failure {
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
 * After `it` ended: lets Node report its unhandled rejections and, when it left one
 * and has no failure of its own, makes that its failure (unless crashes are allowed).
 */
export async function settleIteration(it: Iteration): Promise<Iteration> {
  if (!tracking()) return it;
  await nodeTurn();
  const r = recorded.get(it);
  recorded.delete(it);
  if (r !== undefined && it.failure === null && !it.config.allowCrashes) {
    const f = rejectionFailure(r, it.x.steps());
    it.failure = f;
    if (it.config.detail) {
      const first = f.message.split("\n")[0];
      it.log.push({ step: f.step, pid: r.proc ? String(r.proc.pid) : "-", op: "FAILS: crash", detail: "", result: first.length > 70 ? first.slice(0, 69) + "…" : first });
    }
  }
  return it;
}
