// The one place an iteration's configuration is built: the search, the detailed
// re-run of a failing iteration, replay, shrinking and PCT's calibration run all
// describe an iteration the same way.
import { STRATEGY_CODE } from "../engine/engine.js";
import type { IterationConfig } from "../runtime/iteration.js";
import { replayOf } from "./replay-check.js";
import type { IterationStrategy } from "./strategies.js";

/** The options every run shares (explore's resolved options or a trace's). */
export interface RunOptions {
  seed: number;
  maxSteps: number;
  timers: "quiescent" | "race";
  allowCrashes: boolean;
  /** Virtual timers and clocks (absent in traces written without them). */
  virtualTimers?: { clockStart: number } | null;
  /** The strategy's name or label ("dpor", "portfolio:pct(d=3,k=9)"): dpor's runs share one input seed. */
  strategy?: string;
}

/** How the iteration is scheduled: a strategy, or a replay of decisions (strict: checked against `events`). */
type Replay = { decisions: number[]; strict: boolean; events?: number[][] };
export type Schedule = { strategy: IterationStrategy } | Replay;

/**
 * `detail` records the readable interleaving; operation records are kept with it, in
 * every replay, and when `records` asks for them (a caller that reads Engine.events()
 * after a search run).
 */
export function configFor(o: RunOptions, iteration: number, schedule: Schedule, detail = false, records = false): IterationConfig {
  // One object shape for every config (no spread: this runs once per iteration).
  const s = "strategy" in schedule ? schedule.strategy : null;
  return {
    seed: o.seed,
    iteration,
    // dpor re-runs prefixes of one body, so its runs must draw the same inputs
    // (Generator's default seed); other strategies vary them by iteration.
    inputSeed: o.strategy !== undefined && o.strategy.startsWith("dpor") ? o.seed : mixSeed(o.seed, iteration),
    strategy: s !== null ? s.code : STRATEGY_CODE.replay,
    params: s !== null ? s.params : NO_PARAMS,
    race: o.timers === "race",
    maxSteps: o.maxSteps,
    allowCrashes: o.allowCrashes,
    virtualTimers: o.virtualTimers ?? null,
    detail,
    records: records || detail || s === null,
    replay: s !== null ? undefined : replayOf((schedule as Replay).decisions, (schedule as Replay).strict, (schedule as Replay).events),
  };
}

const NO_PARAMS: number[] = [];

/** (seed, iteration) to one 32-bit seed (splitmix32's finaliser over both). */
function mixSeed(seed: number, iteration: number): number {
  let z = (Math.imul(seed | 0, 0x9e3779b1) ^ (iteration | 0)) >>> 0;
  z = (z + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
