// lockstep/vitest: `ctest(name, body, options)` runs a body under exploration as a
// vitest test. A failure shows the user's own error first (its message, and for an
// assertion the expected/actual values vitest diffs), then the interleaving and the
// ctest call that replays it.
import { test } from "vitest";
import { exploreWith } from "../explore/explore.js";
import { replay } from "../explore/replay.js";
import type { ExploreOptions } from "../explore/options.js";
import { BugFound, type Bug } from "../explore/bug.js";
import { OptionsError } from "../runtime/errors.js";
// Real time: with virtualTimers, performance.now is lockstep's inside an iteration.
import { hostNow } from "../runtime/virtual-timers.js";

export interface CtestOptions extends ExploreOptions {
  /** Replay this saved trace instead of exploring. */
  replay?: string;
  /** vitest timeout for this test (ms). */
  timeout?: number;
}

/** A ctest body; `ctest.each` passes it the row's values. */
export type CtestBody<Args extends unknown[] = []> = (...args: Args) => unknown;

/** What ctest reads from vitest's test context (vitest 4: `context.task.timeout` is the resolved timeout). */
interface Context {
  task?: { timeout?: number; name?: string };
  annotate?: (message: string) => Promise<unknown>;
}

/**
 * The exploration's time budget inside a test that times out after `timeout` ms:
 * the rest, less a margin for the last iteration, the report and vitest's own
 * bookkeeping, and a loaded machine (10%, at least 200 ms, at most 2 s). Undefined
 * when there is no timeout.
 */
export function timeBudget(timeout: number | undefined): number | undefined {
  if (timeout === undefined || !Number.isFinite(timeout) || timeout <= 0) return undefined;
  const margin = Math.min(2000, Math.max(200, timeout * 0.1));
  return Math.max(1, Math.floor(timeout - margin));
}

/**
 * Options CI sets without editing tests: LOCKSTEP_SEED and LOCKSTEP_ITERATIONS. They
 * replace the defaults, never a test's explicit `seed` or `iterations` (a test that
 * pins a seed, often to keep a found bug found, keeps it).
 */
export function envOptions(env: Record<string, string | undefined> = process.env): Pick<ExploreOptions, "seed" | "iterations"> {
  const out: Pick<ExploreOptions, "seed" | "iterations"> = {};
  const read = (name: string, min: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return undefined;
    const v = raw.trim();
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min) {
      throw new OptionsError(`the environment variable ${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
    }
    return Number(v);
  };
  const seed = read("LOCKSTEP_SEED", 0);
  const iterations = read("LOCKSTEP_ITERATIONS", 1);
  if (seed !== undefined) out.seed = seed;
  if (iterations !== undefined) out.iterations = iterations;
  return out;
}

/**
 * The error a failing ctest throws. For an exception or a crash it is dressed as the
 * user's own error: same name, its message first, its expected/actual (so vitest
 * prints its diff) and its stack (so vitest's code frame points at the user's line),
 * with the report after the message. It stays a BugFound carrying `.bug`.
 */
export function ctestFailure(bug: Bug, name: string, row?: readonly unknown[]): BugFound {
  bug.ctestName = name;
  if (row !== undefined) bug.ctestBody = rowBody(row);
  const e = new BugFound(bug);
  const user = bug.error;
  if ((bug.kind === "exception" || bug.kind === "crash") && user instanceof Error) {
    const where = bug.kind === "crash" ? ` (a crash of ${bug.pid ?? "a process"})` : "";
    const message = `${user.message}${where}\n\n${bug.format()}`;
    Object.defineProperty(e, "name", { value: user.name, configurable: true, writable: true });
    Object.defineProperty(e, "message", { value: message, configurable: true, writable: true });
    const frames = (user.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
    e.stack = `${user.name}: ${message}\n${frames.join("\n")}`;
    // The cause is the error now shown first: vitest would print it (and its diff) twice.
    delete (e as { cause?: unknown }).cause;
    for (const k of ["operator", "generatedMessage", "code"] as const) {
      if (k in user) (e as unknown as Record<string, unknown>)[k] = (user as unknown as Record<string, unknown>)[k];
    }
  }
  return e;
}

/**
 * The body of a ctest.each row's replay hint: the body alone would be called without
 * the row's values (and diverge from the trace), so the hint calls it with them when
 * they can be written as literals, and else says where they come from.
 */
function rowBody(row: readonly unknown[]): string {
  const args = row.map(literal);
  return args.every((a) => a !== undefined) ? `() => body(${args.join(", ")})` : "() => body(/* this row's values */)";
}

/** `v` as JavaScript source when it is plain data (primitives, arrays, plain objects), else undefined. */
function literal(v: unknown, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  if (v === undefined || v === null || typeof v === "boolean") return String(v);
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) {
    const items = v.map((x) => literal(x, depth + 1));
    return items.every((x) => x !== undefined) ? `[${items.join(", ")}]` : undefined;
  }
  const proto = typeof v === "object" ? Object.getPrototypeOf(v) : undefined;
  if (proto !== Object.prototype && proto !== null) return undefined;
  const entries = Object.entries(v as object).map(([k, x]) => {
    const lit = literal(x, depth + 1);
    return lit === undefined ? undefined : `${JSON.stringify(k)}: ${lit}`;
  });
  return entries.every((x) => x !== undefined) ? `{ ${entries.join(", ")} }` : undefined;
}

/**
 * One exploration at a time: lockstep's runtime runs one iteration at a time per
 * thread, so concurrent ctests (ctest.concurrent, or tests vitest runs side by side)
 * take turns. Each one's time budget is reckoned when its turn comes, from what is
 * left of its vitest timeout.
 */
let turn: Promise<void> = Promise.resolve();
async function oneAtATime<T>(f: () => Promise<T>): Promise<T> {
  const previous = turn;
  let release!: () => void;
  turn = new Promise<void>((r) => (release = r));
  try {
    await previous;
    return await f();
  } finally {
    release();
  }
}

function runner(name: string, body: () => unknown, options: CtestOptions = {}, row?: readonly unknown[]) {
  const { replay: tracePath, timeout: _t, ...opts } = options;
  return async (context?: Context) => {
    const started = hostNow();
    const testName = context?.task?.name ?? name;
    if (tracePath) {
      const r = await oneAtATime(() => replay(body, tracePath));
      if (!r.ok) {
        r.bug.tracePath ??= tracePath;
        throw ctestFailure(r.bug, testName, row);
      }
      return;
    }
    const fromEnv = envOptions();
    await oneAtATime(async () => {
      // Stop exploring before vitest's timeout: a test that timed out would leave its
      // exploration running and report a timeout instead of what was explored.
      const timeout = context?.task?.timeout;
      const budget = timeBudget(timeout === undefined ? undefined : Math.max(1, timeout - (hostNow() - started)));
      const timeLimitMs = budget === undefined ? opts.timeLimitMs : Math.min(budget, opts.timeLimitMs ?? Infinity);
      const resolved: ExploreOptions = { name: testName, ...fromEnv, ...opts, ...(timeLimitMs !== undefined ? { timeLimitMs } : {}) };
      const r = await exploreWith(body, resolved);
      if (!r.ok) throw ctestFailure(r.bug, testName, row);
      // Not failures, but worth seeing beside the test (e.g. controlled calls left pending).
      for (const w of r.stats.warnings ?? []) await context?.annotate?.(`lockstep warning: ${w}`);
      const wanted = resolved.iterations ?? 100;
      // Fewer iterations than asked for is either the time limit or a space run to the
      // end (stats.complete: every interleaving explored), which is no shortfall.
      if (r.iterations < wanted && !r.stats.complete) {
        await context?.annotate?.(`lockstep: time limit reached before the test's timeout: explored ${r.iterations} of ${wanted} iteration${wanted === 1 ? "" : "s"} (${r.stats.distinctSchedulesEstimated ? "~" : ""}${r.stats.distinctSchedules} distinct schedule${r.stats.distinctSchedules === 1 ? "" : "s"}, seed ${r.stats.seed}); no bug found`);
      }
    });
  };
}

