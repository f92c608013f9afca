// note(): a line of the user's in the report's interleaving, at the current step.
import { OP } from "../engine/ops.js";
import { iterationFor } from "./context.js";
import { show } from "../values/show.js";

/**
 * Records `text` in the bug report's interleaving at the current step, attributed to
 * the calling process. Not a sync point: it changes no schedule and costs nothing
 * during the search (lines are kept only when a failing iteration is re-run for its
 * report).
 *
 * @example
 * note(`balance read: ${v}`);
 */
export function note(text: string): void {
  if (typeof text !== "string") throw new TypeError(`note expects a string, got ${show(text)}`);
  const it = iterationFor("note()");
  if (it.detail) it.note(it.caller()!, OP.NOTE, () => [text, ""]);
}
