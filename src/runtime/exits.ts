// Deaths and exit signals (OTP's process exit): what happens when a process ends, is
// killed, or receives a signal from a linked process or exit/2.
import { OP, resource, RES } from "../engine/ops.js";
import { show, errorText } from "../values/show.js";
import type { Proc } from "./proc.js";
import type { Iteration } from "./iteration.js";
import { deliver } from "./mailbox.js";
import { crashMessage } from "./failure.js";
import { nameRes } from "./destinations.js";

/** exitSignal's answer when the receiver survives: undefined is a valid exit reason. */
export const SURVIVES: unique symbol = Symbol("survives");

/** A crash is handled when a trapping linked process or a user monitor watches it. */
export function crashHandled(it: Iteration, p: Proc): boolean {
  for (const q of it.procs) {
    if (q && q.alive && q.trap && q !== p && it.x.linked(p.id, q.id)) return true;
  }
  return it.monitors.watchedByUser(p);
}

/**
 * A spawned process's function returned (reason "normal") or threw: it exits, or the
 * iteration fails with kind "crash" when nothing handles the crash.
 */
export function processEnded(it: Iteration, p: Proc, crashed: boolean, reason: unknown): void {
  if (it.detail) it.note(p, OP.EXIT, () => [crashed ? "(crashed)" : "", crashed ? errorText(reason) : "normal"]);
  if (crashed && !it.config.allowCrashes && !crashHandled(it, p)) {
    it.fail("crash", reason, crashMessage(p, errorText(reason)), p);
    return;
  }
  die(it, p, reason);
  continueAfterDeath(it, p, OP.EXIT);
}

/**
 * Kills p with `reason`: frees its names, cancels timers aimed at it, releases its
 * monitors, puts DOWN messages in watchers' mailboxes and sends exit signals to
 * linked processes, all at once (as Erlang does at process exit).
 */
export function die(it: Iteration, p: Proc, reason: unknown): void {
  let work: [Proc, unknown][];
  // Most deaths (every controlled call's task) touch nothing but the engine: one call
  // when nothing watches p either.
  if (p.alive && p.names === null && p.waitTimer < 0 && p.receivers === null && p.timersTo === 0 && it.cluster === null) {
    p.alive = false;
    p.reason = reason;
    p.wake = null;
    p.wakeErr = null;
    if (it.x.exit(p.id) === 0) {
      if (p.id === 1) bodyKilled(it, p);
      return;
    }
    work = [];
    signalWatchers(it, p, reason, work);
  } else work = [[p, reason]];
  while (work.length > 0) {
    const [q, why] = work.pop()!;
    if (!q.alive) continue;
    q.alive = false;
    q.reason = why;
    q.wake = null;
    q.wakeErr = null;
    it.x.kill(q.id);
    if (q.names) {
      // Freeing a name is a write of it (an access dpor's dependency relation needs; a no-op otherwise).
      for (const n of q.names) {
        it.names.delete(n);
        it.x.touch(nameRes(it, n), 1);
      }
      q.names = null;
    }
    if (q.waitTimer >= 0) it.timers.drop(q.waitTimer);
    // Tasks receiving for q go with it: nothing can reach that mailbox any more.
    if (q.receivers !== null) for (const r of q.receivers.splice(0)) work.push([r, why]);
    if (q.timersTo > 0) it.timers.cancelTo(q);
    // On a cluster, signals to processes on other nodes travel like messages (held by a deferring partition).
    if (it.cluster !== null) it.cluster.died(q);
    signalWatchers(it, q, why, work);
  }
  // The body killed by another process's signal (a link, exit/2) ends the iteration.
  const body = it.procs[1];
  if (body !== undefined && !body.alive) bodyKilled(it, body);
}

/** q died: DOWN messages to its monitors, exit signals to its links (the processes they kill go on `work`). */
function signalWatchers(it: Iteration, q: Proc, why: unknown, work: [Proc, unknown][]): void {
  const c = it.cluster;
  for (const [ref, watcher] of it.monitors.targetDown(q)) {
    const down = { type: "DOWN", ref, pid: q.pid, reason: why };
    if (c === null || c.transit(q, watcher, "down", down) === null) deliver(it, watcher, down);
  }
  const n = it.x.linkTakeAll(q.id);
  if (n > 0) {
    for (const other of it.engine.readScratch(n)) {
      const l = it.procs[other]!;
      if (c !== null && c.transit(q, l, "link", why) !== null) continue;
      const killedBy = exitSignal(it, q, l, why);
      if (killedBy !== SURVIVES) work.push([l, killedBy]);
    }
  }
}

/** The body died by an exit signal: the iteration fails with kind "crash" (DESIGN.md). */
function bodyKilled(it: Iteration, body: Proc): void {
  it.fail("crash", body.reason, `The test body (${body.pid}) was killed by an exit signal: ${show(body.reason)}`, body);
}

/**
 * Delivers an exit signal from `from` to `to` as a linked process or through exit/2.
 * Returns the reason `to` must die with, or SURVIVES. OTP rules: "kill" (only through
 * exit/2) cannot be trapped and kills with "killed"; a trapping process gets
 * { type: "EXIT", from, reason } instead; "normal" never kills another process.
 */
export function exitSignal(it: Iteration, from: Proc, to: Proc, reason: unknown, untrappableKill = false): unknown {
  if (!to.alive) return SURVIVES;
  if (untrappableKill && reason === "kill") return "killed";
  if (to.trap) {
    deliver(it, to, { type: "EXIT", from: from.pid, reason });
    return SURVIVES;
  }
  if (reason === "normal") return SURVIVES;
  return reason;
}

/** After the running process died in its own sync point: choose who runs next. */
export function continueAfterDeath(it: Iteration, p: Proc, op: number): void {
  if (p.id === 1) {
    bodyKilled(it, p);
    return;
  }
  const next = it.decide(p, op, resource(RES.PROC, p.id), 0);
  if (next) it.transfer(next);
}
