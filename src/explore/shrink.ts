// shrink(): minimize a failing schedule while the same failure still occurs.
//
// A schedule is the decision list up to the failing step; its length is the number of
// decisions taken when the failure happened. Candidates are replayed leniently: past
// the end of the list, or where a listed process cannot run, the engine continues
// without preemption (the process at the sync point keeps running; else the lowest
// pid), so deleting decisions yields a runnable schedule, and what a candidate run
// actually did (its own decision list) becomes the next schedule to shrink.
//
// 1. Delta debugging (Zeller & Hildebrandt's ddmin, complement steps only): delete
//    chunks of the list, halving the chunk size when no deletion keeps the failure.
// 2. Preemption removal: at each preemption (a switch away from a process that could
//    have continued, counted by the engine), let that process continue instead,
//    either truncating the list there or keeping the rest of it.
// The two phases repeat while either makes progress. A candidate is kept when it fails
// the same way (same kind, and for exceptions and crashes the same error class thrown
// at the same place) and is no worse: shorter, or as long with fewer preemptions.
// Work is bounded by a budget of replays and of decisions, so no input hangs; the
// result is replayed strictly before it is returned, so every shrunk trace replays
// deterministically.
import type { Engine } from "../engine/engine.js";
import { configFor } from "./config.js";
import type { Failure } from "../runtime/iteration.js";
import { runSettled, withEngine } from "./run.js";
import { Bug } from "./bug.js";
import { traceOf } from "./explore.js";
import { ReplayDivergence } from "./replay.js";
import { loadTrace, validateTrace, type TraceFile } from "./trace-file.js";
import { LockstepError, OptionsError } from "../runtime/errors.js";
import { show } from "../values/show.js";
import { IS_NODE, writeText } from "../engine/host.js";

export interface ShrinkOptions {
  /** At most this many candidate replays (default 2000). */
  maxReplays?: number;
  /** At most this many scheduling decisions over all replays (default 2,000,000). */
  maxDecisions?: number;
  /** Save the shrunk trace beside the original trace file, with the suffix "-shrunk" (default true). */
  save?: boolean;
}

export interface ShrinkResult {
  /** The shrunk failure; `bug.trace` is the shrunk trace, `bug.tracePath` where it was saved. */
  bug: Bug;
  /** Decisions up to the failing step, before and after. */
  originalLength: number;
  shrunkLength: number;
  /** Preemptions (switches away from a process that could have continued), before and after. */
  originalPreemptions: number;
  shrunkPreemptions: number;
  /** Candidate schedules replayed. */
  replays: number;
}

/** A bug, a trace object (optionally carrying the `tracePath` it was read from) or a trace file path. */
export type ShrinkSource = Bug | TraceFile | (TraceFile & { tracePath?: string }) | string;

interface Run {
  decisions: number[];
  /** Decision numbers of the preemptions. */
  preemptions: number[];
  /** Operation records [step, pid, op, res, aux]. */
  events: number[][];
  failure: Failure | null;
}

function sameFailure(f: Failure | null, want: Failure): boolean {
  if (f === null || f.kind !== want.kind) return false;
  if (want.kind !== "exception" && want.kind !== "crash") return true;
  return errorClass(f.error) === errorClass(want.error) && throwSite(f.error) === throwSite(want.error);
}

/**
 * Where an error was thrown: the first stack frame outside node_modules and Node's
 * internals ("" when unknown). Two assertions of one body are two failures even when
 * both throw an Error: a shrunk schedule must fail at the same place (as Hypothesis
 * tells failures apart by exception type and origin).
 */
function throwSite(e: unknown): string {
  const stack = e instanceof Error && typeof e.stack === "string" ? e.stack : "";
  for (const line of stack.split("\n")) {
    const m = /^\s+at (?:.*\()?(.+?:\d+:\d+)\)?$/.exec(line);
    if (m && !m[1].includes("node_modules") && !m[1].startsWith("node:")) return m[1];
  }
  return "";
}

function errorClass(e: unknown): string {
  return e instanceof Error ? e.name : typeof e;
}

/** Shorter first, then fewer preemptions. */
function better(a: Run, b: Run): boolean {
  return a.decisions.length < b.decisions.length || (a.decisions.length === b.decisions.length && a.preemptions.length < b.preemptions.length);
}

