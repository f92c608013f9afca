// replay(): run one iteration along a saved trace's decisions.
import { configFor } from "./config.js";
import { runSettled, withEngine } from "./run.js";
import { Bug } from "./bug.js";
import { loadTrace, validateTrace, type TraceFile } from "./trace-file.js";
import { traceOf } from "./explore.js";
import { ReplayDivergence } from "./divergence.js";

export { ReplayDivergence };
import { OptionsError } from "../runtime/errors.js";

/** The program no longer follows the trace: it did something else at `step`. */
export type ReplayResult = { ok: true } | { ok: false; bug: Bug };

/** Accepts a trace object, a trace file path (Node), or a bug. */
export async function resolveTrace(source: TraceFile | string | Bug | { trace: TraceFile }): Promise<TraceFile> {
  if (typeof source === "string") return loadTrace(source);
  if (source instanceof Bug) return source.trace;
  if (source && typeof source === "object" && "trace" in source && !("format" in source)) return validateTrace(source.trace, "bug.trace");
  return validateTrace(source, "trace");
}

/**
 * Replays one iteration along a trace. Resolves to `{ ok: false, bug }` when the
 * failure reproduces, `{ ok: true }` when the run passes; rejects with a
 * ReplayDivergence naming the step when the program no longer follows the trace.
 */
export async function replay(body: () => unknown, source: TraceFile | string | Bug): Promise<ReplayResult> {
  if (typeof body !== "function") throw new OptionsError(`replay expects the test body first, got ${typeof body}`);
  const trace = await resolveTrace(source);
  return withEngine("replay", async (e) => {
    const it = await runSettled(e, body, configFor({ seed: trace.seed, ...trace.options, strategy: trace.strategy }, trace.iteration, { decisions: trace.decisions, strict: true, events: trace.events }, true));
    if (it.divergence) throw new ReplayDivergence(it.divergence.step, it.divergence.expected, it.divergence.actual);
    if (!it.failure) return { ok: true } as const;
    const fresh = traceOf(e, it, { name: trace.test, seed: trace.seed, ...trace.options, file: trace.file }, trace.iteration, trace.strategy);
    return { ok: false, bug: Object.assign(new Bug(it.failure, fresh, it.log), { laneNames: it.laneNames ?? undefined }) } as const;
  });
}
