// explore() and check(): run the body many times under different seeded
// interleavings and report the first failing one.
import { hostNow } from "../runtime/virtual-timers.js";
import type { Engine } from "../engine/engine.js";
import type { Iteration, StepEvent } from "../runtime/iteration.js";
import { resolveOptions, type ExploreOptions, type InternalOptions, type ResolvedOptions } from "./options.js";
import { type IterationStrategy, strategyFor, describeStrategy, needsCalibration, calibrate } from "./strategies.js";
import { configFor } from "./config.js";
import { Bandit, type Member } from "./portfolio.js";
import { SmallSpace } from "./small-space.js";
import { ReplayDivergence } from "./divergence.js";
import { runIteration, runSettled, withEngine, yieldToHost } from "./run.js";
import { Bug, BugFound } from "./bug.js";
import { DistinctCounter } from "./distinct.js";
import { TRACE_FORMAT, TRACE_VERSION, type TraceFile } from "./trace-file.js";
import { VERSION } from "../version.js";
import { OptionsError } from "../runtime/errors.js";
import { flushRejections, hasPending, explainPending, forwardPending, tagged, settleIteration } from "./rejections.js";

export interface ExploreStats {
  /** Iterations run. */
  iterations: number;
  /** Distinct schedules (decision lists) seen: exact, or an estimate past 2^20 (see distinctSchedulesEstimated). */
  distinctSchedules: number;
  /** True when distinctSchedules is a HyperLogLog estimate (within about 1%), not an exact count. */
  distinctSchedulesEstimated: boolean;
  /** Scheduling decisions over all iterations. */
  steps: number;
  /** Real milliseconds the search took. */
  elapsedMs: number;
  seed: number;
  strategy: string;
  /**
   * dpor, and the portfolio when its pass over a small space ran to the end
   * (src/explore/small-space.ts): true when every interleaving (up to preemptionBound)
   * was explored — the verdict "no bug in any interleaving".
   */
  complete?: boolean;
  /** dpor: Mazurkiewicz traces explored (runs cut short by the sleep set do not count); the portfolio's pass: every schedule of the space. */
  traces?: number;
  /**
   * portfolio and rff only: distinct reads-from pairs the runs covered (a read of a shared
   * object and the write it saw, by process and occurrence): how much of the program's
   * shared-state behaviour a passing search saw. Absent in a parallel CLI run.
   */
  readsFrom?: number;
  /**
   * Things worth knowing that are not bugs, each once with the first iteration it
   * happened in, e.g. "the body returned while 1 controlled call was still pending …
   * (iteration 3, and 40 more)". Absent when there were none.
   */
  warnings?: string[];
}

/** Collects iterations' warnings: each distinct text once, with where it first happened and how often. */
class Warnings {
  private readonly seen = new Map<string, { first: number; count: number }>();
  add(it: { warnings: string[] | null }, i: number): void {
    if (it.warnings === null) return;
    for (const w of it.warnings) {
      const e = this.seen.get(w);
      if (e !== undefined) e.count++;
      else if (this.seen.size < 20) this.seen.set(w, { first: i, count: 1 });
    }
  }
  /** The stats field: undefined when empty, so results without warnings look as before. */
  list(): string[] | undefined {
    if (this.seen.size === 0) return undefined;
    return [...this.seen].map(([w, { first, count }]) => `${w} (iteration ${first}${count > 1 ? `, and ${count - 1} more` : ""})`);
  }
}

export type ExploreResult = { ok: true; iterations: number; stats: ExploreStats; sample?: Sample } | { ok: false; bug: Bug; stats: ExploreStats };

/** A passing search's last iteration, re-run with its interleaving recorded (the internal `sample` option): a schedule to look at. */
export interface Sample {
  iteration: number;
  events: StepEvent[];
  laneNames?: Record<string, string>;
  trace: TraceFile;
}

/**
 * What a search counts as it goes (both the randomized search and dpor's): runs,
 * steps, distinct schedules, warnings, and for dpor the traces and whether the space
 * was covered. stats() and progress() report it.
 */
