// Options of explore / check / replay / shrink, validated before anything runs.
import { hostNow, DEFAULT_CLOCK_START } from "../runtime/virtual-timers.js";
import { OptionsError } from "../runtime/errors.js";
import { show } from "../values/show.js";
import { DistinctCounter } from "./distinct.js";
import { STRATEGY_NAMES, type StrategyName, type StrategyParams, checkStrategyParams } from "./strategies.js";

export interface ExploreOptions extends StrategyParams {
  /** Iterations to run (default 100). */
  iterations?: number;
  /** Seed of the search (default: random, always printed in reports). Non-negative safe integer. */
  seed?: number;
  /** Scheduling strategy (default "portfolio"). */
  strategy?: StrategyName;
  /** Scheduling decisions allowed per iteration before a "step-limit" failure (default 100000). */
  maxSteps?: number;
  /** Timer policy: "quiescent" (timers fire only when no process can run) or "race" (default "quiescent"). */
  timers?: "quiescent" | "race";
  /** Do not report crashes of unwatched processes as bugs (default false). */
  allowCrashes?: boolean;
  /**
   * Make setTimeout, setInterval, setImmediate, their clear functions, Date.now,
   * `new Date()` and performance.now lockstep's inside each iteration (default false).
   * `clockStart` is Date.now() when an iteration begins (default 1,700,000,000,000).
   */
  virtualTimers?: boolean | { clockStart?: number };
  /** Where trace files of bugs go (default ".lockstep" in Node; false writes nothing). */
  traceDir?: string | false;
  /** A name for the test, used in trace file names and reports (default: the body's function name). */
  name?: string;
  /** Stop after this many real milliseconds even if iterations remain (CLI --time-limit). */
  timeLimitMs?: number;
  /** Called every few milliseconds with progress (CLI progress bar, playground). */
  onProgress?: (p: Progress) => void;
}

/**
 * What the CLI's shards and worker threads pass on top of the public options. Not
 * exported from the package: a user's test never needs them, and keeping them off
 * ExploreOptions keeps them out of editor completions and the documented surface.
 */
export interface InternalOptions extends ExploreOptions {
  /** First iteration number to run (shards and workers start elsewhere; default 1). */
  firstIteration?: number;
  /** Run only every `stride`-th iteration from firstIteration (shards; default 1). */
  stride?: number;
  /** Keep going only while this returns true (parallel workers stop past a bug found elsewhere). */
  shouldContinue?: (iteration: number) => boolean;
  /** The scenario file, recorded in trace files so `lockstep replay <trace>` finds it. */
  file?: string;
  /** Internal: count distinct schedules into this counter (parallel workers merge theirs). */
  distinctCounter?: DistinctCounter;
  /** After a passing search, re-run its last iteration recording the interleaving (result.sample: what the playground and a report show). */
  sample?: boolean;
  /**
   * The default strategy may enumerate a small space here (src/explore/small-space.ts).
   * Default: only in a search that is not split (first iteration 1, stride 1); the
   * worker pool sets it for its first share, which then stops the others when done.
   */
  enumerates?: boolean;
}

export interface Progress {
  iterations: number;
  total: number;
  distinctSchedules: number;
  /** True when distinctSchedules is an estimate (past 2^20 distinct schedules). */
  distinctSchedulesEstimated?: boolean;
  steps: number;
}

export interface ResolvedOptions {
  iterations: number;
  seed: number;
  strategy: StrategyName;
  params: StrategyParams;
  maxSteps: number;
  timers: "quiescent" | "race";
  allowCrashes: boolean;
  /** Null when the option is off. */
  virtualTimers: VirtualTimersOption | null;
  traceDir: string | false;
  name: string;
  timeLimitMs: number;
  firstIteration: number;
  stride: number;
  onProgress?: (p: Progress) => void;
  shouldContinue?: (iteration: number) => boolean;
  file?: string;
  distinctCounter?: DistinctCounter;
  sample: boolean;
  enumerates: boolean;
}

/** The resolved `virtualTimers` option. */
export interface VirtualTimersOption {
  clockStart: number;
}

/** Validates `virtualTimers`: true, false, or { clockStart? } with a finite, non-negative clockStart. */
export function resolveVirtualTimers(v: unknown): VirtualTimersOption | null {
  if (v === undefined || v === false) return null;
  if (v === true) return { clockStart: DEFAULT_CLOCK_START };
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new OptionsError(`virtualTimers must be true, false or an object { clockStart? }, got ${show(v)}`);
  for (const k of Object.keys(v)) if (k !== "clockStart") throw new OptionsError(`unknown virtualTimers option ${JSON.stringify(k)} (known: clockStart)`);
  const c = (v as { clockStart?: unknown }).clockStart;
  if (c === undefined) return { clockStart: DEFAULT_CLOCK_START };
  if (typeof c !== "number" || !Number.isFinite(c) || c < 0 || c > 8.64e15) {
    throw new OptionsError(`virtualTimers.clockStart must be a finite number of milliseconds since 1970 between 0 and 8.64e15 (Date's range), got ${show(c)}`);
  }
  return { clockStart: c };
}

