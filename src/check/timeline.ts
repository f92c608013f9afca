// A failing subsequence drawn as operation intervals on one time axis, a row per
// operation grouped by process: what a reader needs to see which operations overlapped
// (and so could have been reordered) and which did not.
import { describeOp, type Op } from "./history.js";
import { show } from "../values/show.js";

/** Columns per event on the time axis. */
const STEP = 2;

export function timeline(ops: readonly Op[]): string {
  // Only the order of invocations and completions matters: rank them.
  const times = [...new Set(ops.flatMap((o) => (o.complete === Infinity ? [o.invoke] : [o.invoke, o.complete])))].sort((a, b) => a - b);
  const col = new Map(times.map((t, i) => [t, i * STEP]));
  const width = (times.length - 1) * STEP + 1;
  const who = (o: Op) => (o.process === undefined ? "-" : show(o.process));
  const pad = Math.max(...ops.map((o) => who(o).length));
  const rows = [...ops].sort((a, b) => who(a).localeCompare(who(b)) || a.invoke - b.invoke);
  const lines = ["timeline (time flows right; each row one operation, from invocation to completion):"];
  for (const o of rows) {
    const from = col.get(o.invoke)!;
    const to = o.complete === Infinity ? width + 1 : col.get(o.complete)!;
    const bar = " ".repeat(from) + "|" + "=".repeat(Math.max(0, to - from - 1)) + (o.complete === Infinity ? ">" : "|");
    lines.push(`  ${who(o).padEnd(pad)}  ${bar.padEnd(width + 3)}  ${describeOp(o).replace(` ${who(o)}`, "").replace(/ \[[^\]]*\]$/, "")}`);
  }
  return lines.join("\n");
}
