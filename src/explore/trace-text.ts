// Where a trace's JSON is in a file: the whole file, or the script element an HTML
// report (src/cli/report.ts) carries it in. No imports beyond the error class, so
// the playground reads reports with the same code as the CLI.
import { OptionsError } from "../runtime/errors.js";

/** The id of the report's script element holding the trace JSON. */
export const REPORT_TRACE_ID = "lockstep-trace";

/**
 * The trace JSON in `text`: the text itself, or, for an HTML report, the JSON in its
 * `lockstep-trace` script element (written with "<" escaped, so the first
 * "</script>" after it ends it).
 */
export function traceTextOf(text: string): string {
  if (!/^\s*</.test(text)) return text;
  const m = new RegExp(`<script type="application/json" id="${REPORT_TRACE_ID}">([\\s\\S]*?)</script>`).exec(text);
  if (!m) throw new OptionsError("this HTML file holds no lockstep trace (a report from an older lockstep, or another page)");
  return m[1];
}