const KNOWN = new Set([
  "iterations", "seed", "strategy", "maxSteps", "timers", "allowCrashes", "virtualTimers", "traceDir", "name",
  "timeLimitMs", "firstIteration", "stride", "onProgress", "depth", "changePoints", "fairPrefix",
  "maxDepth", "minDepth", "preemptionBound", "replay", "shouldContinue", "file", "distinctCounter", "sample", "enumerates",
]);

/** Accepted (the CLI and workers pass them) but not listed to users. */
const INTERNAL = new Set(["replay", "firstIteration", "stride", "shouldContinue", "file", "distinctCounter", "enumerates"]);

function positiveInt(v: unknown, what: string, min = 1): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    throw new OptionsError(`${what} must be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

/** A fresh random seed: the only nondeterminism lockstep ever uses, and it is printed. */
export function randomSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues(a: Uint32Array): Uint32Array } }).crypto;
  if (c) return c.getRandomValues(new Uint32Array(1))[0];
  return (hostNow() * 1000) >>> 0;
}

export function resolveOptions(o: InternalOptions | undefined, bodyName: string): ResolvedOptions {
  if (o === undefined || o === null) o = {};
  if (typeof o !== "object") throw new OptionsError(`options must be an object, got ${show(o)}`);
  for (const k of Object.keys(o)) {
    if (!KNOWN.has(k)) throw new OptionsError(`unknown option ${JSON.stringify(k)} (known: ${[...KNOWN].filter((x) => !INTERNAL.has(x)).join(", ")})`);
  }
  const iterations = o.iterations === undefined ? 100 : positiveInt(o.iterations, "iterations");
  const seed = o.seed === undefined ? randomSeed() : positiveInt(o.seed, "seed", 0);
  const strategy = o.strategy ?? "portfolio";
  if (!STRATEGY_NAMES.includes(strategy)) {
    throw new OptionsError(`unknown strategy ${show(strategy)} (choose one of ${STRATEGY_NAMES.join(", ")})`);
  }
  const params = checkStrategyParams(strategy, o as Record<string, unknown>);
  const maxSteps = o.maxSteps === undefined ? 100000 : positiveInt(o.maxSteps, "maxSteps");
  const timers = o.timers ?? "quiescent";
  if (timers !== "quiescent" && timers !== "race") throw new OptionsError(`timers must be "quiescent" or "race", got ${show(timers)}`);
  if (o.allowCrashes !== undefined && typeof o.allowCrashes !== "boolean") throw new OptionsError(`allowCrashes must be a boolean, got ${show(o.allowCrashes)}`);
  const virtualTimers = resolveVirtualTimers(o.virtualTimers);
  const traceDir = o.traceDir === undefined ? ".lockstep" : o.traceDir;
  if (traceDir !== false && (typeof traceDir !== "string" || traceDir === "")) throw new OptionsError(`traceDir must be a directory path or false, got ${show(traceDir)}`);
  if (o.name !== undefined && (typeof o.name !== "string" || o.name === "")) throw new OptionsError(`name must be a non-empty string, got ${show(o.name)}`);
  const timeLimitMs = o.timeLimitMs === undefined ? Infinity : positiveInt(o.timeLimitMs, "timeLimitMs");
  const firstIteration = o.firstIteration === undefined ? 1 : positiveInt(o.firstIteration, "firstIteration");
  const stride = o.stride === undefined ? 1 : positiveInt(o.stride, "stride");
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw new OptionsError("onProgress must be a function");
  if (o.shouldContinue !== undefined && typeof o.shouldContinue !== "function") throw new OptionsError("shouldContinue must be a function");
  if (o.file !== undefined && typeof o.file !== "string") throw new OptionsError("file must be a path string");
  if (o.distinctCounter !== undefined && !(o.distinctCounter instanceof DistinctCounter)) throw new OptionsError("distinctCounter must be a DistinctCounter");
  if (o.sample !== undefined && typeof o.sample !== "boolean") throw new OptionsError(`sample must be true or false, got ${show(o.sample)}`);
  if (o.enumerates !== undefined && typeof o.enumerates !== "boolean") throw new OptionsError(`enumerates must be true or false, got ${show(o.enumerates)}`);
  if (strategy === "dpor" && (firstIteration !== 1 || stride !== 1)) {
    throw new OptionsError(`strategy "dpor" is one depth-first search over the whole space: it cannot be split into shards or workers (run it with one worker, no --shard)`);
  }
  return {
    iterations, seed, strategy, params, maxSteps, timers, allowCrashes: o.allowCrashes ?? false,
    virtualTimers, traceDir, name: o.name ?? (bodyName || "body"), timeLimitMs, firstIteration, stride, onProgress: o.onProgress,
    shouldContinue: o.shouldContinue, file: o.file, distinctCounter: o.distinctCounter, sample: o.sample ?? false,
    enumerates: o.enumerates ?? (firstIteration === 1 && stride === 1),
  };
}
