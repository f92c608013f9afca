// Processes, links, monitors and exit signals: the OTP process model.
import { OP, resource, RES } from "../engine/ops.js";
import { iterationFor } from "./context.js";
import { sync } from "./sync.js";
import { NEVER } from "./iteration.js";
import { ArgumentError } from "./errors.js";
import { Pid } from "../values/pid.js";
import { Ref } from "../values/ref.js";
import type { Iteration } from "./iteration.js";
import { SURVIVES, die, exitSignal, continueAfterDeath } from "./exits.js";
import { deliver } from "./mailbox.js";
import { resolveDest, type Via } from "./destinations.js";
import type { Proc } from "./proc.js";
import { show } from "../values/show.js";
import { spawnedName } from "./lane-names.js";

/** A destination: a pid, a locally registered name, or a `via(registry, key)` name. */
export type Dest = Pid | string | symbol | Via;

/** A DOWN message, delivered to a monitoring process when its target exits. */
export interface DownMessage {
  type: "DOWN";
  ref: Ref;
  pid: Pid | unknown;
  reason: unknown;
}

/** An EXIT message, delivered instead of an exit signal to a process that traps exits. */
export interface ExitMessage {
  type: "EXIT";
  from: Pid;
  reason: unknown;
}

/** The process calling this (a plain call, not a sync point). */
export function self(): Pid {
  return iterationFor("self()").running!.pid;
}

/** A new unique reference (a plain call). */
export function makeRef(): Ref {
  return iterationFor("makeRef()").makeRef();
}

function checkFn(fn: unknown, what: string): asserts fn is () => unknown {
  if (typeof fn !== "function") throw new TypeError(`${what} expects a function (the process body), got ${show(fn)}`);
}

/** How a spawn watches its child (bits of spawnAct's second argument). */
const LINK = 1;
const MONITOR = 2;
const INTERNAL = 4;

function spawnOp(fn: () => unknown, op: number, link: boolean, mon: boolean, internal = false): Promise<unknown> {
  return sync(op, spawnAct, fn, (link ? LINK : 0) | (mon ? MONITOR : 0) | (internal ? INTERNAL : 0));
}

function spawnAct(p: Proc, it: Iteration, fn: () => unknown, how: number): Promise<unknown> {
  const link = (how & LINK) !== 0;
  const mon = (how & MONITOR) !== 0;
  const internal = (how & INTERNAL) !== 0;
  const me = p.home;
  const q = it.spawnProcess(fn, false, "");
  q.node = me.node;
  let ref: Ref | undefined;
  if (link) it.x.linkAdd(me.id, q.id);
  if (mon) ref = it.monitors.add(me, q, internal);
  if (it.detail) {
    it.note(p, OP.SPAWN, () => [link ? "(link)" : mon ? "(monitor)" : "", String(q.pid)]);
    const name = spawnedName(fn, internal);
    if (name) it.nameLane(q, name);
  }
  // aux tells the causal slice (src/explore/slice.ts) that the parent watches the child: 1 link, 2 monitor.
  return it.handoff(p, OP.SPAWN, resource(RES.PROC, q.id), link ? 1 : mon ? 2 : 0, mon ? { pid: q.pid, ref } : q.pid);
}

