// Message passing: send and selective receive.
import { block } from "./blocking.js";
import { OP, resource, RES } from "../engine/ops.js";
import { sync } from "./sync.js";
import type { Iteration } from "./iteration.js";
import type { Proc } from "./proc.js";
import { ArgumentError } from "./errors.js";
import { Via, resolveDest, nameRes } from "./destinations.js";
import { deliver, scan } from "./mailbox.js";
import { Pid } from "../values/pid.js";
import { Wait, type Matcher } from "./proc.js";
import { TIMEOUT, type Timeout } from "./timeout.js";
import type { Dest } from "./processes.js";
import { show } from "../values/show.js";

/**
 * Sends `msg` to `dest` (a pid, a registered name or a via name). Messages are
 * delivered at once, in order per sender/receiver pair, passed by reference.
 * A send to a dead pid is silently dropped (as in Erlang); a send to a name that no
 * process holds rejects with an ArgumentError.
 */
export function send(dest: Dest, msg: unknown): Promise<void> {
  return sync(OP.SEND, sendAct, dest, msg);
}

function sendAct(p: Proc, it: Iteration, dest: Dest, msg: unknown): Promise<void> {
  const q = resolveDest(it, dest);
  if (q === undefined) {
    if (dest instanceof Pid) {
      if (it.detail) it.note(p, OP.SEND, () => [`to ${dest}: ${show(msg)}`, "dropped (not a process of this iteration)"]);
      return it.handoff(p, OP.SEND, 0, 0, undefined);
    }
    if (typeof dest === "string" || typeof dest === "symbol" || dest instanceof Via) {
      throw new ArgumentError(`send: no process is registered as ${show(dest)} (the name is free or its process died)`);
    }
    throw new TypeError(`send expects a pid, a name or a via name as destination, got ${show(dest)}`);
  }
  const c = it.cluster;
  if (c !== null && q.node !== p.home.node) {
    const how = c.transit(p.home, q, "msg", msg);
    if (how !== null) {
      if (it.detail) it.note(p, OP.SEND, () => [`to ${q.pid}: ${show(msg)}`, `${how} (partition)`]);
      return it.handoff(p, OP.SEND, resource(RES.PROC, q.id), 0, undefined);
    }
  }
  if (it.detail) it.note(p, OP.SEND, () => [`to ${q.pid}: ${show(msg)}`, q.alive ? "" : "dropped (dead)"]);
  deliver(it, q, msg);
  return it.handoff(p, OP.SEND, resource(RES.PROC, q.id), 0, undefined);
}

export interface ReceiveOptions {
  /** Virtual milliseconds to wait before resolving to TIMEOUT (default: forever). */
  timeout?: number;
}

/** Validates a timeout in virtual ms (Infinity allowed). */
export function checkTimeout(t: unknown, what: string): number {
  if (t === undefined) return Infinity;
  if (typeof t !== "number" || Number.isNaN(t) || t < 0) {
    throw new TypeError(`${what}: timeout must be a non-negative number of virtual ms or Infinity, got ${show(t)}`);
  }
  return t;
}

/**
 * Takes the first message in mailbox order for which `match` returns truthy (any
 * message without `match`), waiting if there is none. With `{ timeout }` resolves
 * to TIMEOUT after that many virtual ms. The predicate runs in the receiving
 * process; if it throws, the receive rejects with that error.
 */
export function receive<T>(match: (msg: any) => msg is T, opts?: ReceiveOptions & { timeout?: undefined }): Promise<T>;
export function receive<T>(match: (msg: any) => msg is T, opts?: ReceiveOptions): Promise<T | Timeout>;
export function receive<T = any>(match?: Matcher | null, opts?: ReceiveOptions & { timeout?: undefined }): Promise<T>;
export function receive<T = any>(match?: Matcher | null, opts?: ReceiveOptions): Promise<T | Timeout>;
// Overloads: without a timeout a receive can only end with a message, so TIMEOUT is not
// in its type; a type-guard predicate narrows the message type.
export function receive<T = any>(match?: Matcher | null, opts?: ReceiveOptions): Promise<T | Timeout> {
  return sync(OP.RECEIVE, receiveAct, match, opts) as Promise<T | Timeout>;
}

function receiveAct(p: Proc, it: Iteration, match: Matcher | null | undefined, opts: ReceiveOptions | undefined): Promise<unknown> {
  if (match === null) match = undefined;
  if (match !== undefined && typeof match !== "function") {
    throw new TypeError(`receive expects a predicate function (or nothing), got ${show(match)}`);
  }
  const timeout = checkTimeout(opts?.timeout, "receive");
  // A task receiving for its process (two GenServer.calls awaited together) reads the
  // process's mailbox and waits beside it (Iteration.deliver).
  const me = p.home;
  const i = scan(me, match);
  const res = resource(RES.PROC, me.id);
  if (i >= 0) {
    const msg = i === 0 ? me.mailbox.shift() : me.mailbox.splice(i, 1)[0];
    if (it.detail) it.note(p, OP.RECEIVE, () => [match ? "(selective)" : "", show(msg)]);
    return it.handoff(p, OP.RECEIVE, res, 0, msg);
  }
  if (timeout === 0) {
    if (it.detail) it.note(p, OP.RECEIVE, () => ["receive (timeout 0)", "TIMEOUT"]);
    return it.handoff(p, OP.RECEIVE, res, 1, TIMEOUT);
  }
  block(it, p, Wait.RECEIVE, match, timeout);
  if (me !== p) (me.receivers ??= []).push(p);
  if (it.detail) it.note(p, OP.RECEIVE, () => [timeout !== Infinity ? `(timeout ${timeout})` : "", "waits"]);
  return it.handoff(p, OP.BLOCK, res, 0, undefined);
}
