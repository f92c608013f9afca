// Strategy names, their parameters, and the portfolio's members. The strategies
// themselves are engine code (assembly/strategies/); this maps a name, an iteration
// number and the validated parameters to an engine strategy code, its integer
// parameters and the label reports and traces carry.
//
// Iteration i's schedule is a function of (seed, i, options) for the non-feedback
// strategies (rff and the portfolio, whose bandit chooses members by the coverage seen
// so far, are reproducible per worker count instead): idpct rotates by iteration
// index, and PCT's step estimate k comes from one calibration run
// (iteration 0, random strategy, never reported) that every worker repeats
// identically, rather than from the iterations a worker happened to run before.
// k is the calibration run's number of decisions: PCT places its change points among
// choice points (decisions with two or more candidates), and a run's choice points are
// at most its decisions, which barely depend on the schedule when the program's work
// does not. The choice points of a random run would be a biased estimate: random
// schedules finish processes early and leave later steps forced, where a PCT run keeps
// several processes enabled for longer, so change points could never reach them.
import { OptionsError } from "../runtime/errors.js";
import { STRATEGY_CODE, STRATEGY_FEEDBACK, type Engine } from "../engine/engine.js";
import { runIteration } from "./run.js";
import { configFor } from "./config.js";
import { show } from "../values/show.js";
import { MEMBERS, type Member } from "./portfolio.js";

/** PCT's depth bound (the engine's MAX_DEPTH, assembly/strategies/pct.ts). */
export const MAX_DEPTH = 20;
/** PCT depth when none is given (Burckhardt et al.'s and Lockstep's default). */
export const DEFAULT_DEPTH = 3;
/** k (PCT's step estimate) when no calibration run has measured it. */
export const DEFAULT_CHOICE_POINTS = 100;

/** Strategy parameters, given as explore options and validated per strategy. */
export interface StrategyParams {
  /** pct, fair-pct, portfolio: the PCT depth d (bug depth it targets), an integer 1..20 (default 3). */
  depth?: number;
  /** pct, fair-pct, portfolio: the number of priority change points, d - 1 (an alternative to `depth`), 0..19. */
  changePoints?: number;
  /** fair-pct: choice points run under PCT before switching to random choices (default: half of maxSteps). */
  fairPrefix?: number;
  /** idpct: the smallest depth of the rotation, 1..20 (default 2). */
  minDepth?: number;
  /** idpct: the largest depth of the rotation, 1..20 (default 6). */
  maxDepth?: number;
  /** dpor: explore only paths with at most this many preemptions (CHESS / Coyote bounded search); default unbounded. */
  preemptionBound?: number;
}

const PARAM_KEYS = ["depth", "changePoints", "fairPrefix", "minDepth", "maxDepth", "preemptionBound"] as const;

function intIn(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
    const range = max >= 0x7fffffff ? `>= ${min}` : `${min}..${max}`;
    throw new OptionsError(`${what} must be an integer ${range}, got ${show(v)}`);
  }
  return v;
}

/**
 * Validates the parameters of strategy `name` among the explore options `o`: a
 * parameter of another strategy, or a value out of range, is an OptionsError naming it.
 */
export function checkStrategyParams(name: StrategyName, o: Record<string, unknown>): StrategyParams {
  const accepted: readonly (keyof StrategyParams)[] = STRATEGIES[name].accepts;
  for (const k of PARAM_KEYS) {
    if (o[k] !== undefined && !accepted.includes(k)) {
      const users = STRATEGY_NAMES.filter((s) => (STRATEGIES[s].accepts as readonly string[]).includes(k));
      throw new OptionsError(`option ${k} applies to strategy ${users.join(" / ")}, not ${JSON.stringify(name)}`);
    }
  }
  const p: StrategyParams = {};
  if (o.depth !== undefined && o.changePoints !== undefined) {
    throw new OptionsError(`give depth or changePoints (= depth - 1), not both`);
  }
  if (o.depth !== undefined) p.depth = intIn(o.depth, "depth", 1, MAX_DEPTH);
  else if (o.changePoints !== undefined) p.depth = intIn(o.changePoints, "changePoints", 0, MAX_DEPTH - 1) + 1;
  else if (accepted.includes("depth")) p.depth = DEFAULT_DEPTH;
  if (o.fairPrefix !== undefined) p.fairPrefix = intIn(o.fairPrefix, "fairPrefix", 1, 0x7fffffff);
  if (o.preemptionBound !== undefined) p.preemptionBound = intIn(o.preemptionBound, "preemptionBound", 0, 0x7fffffff);
  if (name === "idpct") {
    p.minDepth = o.minDepth === undefined ? 2 : intIn(o.minDepth, "minDepth", 1, MAX_DEPTH);
    p.maxDepth = o.maxDepth === undefined ? Math.max(6, p.minDepth) : intIn(o.maxDepth, "maxDepth", 1, MAX_DEPTH);
    if (p.minDepth > p.maxDepth) throw new OptionsError(`minDepth (${p.minDepth}) must not exceed maxDepth (${p.maxDepth})`);
  }
  return p;
}

