// Process helpers for the OTP layer (GenServer, Task, Supervisor): aliases, exit/1,
// internal monitors and message matchers. Library sync points, not exported from the
// package.
import { OP, resource, RES } from "../engine/ops.js";
import { NEVER } from "./iteration.js";
import { die, continueAfterDeath } from "./exits.js";
import { deliver } from "./mailbox.js";
import { sync } from "./sync.js";
import { Pid } from "../values/pid.js";
import { Ref } from "../values/ref.js";
import { monitorFrom, type Dest } from "./processes.js";
import { show } from "../values/show.js";


/**
 * A reply address that can be switched off: OTP 24's process alias. Messages sent
 * through it after `active` became false are dropped, so a reply that arrives after
 * its call timed out never reaches the caller's mailbox.
 */
export class Alias {
  /** @internal */ active = true;
  constructor(
    readonly pid: Pid,
    readonly tag: Ref,
  ) {}
}

/** Sends through an alias: delivered while the alias is active, dropped otherwise. A sync point either way. */
export function sendToAlias(alias: Alias, msg: unknown): Promise<void> {
  return sync(OP.SEND, (p, it) => {
    const q = it.proc(alias.pid);
    const live = alias.active && q !== undefined;
    // A reply to a caller on another node travels through the cluster (held or lost by a partition).
    const how = live && it.cluster !== null ? it.cluster.transit(p.home, q, "msg", msg, alias) : null;
    if (it.detail) it.note(p, OP.SEND, () => [`to ${alias.pid}: ${show(msg)}`, !live ? "dropped (alias inactive: the call ended)" : how !== null ? `${how} (partition)` : ""]);
    if (live && how === null) deliver(it, q, msg);
    return it.handoff(p, OP.SEND, resource(RES.PROC, alias.pid.id), 0, undefined);
  });
}

/** Erlang's exit/1: the caller ends with `reason` whether or not it traps exits (not a crash). */
export function exitSelf(reason: unknown): Promise<never> {
  return sync(OP.EXIT, (p, it) => {
    if (it.detail) it.note(p, OP.EXIT, () => ["(stop)", show(reason)]);
    die(it, p.home, reason);
    if (p.alive) return it.handoff(p, OP.EXIT, resource(RES.PROC, p.home.id), 0, undefined) as Promise<never>;
    continueAfterDeath(it, p, OP.EXIT);
    return NEVER;
  });
}

/** A monitor that does not count as handling the target's crash (library use). */
export function monitorInternal(dest: Dest): Promise<Ref> {
  return sync(OP.MONITOR, (p, it) => {
    return monitorFrom(p, it, dest, true);
  });
}

/** A matcher for the DOWN of monitor `ref`. */
export const downOf = (ref: Ref) => (m: any): boolean => m !== null && typeof m === "object" && m.type === "DOWN" && m.ref === ref;
/** A matcher for an EXIT message from `pid`. */
export const exitFrom = (pid: Pid) => (m: any): boolean => m !== null && typeof m === "object" && m.type === "EXIT" && m.from === pid;