class Tally {
  readonly started = hostNow();
  readonly seen: DistinctCounter; // exact up to 2^20 schedules, then an estimate in bounded memory
  readonly warnings = new Warnings();
  ran = 0;
  steps = 0;
  /** dpor only: traces explored, and whether that was all of them. */
  exhaustive: { traces: number; complete: boolean } | null = null;
  /** Reads-from pairs covered, where the strategy records them (rff, and every portfolio run). */
  private readsFrom: number | null;

  constructor(private readonly o: ResolvedOptions) {
    this.seen = o.distinctCounter ?? new DistinctCounter();
    this.readsFrom = o.strategy === "rff" || o.strategy === "portfolio" ? 0 : null;
  }

  /** A run of iteration i ended. */
  count(e: Engine, it: Iteration, i: number): void {
    this.ran++;
    this.steps += e.x.steps();
    this.warnings.add(it, i);
    if (this.readsFrom !== null) this.readsFrom += e.x.coverageFresh();
  }

  stats(): ExploreStats {
    const s: ExploreStats = {
      iterations: this.ran,
      distinctSchedules: this.seen.count,
      distinctSchedulesEstimated: this.seen.estimated,
      steps: this.steps,
      elapsedMs: hostNow() - this.started,
      seed: this.o.seed,
      strategy: describeStrategy(this.o.strategy, this.o.params),
    };
    if (this.exhaustive !== null) Object.assign(s, this.exhaustive);
    if (this.readsFrom !== null) s.readsFrom = this.readsFrom;
    const list = this.warnings.list();
    if (list !== undefined) s.warnings = list;
    return s;
  }

  progress(): void {
    const { seen, steps } = this;
    this.o.onProgress?.({ iterations: this.exhaustive?.traces ?? this.ran, total: this.o.iterations, distinctSchedules: seen.count, distinctSchedulesEstimated: seen.estimated, steps });
  }
}

/** Yield to the host event loop at least this often (real ms): progress, Stop buttons, test timeouts. */
const SLICE_MS = 8;

function checkBody(body: unknown, what: string): asserts body is () => unknown {
  if (typeof body !== "function") throw new OptionsError(`${what} expects the test body (an async function) first, got ${typeof body}`);
}

/**
 * Runs `body` under many seeded interleavings. Resolves to `{ ok: true, iterations,
 * stats }` or `{ ok: false, bug }` for the first failing iteration. Options are
 * validated before anything runs.
 *
 * @example
 * const result = await explore(async () => { ... }, { iterations: 1000, seed: 42 });
 * if (!result.ok) console.log(result.bug.format());
 */
export async function explore(body: () => unknown, options?: ExploreOptions): Promise<ExploreResult> {
  return exploreWith(body, options);
}

/** explore() with the options only the CLI's shards and workers pass (not exported from the package). */
export async function exploreWith(body: () => unknown, options?: InternalOptions): Promise<ExploreResult> {
  checkBody(body, "explore");
  const o = resolveOptions(options, body.name);
  return withEngine("explore", async (e) => {
    const r = await search(e, body, o);
    // Both searches run iterations firstIteration, +stride, ... and count each: the last one ran is this.
    if (r.ok && o.sample && r.iterations > 0) r.sample = await sampleOf(e, body, o, o.firstIteration + (r.iterations - 1) * o.stride);
    return r;
  });
}

/**
 * Re-runs the last iteration the engine ran, along its decisions, with the readable
 * log on. Cheap: one iteration, after the search.
 */
async function sampleOf(e: Engine, body: () => unknown, o: ResolvedOptions, i: number): Promise<Sample | undefined> {
  const decisions = e.decisions();
  const it = await runSettled(e, body, configFor(o, i, { decisions, strict: false }, true));
  if (it.failure) return undefined; // a body that does not repeat itself: no honest sample
  return { iteration: i, events: it.log, laneNames: it.laneNames ?? undefined, trace: traceOf(e, it, o, i, describeStrategy(o.strategy, o.params), decisions) };
}