/** One strategy, as data: what it accepts, what it needs, how it is described. */
interface StrategySpec {
  /** The parameters (explore options) it accepts. */
  accepts: readonly (keyof StrategyParams)[];
  /** The concrete strategy of iteration i (numbered from 1). */
  at(i: number, params: StrategyParams, env: StrategyEnv): IterationStrategy;
  /** Whether iteration i (of portfolio member `member`, when chosen) needs PCT's step estimate k (and so the calibration run). */
  calibrates(i: number, member?: Member): boolean;
  /** Its name and parameters in reports and stats. */
  describe(params: StrategyParams): string;
}

/** What strategyFor needs beyond the name: k measured by calibrate(), and maxSteps for fair-pct's default prefix. */
export interface StrategyEnv {
  /** PCT's k, an upper estimate of a run's choice points; min(DEFAULT_CHOICE_POINTS, maxSteps) when unknown. */
  k?: number;
  maxSteps?: number;
  /** portfolio: the member the bandit chose for this iteration (src/explore/portfolio.ts); a rotation when absent. */
  member?: Member;
}

/** An iteration's concrete strategy: engine code, up to three integer parameters, label. */
export interface IterationStrategy {
  code: number;
  label: string;
  params: number[];
}

/** The member when no bandit chose one (strategyFor called alone): a rotation by iteration. */
function rotation(i: number): Member {
  return MEMBERS[(((i - 1) % MEMBERS.length) + MEMBERS.length) % MEMBERS.length];
}

/** Half of maxSteps: where fair-pct and the portfolio's priority members turn random. */
function halfway(env: StrategyEnv): number {
  return Math.max(1, Math.floor((env.maxSteps ?? 100000) / 2));
}

/** PCT with depth d; with `fairAfter`, uniform random choices past that many choice points. */
function pct(d: number, env: StrategyEnv, fairAfter = 0): IterationStrategy {
  const k = Math.max(1, Math.min(0x7fffffff, Math.round(env.k ?? Math.min(DEFAULT_CHOICE_POINTS, env.maxSteps ?? DEFAULT_CHOICE_POINTS))));
  return { code: STRATEGY_CODE.pct, label: `pct(d=${d},k=${k})`, params: [d, k, fairAfter] };
}

const depthOf = (p: StrategyParams) => p.depth ?? DEFAULT_DEPTH;
const never = () => false;
const always = () => true;

/**
 * Every strategy. The engine implements them (assembly/strategies/, one file each);
 * this table is the one place that says what each accepts and how an iteration runs it.
 */