async function resolveSource(source: ShrinkSource): Promise<{ trace: TraceFile; path: string | undefined }> {
  if (typeof source === "string") return { trace: await loadTrace(source), path: source };
  if (source instanceof Bug) return { trace: source.trace, path: source.tracePath };
  if (source !== null && typeof source === "object" && "trace" in source && !("format" in source)) {
    const b = source as { trace: unknown; tracePath?: unknown };
    return { trace: validateTrace(b.trace, "bug.trace"), path: typeof b.tracePath === "string" ? b.tracePath : undefined };
  }
  const t = validateTrace(source, "trace");
  const p = (source as { tracePath?: unknown }).tracePath;
  return { trace: t, path: typeof p === "string" ? p : undefined };
}

function positive(v: unknown, what: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) throw new OptionsError(`shrink: ${what} must be an integer >= 1, got ${show(v)}`);
  return v;
}

/**
 * Minimizes the schedule of a failing run while the same failure still occurs, then
 * replays the result strictly. Resolves to the shrunk bug and how much smaller its
 * schedule became; saves the shrunk trace beside the original file (suffix
 * "-shrunk") when the original came from, or was saved to, a file.
 *
 * @example
 * const r = await explore(body, { seed: 1 });
 * if (!r.ok) {
 *   const s = await shrink(body, r.bug);
 *   console.log(`${s.originalLength} -> ${s.shrunkLength} decisions`, s.bug.format());
 * }
 */
export async function shrink(body: () => unknown, source: ShrinkSource, options: ShrinkOptions = {}): Promise<ShrinkResult> {
  if (typeof body !== "function") throw new OptionsError(`shrink expects the test body (an async function) first, got ${typeof body}`);
  if (options === null || typeof options !== "object") throw new OptionsError(`shrink options must be an object, got ${show(options)}`);
  const maxReplays = positive(options.maxReplays, "maxReplays", 2000);
  const maxDecisions = positive(options.maxDecisions, "maxDecisions", 2_000_000);
  const { trace, path } = await resolveSource(source);
  if (trace.failure === null) throw new OptionsError("shrink: the trace records no failure, so there is nothing to shrink");
  return withEngine("shrink", async (e) => {
    const s = new Shrinker(e, body, trace, maxReplays, maxDecisions);
    const original = await s.original();
    let best = original;
    for (;;) {
      const before = best;
      best = await s.ddmin(best);
      best = await s.removePreemptions(best);
      if (best === before || s.exhausted()) break;
    }
    let result = await s.verify(best);
    if (result === null) {
      best = original; // cannot happen for a deterministic program; keep the original then
      result = await s.verify(original);
    }
    if (result === null) throw new LockstepError("shrink: the failing schedule does not replay deterministically; the program depends on something outside lockstep's control");
    const bug = result;
    if (options.save !== false && path !== undefined) {
      // An unwritable directory must not lose the shrunk bug: keep why, as explore() does.
      try {
        bug.tracePath = await saveBeside(path, bug.trace);
      } catch (e) {
        bug.traceSaveError = `could not save the trace beside ${path}: ${(e as Error)?.message ?? String(e)}`;
      }
    }
    return {
      bug,
      originalLength: original.decisions.length,
      shrunkLength: bug.trace.decisions.length,
      originalPreemptions: original.preemptions.length,
      shrunkPreemptions: best.preemptions.length,
      replays: s.replays,
    };
  });
}

class Shrinker {
  replays = 0;
  private decisionsRun = 0;
  private readonly tried = new Set<string>();
  private want!: Failure;

  constructor(
    private readonly e: Engine,
    private readonly body: () => unknown,
    private readonly trace: TraceFile,
    private readonly maxReplays: number,
    private readonly maxDecisions: number,
  ) {}

  exhausted(): boolean {
    return this.replays >= this.maxReplays || this.decisionsRun >= this.maxDecisions;
  }

  /** Replays `decisions`; strict replays check the operations against `events`. */
  private async run(decisions: number[], events: number[][] | undefined, maxSteps: number, detail = false) {
    const t = this.trace;
    const it = await runSettled(this.e, this.body, configFor({ seed: t.seed, ...t.options, maxSteps, strategy: t.strategy }, t.iteration, { decisions, strict: events !== undefined, events }, detail));
    this.decisionsRun += this.e.x.steps();
    const run: Run = { decisions: this.e.decisions(), preemptions: this.e.preemptionSteps(), events: this.e.events(), failure: it.failure };
    return { it, run };
  }

