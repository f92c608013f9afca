// The `lockstep` command: explore | replay | shrink | show.
// Exit codes: 0 no bug, 1 bug found (or replay reproduced it), 2 usage or input error.
import { explore, type ExploreResult, type ExploreStats } from "../explore/explore.js";
import { replay, ReplayDivergence } from "../explore/replay.js";
import { loadTrace } from "../explore/trace-file.js";
import { formatInterleaving, type Bug } from "../explore/bug.js";
import type { ExploreOptions } from "../explore/options.js";
import { LockstepError } from "../runtime/errors.js";
import { loadScenarios, traceScenarioFile, type Scenario } from "./scenario.js";
import { parseArgs, parseDuration, parseShard, UsageFailure, type FlagSpec } from "./args.js";
import { exploreParallel } from "./parallel.js";
import { Progress, distinctText } from "./progress.js";
import { VERSION } from "../version.js";
import { opName, describeResource } from "../engine/ops.js";
import { availableParallelism } from "node:os";

const HELP: Record<string, string> = {
  main: `lockstep ${VERSION}: controlled-concurrency testing for JavaScript

Usage:
  lockstep explore <file> [options]   search interleavings of the file's scenarios for a bug
  lockstep replay <trace> [<file>]    replay a saved trace against its scenario file
  lockstep shrink <trace> [<file>]    shrink a saved trace to a shorter failing schedule
  lockstep show <trace>               print a trace's interleaving
  lockstep <command> --help           options of a command

Exit codes: 0 no bug, 1 bug found, 2 usage or input error.`,
  explore: `Usage: lockstep explore <file> [options]

A scenario file default-exports its test body (an async function) or exports several
named bodies, and may export \`options\`. TypeScript files run as they are.

Options:
  --iterations N      iterations per scenario (default 100, or the file's options)
  --strategy S        portfolio (default), random, pct, fair-pct, pos, idpct, rff,
                      dpor (exhaustive: every interleaving once, --iterations caps the traces)
  --preemption-bound N  dpor: only paths with at most N preemptions
  --seed N            seed of the search (default: random, always printed)
  --max-steps N       scheduling decisions per iteration before "step-limit" (default 100000)
  --timers P          quiescent (default) or race
  --allow-crashes     do not report crashes of unwatched processes
  --virtual-timers    lockstep's setTimeout/setInterval/setImmediate, Date and performance.now
  --scenario NAME     run only this export of the file
  --workers N         worker threads (default: one per core from 100,000 iterations, else 1)
  --shard i/n         run the i-th of n slices of the iterations (CI matrices)
  --time-limit T      stop after T (30s, 2m, 500ms) even if iterations remain
  --trace-dir DIR     where bug traces are written (default .lockstep)
  --report FILE       write a self-contained HTML report of the bug
  --json              machine-readable output (see README)
  --quiet             no progress output`,
  replay: `Usage: lockstep replay <trace> [<file>] [--json]

Replays a trace written by explore (its scenario file is recorded in the trace; pass
<file> if it moved). Exit 1 when the failure reproduces, 0 when it does not, 2 when
the program no longer follows the trace (a divergence) or the input is bad.`,
  shrink: `Usage: lockstep shrink <trace> [<file>] [--json]

Shrinks a failing trace (fewer decisions, fewer preemptions) and writes the shrunk
trace beside it with the suffix -shrunk.`,
  show: `Usage: lockstep show <trace>

Prints the trace's summary and its interleaving (and causal slice when available).`,
};

const EXPLORE_FLAGS: FlagSpec = {
  iterations: "int", strategy: "string", seed: "int", "max-steps": "int", timers: "string",
  "allow-crashes": "bool", "virtual-timers": "bool", scenario: "string", workers: "int", shard: "string", "time-limit": "string",
  "trace-dir": "string", report: "string", json: "bool", quiet: "bool", help: "bool", "preemption-bound": "int",
};