/** Starts a new process running `fn`; resolves to its pid. */
export function spawn(fn: () => unknown): Promise<Pid> {
  try {
    checkFn(fn, "spawn");
    return spawnOp(fn, OP.SPAWN, false, false) as Promise<Pid>;
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Starts a new process linked to the caller. */
export function spawnLink(fn: () => unknown): Promise<Pid> {
  try {
    checkFn(fn, "spawnLink");
    return spawnOp(fn, OP.SPAWN, true, false) as Promise<Pid>;
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * spawn (or spawnLink) plus an internal monitor in one step, for library code
 * (GenServer.start, Task.async — Erlang's spawn_opt with [link, monitor]): no window
 * in which the child can die unwatched. The monitor does not count as handling the
 * child's crash.
 */
export function spawnMonitorInternal(fn: () => unknown, link: boolean, what: string): Promise<{ pid: Pid; ref: Ref }> {
  try {
    checkFn(fn, what);
    return spawnOp(fn, OP.SPAWN, link, true, true) as Promise<{ pid: Pid; ref: Ref }>;
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Starts a new process monitored by the caller; resolves to `{ pid, ref }`. */
export function spawnMonitor(fn: () => unknown): Promise<{ pid: Pid; ref: Ref }> {
  try {
    checkFn(fn, "spawnMonitor");
    return spawnOp(fn, OP.SPAWN, false, true) as Promise<{ pid: Pid; ref: Ref }>;
  } catch (e) {
    return Promise.reject(e);
  }
}

function targetOf(it: Iteration, dest: unknown, what: string): Proc | undefined {
  if (dest instanceof Pid) return it.proc(dest);
  const q = resolveDest(it, dest);
  if (q === undefined && typeof dest !== "string" && typeof dest !== "symbol" && !(dest instanceof Object)) {
    throw new TypeError(`${what} expects a pid or a name, got ${show(dest)}`);
  }
  return q;
}

/**
 * Sends an exit signal to `pid` (OTP's exit/2): "kill" kills unconditionally
 * (reason "killed"); "normal" kills nobody but the caller itself; any other reason
 * kills a process that does not trap exits; a trapping process receives
 * `{ type: "EXIT", from, reason }` instead. When this resolves, `isAlive(pid)`
 * already sees the effect.
 */
export function exit(pid: Dest, reason: unknown): Promise<true> {
  return sync(OP.EXIT_SIGNAL, (p, it) => {
    const me = p.home;
    const q = targetOf(it, pid, "exit");
    // As send: a name nobody holds is an error (a dead pid is not: the signal is dropped, as in OTP).
    if (q === undefined && !(pid instanceof Pid)) throw new ArgumentError(`exit: no process is registered as ${show(pid)} (the name is free or its process died)`);
    const how = q !== undefined && q !== me && it.cluster !== null ? it.cluster.transit(me, q, "exit", reason) : null;
    if (how !== null) {
      if (it.detail) it.note(p, OP.EXIT_SIGNAL, () => [`${q!.pid}, ${show(reason)}`, `${how} (partition)`]);
    } else if (q !== undefined && q.alive) {
      let why: unknown;
      if (q === me && reason === "normal" && !me.trap) why = "normal";
      else why = exitSignal(it, me, q, reason, true);
      if (it.detail) it.note(p, OP.EXIT_SIGNAL, () => [`${q.pid}, ${show(reason)}`, why === SURVIVES ? (q.trap ? "EXIT message" : "ignored") : `killed: ${show(why)}`]);
      if (why !== SURVIVES) die(it, q, why);
    } else {
      if (it.detail) it.note(p, OP.EXIT_SIGNAL, () => [`${show(pid)}, ${show(reason)}`, "no such process"]);
    }
    if (!p.alive) {
      continueAfterDeath(it, p, OP.EXIT_SIGNAL);
      return NEVER;
    }
    return it.handoff(p, OP.EXIT_SIGNAL, resource(RES.PROC, q ? q.id : 0), 0, true as const);
  });
}

/** Whether `pid` is alive (a sync point). */
export function isAlive(pid: Pid): Promise<boolean> {
  return sync(OP.IS_ALIVE, (p, it) => {
    if (!(pid instanceof Pid)) throw new TypeError(`isAlive expects a pid, got ${show(pid)}`);
    const q = it.proc(pid);
    const alive = q !== undefined && q.alive;
    if (it.detail) it.note(p, OP.IS_ALIVE, () => [`${pid}`, String(alive)]);
    return it.handoff(p, OP.IS_ALIVE, resource(RES.PROC, pid.id), 0, alive);
  });
}

/**
 * Links the caller and `pid`. Linking to a process that is not alive sends the
 * caller an exit signal with reason "noproc" (an EXIT message if it traps exits).
 */
export function link(pid: Pid): Promise<true> {
  return sync(OP.LINK, (p, it) => {
    if (!(pid instanceof Pid)) throw new TypeError(`link expects a pid, got ${show(pid)}`);
    const me = p.home;
    const q = it.proc(pid);
    // Erlang: a link to a process on a node that cannot be reached gives the caller a noconnection exit signal.
    const why = q !== undefined && it.cluster !== null && it.cluster.unreachable(me, q) ? "noconnection" : "noproc";
    if (q !== undefined && q.alive && why === "noproc") {
      if (q !== me) it.x.linkAdd(me.id, q.id);
      if (it.detail) it.note(p, OP.LINK, () => [`${pid}`, "ok"]);
    } else {
      if (it.detail) it.note(p, OP.LINK, () => [`${pid}`, why]);
      // The outcome read q's liveness; the caller may die here, and then the recorded
      // operation names the caller, not q: say it to dpor (its LIFE(q) resource).
      if (q !== undefined) it.x.touch(resource(RES.LIFE, q.id), 0);
      if (me.trap) deliver(it, me, { type: "EXIT", from: pid, reason: why });
      else {
        die(it, me, why);
        if (!p.alive) {
          continueAfterDeath(it, p, OP.LINK);
          return NEVER;
        }
      }
    }
    return it.handoff(p, OP.LINK, resource(RES.PROC, pid.id), 0, true as const);
  });
}

/** Removes the link between the caller and `pid`, if any. */
export function unlink(pid: Pid): Promise<true> {
  return sync(OP.UNLINK, (p, it) => {
    if (!(pid instanceof Pid)) throw new TypeError(`unlink expects a pid, got ${show(pid)}`);
    const q = it.proc(pid);
    if (q !== undefined) it.x.linkRemove(p.home.id, q.id);
    if (it.detail) it.note(p, OP.UNLINK, () => [`${pid}`, "ok"]);
    return it.handoff(p, OP.UNLINK, resource(RES.PROC, pid.id), 0, true as const);
  });
}

/** Sets whether the caller traps exit signals; resolves to the previous setting. */
export function trapExits(flag: boolean): Promise<boolean> {
  return sync(OP.TRAP_EXIT, (p, it) => {
    if (typeof flag !== "boolean") throw new TypeError(`trapExits expects a boolean, got ${show(flag)}`);
    const me = p.home;
    const old = me.trap;
    me.trap = flag;
    if (it.detail) it.note(p, OP.TRAP_EXIT, () => [`${flag}`, String(old)]);
    return it.handoff(p, OP.TRAP_EXIT, resource(RES.PROC, me.id), 0, old);
  });
}

/** Monitors `dest` (a pid or a name); a dead or unknown target gives an immediate DOWN with reason "noproc". */
export function monitor(dest: Dest): Promise<Ref> {
  return sync(OP.MONITOR, (p, it) => {
    return monitorFrom(p, it, dest, false);
  });
}

/** monitor() for library code: `internal` monitors (e.g. inside GenServer.call) do not count as handling a crash. */
export function monitorFrom(p: Proc, it: Iteration, dest: Dest, internal: boolean): Promise<Ref> {
  const q = targetOf(it, dest, "monitor");
  let ref: Ref;
  if (q !== undefined && it.cluster !== null && it.cluster.unreachable(p.home, q)) {
    // Erlang: monitoring a process on a node that cannot be reached gives DOWN noconnection at once.
    ref = it.makeRef();
    if (it.detail) it.note(p, OP.MONITOR, () => [`${show(dest)}`, "noconnection"]);
    deliver(it, p.home, { type: "DOWN", ref, pid: q.pid, reason: "noconnection" });
  } else if (q !== undefined && q.alive) {
    ref = it.monitors.add(p.home, q, internal);
    if (it.detail) it.note(p, OP.MONITOR, () => [`${show(dest)}`, String(ref)]);
  } else {
    ref = it.makeRef();
    if (it.detail) it.note(p, OP.MONITOR, () => [`${show(dest)}`, "noproc"]);
    deliver(it, p.home, { type: "DOWN", ref, pid: q ? q.pid : dest, reason: "noproc" });
  }
  return it.handoff(p, OP.MONITOR, resource(RES.PROC, q ? q.id : 0), 0, ref);
}

/**
 * Removes a monitor. With `{ flush: true }` also removes its DOWN message from the
 * caller's mailbox if it already arrived. Resolves to true.
 */
export function demonitor(ref: Ref, opts: { flush?: boolean } = {}): Promise<true> {
  return sync(OP.DEMONITOR, (p, it) => {
    if (!(ref instanceof Ref)) throw new TypeError(`demonitor expects a monitor ref, got ${show(ref)}`);
    return demonitorFrom(p, it, ref, !!opts?.flush);
  });
}

export function demonitorFrom(p: Proc, it: Iteration, ref: Ref, flush: boolean): Promise<true> {
  it.monitors.remove(ref, p.home);
  if (flush) {
    const box = p.home.mailbox;
    for (let i = box.length - 1; i >= 0; i--) {
      const m = box[i] as DownMessage;
      if (m !== null && typeof m === "object" && m.type === "DOWN" && m.ref === ref) box.splice(i, 1);
    }
  }
  if (it.detail) it.note(p, OP.DEMONITOR, () => [`${ref}${flush ? ", flush" : ""}`, "ok"]);
  return it.handoff(p, OP.DEMONITOR, resource(RES.PROC, p.id), 0, true as const);
}