export const STRATEGIES = {
  portfolio: {
    accepts: ["depth", "changePoints"],
    at(i: number, params: StrategyParams, env: StrategyEnv): IterationStrategy {
      // Every member's run records reads-from coverage (the bandit's reward, rff's corpus).
      const member = env.member ?? rotation(i);
      const s: IterationStrategy = strategyFor(member, i, params, env);
      // The priority members turn random halfway to maxSteps, so a spin-wait starved by
      // priorities is not reported as a livelock by the default strategy.
      // The portfolio's rff always mutates (its second parameter): the other members'
      // runs are the fresh runs that rff alone makes one time in four.
      const fair = member === "random" ? s.params : member === "rff" ? [s.params[0], 1] : [s.params[0] ?? 0, s.params[1] ?? 0, halfway(env)];
      return { code: s.code | STRATEGY_FEEDBACK, params: fair, label: `portfolio:${s.label}` };
    },
    calibrates: (i, member) => (member ?? rotation(i)) === "pct",
    describe: (p) => `portfolio(${MEMBERS.map((m) => (m === "pct" ? `pct(d=${depthOf(p)})` : m)).join(", ")})`,
  },
  random: {
    accepts: [],
    at: () => ({ code: STRATEGY_CODE.random, label: "random", params: [] }),
    calibrates: never,
    describe: () => "random",
  },
  pct: {
    accepts: ["depth", "changePoints"],
    at: (_i, params, env) => pct(depthOf(params), env),
    calibrates: always,
    describe: (p) => `pct(d=${depthOf(p)})`,
  },
  "fair-pct": {
    accepts: ["depth", "changePoints", "fairPrefix"],
    at(_i, params, env) {
      const prefix = Math.min(params.fairPrefix ?? halfway(env), 0x7fffffff);
      const s = pct(depthOf(params), env, prefix);
      return { ...s, label: `fair-${s.label.slice(0, -1)},prefix=${prefix})` };
    },
    calibrates: always,
    describe: (p) => `fair-pct(d=${depthOf(p)}${p.fairPrefix !== undefined ? `,prefix=${p.fairPrefix}` : ""})`,
  },
  pos: {
    accepts: [],
    at: () => ({ code: STRATEGY_CODE.pos, label: "pos", params: [] }),
    calibrates: never,
    describe: () => "pos",
  },
  idpct: {
    accepts: ["minDepth", "maxDepth"],
    at(i, params, env) {
      const lo = params.minDepth ?? 2;
      const hi = params.maxDepth ?? 6;
      const s = pct(lo + ((((i - 1) % (hi - lo + 1)) + (hi - lo + 1)) % (hi - lo + 1)), env);
      return { ...s, label: `idpct:${s.label}` };
    },
    calibrates: always,
    describe: (p) => `idpct(d=${p.minDepth ?? 2}..${p.maxDepth ?? 6})`,
  },
  rff: {
    accepts: [],
    // The iteration number tells the engine where a new exploration starts its corpus afresh.
    at: (i) => ({ code: STRATEGY_CODE.rff, label: "rff", params: [i & 0x7fffffff] }),
    calibrates: never,
    describe: () => "rff",
  },
  dpor: {
    accepts: ["preemptionBound"],
    // Stateful like rff: the engine keeps the DFS stack across the iterations of one
    // exploration (a new one starts when the iteration number does not increase), so
    // iteration i is not a function of (seed, i): one worker only (see explore.ts).
    at: (i, params) => ({ code: STRATEGY_CODE.dpor, label: "dpor", params: [i & 0x7fffffff, params.preemptionBound ?? -1, 0] }),
    calibrates: never,
    describe: (p) => (p.preemptionBound !== undefined ? `dpor(preemptionBound=${p.preemptionBound})` : "dpor"),
  },
} satisfies Record<string, StrategySpec>;

export type StrategyName = keyof typeof STRATEGIES;
export const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

/** The concrete strategy iteration `i` (numbered from 1) runs under. */
export function strategyFor(name: StrategyName, i: number, params: StrategyParams, env: StrategyEnv = {}): IterationStrategy {
  const spec: StrategySpec | undefined = STRATEGIES[name];
  if (spec === undefined) throw new OptionsError(`unknown strategy ${show(name)} (choose one of ${STRATEGY_NAMES.join(", ")})`);
  return spec.at(i, params, env);
}

/** Whether iteration i's strategy needs PCT's step estimate (and so the calibration run). */
export function needsCalibration(name: StrategyName, i: number, member?: Member): boolean {
  return (STRATEGIES[name] as StrategySpec).calibrates(i, member);
}

/**
 * Measures PCT's k for a program: the decisions of one run under the random strategy
 * at iteration 0 (outside the numbered iterations; its outcome is not reported).
 * Deterministic in (seed, options), so every worker measures the same k.
 */
export async function calibrate(e: Engine, body: () => unknown, o: { seed: number; maxSteps: number; timers: "quiescent" | "race"; allowCrashes: boolean }): Promise<number> {
  await runIteration(e, body, configFor(o, 0, { strategy: STRATEGIES.random.at() }));
  return Math.max(1, e.x.steps());
}

/** A readable description of a strategy and its parameters, for reports and stats. */
export function describeStrategy(name: StrategyName, params: StrategyParams): string {
  return (STRATEGIES[name] as StrategySpec).describe(params);
}
