// The ways an iteration can fail, and their messages (README "What an iteration can
// end in"). The controller decides when; this says what the user reads.
import { opName } from "../engine/ops.js";
import type { Pid } from "../values/pid.js";
import { Wait, type Proc } from "./proc.js";

export type FailureKind =
  | "exception"
  | "crash"
  | "deadlock"
  | "step-limit"
  | "uncontrolled-await"
  | "missing-await"
  | "divergence";

export interface Failure {
  kind: FailureKind;
  /** The thrown value, or an Error describing the failure. */
  error: unknown;
  message: string;
  /** The process the failure is about, if any. */
  pid?: Pid;
  /** Number of scheduling decisions taken when it happened. */
  step: number;
}

/** Where a replay stopped following its trace (ReplayDivergence carries it). */
export interface DivergenceInfo {
  step: number;
  expected: string;
  actual: string;
}

/** What a live process is doing, for deadlock reports. */
export function describeWait(q: Proc): string {
  switch (q.waiting) {
    case Wait.RECEIVE:
      return `waits in receive${q.match ? " (selective)" : ""} with ${q.home.mailbox.length} unmatched message(s) in its mailbox`;
    case Wait.SLEEP:
      return "sleeps";
    case Wait.OTHER:
      return `waits for ${typeof q.waitLabel === "function" ? q.waitLabel() : q.waitLabel}`;
    default:
      return "is runnable";
  }
}

export function deadlockMessage(procs: readonly (Proc | undefined)[]): string {
  const lines: string[] = [];
  for (const q of procs) {
    if (!q || !q.alive || q.system) continue;
    lines.push(`  ${q} ${describeWait(q)}`);
  }
  return `Deadlock: every live process is blocked and no timer is pending.\n${lines.join("\n")}`;
}

/**
 * No process can run, but `p` is parked in a lockstep call while calls of its other
 * flows (awaited together with it) finished: their results are handed over only when
 * p resumes (src/runtime/calls.ts), so lockstep cannot tell whether those flows would
 * have woken it. Not a verdict on the program (docs/shared-state.md, "A known limit").
 */
export function parkedWithResultsMessage(p: Proc, procs: readonly (Proc | undefined)[]): string {
  const calls = p.calls!.settled.map((c) => `${c.name}()`).join(", ");
  const others = procs.filter((q) => q && q.alive && !q.system && q !== p).map((q) => `  ${q} ${describeWait(q!)}`);
  return (
    `lockstep cannot explore this program past this point (not a verdict on it): ${p} is parked in a lockstep call (it ${describeWait(p)}), ` +
    `while its calls ${calls}, awaited together with it (Promise.all or similar), finished; their results are handed over ` +
    `only when ${p} resumes, and no process can run to resume it. In plain JavaScript the flows waiting on those ` +
    `results would go on, and might wake it. Only the first call of flows awaited together parks the process itself ` +
    `(the later ones run as tasks): let another flow make the first call, or run the flows as spawned processes.` +
    (others.length > 0 ? `\n${others.join("\n")}` : "")
  );
}

/**
 * `starvedTimers`: timers still pending under timers: "quiescent", where a timer fires
 * only when no process can run, so a process that polls in a loop keeps virtual time
 * from moving (a loop that real time would end): say so, it is the likely cause.
 */
export function stepLimitMessage(maxSteps: number, starvedTimers = 0): string {
  const starved =
    starvedTimers > 0
      ? `; ${starvedTimers} timer(s) never fired: under timers: "quiescent" a timer fires only when no process can run, ` +
        `so a process polling in a loop (yieldNow, whereis, ...) keeps virtual time still. Wait in receive or sleep instead, or use timers: "race"`
      : "";
  return `Step limit: ${maxSteps} scheduling decisions without the test finishing (a livelock, or raise maxSteps)${starved}`;
}

function afterLastOp(p: Proc | null): string {
  return p ? (p.lastOp ? ` after its ${opName(p.lastOp)}` : " before making any lockstep call") : "";
}

export function uncontrolledAwaitMessage(p: Proc | null, resources?: string[]): string {
  const what = resources && resources.length > 0 ? `a real ${resources.join(", ")} it started` : "a real timer, I/O, or a promise that never settles";
  return (
    `${p ?? "A process"} awaited something lockstep does not control (${what})` +
    afterLastOp(p) +
    `. Use lockstep's sleep/sendAfter/receive, or wrap the async function with controlled().`
  );
}

/** A process awaits a promise nothing can settle: no process can run, no timer, no real resource pending. */
export function lostWakeUpMessage(p: Proc | null, procs: readonly (Proc | undefined)[]): string {
  const others = procs.filter((q) => q && q.alive && !q.system && q !== p).map((q) => `  ${q} ${describeWait(q!)}`);
  return (
    `Deadlock (a lost wake-up): ${p ?? "a process"} awaits a promise that nothing can settle${afterLastOp(p)}: ` +
    `it is at no lockstep call, and nothing real (a timer, I/O) was started that could settle it ` +
    `(Node does not count an unref'd timer, such as AbortSignal.timeout's: with virtualTimers: true, timers are lockstep's).` +
    (others.length > 0 ? `\n${others.join("\n")}` : "") +
    // The one case where the verdict may be too strong: the promise is settled by code
    // of a process that could still run, which lockstep cannot see.
    (others.some((l) => l.endsWith("is runnable"))
      ? `\n  (If a runnable process's code would settle it, as with a library's lock or queue shared between spawned processes: ` +
        `a plain promise between processes is not a scheduling point. Run those flows in one process with Promise.all, ` +
        `or use lockstep's Mutex, Semaphore or Condition between processes.)`
      : "")
  );
}

/** A process function returned while a call it made was still pending. */
export function floatingCallMessage(p: Proc, pending: number): string {
  return pending > 0
    ? `${p} finished while ${pending} of its lockstep calls had not settled: a missing \`await\`?`
    : `${p} finished while one of its lockstep calls (${opName(p.lastOp)}) had not settled: a missing \`await\`?`;
}

export function crashMessage(p: Proc, reason: string): string {
  if (p.timer !== null) return timerCrashMessage(p, p.timer.describe(), reason);
  return `Process ${p} crashed: ${reason}\n(no process linked to it traps exits and no monitor watches it; pass allowCrashes: true if crashes are expected)`;
}

/** A timer callback threw (or its promise rejected) while `runner` ran it. */
export function timerCrashMessage(runner: Proc, timer: string, reason: string): string {
  return `A timer callback crashed: the ${timer} (run by ${runner.pid}) threw: ${reason}\n(a timer callback that throws is an uncaught exception in Node; pass allowCrashes: true if that is expected)`;
}

/** The body returned while controlled calls were still in flight (a warning, not a failure: fire-and-forget is legitimate). */
export function pendingCallsWarning(n: number): string {
  return `the body returned while ${n} controlled call${n === 1 ? " was" : "s were"} still pending: ${n === 1 ? "its result was" : "their results were"} dropped (await ${n === 1 ? "it" : "them"}, or \`await settle()\`, if ${n === 1 ? "its" : "their"} effects matter to the test)`;
}
