// Messages between the page and its worker. Everything crossing is structured-clone
// data: a Bug becomes a BugView (its diagram columns, trace text and texts), errors
// become ErrorInfo. A 100,000-step run must cross cheaply: the worker builds the
// diagram's columns (a few arrays of numbers) and the trace's JSON text (one string),
// since 100,000 event objects take the page over half a second to receive.
import type { ExploreStats } from "lockstep";
import type { DiagramData } from "../../src/cli/diagram-view.js";

/** The options the page's controls set; absent fields fall back to the file's `options` export, then to lockstep's defaults. */
export interface RunOptions {
  strategy?: string;
  iterations?: number;
  seed?: number;
  maxSteps?: number;
  timers?: "quiescent" | "race";
}

export type Request =
  | { id: number; action: "explore"; code: string; scenario?: string; options: RunOptions }
  | { id: number; action: "replay" | "shrink"; code: string; scenario?: string; traceText: string };

/** Where in the user's program something happened (1-based, as editors count). */
export interface SourcePos {
  line: number;
  col: number;
}

export interface ErrorInfo {
  name: string;
  message: string;
  /** The program's own line, when the error points into it. */
  at?: SourcePos;
  /** Set when the program could not be loaded (syntax or import errors, a throw at top level). */
  phase: "load" | "run";
}

export interface BugView {
  kind: string;
  message: string;
  iteration: number;
  seed: number;
  strategy: string;
  step: number;
  /** The run's events as the diagram's columns (its `slice` is the causal slice), built in the worker. */
  diagram: DiagramData;
  /** The trace file as JSON (parsed only when it is replayed, shrunk or shared). */
  traceText: string;
  /** How many scheduling decisions the trace holds. */
  decisions: number;
  /** The text report (cut to MAX_REPORT); "" when it follows in a "details" reply. */
  format: string;
  /** True when the causal slice (diagram.slice) and the report text follow in a "details" reply (long runs). */
  detailsLater: boolean;
  /** Lane names by pid text (what the user called each process), when recorded. */
  laneNames?: Record<string, string>;
  /** Where the thrown error was raised in the program, when it was. */
  errorAt?: SourcePos;
  /** When the worker had the bug (performance.timeOrigin + performance.now(), a clock page and worker share): the page times its drawing from it. */
  foundAt: number;
  /** Real ms the worker took from the bug to sending it (slice, report text, diagram columns). */
  prepMs: number;
}

/**
 * The diagram's integer columns as Int32Arrays, whose buffers move to the page
 * instead of being copied number by number (700,000 numbers take structured clone
 * about half a second each way): post the data with `transfer` as its transfer list.
 */
export function columnsToWire(d: DiagramData): { data: DiagramData; transfer: ArrayBuffer[] } {
  const out: Record<string, unknown> = { ...d };
  const transfer: ArrayBuffer[] = [];
  for (const [k, v] of Object.entries(d)) {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "number" && (x | 0) === x)) continue;
    const col = Int32Array.from(v as number[]);
    transfer.push(col.buffer);
    out[k] = col;
  }
  return { data: out as unknown as DiagramData, transfer };
}

/** The columns back as plain arrays (what the diagram component takes). */
export function columnsFromWire(d: DiagramData): DiagramData {
  const out: Record<string, unknown> = { ...d };
  for (const [k, v] of Object.entries(d)) if (v instanceof Int32Array) out[k] = Array.from(v);
  return out as unknown as DiagramData;
}

/** A passing search's last iteration, to look at (its interleaving, lane names and trace). */
export interface SampleView {
  iteration: number;
  /** Its events as the diagram's columns (no failing row, no slice), built in the worker. */
  diagram: DiagramData;
  /** The trace file as JSON (Replay and Download use it). */
  traceText: string;
  /** How many scheduling decisions the trace holds. */
  decisions: number;
  /** The text report of its events. */
  format: string;
}

/** Longest text report the page shows (a 100,000-step one is megabytes; the trace has it all). */
export const MAX_REPORT = 200_000;

/** `text` cut to MAX_REPORT characters, saying so. */
export function cutReport(text: string): string {
  return text.length > MAX_REPORT ? text.slice(0, MAX_REPORT) + "\n… (cut: download the trace for the whole run)" : text;
}

/** Explore statistics, as explore() reports them. */
export type Stats = ExploreStats;

/** An exploration's statistics and its planned iterations (the progress bar's total). */
type Explored = { stats: Stats; total: number };

export type Result =
  | ({ action: "explore"; ok: true; sample?: SampleView } & Explored)
  | ({ action: "explore"; ok: false; bug: BugView } & Explored)
  | { action: "replay"; ok: true }
  | { action: "replay"; ok: false; bug: BugView }
  | { action: "shrink"; bug: BugView; originalLength: number; shrunkLength: number; originalPreemptions: number; shrunkPreemptions: number };

export type Reply =
  | { id: number; type: "loaded"; scenarios: string[]; scenario: string }
  | { id: number; type: "progress"; iterations: number; total: number; distinctSchedules: number; steps: number; elapsedMs: number }
  | { id: number; type: "done"; result: Result }
  /** After a "done" whose bug has detailsLater: its causal slice (indices into the events) and text report. */
  | { id: number; type: "details"; slice: number[]; format: string; sinceFoundMs: number }
  | { id: number; type: "failed"; error: ErrorInfo };
