// Mailboxes: delivery to a process (and to the tasks receiving for it) and the
// selective scan of receive. Messages are passed by reference, in order per
// sender/receiver pair; a message that no waiting receive takes is queued.
import { unblock } from "./blocking.js";
import { Wait, type Matcher, type Proc } from "./proc.js";
import type { Iteration } from "./iteration.js";

/** Puts msg in q's mailbox, or hands it to a receive waiting on it that matches. */
export function deliver(it: Iteration, q: Proc, msg: unknown): void {
  if (!q.alive) return;
  if (q.waiting === Wait.RECEIVE && offer(it, q, q, msg)) return;
  const rs = q.receivers;
  if (rs !== null) {
    for (let i = 0; i < rs.length; i++) if (offer(it, q, rs[i], msg)) return;
  }
  q.mailbox.push(msg);
}

/** Offers msg to r, waiting in a receive on q's mailbox; true when r took it (or its predicate threw). */
function offer(it: Iteration, q: Proc, r: Proc, msg: unknown): boolean {
  const m = r.match;
  let ok = true;
  if (m !== undefined) {
    try {
      ok = !!m(msg);
    } catch (e) {
      // The predicate belongs to r: its error surfaces in r's receive.
      q.mailbox.push(msg);
      r.resumeError = e;
      r.hasResumeError = true;
      unblock(it, r);
      return true;
    }
  }
  if (!ok) return false;
  r.resumeValue = msg;
  unblock(it, r);
  return true;
}

/** Index of the first message in q's mailbox matching m, or -1. Runs the predicate in the caller. */
export function scan(q: Proc, m: Matcher | undefined): number {
  const box = q.mailbox;
  if (m === undefined) return box.length > 0 ? 0 : -1;
  for (let i = 0; i < box.length; i++) if (m(box[i])) return i;
  return -1;
}