/** Like explore(), but throws a BugFound error (carrying `.bug`) when a bug is found. */
export async function check(body: () => unknown, options?: ExploreOptions): Promise<{ ok: true; iterations: number; stats: ExploreStats }> {
  const r = await explore(body, options);
  if (!r.ok) throw new BugFound(r.bug);
  return r;
}

async function search(e: Engine, body: () => unknown, o: ResolvedOptions): Promise<ExploreResult> {
  if (o.strategy === "dpor") return searchDpor(e, body, o);
  const t = new Tally(o);
  let slice = t.started;
  let pctK: number | undefined; // PCT's step estimate, measured once when first needed
  const config = (i: number, s: IterationStrategy) => configFor(o, i, { strategy: s });
  // The portfolio's member choice (src/explore/portfolio.ts), rewarded after each run.
  const bandit = o.strategy === "portfolio" ? new Bandit() : null;
  let member: Member | undefined;
  // Its exhaustive pass over a small space (src/explore/small-space.ts): one
  // depth-first search, so in one share of a split search at most (o.enumerates).
  const small = bandit !== null && o.enumerates ? new SmallSpace() : null;
  // Synchronous except for PCT's one calibration run: an await per iteration is a
  // promise and microtasks the search would pay every time.
  const strategyOf = (i: number): IterationStrategy | Promise<IterationStrategy> => {
    const pass = small?.next();
    if (pass) {
      member = undefined; // the pass's runs are not the bandit's
      return pass;
    }
    member = bandit?.pick();
    const env = () => ({ k: pctK, maxSteps: o.maxSteps, member });
    if (pctK === undefined && needsCalibration(o.strategy, i, member)) {
      return calibrate(e, body, o).then((k) => {
        pctK = k;
        return strategyFor(o.strategy, i, o.params, env());
      });
    }
    return strategyFor(o.strategy, i, o.params, env());
  };
  // The strategies of the iterations since the last yield (loop indices windowStart..),
  // for the look-back below: the portfolio's choice depends on the runs before.
  let ran: IterationStrategy[] = [];
  // The decisions of the pass's runs among them, by loop index: its search is stateful,
  // so they are replayed, not run again under their strategy.
  let passRuns = new Map<number, number[]>();
  const again = (k: number, i: number, s: IterationStrategy) => {
    const decisions = passRuns.get(k);
    return decisions ? configFor(o, i, { decisions, strict: false }) : config(i, s);
  };
  // Unhandled rejections are reported by Node only when the search yields: then the
  // iterations since the last yield (loop indices from..to-1) are run again with
  // promises tagged, and the first that leaves one is the bug (src/explore/rejections.ts).
  let windowStart = 0;
  const lookBack = async (from: number, to: number): Promise<ExploreResult | undefined> => {
    if (!hasPending()) return undefined;
    let explained = false;
    for (let k = from; k < to; k++) {
      const i = o.firstIteration + k * o.stride;
      const s = ran[k - windowStart];
      const it = await tagged(() => runIteration(e, body, again(k, i, s)));
      const left = await settleIteration(it);
      if (it.failure) {
        explainPending();
        return { ok: false, bug: await reproduce(e, body, o, it, i, s.label), stats: t.stats() };
      }
      if (left !== undefined) explained = true; // crashes allowed
    }
    if (explained) explainPending();
    else forwardPending();
    return undefined;
  };
  for (let k = 0; k < o.iterations; k++) {
    const i = o.firstIteration + k * o.stride;
    if (o.shouldContinue && !o.shouldContinue(i)) break;
    const next = strategyOf(i);
    const s = next instanceof Promise ? await next : next;
    let it = await runIteration(e, body, config(i, s));
    t.count(e, it, i);
    t.seen.add(e.x.scheduleHash());
    ran.push(s);
    if (member !== undefined) bandit!.reward(member, e.x.coverageFresh());
    // The pass's depth-first search tries the unfair schedules first (one process
    // spinning forever), so its step limit is not a verdict: the space is not small.
    const passStepLimit = small?.state === "enumerating" && it.failure?.kind === "step-limit";
    if (small !== null && small.state !== "off") {
      if (small.state === "enumerating") passRuns.set(k, e.decisions());
      // A divergence is the pass's own check failing (the body is not repeatable), not a bug.
      if (passStepLimit) small.stepLimit();
      else if (!it.failure || it.divergence) small.after(e, it, o.iterations - k - 1);
      if (small.warning !== null) t.warnings.add({ warnings: [small.warning] }, i);
      if (small.state === "complete") {
        t.exhaustive = { traces: small.runs, complete: true };
        break;
      }
    }
    if (it.failure && !it.divergence && !passStepLimit) {
      await flushRejections();
      if (hasPending()) {
        // Up to and including this iteration, which may have left the rejection itself.
        const first = await lookBack(windowStart, k + 1);
        if (first) return first;
        it = await runIteration(e, body, again(k, i, s)); // the look-back replaced its trace in the engine
      }
      const bug = await reproduce(e, body, o, it, i, s.label);
      return { ok: false, bug, stats: t.stats() };
    }
    // After the last iteration the search ends (flushing rejections) without this yield.
    const now = k + 1 < o.iterations ? hostNow() : slice;
    if (now - slice > SLICE_MS) {
      t.progress();
      if (now - t.started > o.timeLimitMs) break;
      await yieldToHost();
      const found = await lookBack(windowStart, k + 1);
      if (found) return found;
      windowStart = k + 1;
      ran = [];
      passRuns = new Map();
      slice = hostNow();
    }
  }
  await flushRejections();
  const found = await lookBack(windowStart, t.ran);
  if (found) return found;
  t.progress();
  return { ok: true, iterations: t.ran, stats: t.stats() };
}

