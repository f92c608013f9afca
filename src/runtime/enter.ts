// The low-level entry of a step the runtime takes for the running process itself (a
// re-park, a task's resolution). User-facing sync points go through sync().
import { opName } from "../engine/ops.js";
import type { Iteration } from "./iteration.js";
import type { Proc } from "./proc.js";

/**
 * Low-level entry of a step the runtime takes for the running process (a re-park, a
 * task's resolution): the process, or null when the call must not proceed (iteration
 * over, or a call from outside any process's turn, which this reports). User-facing
 * sync points go through sync() (src/runtime/sync.ts).
 */
export function enterStep(it: Iteration, op: number): Proc | null {
  if (it.done) return null;
  const p = it.running;
  if (p === null || p.wake !== null) {
    const who = p ?? it.lastRunner;
    it.fail(
      "missing-await",
      new Error("missing await"),
      `${who ?? "a process"} called ${opName(op)} while its previous lockstep call (${opName(who?.lastOp ?? 0)}) had not settled: a missing \`await\`?`,
      who ?? undefined,
    );
    return null;
  }
  p.lastOp = op;
  return p;
}