type Out = { log(s: string): void; err(s: string): void };
const out: Out = { log: (s) => process.stdout.write(s + "\n"), err: (s) => process.stderr.write(s + "\n") };

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
      out.log(HELP.main);
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === "--version") {
      out.log(VERSION);
      return 0;
    }
    if (rest.includes("--help") && HELP[cmd]) {
      out.log(HELP[cmd]);
      return 0;
    }
    switch (cmd) {
      case "explore":
        return await exploreCmd(rest);
      case "replay":
        return await replayCmd(rest);
      case "shrink":
        return await shrinkCmd(rest);
      case "show":
        return await showCmd(rest);
      default:
        throw new UsageFailure(`unknown command ${JSON.stringify(cmd)} (try lockstep --help)`);
    }
  } catch (e) {
    if (e instanceof UsageFailure || e instanceof LockstepError) {
      out.err(`lockstep: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

async function exploreCmd(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, EXPLORE_FLAGS);
  if (positionals.length !== 1) throw new UsageFailure("explore needs exactly one scenario file (lockstep explore --help)");
  const file = positionals[0];
  const loaded = await loadScenarios(file, flags.scenario as string | undefined);
  const base: ExploreOptions = { ...loaded.options };
  if (flags.iterations !== undefined) base.iterations = flags.iterations as number;
  if (flags.strategy !== undefined) base.strategy = flags.strategy as ExploreOptions["strategy"];
  if (flags.seed !== undefined) base.seed = flags.seed as number;
  if (flags["max-steps"] !== undefined) base.maxSteps = flags["max-steps"] as number;
  if (flags.timers !== undefined) base.timers = flags.timers as ExploreOptions["timers"];
  if (flags["allow-crashes"]) base.allowCrashes = true;
  if (flags["preemption-bound"] !== undefined) base.preemptionBound = flags["preemption-bound"] as number;
  if (flags["virtual-timers"]) base.virtualTimers = base.virtualTimers || true;
  if (flags["trace-dir"] !== undefined) base.traceDir = flags["trace-dir"] as string;
  if (flags["time-limit"] !== undefined) base.timeLimitMs = parseDuration(flags["time-limit"] as string);
  const shard = flags.shard !== undefined ? parseShard(flags.shard as string) : { index: 1, count: 1 };
  const workers = flags.workers !== undefined ? (flags.workers as number) : base.strategy === "dpor" ? 1 : defaultWorkers(base.iterations ?? 100);
  if (workers < 1) throw new UsageFailure("--workers must be at least 1");
  if (base.strategy === "dpor" && (workers > 1 || shard.count > 1)) {
    throw new UsageFailure("--strategy dpor is one depth-first search over the whole space: it runs in one worker and cannot be sharded (drop --workers / --shard)");
  }
  base.seed ??= (await import("../explore/options.js")).randomSeed();
  const json = !!flags.json;
  const quiet = json || !!flags.quiet;
  const results: { scenario: string; result: ExploreResult }[] = [];
  let code = 0;
  for (const s of loaded.scenarios) {
    const progress = quiet ? null : new Progress(s.name, base.iterations ?? 100, out.err);
    const opts: ExploreOptions = { ...base, name: s.name, onProgress: progress ? (p) => progress.update(p) : undefined };
    if (!quiet) out.err(`exploring ${s.name}: seed ${opts.seed}, strategy ${opts.strategy ?? "portfolio"}, ${opts.iterations ?? 100} iterations${shard.count > 1 ? `, shard ${shard.index}/${shard.count}` : ""}${workers > 1 ? `, ${workers} workers` : ""}`);
    const result = await runScenario(loaded.file, s, opts, shard, workers);
    progress?.done(result);
    results.push({ scenario: s.name, result });
    if (!result.ok) {
      code = 1;
      if (flags.report) await writeReport(flags.report as string, result.bug);
      if (!json) out.log(result.bug.format());
    } else if (!json) {
      out.log(verdict(s.name, result.stats, result.iterations, base.iterations ?? 100));
    }
  }
  if (json) out.log(JSON.stringify(results.length === 1 ? jsonOf(results[0]) : results.map(jsonOf), null, 2));
  return code;
}

/** The closing line of a scenario without a bug; an exhaustive search says whether it covered everything. */
function verdict(name: string, stats: ExploreStats, iterations: number, cap: number): string {
  if (stats.complete) return `${name}: explored all ${stats.traces} interleavings: no bug (strategy ${stats.strategy})`;
  if (stats.traces !== undefined) {
    const why = stats.traces >= cap ? `stopped at the iterations cap (${cap})` : "stopped at the time limit";
    return `${name}: no bug in ${stats.traces} interleavings explored, NOT complete: ${why}; more interleavings remain (raise --iterations)`;
  }
  return `${name}: no bug in ${iterations} iterations (${distinctText(stats)} distinct schedules, seed ${stats.seed}, strategy ${stats.strategy})`;
}

/** One worker per core, except for runs too short to pay for starting threads and warming their JIT (< 100,000 iterations). */
function defaultWorkers(iterations: number): number {
  return iterations < 100000 ? 1 : Math.max(1, availableParallelism());
}

async function runScenario(file: string, s: Scenario, opts: ExploreOptions, shard: { index: number; count: number }, workers: number): Promise<ExploreResult> {
  if (workers > 1) return exploreParallel(file, s.name, opts, shard, workers);
  const iterations = opts.iterations ?? 100;
  const slice = shard.count > 1 ? { firstIteration: shard.index, stride: shard.count, iterations: Math.ceil((iterations - shard.index + 1) / shard.count) } : {};
  return explore(s.body, { ...opts, ...slice, file });
}

/** The documented --json shape. */
function jsonOf({ scenario, result }: { scenario: string; result: ExploreResult }): unknown {
  if (result.ok) {
    const exhaustive = result.stats.traces !== undefined ? { complete: result.stats.complete, traces: result.stats.traces } : {};
    return { ok: true, scenario, iterations: result.iterations, seed: result.stats.seed, strategy: result.stats.strategy, distinctSchedules: result.stats.distinctSchedules, distinctSchedulesEstimated: result.stats.distinctSchedulesEstimated, ...exhaustive };
  }
  const b = result.bug;
  return {
    ok: false, scenario, iterations: result.stats.iterations,
    bug: { kind: b.kind, message: b.message, iteration: b.iteration, seed: b.seed, strategy: b.strategy, steps: b.schedule.length, tracePath: b.tracePath ?? null, ...(b.traceSaveError ? { traceSaveError: b.traceSaveError } : {}) },
  };
}

/** The trace and its body: from the file the user named, else the trace's own file if it is safe to run (scenario.ts). */
async function bodyForTrace(tracePath: string, fileArg: string | undefined, cmd: "replay" | "shrink") {
  const trace = await loadTrace(tracePath);
  const file = fileArg ?? (await traceScenarioFile(trace, tracePath, cmd));
  const stem = trace.test.includes("#") ? trace.test.slice(trace.test.indexOf("#") + 1) : "default";
  const loaded = await loadScenarios(file, stem);
  return { trace, body: loaded.scenarios[0].body, file };
}

async function replayCmd(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { json: "bool", help: "bool" });
  if (positionals.length < 1 || positionals.length > 2) throw new UsageFailure("replay needs a trace file (and optionally its scenario file)");
  const { trace, body } = await bodyForTrace(positionals[0], positionals[1], "replay");
  try {
    const r = await replay(body, trace);
    if (flags.json) out.log(JSON.stringify(r.ok ? { ok: true } : { ok: false, bug: { kind: r.bug.kind, message: r.bug.message, steps: r.bug.schedule.length } }));
    else if (r.ok) out.log(`replay of ${positionals[0]}: the failure did not reproduce (the run passed)`);
    else {
      r.bug.tracePath = positionals[0];
      out.log(r.bug.format());
    }
    return r.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof ReplayDivergence) {
      if (flags.json) out.log(JSON.stringify({ ok: false, divergence: { step: e.step, expected: e.expected, actual: e.actual } }));
      else out.err(`lockstep: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

async function shrinkCmd(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { json: "bool", help: "bool" });
  if (positionals.length < 1 || positionals.length > 2) throw new UsageFailure("shrink needs a trace file (and optionally its scenario file)");
  const { trace, body } = await bodyForTrace(positionals[0], positionals[1], "shrink");
  const { shrink } = await import("../explore/shrink.js");
  const r = await shrink(body, { ...trace, tracePath: positionals[0] } as never);
  if (flags.json) {
    out.log(JSON.stringify({ originalLength: r.originalLength, shrunkLength: r.shrunkLength, originalPreemptions: r.originalPreemptions, shrunkPreemptions: r.shrunkPreemptions, tracePath: r.bug.tracePath ?? null, ...(r.bug.traceSaveError ? { traceSaveError: r.bug.traceSaveError } : {}) }));
  } else {
    out.log(r.bug.format());
    out.log(`\nshrunk ${r.originalLength} -> ${r.shrunkLength} decisions, ${r.originalPreemptions} -> ${r.shrunkPreemptions} preemptions${r.bug.tracePath ? `; saved ${r.bug.tracePath}` : ""}`);
  }
  return 1;
}

async function showCmd(argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, { help: "bool" });
  if (positionals.length !== 1) throw new UsageFailure("show needs exactly one trace file");
  const t = await loadTrace(positionals[0]);
  out.log(`trace ${positionals[0]}: test ${JSON.stringify(t.test)}${t.file ? ` (${t.file})` : ""}`);
  out.log(`  iteration ${t.iteration}, seed ${t.seed}, strategy ${t.strategy}, ${t.decisions.length} decisions, lockstep ${t.lockstep}`);
  if (t.failure) out.log(`  failure: ${t.failure.kind} at step ${t.failure.step}\n  ${t.failure.message.split("\n").join("\n  ")}`);
  const events = t.events.map(([step, pid, op, res, aux]) => ({ step, pid: pid === 0 ? "timer" : `<0.${pid}.0>`, op: opName(op), detail: describeResource(op, res, pid), result: "" }));
  out.log("");
  out.log(formatInterleaving(events, t.failure?.step ?? t.decisions.length));
  try {
    const { sliceOfTrace } = await import("../explore/slice.js");
    const story = sliceOfTrace(t);
    if (story.length) {
      out.log("\nCausal slice:");
      out.log(formatInterleaving(story, t.failure?.step ?? t.decisions.length));
    }
  } catch {
    /* slicing is optional */
  }
  return 0;
}

async function writeReport(file: string, bug: Bug): Promise<void> {
  const { renderReport } = await import("./report.js");
  const fs = await import("node:fs/promises");
  await fs.writeFile(file, renderReport(bug));
  out.err(`report written to ${file}`);
}
