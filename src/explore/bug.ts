// Bug reports: what failed, where, under which seed and strategy, and the
// interleaving as a numbered table ending at the failing step.
import type { Failure, FailureKind, StepEvent } from "../runtime/iteration.js";
import type { Pid } from "../values/pid.js";
import { saveTrace, type TraceFile } from "./trace-file.js";
import { errorText } from "../values/show.js";
import { LockstepError } from "../runtime/errors.js";

export type BugKind = Exclude<FailureKind, "divergence">;

export class Bug {
  readonly kind: BugKind;
  /** The thrown value (exception, crash) or an Error describing the failure. */
  readonly error: unknown;
  /** One paragraph saying what happened, naming the process and operation. */
  readonly message: string;
  readonly pid: Pid | undefined;
  readonly iteration: number;
  readonly seed: number;
  /** The strategy the failing iteration ran under (a portfolio names its member). */
  readonly strategy: string;
  /** The decision list: the pid chosen at each step (0 = a timer fired). */
  readonly schedule: number[];
  /** The readable interleaving, one entry per operation. */
  readonly events: StepEvent[];
  readonly trace: TraceFile;
  tracePath: string | undefined;
  /** Why the trace file could not be written (the bug is reported all the same). */
  traceSaveError: string | undefined;
  /** Set when re-running the failing schedule did not reproduce it exactly. */
  readonly nondeterminism: string | undefined;
  /** Set by lockstep/vitest: the replay hint is then a ctest call, the one that works in a test file. */
  ctestName: string | undefined = undefined;
  /** Set by lockstep/vitest for a ctest.each row: the body in the replay hint, called with the row's values. */
  ctestBody = "body";
  /** What the user called each process, by pid text (function, registered name); recorded only in detail runs, for reports. */
  laneNames: Record<string, string> | undefined = undefined;

  constructor(f: Failure, trace: TraceFile, events: StepEvent[], nondeterminism?: string) {
    this.kind = f.kind as BugKind;
    this.error = f.error;
    this.message = f.message;
    this.pid = f.pid;
    this.iteration = trace.iteration;
    this.seed = trace.seed;
    this.strategy = trace.strategy;
    this.schedule = trace.decisions;
    this.events = events;
    this.trace = trace;
    this.tracePath = undefined;
    this.traceSaveError = undefined;
    this.nondeterminism = nondeterminism;
  }

  /** The step (number of decisions) at which the failure happened. */
  get step(): number {
    return this.trace.failure?.step ?? this.schedule.length;
  }

  /** The command (or call) that replays this bug. */
  replayCommand(): string {
    if (this.ctestName !== undefined) {
      const name = JSON.stringify(this.ctestName);
      return this.tracePath
        ? `ctest(${name}, ${this.ctestBody}, { replay: ${JSON.stringify(this.tracePath)} })`
        : `ctest(${name}, ${this.ctestBody}, { ...theTestsOptions, seed: ${this.seed}, iterations: ${this.iteration} })  // finds it again at its last iteration`;
    }
    if (this.tracePath && this.trace.file) return `npx lockstep replay ${this.tracePath}`;
    if (this.tracePath) return `await replay(body, ${JSON.stringify(this.tracePath)})`;
    if (this.traceSaveError && this.trace.file) return `no trace file was saved; run \`npx lockstep explore ${this.trace.file} --seed ${this.seed} --trace-dir <a writable directory>\` to find it again`;
    if (this.traceSaveError) return `await replay(body, bug)  // no trace file was saved`;
    return `await replay(body, bug)  // no trace file was written (traceDir: false, or a browser)`;
  }

  /**
   * Saves the trace under `dir`, recording the path. A directory that cannot be
   * written must not lose the bug the search found: the error is kept in
   * `traceSaveError` (and printed by format()) instead of thrown.
   */
  async saveTo(dir: string): Promise<void> {
    try {
      this.tracePath = await saveTrace(this.trace, dir);
    } catch (e) {
      this.traceSaveError = `could not save the trace under ${dir}: ${(e as Error)?.message ?? String(e)}`;
    }
  }

  /** The full report: failure, iteration, seed, strategy, interleaving, replay command. */
  format(): string {
    const out: string[] = [];
    out.push(`lockstep found a bug (${this.kind}) in ${JSON.stringify(this.trace.test)}`);
    out.push("");
    for (const line of this.message.split("\n")) out.push(`  ${line}`);
    out.push("");
    out.push(`  iteration ${this.iteration}, seed ${this.seed}, strategy ${this.strategy}, ${this.schedule.length} steps`);
    if (this.nondeterminism) out.push(`  warning: ${this.nondeterminism}`);
    if (this.traceSaveError) out.push(`  warning: ${this.traceSaveError}`);
    out.push("");
    out.push(formatInterleaving(this.events, this.step));
    out.push("");
    out.push(`Replay: ${this.replayCommand()}`);
    return out.join("\n");
  }

  toString(): string {
    return this.format();
  }
}

/** The interleaving as a numbered table (step, process, operation, result). */
export function formatInterleaving(events: StepEvent[], failStep: number): string {
  const rows = events.map((e) => [String(e.step), e.pid, e.op + (e.detail ? ` ${e.detail}` : ""), e.result]);
  const head = ["step", "process", "operation", "result"];
  const w = [4, 7, 9, 6];
  for (const r of rows) for (let i = 0; i < 3; i++) w[i] = Math.min(Math.max(w[i], r[i].length), i === 2 ? 60 : 20);
  const fmt = (r: string[], mark: string) =>
    `${mark} ${r[0].padStart(w[0])}  ${r[1].padEnd(w[1])}  ${clip(r[2], 60).padEnd(w[2])}  ${clip(r[3], 50)}`.trimEnd();
  const lines = [fmt(head, " "), fmt(w.map((n) => "-".repeat(n)), " ")];
  rows.forEach((r, i) => {
    const last = i === rows.length - 1;
    lines.push(fmt(r, last ? ">" : " "));
  });
  if (rows.length === 0) lines.push("  (no operations)");
  lines.push(`  the failure happened after step ${failStep}`);
  return lines.join("\n");
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

/** Thrown by check() when the exploration found a bug. */
export class BugFound extends LockstepError {
  override name = "BugFound";
  readonly bug: Bug;
  /** A failed assertion's values (chai/vitest `expect`), so test runners show their diff. */
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly showDiff?: boolean;
  constructor(bug: Bug) {
    super(bug.format(), { cause: bug.error });
    this.bug = bug;
    const e = bug.error as { expected?: unknown; actual?: unknown; showDiff?: boolean } | null;
    if (e !== null && typeof e === "object" && "expected" in e && "actual" in e) {
      this.expected = e.expected;
      this.actual = e.actual;
      this.showDiff = e.showDiff ?? true;
    }
  }
}

export function describeError(e: unknown): string {
  return errorText(e);
}
