// Messages between the page and its worker. Everything crossing is structured-clone
// data: a Bug becomes a BugView (its events, trace and texts), errors become ErrorInfo.
import type { ExploreStats, StepEvent, TraceFile } from "lockstep";

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
  | { id: number; action: "replay" | "shrink"; code: string; scenario?: string; trace: TraceFile };

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
  events: StepEvent[];
  trace: TraceFile;
  format: string;
  /** Indices into `events` of the causal slice (operations the failure depends on). */
  slice: number[];
  /** Lane names by pid text (what the user called each process), when recorded. */
  laneNames?: Record<string, string>;
  /** Where the thrown error was raised in the program, when it was. */
  errorAt?: SourcePos;
}

/** A passing search's last iteration, to look at (its interleaving, lane names and trace). */
export interface SampleView {
  iteration: number;
  events: StepEvent[];
  trace: TraceFile;
  laneNames?: Record<string, string>;
}

/** Longest text report the page shows (a 100,000-step one is megabytes; the trace has it all). */
export const MAX_REPORT = 200_000;

/** `text` cut to MAX_REPORT characters, saying so. */
export function cutReport(text: string): string {
  return text.length > MAX_REPORT ? text.slice(0, MAX_REPORT) + "\n… (cut: download the trace for the whole run)" : text;
}

/** Explore statistics, as explore() reports them. */
export type Stats = ExploreStats;

export type Result =
  | { action: "explore"; ok: true; stats: Stats; sample?: SampleView }
  | { action: "explore"; ok: false; bug: BugView; stats: Stats }
  | { action: "replay"; ok: true }
  | { action: "replay"; ok: false; bug: BugView }
  | { action: "shrink"; bug: BugView; originalLength: number; shrunkLength: number; originalPreemptions: number; shrunkPreemptions: number };

export type Reply =
  | { id: number; type: "loaded"; scenarios: string[]; scenario: string }
  | { id: number; type: "progress"; iterations: number; total: number; distinctSchedules: number; steps: number; elapsedMs: number }
  | { id: number; type: "done"; result: Result }
  | { id: number; type: "failed"; error: ErrorInfo };
