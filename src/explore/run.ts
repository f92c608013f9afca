// Running iterations: one Iteration per run of the body, watched for an uncontrolled
// await (src/explore/stall.ts), and the one-exploration-per-thread guard.
import type { Engine } from "../engine/engine.js";
import { createEngine } from "../engine/load.js";
import { Iteration, currentIteration, type IterationConfig } from "../runtime/iteration.js";
import { watch, unwatch, markHostResources } from "./stall.js";
import { UsageError } from "../runtime/errors.js";
import { markExploring } from "../runtime/sync.js";
import { resetTermOrder } from "../values/term.js";
import { hostSetImmediate, installVirtualTimers } from "../runtime/virtual-timers.js";
import { startTracking, stopTracking, tagged, settleIteration } from "./rejections.js";

type Task = () => void;

/** Queues a macrotask: setImmediate in Node, a MessageChannel in browsers and workers. */
export const macrotask: (f: Task) => void = (() => {
  // The host's setImmediate, captured at load: an iteration with virtualTimers patches the global.
  const si = hostSetImmediate;
  if (si !== undefined) return (f: Task) => void si(f);
  const g = globalThis as { MessageChannel?: typeof MessageChannel };
  const queue: Task[] = [];
  const ch = new g.MessageChannel!();
  ch.port1.onmessage = () => queue.shift()?.();
  return (f: Task) => {
    queue.push(f);
    ch.port2.postMessage(0);
  };
})();

/** Lets pending macrotasks (I/O, timers of the host, UI) run. */
export function yieldToHost(): Promise<void> {
  return new Promise((r) => macrotask(r));
}

let engine: Engine | null = null;

/**
 * Linear memory an engine may keep between explorations. WebAssembly memory never
 * shrinks, and the engine's tables keep their capacity (a run of 100,000 processes
 * leaves them sized for it): past this, the engine is dropped after its exploration
 * and the next one starts a fresh instance (the compiled module is kept; instantiating
 * costs about a millisecond).
 */
export const ENGINE_KEEP_BYTES = 8 * 1024 * 1024;
let keepBytes = ENGINE_KEEP_BYTES;

/** @internal Tests: the bytes of linear memory this thread's engine holds (0 when there is none). */
export function engineMemoryBytes(): number {
  return engine === null ? 0 : engine.x.memory.buffer.byteLength;
}

/** @internal Tests: lowers (or restores) the linear memory an engine may keep between explorations. */
export function setEngineKeepBytes(n: number): void {
  keepBytes = n;
}
/** Settles when the last exploration queued in this thread has finished. */
let queue: Promise<void> = Promise.resolve();

/**
 * Runs `f` with this thread's engine. The engine's tables are per thread, so
 * explorations take turns: a second one started while another runs (two explorations
 * not awaited, or a test that timed out while its exploration went on) waits for it
 * instead of failing. Called from inside a running iteration (a body that explores),
 * waiting would never end, so that is a clear error instead.
 */
export async function withEngine<T>(what: string, f: (e: Engine) => Promise<T>): Promise<T> {
  const running = currentIteration();
  if (running !== null && !running.done) throw new UsageError(`${what} was called inside a running exploration (from a test body?); explorations cannot nest: run them one after another, or in workers`);
  const previous = queue;
  let release!: () => void;
  queue = new Promise<void>((r) => (release = r));
  try {
    await previous;
    engine ??= await createEngine();
    // Unhandled rejections made by processes are attributed while it runs (rejections.ts).
    startTracking();
    markExploring(1);
    try {
      return await f(engine);
    } finally {
      markExploring(-1);
      stopTracking();
      if (engine !== null && engine.x.memory.buffer.byteLength > keepBytes) engine = null;
    }
  } finally {
    release();
  }
}

/** Runs one iteration of `body` to its end (success or failure). */
export async function runIteration(e: Engine, body: () => unknown, config: IterationConfig): Promise<Iteration> {
  // Term order of functions and symbols is per iteration (src/values/term.ts).
  resetTermOrder();
  const it = new Iteration(e, config);
  // An iteration runs in microtasks only, so real resources that exist at a stall and
  // not now were started by it. Marked here, not at the explorer's last yield: a turn
  // of the event loop (letting Node report rejections) may have run host timers since.
  markHostResources();
  // Uncontrolled awaits are detected without yielding to the event loop (src/explore/stall.ts).
  watch(it, macrotask);
  // The option's globals are lockstep's for exactly this iteration, whatever its outcome.
  const restore = config.virtualTimers !== null ? installVirtualTimers(it, config.virtualTimers.clockStart) : null;
  try {
    await it.run(body);
  } finally {
    restore?.();
    unwatch(it);
  }
  return it;
}

/**
 * Runs one iteration with its promises tagged by creating process, then lets Node
 * report the rejections it left unhandled: one of them becomes its failure
 * (src/explore/rejections.ts). For report re-runs, replay, shrink and the explorer's
 * look-back; the search itself runs untagged.
 */
export async function runSettled(e: Engine, body: () => unknown, config: IterationConfig): Promise<Iteration> {
  const it = await tagged(() => runIteration(e, body, config));
  await settleIteration(it);
  return it;
}
