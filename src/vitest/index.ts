// lockstep/vitest: `ctest(name, body, options)` runs a body under exploration as a
// vitest test and fails with the full bug report (interleaving + replay command).
import { test } from "vitest";
import { explore } from "../explore/explore.js";
import { replay } from "../explore/replay.js";
import type { ExploreOptions } from "../explore/options.js";
import { BugFound, type Bug } from "../explore/bug.js";

export interface CtestOptions extends ExploreOptions {
  /** Replay this saved trace instead of exploring. */
  replay?: string;
  /** vitest timeout for this test (ms). */
  timeout?: number;
}

/** What ctest reads from vitest's test context (vitest 4: `context.task.timeout` is the resolved timeout). */
interface Context {
  task?: { timeout?: number };
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

/** The error a failing ctest throws: its replay hint is a ctest call. */
function found(bug: Bug, name: string): BugFound {
  bug.ctestName = name;
  return new BugFound(bug);
}

function runner(name: string, body: () => unknown, options: CtestOptions = {}) {
  const { replay: tracePath, timeout: _t, ...opts } = options;
  return async (context?: Context) => {
    if (tracePath) {
      const r = await replay(body, tracePath);
      if (!r.ok) throw found(r.bug, name);
      return;
    }
    // Stop exploring before vitest's timeout: a test that timed out would leave its
    // exploration running and report a timeout instead of what was explored.
    const budget = timeBudget(context?.task?.timeout);
    const timeLimitMs = budget === undefined ? opts.timeLimitMs : Math.min(budget, opts.timeLimitMs ?? Infinity);
    const r = await explore(body, { name, ...opts, ...(timeLimitMs !== undefined ? { timeLimitMs } : {}) });
    if (!r.ok) throw found(r.bug, name);
    // Not failures, but worth seeing beside the test (e.g. controlled calls left pending).
    for (const w of r.stats.warnings ?? []) await context?.annotate?.(`lockstep warning: ${w}`);
    const wanted = opts.iterations ?? 100;
    if (r.iterations < wanted) {
      await context?.annotate?.(`lockstep: time limit reached before the test's timeout: explored ${r.iterations} of ${wanted} iterations (${r.stats.distinctSchedulesEstimated ? "~" : ""}${r.stats.distinctSchedules} distinct schedules, seed ${r.stats.seed}); no bug found`);
    }
  };
}

type Ctest = {
  (name: string, body: () => unknown, options?: CtestOptions): void;
  only(name: string, body: () => unknown, options?: CtestOptions): void;
  skip(name: string, body: () => unknown, options?: CtestOptions): void;
};

/** A vitest test whose body is explored under many interleavings. */
export const ctest: Ctest = Object.assign(
  (name: string, body: () => unknown, options?: CtestOptions) => test(name, runner(name, body, options), options?.timeout),
  {
    only: (name: string, body: () => unknown, options?: CtestOptions) => test.only(name, runner(name, body, options), options?.timeout),
    skip: (name: string, body: () => unknown, options?: CtestOptions) => test.skip(name, runner(name, body, options), options?.timeout),
  },
);
