// Virtual time: now, sleep, sendAfter, cancelTimer, yieldNow. The clock starts at 0
// each iteration and moves only when a timer fires (see DESIGN.md, timer policies).
import { block } from "./blocking.js";
import { OP, resource, RES } from "../engine/ops.js";
import { iterationFor } from "./context.js";
import { sync } from "./sync.js";
import { Pid } from "../values/pid.js";
import { Ref } from "../values/ref.js";
import { Wait, type Proc } from "./proc.js";
import type { Iteration } from "./iteration.js";
import { checkTimeout } from "./messages.js";
import type { Dest } from "./processes.js";
import { show } from "../values/show.js";

/** Virtual milliseconds since the iteration began (a plain call). */
export function now(): number {
  return iterationFor("now()").x.now();
}

/** Lets the scheduler run someone else; the caller stays runnable. */
export function yieldNow(): Promise<void> {
  return sync(OP.YIELD, yieldAct);
}

function yieldAct(p: Proc, it: Iteration): Promise<void> {
  if (it.detail) it.note(p, OP.YIELD, () => ["yield", ""]);
  return it.handoff(p, OP.YIELD, resource(RES.PROC, p.id), 0, undefined);
}

/** Sleeps `ms` virtual milliseconds; `sleep(0)` is `yieldNow()`. */
export function sleep(ms: number): Promise<void> {
  return sync(OP.SLEEP, (p, it) => {
    const t = checkTimeout(ms, "sleep");
    if (t === 0) return yieldNow();
    if (t === Infinity) block(it, p, Wait.OTHER, undefined, Infinity, "sleep(Infinity)");
    else block(it, p, Wait.SLEEP, undefined, t);
    if (it.detail) it.note(p, OP.SLEEP, () => [`${ms}`, ""]);
    return it.handoff(p, OP.SLEEP, resource(RES.PROC, p.id), 0, undefined);
  });
}

/**
 * Sends `msg` to `dest` after `ms` virtual milliseconds; resolves to a timer ref for
 * cancelTimer. A name is resolved when the timer fires; a timer aimed at a pid is
 * cancelled if that process dies first, or at once if it is already dead (as
 * erlang:send_after does: cancelTimer then answers false).
 */
export function sendAfter(dest: Dest, msg: unknown, ms: number): Promise<Ref> {
  return sync(OP.SEND_AFTER, (p, it) => {
    const t = checkTimeout(ms, "sendAfter");
    if (t === Infinity) throw new TypeError("sendAfter: the delay must be finite");
    const target = dest instanceof Pid ? it.proc(dest) ?? null : null;
    // OTP erl_hl_timer.c setup_bif_timer: a timer aimed at a pid that is not alive is
    // destroyed at once; the ref is still returned, and cancel_timer answers false.
    const ref = dest instanceof Pid && (target === null || !target.alive) ? it.makeRef() : it.timers.sendAfter(p, dest, target, msg, t);
    if (it.detail) it.note(p, OP.SEND_AFTER, () => [`${show(dest)}, ${show(msg)}, ${ms}`, String(ref)]);
    return it.handoff(p, OP.SEND_AFTER, resource(RES.PROC, target ? target.id : 0), 0, ref);
  });
}

/** Cancels a sendAfter timer: resolves to the virtual ms that were left, or false if it already fired or was cancelled. */
export function cancelTimer(ref: Ref): Promise<number | false> {
  return sync(OP.CANCEL_TIMER, (p, it) => {
    if (!(ref instanceof Ref)) throw new TypeError(`cancelTimer expects a timer ref from sendAfter, got ${show(ref)}`);
    const left = it.timers.cancelRef(ref);
    if (it.detail) it.note(p, OP.CANCEL_TIMER, () => [`${ref}`, String(left)]);
    return it.handoff(p, OP.CANCEL_TIMER, resource(RES.TIMER, ref.id), 0, left);
  });
}
