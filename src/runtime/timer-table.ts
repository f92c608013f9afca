// The TS side of the engine's timer heap: what each pending timer does when it fires.
// The engine owns deadlines and order (assembly/timers.ts); this owns the effects.
import { unblock } from "./blocking.js";
import { OP } from "../engine/ops.js";
import { show } from "../values/show.js";
import { Ref } from "../values/ref.js";
import { Wait, type Proc } from "./proc.js";
import { TIMEOUT } from "./timeout.js";
import type { Iteration } from "./iteration.js";
import { resolveDest } from "./destinations.js";
import { deliver } from "./mailbox.js";

const enum TimerKind {
  SEND_AFTER = 0,
  WAKE = 1,
  RECEIVE_TIMEOUT = 2,
  CALLBACK = 3,
}

interface TimerInfo {
  kind: TimerKind;
  owner: Proc;
  /** sendAfter to a pid: the target (the timer dies with it); else null. */
  target: Proc | null;
  dest: unknown;
  msg: unknown;
  ref: Ref | null;
  callback: (() => void) | null;
}

export class TimerTable {
  /** Invariant: info[t] is defined exactly while engine timer t is pending. */
  private readonly info: (TimerInfo | undefined)[] = [];
  private ofRef_: Map<Ref, number> | null = null;
  /** sendAfter refs of pending timers (cancelTimer); made on first use (most iterations set no timer). */
  private get ofRef(): Map<Ref, number> {
    return (this.ofRef_ ??= new Map());
  }

  constructor(private readonly it: Iteration) {}

  /** How many timers are pending (the step-limit report; not on a hot path). */
  pending(): number {
    let n = 0;
    for (const info of this.info) if (info !== undefined) n++;
    return n;
  }

  private add(kind: TimerKind, owner: Proc, target: Proc | null, ms: number): number {
    const t = this.it.x.addTimer(owner.id, ms);
    this.info[t] = { kind, owner, target, dest: undefined, msg: undefined, ref: null, callback: null };
    if (target && kind === TimerKind.SEND_AFTER) target.timersTo++;
    return t;
  }

  /** The timeout of a blocked receive or sleep (Iteration.block). */
  forWait(p: Proc, why: Wait, ms: number): number {
    return this.add(why === Wait.SLEEP ? TimerKind.WAKE : TimerKind.RECEIVE_TIMEOUT, p, p, ms);
  }

  /** Timer for sendAfter: returns its ref. */
  sendAfter(owner: Proc, dest: unknown, target: Proc | null, msg: unknown, ms: number): Ref {
    const t = this.add(TimerKind.SEND_AFTER, owner, target, ms);
    const info = this.info[t]!;
    info.dest = dest;
    info.msg = msg;
    info.ref = this.it.makeRef();
    this.ofRef.set(info.ref, t);
    return info.ref;
  }

  /** A timer that runs `callback` inside the scheduler when it fires (library use). */
  callback(owner: Proc, ms: number, callback: () => void): number {
    const t = this.add(TimerKind.CALLBACK, owner, null, ms);
    this.info[t]!.callback = callback;
    return t;
  }

  /** Cancels a sendAfter timer by ref: the ms that were left, or false. */
  cancelRef(ref: Ref): number | false {
    const t = this.ofRef.get(ref);
    if (t === undefined || !this.it.x.timerIsPending(t)) return false;
    const left = this.it.x.timerLeft(t);
    this.drop(t);
    return left;
  }

  drop(t: number): void {
    const info = this.info[t];
    if (info === undefined) return;
    this.it.x.cancelTimer(t);
    this.forget(t, info);
  }

  private forget(t: number, info: TimerInfo): void {
    this.info[t] = undefined;
    if (info.ref) this.ofRef.delete(info.ref);
    if (info.target && info.kind === TimerKind.SEND_AFTER) info.target.timersTo--;
  }

  /** q died: its sendAfter timers die with it (as erlang:send_after to a pid). */
  cancelTo(q: Proc): void {
    for (let t = 0; t < this.info.length && q.timersTo > 0; t++) {
      const info = this.info[t];
      if (info && info.kind === TimerKind.SEND_AFTER && info.target === q) this.drop(t);
    }
  }

  /** The engine fired timer t: apply its effect. */
  fire(t: number): void {
    const it = this.it;
    const info = this.info[t]!;
    this.forget(t, info);
    const owner = info.owner;
    switch (info.kind) {
      case TimerKind.SEND_AFTER: {
        const target = info.target ?? resolveDest(it, info.dest);
        if (it.detail) it.note(owner, OP.TIMER_FIRE, () => [`sendAfter to ${show(info.dest)}: ${show(info.msg)}`, target ? "delivered" : "dropped (no such process)"]);
        if (target) deliver(it, target, info.msg);
        return;
      }
      case TimerKind.WAKE:
        owner.waitTimer = -1;
        if (it.detail) it.note(owner, OP.TIMER_FIRE, () => ["sleep ends", ""]);
        owner.resumeValue = undefined;
        unblock(it, owner);
        return;
      case TimerKind.RECEIVE_TIMEOUT:
        owner.waitTimer = -1;
        if (it.detail) it.note(owner, OP.TIMER_FIRE, () => ["receive timeout", "TIMEOUT"]);
        owner.resumeValue = TIMEOUT;
        unblock(it, owner);
        return;
      case TimerKind.CALLBACK:
        info.callback!();
        return;
    }
  }
}
