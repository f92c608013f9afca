// A trace file's own records ([step, pid, op, resource, aux], src/engine/ops.ts) as
// diagram rows, for viewing a loaded trace before it is replayed against a program
// (the replay gives the readable events: message contents, results).
import { OP, RES, RESOURCE_SPACE as SPACE, opName, describeResource } from "../../src/engine/ops.js";
import { sliceIndices } from "../../src/explore/slice.js";
import { traceTextOf } from "../../src/explore/trace-text.js";
import type { StepEvent, TraceFile } from "lockstep";

const pidText = (p: number) => `<0.${p}.0>`;

/** Checks the parts of a trace the page reads; replay validates the rest. A report (HTML) gives the trace it carries. */
export function parseTraceText(text: string): TraceFile {
  let t: unknown;
  try {
    t = JSON.parse(traceTextOf(text));
  } catch (e) {
    throw new Error(`the file is not JSON (${(e as Error).message})`);
  }
  const o = t as Partial<TraceFile>;
  if (!o || o.format !== "lockstep-trace") throw new Error(`the file is not a lockstep trace (its "format" is ${JSON.stringify(o?.format)})`);
  if (!Array.isArray(o.events) || !Array.isArray(o.decisions)) throw new Error("the trace has no events or decisions");
  return o as TraceFile;
}

export function traceEvents(t: TraceFile): StepEvent[] {
  const rows: StepEvent[] = t.events.map(([step, pid, op, res, aux]) => {
    const who = op === OP.TIMER_FIRE ? aux : pid;
    const result = op === OP.SPAWN && Math.floor(res / SPACE) === RES.PROC ? pidText(res % SPACE) : op === OP.BLOCK ? "waits" : "";
    return { step, pid: pidText(who), op: opName(op), detail: describeResource(op, res, who), result };
  });
  if (t.failure) {
    // The failing process, as src/explore/slice.ts finds it without the run's log.
    const named = /<0\.\d+\.0>/.exec(t.failure.message);
    const pid = t.failure.kind === "exception" ? "<0.1.0>" : named ? named[0] : (rows[rows.length - 1]?.pid ?? "<0.1.0>");
    rows.push({ step: t.failure.step, pid, op: `FAILS: ${t.failure.kind}`, detail: "", result: t.failure.message.split("\n")[0] });
  }
  return rows;
}

/** The causal slice of a trace, as indices into traceEvents(t) (the failure row included). */
export function traceSlice(t: TraceFile): number[] {
  if (!t.failure) return [];
  return [...sliceIndices(t), t.events.length];
}