type Define = (name: string, body: () => unknown, options?: CtestOptions) => void;

/** `ctest.each(table)(name, body, options)`: one ctest per row, named and called as vitest's `test.each`. */
type Each = <Row>(table: readonly Row[]) => (name: string, body: (...args: RowArgs<Row>) => unknown, options?: CtestOptions) => void;

/**
 * A row's values as the body's parameters: an array row spreads, anything else is one
 * argument. Rows of a table are a union (`readonly [2, "two"] | readonly [3, "three"]`),
 * and TypeScript does not accept a body with fewer parameters against a union of
 * tuples, so the rows are merged position by position into one tuple of unions.
 */
type RowArgs<Row> = [Row] extends [readonly unknown[]] ? Positional<Row & readonly unknown[], (Row & readonly unknown[])["length"]> : [Row];
type Positional<R extends readonly unknown[], L> = L extends 0
  ? []
  : L extends 1
    ? [R[0]]
    : L extends 2
      ? [R[0], R[1]]
      : L extends 3
        ? [R[0], R[1], R[2]]
        : L extends 4
          ? [R[0], R[1], R[2], R[3]]
          : L extends 5
            ? [R[0], R[1], R[2], R[3], R[4]]
            : R[number][];

export interface Ctest extends Define {
  /** Only this test (and other `.only` ones) run in the file. */
  only: Define;
  /** Reported as skipped; the body does not run. */
  skip: Define;
  /** A placeholder vitest lists as a todo. */
  todo(name: string): void;
  /**
   * Runs beside the file's other concurrent tests; the explorations themselves take
   * turns (one at a time per vitest worker), each within its own timeout.
   */
  concurrent: Define;
  /** One ctest per row of `table`; `%s`, `%i`, `%d`, `%j`, `%#` and `$prop` in the name as in vitest. */
  each: Each;
}

type VitestTest = typeof test.only;

function define(t: VitestTest): Define {
  return (name, body, options) => t(name, runner(name, body, options), options?.timeout);
}

function each(t: typeof test): Each {
  return <Row>(table: readonly Row[]) =>
    (name: string, body: (...args: never[]) => unknown, options?: CtestOptions) => {
      // test.for (not test.each) hands over the test context, whose task.name is the formatted name.
      const fn = (row: Row, context: Context) => {
        // Arrays spread into the body's parameters, anything else is its one argument, as in test.each.
        const args = (Array.isArray(row) ? row : [row]) as never[];
        return runner(context.task?.name ?? name, () => body(...args), options, args)(context);
      };
      const cases = t.for(table);
      if (options?.timeout !== undefined) cases(name, { timeout: options.timeout }, fn);
      else cases(name, fn);
    };
}

/** A vitest test whose body is explored under many interleavings. */
export const ctest: Ctest = Object.assign(define(test), {
  only: define(test.only),
  skip: define(test.skip),
  todo: (name: string) => test.todo(name),
  concurrent: define(test.concurrent),
  each: each(test),
});