  /** The original schedule, replayed strictly: it must still fail the way the trace says. */
  async original(): Promise<Run> {
    const t = this.trace;
    const { it, run } = await this.run(t.decisions, t.events, t.options.maxSteps);
    if (it.divergence) throw new ReplayDivergence(it.divergence.step, it.divergence.expected, it.divergence.actual);
    if (!it.failure || it.failure.kind !== t.failure!.kind) {
      throw new LockstepError(`shrink: replaying the trace ${it.failure ? `failed with ${it.failure.kind}` : "passed"} instead of failing with ${t.failure!.kind}; the program no longer fails this way`);
    }
    this.want = it.failure;
    return run;
  }

  /** Replays a candidate leniently; returns its run when it fails the same way and beats `best`. */
  private async attempt(candidate: number[], best: Run): Promise<Run | null> {
    const key = candidate.join(",");
    if (this.tried.has(key) || this.exhausted()) return null;
    this.tried.add(key);
    this.replays++;
    // A run longer than the best cannot beat it, unless the failure is the step limit itself.
    const cap = this.want.kind === "step-limit" ? this.trace.options.maxSteps : Math.min(this.trace.options.maxSteps, best.decisions.length);
    const { run } = await this.run(candidate, undefined, cap);
    return sameFailure(run.failure, this.want) && better(run, best) ? run : null;
  }

  /** ddmin over the decision list (complements only, tail first). */
  async ddmin(best: Run): Promise<Run> {
    const none = await this.attempt([], best);
    if (none) return none;
    let n = 2;
    while (best.decisions.length >= 1 && !this.exhausted()) {
      const d = best.decisions;
      const size = Math.max(1, Math.ceil(d.length / n));
      let found: Run | null = null;
      for (let end = d.length; end > 0 && !found && !this.exhausted(); end -= size) {
        const start = Math.max(0, end - size);
        found = await this.attempt(d.slice(0, start).concat(d.slice(end)), best);
      }
      if (found) {
        best = found;
        n = Math.max(2, n - 1);
      } else {
        if (size === 1) break;
        n = Math.min(d.length, n * 2);
      }
    }
    return best;
  }

  /** Lets the preempted process continue at each preemption, latest first. */
  async removePreemptions(best: Run): Promise<Run> {
    for (let changed = true; changed && !this.exhausted(); ) {
      changed = false;
      const d = best.decisions;
      const ps = best.preemptions;
      for (let i = ps.length - 1; i >= 0 && !changed && !this.exhausted(); i--) {
        const j = ps[i];
        const actor = actorAt(best.events, j);
        if (actor <= 0) continue;
        const found = (await this.attempt(d.slice(0, j).concat([actor]), best)) ?? (await this.attempt(d.slice(0, j).concat([actor], d.slice(j + 1)), best));
        if (found) {
          best = found;
          changed = true;
        }
      }
    }
    return best;
  }

  /** Replays a run strictly against its own operations, with readable events: the bug, or null. */
  async verify(r: Run): Promise<Bug | null> {
    const t = this.trace;
    const { it } = await this.run(r.decisions, r.events, t.options.maxSteps, true);
    if (it.divergence || !sameFailure(it.failure, this.want) || this.e.x.steps() !== r.decisions.length) return null;
    const shrunk = traceOf(this.e, it, { name: t.test, seed: t.seed, ...t.options, file: t.file }, t.iteration, t.strategy);
    return Object.assign(new Bug(it.failure!, shrunk, it.log), { laneNames: it.laneNames ?? undefined });
  }
}

/**
 * The process at the sync point when decision j was taken: the last process (not the
 * timer wheel) that recorded an operation before it (an event's step is the number of
 * decisions taken before it).
 */
function actorAt(events: number[][], j: number): number {
  let actor = 0;
  for (const [step, pid] of events) {
    if (step > j) break;
    if (pid !== 0) actor = pid;
  }
  return actor;
}

/** Writes the shrunk trace beside the original: name.json -> name-shrunk.json (Node only). */
async function saveBeside(original: string, t: TraceFile): Promise<string | undefined> {
  if (!IS_NODE) return undefined;
  return writeText(null, original.replace(/(-shrunk)?(\.json)?$/i, "") + "-shrunk.json", JSON.stringify(t) + "\n");
}
