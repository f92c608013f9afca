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
}

/** How the iteration is scheduled: a strategy, or a replay of decisions (strict: checked against `events`). */
type Replay = { decisions: number[]; strict: boolean; events?: number[][] };
export type Schedule = { strategy: IterationStrategy } | Replay;

export function configFor(o: RunOptions, iteration: number, schedule: Schedule, detail = false): IterationConfig {
  // One object shape for every config (no spread: this runs once per iteration).
  const s = "strategy" in schedule ? schedule.strategy : null;
  return {
    seed: o.seed,
    iteration,
    strategy: s !== null ? s.code : STRATEGY_CODE.replay,
    params: s !== null ? s.params : NO_PARAMS,
    race: o.timers === "race",
    maxSteps: o.maxSteps,
    allowCrashes: o.allowCrashes,
    virtualTimers: o.virtualTimers ?? null,
    detail,
    replay: s !== null ? undefined : replayOf((schedule as Replay).decisions, (schedule as Replay).strict, (schedule as Replay).events),
  };
}

const NO_PARAMS: number[] = [];
