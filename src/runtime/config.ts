// What an iteration is asked to do (IterationConfig, built by src/explore/config.ts)
// and the shapes it reports through.
import type { Failure } from "./failure.js";
import type { Iteration } from "./iteration.js";

/** One line of the interleaving, recorded only when `detail` is on (reports, replay). */
export interface StepEvent {
  step: number;
  pid: string;
  op: string;
  detail: string;
  result: string;
  /** The line of the program that performed the operation (`file:line:col`), when a frame of the stack is the program's. */
  at?: string;
  /** The virtual clock (ms), on the first row recorded at each new time. */
  time?: number;
}

/** Checks a replay against its trace (src/explore/replay-check.ts). */
export interface ReplayCheck {
  /** After each decision: false when the recorded operations stopped matching (it failed the run). */
  matches(it: Iteration): boolean;
  /** The engine found the recorded decision impossible, or the trace ran out, at `actor`'s step. */
  impossible(it: Iteration, actor: number): void;
  /** At the end of a strict replay: the divergence failure when the trace was not used up. */
  ended(it: Iteration, failure: Failure | null): Failure | null;
}

/** Decisions to follow (the engine's replay strategy); see src/explore/replay-check.ts replayOf(). */
export interface ReplayConfig {
  decisions: number[];
  /** Strict: an impossible decision, a different operation or an early end is a divergence. */
  strict: boolean;
  check?: ReplayCheck;
}

export interface IterationConfig {
  seed: number;
  iteration: number;
  /** The seed user-level input generators draw from (src/check/generator.ts): (seed, iteration) mixed, or the seed alone under dpor. */
  inputSeed: number;
  /** Engine strategy code (src/engine/engine.ts STRATEGY_CODE). */
  strategy: number;
  /** Up to three integer strategy parameters (src/explore/strategies.ts). */
  params: number[];
  race: boolean;
  maxSteps: number;
  allowCrashes: boolean;
  /** Virtual timers and clocks for this iteration (src/runtime/virtual-timers.ts), or null. */
  virtualTimers: { clockStart: number } | null;
  /** Record readable events (for reports); off during the search for speed. */
  detail: boolean;
  /**
   * Keep the engine's operation records (Engine.events()): replays compare and save
   * them, reports re-run with them. Off during the search, where nothing reads them;
   * decisions are the same either way.
   */
  records: boolean;
  replay?: ReplayConfig;
}

