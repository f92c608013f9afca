// The portfolio's exhaustive pass: when its first runs say the schedule space is small,
// it enumerates every schedule and, when that completes, the verdict is "no bug in
// any interleaving" instead of a sample of a few dozen schedules drawn again and
// again.
//
// The size comes from Knuth's estimator (1975): the product of the candidates at every
// choice point of a run (the engine's pathSpan) is, for a uniform random walk, an
// unbiased estimate of the number of schedules. The randomized members run first, at
// least PROBES runs and an eighth of the largest estimate so far (dense bugs are found
// sooner by sampling); the pass is then the engine's depth-first search with the
// reduction off (assembly/strategies/dpor.ts in naive mode), which is sound for state
// lockstep does not see (a plain JS variable shared between processes): dpor's
// reduction is not, so the default strategy never relies on it. A wrong estimate
// costs at most PASS_FACTOR times its size in runs, after which the randomized
// members take over again.
//
// The pass is skipped, or abandoned, when a run drew generated inputs (then the runs
// differ by more than their schedule and no enumeration of schedules covers them),
// when the body does not repeat itself from run to run (dpor's divergence check), when
// a run reaches the step limit (a spin-wait: the search runs the unfair schedule first), and
// in the shares of a split search (the pass is one depth-first search), except the
// one the worker pool names (options.enumerates), which stops the others when done.
import { STRATEGY_CODE, STRATEGY_FEEDBACK, type Engine } from "../engine/engine.js";
import type { Iteration } from "../runtime/iteration.js";
import type { IterationStrategy } from "./strategies.js";

/** At least this many runs of the randomized members come first, and estimate the space. */
const PROBES = 2;
/**
 * Before the pass, the randomized members get 1/SAMPLE_FIRST of the estimated space:
 * a bug that many schedules show is found sooner by sampling than by a depth-first
 * search, which varies the last choices first; a proof costs at most 1/8 more runs.
 */
const SAMPLE_FIRST = 8;
/** The largest estimated space the pass enumerates. */
export const SMALL_SPACE = 10000;
/** The pass gives up after this many times the estimate (at least MIN_PASS runs): the estimate was too low. */
const PASS_FACTOR = 4;
const MIN_PASS = 64;

export class SmallSpace {
  state: "probing" | "enumerating" | "off" | "complete" = "probing";
  /** Runs of the pass so far: when complete, the number of schedules in the space. */
  runs = 0;
  /** Why the pass was abandoned, for the search's warnings (null: it was not, or there is nothing to tell). */
  warning: string | null = null;
  private probes = 0;
  private estimate = 1;
  private cap = 0;

  /** The strategy of the next iteration when it belongs to the pass, else null (the bandit chooses). */
  next(): IterationStrategy | null {
    if (this.state !== "enumerating") return null;
    // FEEDBACK: the pass records reads-from coverage like every portfolio run, so a
    // complete search's stats.readsFrom counts every pair of the space.
    return { code: STRATEGY_CODE.dpor | STRATEGY_FEEDBACK, label: "portfolio:dfs", params: [this.runs + 1, -1, 1] };
  }

  /**
   * A run of the pass reached the step limit: a spin-wait (a process polling in a
   * loop) makes the space unbounded, and the depth-first search runs the unfair
   * schedule first. Not a verdict: the randomized members take over and report a
   * livelock only if they run into one too.
   */
  stepLimit(): void {
    this.runs++;
    this.state = "off";
    this.warning = `the exhaustive pass stopped at run ${this.runs}: a schedule reached the step limit (a process polling in a loop makes the schedule space unbounded), so the rest of the search samples it and claims nothing about every interleaving`;
  }

  /**
   * A run that found no bug ended; `left` iterations of the budget remain. Advances
   * the pass (the engine's dporNext) when the run was one of its runs.
   */
  after(e: Engine, it: Iteration, left: number): void {
    if (this.state === "probing") {
      if (it.drewInputs) {
        this.state = "off";
        return;
      }
      this.estimate = Math.max(this.estimate, e.x.pathSpan());
      const est = Math.ceil(this.estimate);
      this.probes++;
      if (est > SMALL_SPACE) {
        this.state = "off";
        return;
      }
      if (this.probes < PROBES) return;
      const sampling = Math.max(PROBES, Math.ceil(est / SAMPLE_FIRST));
      // Enumerate only what the budget can cover: otherwise random sampling of a large
      // space finds more than a depth-first search of one corner of it.
      if (sampling - this.probes + est > left) {
        this.state = "off";
        // Twice the estimate: estimates vary from run to run, and the pass starts only when the estimate fits.
        this.warning = `the schedule space looks small (about ${est} schedules, estimated from the first runs) but the iterations left (${left}) cannot cover it: with iterations of ${sampling + 2 * est} or more the default strategy would try every schedule and say whether it explored them all`;
        return;
      }
      if (this.probes < sampling) return;
      this.state = "enumerating";
      this.cap = Math.max(MIN_PASS, PASS_FACTOR * est);
      return;
    }
    if (this.state !== "enumerating") return;
    this.runs++;
    if (it.drewInputs) {
      this.state = "off";
      return;
    }
    // dporNext is -1 when the run ended inside the prefix it replayed: like a divergence,
    // the body did something else when scheduled the same way.
    const next = it.divergence !== null ? -1 : e.x.dporNext(1);
    if (next < 0) {
      this.state = "off";
      this.warning = `the exhaustive pass over the small schedule space stopped at run ${this.runs}: the body does not repeat itself when scheduled the same way (it depends on state kept across runs, Math.random, real time or I/O), so no enumeration of schedules covers it`;
    } else if (next === 0) {
      this.state = "complete";
    } else if (this.runs >= this.cap) {
      this.state = "off";
      this.warning = `the exhaustive pass stopped after ${this.runs} runs: the schedule space is larger than the first runs estimated (about ${Math.ceil(this.estimate)}), so the rest of the search samples it and claims nothing about every interleaving`;
    }
  }
}