/**
 * The exhaustive search (strategy "dpor"): the engine's depth-first search
 * (assembly/strategies/dpor.ts) is advanced once per run with dporNext() until it says
 * the space is exhausted, or `iterations` traces were explored. Runs cut short by the
 * sleep set end without a verdict and do not count as traces. The first bug ends the
 * search as for the other strategies; its decisions replay like theirs.
 */
async function searchDpor(e: Engine, body: () => unknown, o: ResolvedOptions): Promise<ExploreResult> {
  const t = new Tally(o);
  t.exhaustive = { traces: 0, complete: false };
  const ex = t.exhaustive;
  let slice = t.started;
  // dpor's runs are not a function of (seed, i): the look-back for unhandled rejections
  // (see search()) replays the decisions of the runs since the last yield instead.
  let window: { i: number; decisions: number[] }[] = [];
  const lookBack = async (): Promise<ExploreResult | undefined> => {
    if (!hasPending()) return undefined;
    let explained = false;
    for (const { i, decisions } of window) {
      const it = await tagged(() => runIteration(e, body, configFor(o, i, { decisions, strict: false })));
      const left = await settleIteration(it);
      if (it.failure) {
        explainPending();
        return { ok: false, bug: await reproduce(e, body, o, it, i, "dpor"), stats: t.stats() };
      }
      if (left !== undefined) explained = true;
    }
    if (explained) explainPending();
    else forwardPending();
    return undefined;
  };
  for (let i = 1; ex.traces < o.iterations; i++) {
    if (o.shouldContinue && !o.shouldContinue(i)) break;
    const s = strategyFor(o.strategy, i, o.params);
    const it = await runIteration(e, body, configFor(o, i, { strategy: s }));
    t.count(e, it, i);
    if (it.divergence) throw notRepeatable(i, it.divergence.step, it.divergence.expected, it.divergence.actual);
    if (it.failure) {
      ex.traces = e.x.dporTraces() + 1;
      await flushRejections();
      let failing = it;
      if (hasPending()) {
        // An earlier run, or this one, may have left the rejection: look back, then run
        // the failing schedule again (the look-back replaced the engine's trace).
        const decisions = e.decisions();
        window.push({ i, decisions });
        const first = await lookBack();
        if (first) return first;
        failing = await runIteration(e, body, configFor(o, i, { decisions, strict: false }));
      }
      return { ok: false, bug: await reproduce(e, body, o, failing, i, s.label), stats: t.stats() };
    }
    if (!it.pruned) {
      t.seen.add(e.x.scheduleHash());
      window.push({ i, decisions: e.decisions() });
    }
    const next = e.x.dporNext(it.pruned ? 0 : 1);
    if (next < 0) throw notRepeatable(i, e.x.steps(), "the run to go on along an earlier run's prefix", "it ended sooner");
    const more = next !== 0;
    ex.traces = e.x.dporTraces();
    if (!more) {
      ex.complete = true;
      break;
    }
    const now = hostNow();
    if (now - slice > SLICE_MS) {
      t.progress();
      if (now - t.started > o.timeLimitMs) break;
      await yieldToHost();
      const found = await lookBack();
      if (found) return found;
      window = [];
      slice = hostNow();
    }
  }
  await flushRejections();
  const found = await lookBack();
  if (found) return found;
  t.progress();
  return { ok: true, iterations: t.ran, stats: t.stats() };
}

