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
}

/** How the iteration is scheduled: a strategy, or a replay of decisions (strict: checked against `events`). */
export type Schedule =
  | { strategy: IterationStrategy }
  | { decisions: number[]; strict: boolean; events?: number[][] };

export function configFor(o: RunOptions, iteration: number, schedule: Schedule, detail = false): IterationConfig {
  const base = { seed: o.seed, iteration, race: o.timers === "race", maxSteps: o.maxSteps, allowCrashes: o.allowCrashes, detail };
  if ("strategy" in schedule) return { ...base, strategy: schedule.strategy.code, params: schedule.strategy.params };
  return { ...base, strategy: STRATEGY_CODE.replay, params: [], replay: replayOf(schedule.decisions, schedule.strict, schedule.events) };
}
