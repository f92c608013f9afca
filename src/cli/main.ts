// The `lockstep` command: explore | merge-reports | replay | shrink | show.
// Exit codes: 0 no bug, 1 bug found (or replay reproduced it), 2 usage or input error, 130 Ctrl-C.
import { exploreWith, type ExploreResult, type ExploreStats } from "../explore/explore.js";
import { replay, ReplayDivergence } from "../explore/replay.js";
import { loadTrace } from "../explore/trace-file.js";
import { formatInterleaving, type Bug } from "../explore/bug.js";
import { resolveOptions, randomSeed, type ExploreOptions, type InternalOptions } from "../explore/options.js";
import { STRATEGY_NAMES } from "../explore/strategies.js";
import { LockstepError } from "../runtime/errors.js";
import { loadScenarios, traceScenarioFile, type Scenario, type ScenarioFile } from "./scenario.js";
import { parseArgs, parseDuration, parseShard, shardSeed, suggest, plural, UsageFailure, type FlagSpec } from "./args.js";
import { WorkerPool } from "./parallel.js";
import { Progress, distinctSchedules, interruptedText } from "./progress.js";
import { jsonOf, junitOf, type ScenarioJson } from "./results.js";
import { readResults, mergeResults, formatMerged } from "./merge.js";
import { VERSION } from "../version.js";
import { opName, describeResource } from "../engine/ops.js";
import { availableParallelism } from "node:os";
import { basename, dirname } from "node:path";
import { existsSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";

const HELP: Record<string, string> = {
  main: `lockstep ${VERSION}: controlled-concurrency testing for JavaScript

Usage:
  lockstep explore <file> [options]   search interleavings of the file's scenarios for a bug
  lockstep replay <trace> [<file>]    replay a saved trace against its scenario file
  lockstep shrink <trace> [<file>]    shrink a saved trace to a shorter failing schedule
  lockstep show <trace>               print a trace's interleaving
  lockstep merge-reports <json>...    one verdict from the --json results of --shard runs
  lockstep <command> --help           options of a command

Exit codes: 0 no bug, 1 bug found, 2 usage or input error, 130 interrupted (Ctrl-C).`,
  explore: `Usage: lockstep explore <file> [options]

A scenario file default-exports its test body (an async function) or exports several
named bodies, and may export \`options\`. TypeScript files run as they are.

Options (--flag value or --flag=value):
  -n, --iterations N  iterations per scenario (default 100, or the file's options)
  --strategy S        ${STRATEGY_NAMES.join(", ")} (default portfolio;
                      dpor is exhaustive: every interleaving once, --iterations caps the traces)
  --preemption-bound N  dpor: only paths with at most N preemptions
  -s, --seed N        seed of the search (default: random, always printed; with
                      --shard, derived from the file name and n so shards agree)
  --max-steps N       scheduling decisions per iteration before "step-limit" (default 100000)
  --timers P          quiescent (default) or race
  --allow-crashes     do not report crashes of unwatched processes
  --virtual-timers    lockstep's setTimeout/setInterval/setImmediate, Date and performance.now
  --scenario NAME     run only this export of the file
  --workers N         worker threads (default: one per core from 100,000 iterations, else 1)
  --shard i/n         run the i-th of n slices of the iterations (CI matrices; combine
                      the shards' --json results with lockstep merge-reports)
  --time-limit T      stop after T (30s, 2m, 500ms) even if iterations remain
  --trace-dir DIR     where bug traces are written (default .lockstep)
  --report FILE       write a self-contained HTML report of the bug (of a passing
                      run: its figures and a sample schedule)
  --reporter R        text (default), json or junit (JUnit XML, for CI test reports)
  --json              same as --reporter json (the shape is in docs/cli.md)
  --output FILE       write the json or junit result to FILE (the text report still
                      goes to stdout)
  -q, --quiet         no progress output
  -h, --help          this help

Exit codes: 0 no bug, 1 bug found, 2 usage or input error, 130 interrupted by
Ctrl-C (what ran is printed: iterations, distinct schedules, time).`,
  "merge-reports": `Usage: lockstep merge-reports <result.json>... [--json | --reporter junit] [--output FILE]

Combines the --json results of \`lockstep explore FILE --shard i/n --json\` runs (one per
CI job) into one verdict per scenario: the first bug by iteration over all shards,
the total iterations, and distinct schedules as bounds (shards may meet the same
schedule). Warns about missing shards and mismatched seeds. Exit 1 if any shard
found a bug, 0 if none did, 2 for unreadable input.`,
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
  "trace-dir": "string", report: "string", json: "bool", reporter: "string", output: "string", quiet: "bool", help: "bool",
  "preemption-bound": "int",
};

/**
 * stdout and stderr that go quiet when their reader goes away (`lockstep ... | head -1`):
 * Node reports the closed pipe as an asynchronous EPIPE 'error' on the stream, which
 * would crash the process with a stack trace. Nothing is left to say to a closed pipe,
 * so further writes are dropped and the command still ends with its verdict's code.
 */
const closed = new Set<NodeJS.WriteStream>();
let pipesGuarded = false;
function guardPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const s of [process.stdout, process.stderr]) {
    s.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
      closed.add(s);
    });
  }
}
function write(s: NodeJS.WriteStream, text: string): void {
  if (!closed.has(s)) s.write(text);
}

