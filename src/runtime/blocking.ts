// Blocking and waking: a process that waits (receive, sleep, a Mutex...) is disabled in
// the engine until something makes it runnable again. Invariant: p.waiting !== NONE
// exactly while the engine has p disabled (asserted in debug builds).
import { Wait, type Matcher, type Proc } from "./proc.js";
import type { Iteration } from "./iteration.js";

/** Blocks the calling process in receive / sleep / a library wait. */
export function block(it: Iteration, p: Proc, why: Wait, m: Matcher | undefined, timeout: number, label: string | (() => string) = ""): void {
  if (it.detail && why === Wait.RECEIVE) {
    p.waitNote = "(woken)";
    p.waitSite = it.site();
  }
  p.waiting = why;
  p.match = m;
  p.waitLabel = label;
  it.x.disable(p.id);
  if (timeout !== Infinity) p.waitTimer = it.timers.forWait(p, why, timeout);
}

/** Makes a blocked process runnable again (its resumeValue is set by the caller). */
export function unblock(it: Iteration, q: Proc): void {
  if (q.home !== q && q.waiting === Wait.RECEIVE) {
    const rs = q.home.receivers!;
    rs.splice(rs.indexOf(q), 1);
  }
  q.waiting = Wait.NONE;
  q.match = undefined;
  q.waitLabel = "";
  if (q.waitTimer >= 0) {
    it.timers.drop(q.waitTimer);
    q.waitTimer = -1;
  }
  it.x.enable(q.id);
}
