// Trace files: versioned JSON holding everything needed to replay one failing
// iteration: seed, strategy, options, the decision list and the operation records.
import { OptionsError } from "../runtime/errors.js";
import { VERSION } from "../version.js";
import { IS_NODE, readText, writeText } from "../engine/host.js";
import { traceTextOf } from "./trace-text.js";

export const TRACE_FORMAT = "lockstep-trace";
export const TRACE_VERSION = 1;

export interface TraceFile {
  format: typeof TRACE_FORMAT;
  version: number;
  lockstep: string;
  /** The test's name (scenario export or body name). */
  test: string;
  /** The scenario file the CLI explored, when known (for the replay command). */
  file?: string;
  seed: number;
  iteration: number;
  strategy: string;
  options: { maxSteps: number; timers: "quiescent" | "race"; allowCrashes: boolean; virtualTimers?: { clockStart: number } };
  /** The chosen pid per scheduling decision; 0 means "the next timer fired". */
  decisions: number[];
  /** Operation records [step, pid, op, resource, aux] (src/engine/ops.ts). */
  events: number[][];
  failure: { kind: string; message: string; step: number } | null;
}

/** Largest decision a trace may hold: the engine reads decisions as 32-bit words. */
const MAX_DECISION = 4294967295;
const EVENT_FIELDS = ["step", "pid", "op", "resource", "aux"];

/** A value as a short quote for error messages. */
function got(v: unknown): string {
  if (v === undefined) return "undefined";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 39) + "…" : s;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Checks that `t` is a trace this version can replay; throws one clear OptionsError
 * naming the first bad field otherwise. Traces come from disk and may be edited,
 * truncated or foreign: nothing malformed may reach the engine (a decision above
 * 32 bits would silently alias another pid there).
 */
export function validateTrace(t: unknown, source = "trace"): TraceFile {
  const bad = (why: string): never => {
    throw new OptionsError(`${source} is not a usable lockstep trace: ${why}`);
  };
  if (!isObject(t)) return bad("expected a JSON object");
  const o = t;
  if (o.format !== TRACE_FORMAT) bad(`its "format" is ${JSON.stringify(o.format)}, expected "${TRACE_FORMAT}"`);
  if (o.version !== TRACE_VERSION) bad(`it has format version ${JSON.stringify(o.version)}; this lockstep (${VERSION}) reads version ${TRACE_VERSION}`);
  if (o.lockstep !== undefined && typeof o.lockstep !== "string") bad(`"lockstep" (the version that wrote it) must be a string, got ${got(o.lockstep)}`);
  if (typeof o.test !== "string" || o.test === "") bad(`"test" (the scenario name) must be a non-empty string, got ${got(o.test)}`);
  if (o.file !== undefined && typeof o.file !== "string") bad(`"file" must be a path string, got ${got(o.file)}`);
  if (!Number.isSafeInteger(o.seed) || (o.seed as number) < 0) bad(`"seed" must be a non-negative integer, got ${got(o.seed)}`);
  if (!Number.isSafeInteger(o.iteration) || (o.iteration as number) < 1) bad(`"iteration" must be a positive integer, got ${got(o.iteration)}`);
  if (typeof o.strategy !== "string") bad(`"strategy" must be a string, got ${got(o.strategy)}`);

  const opts = o.options;
  if (!isObject(opts)) return bad(`"options" must be an object { maxSteps, timers, allowCrashes }, got ${got(opts)}`);
  if (!Number.isSafeInteger(opts.maxSteps) || (opts.maxSteps as number) < 1) bad(`"options.maxSteps" must be a positive integer, got ${got(opts.maxSteps)}`);
  if (opts.timers !== "quiescent" && opts.timers !== "race") bad(`"options.timers" must be "quiescent" or "race", got ${got(opts.timers)}`);
  if (typeof opts.allowCrashes !== "boolean") bad(`"options.allowCrashes" must be true or false, got ${got(opts.allowCrashes)}`);
  if (opts.virtualTimers !== undefined) {
    const v = opts.virtualTimers as { clockStart?: unknown } | null;
    if (v === null || typeof v !== "object" || typeof v.clockStart !== "number" || !Number.isFinite(v.clockStart) || v.clockStart < 0) bad(`"options.virtualTimers" must be { clockStart: a non-negative number }, got ${got(opts.virtualTimers)}`);
  }

  if (!Array.isArray(o.decisions)) return bad(`"decisions" must be an array of non-negative integers, got ${got(o.decisions)}`);
  o.decisions.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 0 || d > MAX_DECISION) bad(`"decisions[${i}]" must be an integer from 0 to ${MAX_DECISION}, got ${got(d)}`);
  });

  if (!Array.isArray(o.events)) return bad(`"events" must be an array of [step, pid, op, resource, aux] integer records, got ${got(o.events)}`);
  o.events.forEach((e, i) => {
    if (!Array.isArray(e) || e.length !== 5) {
      bad(`"events[${i}]" must be a [step, pid, op, resource, aux] record of 5 integers, ${Array.isArray(e) ? `it has ${e.length} fields` : `got ${got(e)}`}`);
    }
    (e as unknown[]).forEach((v, j) => {
      if (!Number.isSafeInteger(v)) bad(`"events[${i}][${j}]" (${EVENT_FIELDS[j]}) must be an integer, got ${got(v)}`);
    });
  });

  const f = o.failure;
  if (f !== null) {
    if (!isObject(f)) return bad(`"failure" must be null or { kind, message, step }, got ${got(f)}`);
    if (typeof f.kind !== "string" || f.kind === "") bad(`"failure.kind" must be a non-empty string, got ${got(f.kind)}`);
    if (typeof f.message !== "string") bad(`"failure.message" must be a string, got ${got(f.message)}`);
    if (!Number.isSafeInteger(f.step) || (f.step as number) < 0) bad(`"failure.step" must be a non-negative integer, got ${got(f.step)}`);
  }
  return t as unknown as TraceFile;
}

/** Parses trace JSON text with clear errors. */
export function parseTrace(text: string, source = "trace"): TraceFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new OptionsError(`${source} is not valid JSON (${(e as Error).message})`);
  }
  return validateTrace(v, source);
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 60) || "body";
}

export function traceFileName(t: TraceFile, suffix = ""): string {
  return `${safeName(t.test)}-i${t.iteration}-s${t.seed}${suffix}.json`;
}

/** Writes a trace under `dir` (Node only); returns its path, or undefined in browsers. */
export async function saveTrace(t: TraceFile, dir: string, suffix = ""): Promise<string | undefined> {
  if (!IS_NODE) return undefined;
  return writeText(dir, traceFileName(t, suffix), JSON.stringify(t) + "\n");
}

/** Reads and validates a trace file (Node only). */
export async function loadTrace(file: string): Promise<TraceFile> {
  if (!IS_NODE) throw new OptionsError("loading a trace from a path needs Node; pass the trace object instead");
  let text: string;
  try {
    text = await readText(file);
  } catch (e) {
    throw new OptionsError(`cannot read trace file ${file}: ${(e as Error).message}`);
  }
  return parseTrace(traceTextOf(text), `trace file ${file}`);
}