/** dpor's error for a body that did something else when run i was scheduled like an earlier run. */
function notRepeatable(i: number, step: number, expected: string, actual: string): ReplayDivergence {
  return new ReplayDivergence(step, expected, actual, `dpor: the body is not deterministic from run to run: at step ${step} of run ${i} it offered other choices than an earlier run with the same prefix. Exhaustive search needs a body that does the same whenever it is scheduled the same way; this one depends on the run's number, state kept across runs, Math.random, real time or I/O.`);
}

/** Builds the trace object of a finished iteration (its decisions, and the operations the engine recorded last). */
export function traceOf(e: Engine, it: Iteration, o: { name: string; seed: number; maxSteps: number; timers: "quiescent" | "race"; allowCrashes: boolean; virtualTimers?: { clockStart: number } | null; file?: string }, iteration: number, strategy: string, decisions = e.decisions()): TraceFile {
  const f = it.failure;
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    lockstep: VERSION,
    test: o.name,
    ...(o.file ? { file: o.file } : {}),
    seed: o.seed,
    iteration,
    strategy,
    options: { maxSteps: o.maxSteps, timers: o.timers, allowCrashes: o.allowCrashes, ...(o.virtualTimers ? { virtualTimers: { clockStart: o.virtualTimers.clockStart } } : {}) },
    decisions,
    events: e.events(),
    failure: f ? { kind: f.kind, message: f.message, step: f.step } : null,
  };
}

/**
 * Re-runs a failing iteration along its own decisions with readable events on, to
 * build the report; a program whose behaviour is not a function of the schedule
 * (Math.random, real time) is flagged instead of silently misreported.
 */
async function reproduce(e: Engine, body: () => unknown, o: ResolvedOptions, first: Iteration, i: number, label: string): Promise<Bug> {
  const decisions = e.decisions();
  if (!first.config.records) {
    // The search keeps decisions only (assembly/trace.ts): replay them once to record
    // the operations the trace file holds, so the detailed re-run below still checks
    // every operation against the failing run's.
    await runSettled(e, body, configFor(o, i, { decisions, strict: true }));
  }
  const trace = traceOf(e, first, o, i, label, decisions);
  const again = await runSettled(e, body, configFor(o, i, { decisions: trace.decisions, strict: true, events: trace.events }, true));
  let note: string | undefined;
  if (!again.failure || again.failure.kind !== first.failure!.kind) {
    note = `re-running the failing schedule did not reproduce it (${again.failure ? again.failure.kind : "it passed"}): the program may depend on something outside lockstep's control (Math.random, Date.now, real I/O)`;
  }
  const bug = new Bug(first.failure!, trace, again.log, note);
  bug.laneNames = again.laneNames ?? undefined;
  if (o.traceDir !== false) await bug.saveTo(o.traceDir);
  return bug;
}