type Out = { log(s: string): void; err(s: string): void };
const out: Out = { log: (s) => write(process.stdout, s + "\n"), err: (s) => write(process.stderr, s + "\n") };
/** The progress stream: stderr, silenced like `out` when its pipe closes. */
const progressStream = {
  get isTTY() {
    return process.stderr.isTTY;
  },
  get columns() {
    return process.stderr.columns;
  },
  write: (s: string) => write(process.stderr, s),
};

export async function main(argv: string[]): Promise<number> {
  guardPipes();
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
      out.log(HELP.main);
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === "--version" || cmd === "-v") {
      out.log(VERSION);
      return 0;
    }
    if ((rest.includes("--help") || rest.includes("-h")) && HELP[cmd]) {
      out.log(HELP[cmd]);
      return 0;
    }
    switch (cmd) {
      case "explore":
        return await exploreCmd(rest);
      case "merge-reports":
        return await mergeCmd(rest);
      case "replay":
        return await replayCmd(rest);
      case "shrink":
        return await shrinkCmd(rest);
      case "show":
        return await showCmd(rest);
      default: {
        const hit = suggest(cmd, COMMANDS);
        throw new UsageFailure(`unknown command ${JSON.stringify(cmd)}${hit ? ` (did you mean ${hit}?)` : ""} (try lockstep --help)`);
      }
    }
  } catch (e) {
    if (e instanceof UsageFailure || e instanceof LockstepError) {
      out.err(`lockstep: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

const COMMANDS = ["explore", "merge-reports", "replay", "shrink", "show"];

/** --reporter and --json, --output: where the machine-readable result goes. */
function reporterOf(flags: Record<string, string | number | boolean>): { reporter: "text" | "json" | "junit"; output?: string } {
  const named = flags.reporter as string | undefined;
  if (named !== undefined && !["text", "json", "junit"].includes(named)) {
    throw new UsageFailure(`--reporter must be text, json or junit, got ${JSON.stringify(named)}`);
  }
  if (flags.json && named !== undefined && named !== "json") throw new UsageFailure(`--json and --reporter ${named} ask for two formats; pick one`);
  const reporter = flags.json ? "json" : ((named ?? "text") as "text" | "json" | "junit");
  const output = flags.output as string | undefined;
  if (output !== undefined && reporter === "text") throw new UsageFailure("--output FILE writes the --reporter json or junit result; name one");
  return { reporter, output };
}

/** Writes the machine-readable result to --output, or stdout. */
async function emit(text: string, output: string | undefined): Promise<void> {
  if (output === undefined) return out.log(text.replace(/\n$/, ""));
  const fs = await import("node:fs/promises");
  try {
    await fs.writeFile(output, text.endsWith("\n") ? text : text + "\n");
  } catch (e) {
    throw new UsageFailure(`cannot write --output ${output}: ${(e as Error).message}`);
  }
}

/** A file flag's directory must exist: found out before the search runs, not after it. */
function checkWritable(flag: string, file: unknown): void {
  if (typeof file !== "string") return;
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageFailure(`--${flag} ${file}: the directory ${dir} does not exist`);
}

/** A flag value that must be one of `choices`: checked before anything loads or prints. */
function oneOf(flag: string, noun: string, value: unknown, choices: readonly string[]): void {
  if (value !== undefined && !choices.includes(value as string)) {
    const hit = suggest(String(value), [...choices]);
    throw new UsageFailure(`--${flag}: unknown ${noun} ${JSON.stringify(value)}${hit ? ` (did you mean ${hit}?)` : ""}; choose one of ${choices.join(", ")}`);
  }
}

async function exploreCmd(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, EXPLORE_FLAGS);
  // Everything that can be wrong with the command line is reported before the scenario
  // file is imported (it runs the user's module) and before the header is printed.
  if (positionals.length !== 1) throw new UsageFailure(`explore needs exactly one scenario file, got ${positionals.length === 0 ? "none" : positionals.map((p) => JSON.stringify(p)).join(" ")} (lockstep explore --help)`);
  if (flags.iterations === 0) throw new UsageFailure("--iterations must be at least 1, got 0");
  if (flags.workers === 0) throw new UsageFailure("--workers must be at least 1, got 0");
  if (flags["max-steps"] === 0) throw new UsageFailure("--max-steps must be at least 1, got 0");
  oneOf("strategy", "strategy", flags.strategy, STRATEGY_NAMES);
  oneOf("timers", "timer policy", flags.timers, ["quiescent", "race"]);
  const timeLimitMs = flags["time-limit"] !== undefined ? parseDuration(flags["time-limit"] as string) : undefined;
  const shard = flags.shard !== undefined ? parseShard(flags.shard as string) : { index: 1, count: 1 };
  const { reporter, output } = reporterOf(flags);
  checkWritable("output", output);
  checkWritable("report", flags.report);
  const file = positionals[0];
  // Worker threads start now, importing the file while this thread does, when the
  // command line already says there will be several; one pool serves every scenario.
  const early = earlyWorkers(flags);
  let pool: WorkerPool | null = early > 1 ? new WorkerPool(file, early) : null;
  const poolOf = (n: number): WorkerPool => {
    if (pool !== null && pool.size === n) return pool;
    void pool?.close();
    return (pool = new WorkerPool(file, n));
  };
  try {
    return await exploreScenarios(file, flags, { reporter, output, shard, timeLimitMs }, poolOf);
  } finally {
    await (pool as WorkerPool | null)?.close();
  }
}

/** How many workers the command line alone asks for (the file's options may still change it). */
function earlyWorkers(flags: Record<string, string | number | boolean>): number {
  if (flags.strategy === "dpor") return 1;
  if (flags.workers !== undefined) return flags.workers as number;
  return flags.iterations !== undefined ? defaultWorkers(flags.iterations as number) : 1;
}

interface RunSetup {
  reporter: ReturnType<typeof reporterOf>["reporter"];
  output: string | undefined;
  shard: { index: number; count: number };
  timeLimitMs: number | undefined;
}

async function exploreScenarios(file: string, flags: Record<string, string | number | boolean>, { reporter, output, shard, timeLimitMs }: RunSetup, poolOf: (n: number) => WorkerPool): Promise<number> {
  const loaded = await loadScenarios(file, flags.scenario as string | undefined);
  const base: InternalOptions = { ...loaded.options };
  if (flags.iterations !== undefined) base.iterations = flags.iterations as number;
  if (flags.strategy !== undefined) base.strategy = flags.strategy as ExploreOptions["strategy"];
  if (flags.seed !== undefined) base.seed = flags.seed as number;
  if (flags["max-steps"] !== undefined) base.maxSteps = flags["max-steps"] as number;
  if (flags.timers !== undefined) base.timers = flags.timers as ExploreOptions["timers"];
  if (flags["allow-crashes"]) base.allowCrashes = true;
  if (flags["preemption-bound"] !== undefined) base.preemptionBound = flags["preemption-bound"] as number;
  if (flags["virtual-timers"]) base.virtualTimers = base.virtualTimers || true;
  if (flags["trace-dir"] !== undefined) base.traceDir = flags["trace-dir"] as string;
  if (timeLimitMs !== undefined) base.timeLimitMs = timeLimitMs;
  let derivedSeed = false;
  if (base.seed === undefined && shard.count > 1) {
    // Shards of one search must share its seed; jobs of a CI matrix cannot agree on a random one.
    base.seed = shardSeed(file, shard.count);
    derivedSeed = true;
  }
  base.seed ??= randomSeed();
  const iterations = base.iterations ?? 100;
  const workers = flags.workers !== undefined ? (flags.workers as number) : base.strategy === "dpor" ? 1 : defaultWorkers(iterations);
  if (base.strategy === "dpor" && (workers > 1 || shard.count > 1)) {
    throw new UsageFailure("--strategy dpor is one depth-first search over the whole space: it runs in one worker and cannot be sharded (drop --workers / --shard)");
  }
  resolveOptions(base, "scenario"); // the file's options too (iterations: 0, an unknown strategy, ...)
  const machine = reporter !== "text";
  const quiet = (machine && output === undefined) || !!flags.quiet;
  if (derivedSeed) out.err(`shard ${shard.index}/${shard.count}: no --seed given, so every shard uses seed ${base.seed} (derived from ${basename(file)} and ${shard.count} shards); pass --seed N to search other schedules`);

  // Ctrl-C stops the search between iterations and reports what ran; a second one kills.
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once("SIGINT", onSigint);
  const results: ScenarioJson[] = [];
  let code = 0;
  // --report writes one file: the first bug's report, or else the first scenario's pass
  // report (a later scenario must not overwrite a bug's report with its own).
  let report: { bug: boolean; write: () => Promise<void> } | null = null;
  try {
    for (const s of loaded.scenarios) {
      const progress = quiet ? null : new Progress(s.name, iterations, progressStream);
      const opts: InternalOptions = { ...base, name: s.name, onProgress: progress ? (p) => progress.update(p) : undefined };
      if (!quiet) out.err(`exploring ${s.name}: seed ${opts.seed}, strategy ${opts.strategy ?? "portfolio"}, ${plural(iterations, "iteration")}${shard.count > 1 ? `, shard ${shard.index}/${shard.count}` : ""}${workers > 1 ? `, ${workers} workers` : ""}`);
      const result = await runScenario(loaded, s, opts, shard, workers > 1 ? poolOf(workers) : null, stop.signal);
      const interrupted = stop.signal.aborted && result.ok;
      if (!interrupted) progress?.done(result);
      results.push(jsonOf(s.name, result, { file, shard, iterationsPlanned: iterations, interrupted }));
      if (!result.ok) {
        code = 1;
        if (flags.report && !report?.bug) report = { bug: true, write: () => writeReport(flags.report as string, result.bug, s.name) };
        if (!quiet || reporter === "text") out.log(result.bug.format());
      } else if (interrupted) {
        progress?.clear();
        out.err(interruptedText(s.name, result, iterations));
      } else if (reporter === "text" || output !== undefined) {
        out.log(verdict(s.name, result.stats, result.iterations, iterations));
      }
      if (result.ok && !interrupted && flags.report && report === null) report = { bug: false, write: () => writePassReport(flags.report as string, loaded.file, s, opts, result.stats) };
      // Not failures, but worth seeing (e.g. controlled calls still pending when the body returned).
      if (reporter === "text") for (const w of result.stats.warnings ?? []) out.err(`warning: ${s.name}: ${w}`);
      if (stop.signal.aborted) break;
    }
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
  await report?.write();
  if (reporter === "json") await emit(JSON.stringify(results.length === 1 && loaded.scenarios.length === 1 ? results[0] : results, null, 2), output);
  if (reporter === "junit") await emit(junitOf(results), output);
  // 130 = 128 + SIGINT, what shells report for a command stopped by Ctrl-C; a bug found first still wins.
  return code === 0 && stop.signal.aborted ? 130 : code;
}

/** The closing line of a scenario without a bug; an exhaustive search says whether it covered everything. */
function verdict(name: string, stats: ExploreStats, iterations: number, cap: number): string {
  if (stats.complete) {
    const bound = /preemptionBound=(\d+)/.exec(stats.strategy);
    const within = bound ? ` with at most ${plural(Number(bound[1]), "preemption")}` : "";
    const all = stats.traces === 1 ? `explored its only interleaving${within}` : `explored all ${stats.traces} interleavings${within}`;
    // dpor's reduction trusts lockstep's dependency relation: say what it cannot see (docs/strategies.md, Limits).
    const scope = stats.strategy.startsWith("dpor") ? "; dpor sees state shared through lockstep's objects, messages and controlled calls, not plain variables shared between processes" : "";
    return `${name}: ${all}: no bug (strategy ${stats.strategy}${scope})`;
  }
  if (stats.traces !== undefined) {
    const why = stats.traces >= cap ? `stopped at the iterations cap (${cap})` : "stopped at the time limit";
    return `${name}: no bug in ${stats.traces} interleavings explored, NOT complete: ${why}; more interleavings remain (raise --iterations)`;
  }
  const covered = stats.readsFrom ? `, ${plural(stats.readsFrom, "reads-from pair")} covered` : "";
  return `${name}: no bug in ${plural(iterations, "iteration")} (${distinctSchedules(stats)}${covered}, seed ${stats.seed}, strategy ${stats.strategy})`;
}

/** One worker per core, except for runs too short to pay for starting threads and warming their JIT (< 100,000 iterations). */
function defaultWorkers(iterations: number): number {
  return iterations < 100000 ? 1 : Math.max(1, availableParallelism());
}

async function runScenario(loaded: ScenarioFile, s: Scenario, opts: InternalOptions, shard: { index: number; count: number }, pool: WorkerPool | null, stop: AbortSignal): Promise<ExploreResult> {
  if (pool !== null) return pool.explore(loaded, s.name, opts, shard, stop);
  const iterations = opts.iterations ?? 100;
  const slice = shard.count > 1 ? { firstIteration: shard.index, stride: shard.count, iterations: Math.max(1, Math.ceil((iterations - shard.index + 1) / shard.count)) } : {};
  return exploreWith(s.body, { ...opts, ...slice, file: loaded.file, shouldContinue: () => !stop.aborted });
}

async function mergeCmd(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { json: "bool", reporter: "string", output: "string", help: "bool" });
  if (positionals.length === 0) throw new UsageFailure("merge-reports needs the JSON results of the shards (lockstep merge-reports shard-1.json shard-2.json ...)");
  const { reporter, output } = reporterOf(flags);
  const merged = mergeResults(await readResults(positionals));
  for (const w of merged.warnings) out.err(`warning: ${w}`);
  if (reporter === "json") await emit(JSON.stringify(merged.scenarios.length === 1 ? merged.scenarios[0] : merged.scenarios, null, 2), output);
  if (reporter === "junit") {
    const asResults: ScenarioJson[] = merged.scenarios.map((m) => ({
      ok: m.ok, scenario: m.scenario, file: m.file, iterations: m.iterations, seed: m.seed ?? 0, strategy: m.strategy,
      distinctSchedules: m.distinctSchedulesAtMost, distinctSchedulesEstimated: m.distinctSchedulesEstimated, elapsedMs: m.elapsedMs, bug: m.bug,
    }));
    await emit(junitOf(asResults), output);
  }
  if (reporter === "text" || output !== undefined) out.log(formatMerged(merged));
  return merged.ok ? 0 : 1;
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

/**
 * The report of a passing search: its figures and one schedule it ran, iteration 1 of
 * the same seed re-run with its interleaving recorded (whichever worker ran it, it
 * passed).
 */
async function writePassReport(file: string, scenarioFile: string, s: Scenario, opts: InternalOptions, stats: ExploreStats): Promise<void> {
  const again = await exploreWith(s.body, { ...opts, iterations: 1, firstIteration: 1, stride: 1, sample: true, traceDir: false, onProgress: undefined, file: scenarioFile });
  if (!again.ok || !again.sample) return; // not repeatable: nothing honest to draw
  const { renderPassReport } = await import("./report.js");
  const fs = await import("node:fs/promises");
  await fs.writeFile(file, renderPassReport(stats, again.sample, { file }));
  out.err(`report written to ${file} (${s.name})`);
}

async function writeReport(file: string, bug: Bug, scenario: string): Promise<void> {
  const { renderReport } = await import("./report.js");
  const fs = await import("node:fs/promises");
  await fs.writeFile(file, renderReport(bug, { file }));
  out.err(`report written to ${file} (${scenario})`);
}

// `node dist/cli.js explore FILE` (the module rather than bin/lockstep.mjs) runs the
// command too, instead of importing main and exiting 0 without a word.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 2;
    },
  );
}
