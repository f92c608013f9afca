// DynamicSupervisor: Elixir's lib/elixir/lib/dynamic_supervisor.ex, as a GenServer
// that traps exits. It starts with no children; startChild starts one (inside the
// supervisor process, so the child is linked to it) and keeps it by pid. Strategy
// one_for_one only: a child's EXIT restarts that child per its restart type, counted
// against the restart intensity in virtual time; a failed restart is retried through
// the supervisor's own mailbox ({:"$gen_restart", pid}) with the child shown as
// "restarting". Children stop all at once (exit "shutdown", "kill" after their
// shutdown time), with terminateChild or when the supervisor stops.
import { OptionsError } from "../runtime/errors.js";
import { send } from "../runtime/messages.js";
import { self, trapExits } from "../runtime/processes.js";
import { laneLabel } from "../runtime/lane-names.js";
import { Pid } from "../values/pid.js";
import { isPlainObject } from "../values/term.js";
import { show, trustShow } from "../values/show.js";
import { GenServer, type Behaviour, type ServerRef, type StartOptions } from "./genserver.js";
import { addRestart, intensityOf, needsRestart, shutdownAll, specFields, startOne, type ChildType, type RestartType, type Shutdown, type SpecFields } from "./supervision.js";
import type { ChildInfo } from "./supervisor.js";

/**
 * A dynamic child spec: as Supervisor's ChildSpec, `start` must return a process linked
 * to the caller. `id` may be given (Elixir's child specs carry one) but is not used:
 * children are known by pid, and whichChildren reports `id: undefined`.
 */
export interface DynamicChildSpec {
  id?: unknown;
  start: () => Promise<Pid>;
  /** permanent (default): always restarted; transient: only after an abnormal exit; temporary: never. */
  restart?: RestartType;
  /** Virtual ms to wait after exit(child, "shutdown") before killing it, Infinity, or "brutal_kill" (default 5000; Infinity for supervisors). */
  shutdown?: Shutdown;
  /** "worker" (default) or "supervisor"; counted by countChildren and used for the default shutdown. */
  type?: ChildType;
  /** Reported by whichChildren (OTP's modules; default []). */
  modules?: unknown[] | "dynamic";
}

export interface DynamicSupervisorOptions extends StartOptions {
  /** Only "one_for_one" (the default), as in Elixir. */
  strategy?: "one_for_one";
  /** Children allowed at once, restarting ones included (default Infinity); startChild beyond it answers `{ ok: false, error: "max_children" }`. */
  maxChildren?: number;
  /** Restarts allowed within maxSeconds before the supervisor gives up with reason "shutdown" (default 3). */
  maxRestarts?: number;
  /** The window of maxRestarts, in virtual seconds (default 5). */
  maxSeconds?: number;
}

/**
 * startChild's answer: the pid (`undefined` when the start function ignored, Elixir's
 * `:ignore`; nothing is kept then), `"max_children"`, `"already_started"` with the
 * name's owner, or the start's failure reason (a StartError's `reason`, a thrown value,
 * or `{ bad_return_value }` when `start` resolved to something that is not a pid).
 */
export type DynamicStartResult =
  | { ok: true; pid: Pid | undefined }
  | { ok: false; error: "max_children" }
  | { ok: false; error: "already_started"; pid: Pid }
  | { ok: false; error: unknown };

export type DynamicTerminateResult = { ok: true } | { ok: false; error: "not_found" };

export interface DynamicCounts {
  /** All children, restarting ones included. */
  specs: number;
  /** Children with a running process. */
  active: number;
  supervisors: number;
  workers: number;
}

// ---- validation -------------------------------------------------------------------

const SPEC_KEYS: readonly string[] = ["id", "start", "restart", "shutdown", "type", "modules"];
const OPTION_KEYS: readonly string[] = ["strategy", "maxChildren", "maxRestarts", "maxSeconds", "name"];

function toSpec(spec: unknown, what: string): SpecFields {
  if (!isPlainObject(spec)) throw new TypeError(`${what}: a child spec must be an object { start, restart?, shutdown?, type? }, got ${show(spec)}`);
  for (const k of Object.keys(spec)) if (!SPEC_KEYS.includes(k)) throw new TypeError(`${what}: unknown key ${show(k)} in child spec (known: ${SPEC_KEYS.join(", ")})`);
  return specFields(spec, what, spec.id === undefined ? "the child" : `child ${show(spec.id)}`);
}

interface Flags {
  intensity: number;
  periodMs: number;
  maxChildren: number;
}

function checkOptions(opts: unknown, what: string): Flags & { name?: StartOptions["name"] } {
  if (!isPlainObject(opts)) throw new OptionsError(`${what}: options must be an object like { maxChildren: 10 }, got ${show(opts)}`);
  for (const k of Object.keys(opts)) if (!OPTION_KEYS.includes(k)) throw new OptionsError(`${what}: unknown option ${show(k)} (known: ${OPTION_KEYS.join(", ")})`);
  const { strategy = "one_for_one", maxChildren = Infinity, name } = opts as Partial<DynamicSupervisorOptions>;
  if (strategy !== "one_for_one") throw new OptionsError(`${what}: strategy must be "one_for_one" (the only strategy of a DynamicSupervisor), got ${show(strategy)}`);
  if (maxChildren !== Infinity && (!Number.isInteger(maxChildren) || maxChildren < 0)) {
    throw new OptionsError(`${what}: maxChildren must be a non-negative integer or Infinity, got ${show(maxChildren)}`);
  }
  return { ...intensityOf(opts, what), maxChildren, name };
}

// ---- the supervisor process -------------------------------------------------------

interface Child extends SpecFields {
  /** A failed restart is being retried: no process runs (its key is the pid that died). */
  restarting: boolean;
}

interface State {
  flags: Flags;
  /** Keyed by pid; a Map keeps insertion order, which is pid order (Elixir lists a small map's pids in term order). */
  children: Map<Pid, Child>;
  /** Virtual times of the restarts inside the current window, oldest first. */
  restarts: number[];
}

class DynCall {
  constructor(
    readonly op: "which" | "count" | "start" | "terminate",
    readonly arg?: unknown,
  ) {}
  toString(): string {
    return `DynamicSupervisor.${this.op}(${this.arg === undefined || this.op === "start" ? "" : show(this.arg)})`;
  }
}

/** dynamic_supervisor.ex retries a failed restart by sending itself {:"$gen_restart", pid}. */
class GenRestart {
  constructor(readonly pid: Pid) {}
  toString(): string {
    return `$gen_restart(${this.pid})`;
  }
}

trustShow(DynCall, GenRestart);

/** restart_child/3: false when the intensity is exceeded (the child is forgotten and the supervisor must stop). */
async function restartChild(s: State, pid: Pid, c: Child): Promise<boolean> {
  if (!addRestart(s.restarts, s.flags.intensity, s.flags.periodMs)) {
    s.children.delete(pid);
    return false;
  }
  const r = await startOne(c.start);
  if ("error" in r) {
    c.restarting = true; // same key, same place in the map
    await send(self(), new GenRestart(pid));
  } else {
    s.children.delete(pid);
    if ("pid" in r) s.children.set(r.pid, { ...c, restarting: false });
  }
  return true;
}

/** terminate_children/2 over the given pids (restarting children have no process to stop). */
function stopChildren(s: State, pids: Pid[]): Promise<void> {
  const running: { pid: Pid; shutdown: number | "brutal_kill" }[] = [];
  for (const pid of pids) {
    const c = s.children.get(pid)!;
    if (!c.restarting) running.push({ pid, shutdown: c.shutdown });
  }
  return shutdownAll(running);
}

const dynamicServer: Behaviour<State, Flags> = laneLabel({
  async init(flags) {
    await trapExits(true);
    return { state: { flags, children: new Map(), restarts: [] } };
  },

  async handleCall(req: DynCall, _from, s) {
    switch (req.op) {
      case "which": {
        const reply: ChildInfo[] = [];
        for (const [pid, c] of s.children) reply.push({ id: undefined, pid: c.restarting ? "restarting" : pid, type: c.type, modules: c.modules, restart: c.restart });
        return { reply, state: s };
      }
      case "count": {
        let active = 0;
        let supervisors = 0;
        for (const c of s.children.values()) {
          if (!c.restarting) active++;
          if (c.type === "supervisor") supervisors++;
        }
        const reply: DynamicCounts = { specs: s.children.size, active, supervisors, workers: s.children.size - supervisors };
        return { reply, state: s };
      }
      case "start": {
        if (s.children.size >= s.flags.maxChildren) return { reply: { ok: false, error: "max_children" }, state: s };
        const spec = req.arg as SpecFields;
        const r = await startOne(spec.start);
        if ("pid" in r && !("error" in r)) {
          s.children.set(r.pid, { ...spec, restarting: false });
          return { reply: { ok: true, pid: r.pid }, state: s };
        }
        if ("ignore" in r) return { reply: { ok: true, pid: undefined }, state: s };
        return { reply: r.error === "already_started" ? { ok: false, error: "already_started", pid: r.pid } : { ok: false, error: r.error }, state: s };
      }
      case "terminate": {
        const pid = req.arg as Pid;
        if (!s.children.has(pid)) return { reply: { ok: false, error: "not_found" }, state: s };
        await stopChildren(s, [pid]);
        s.children.delete(pid);
        return { reply: { ok: true }, state: s };
      }
    }
  },

  async handleInfo(msg: unknown, s) {
    if (msg instanceof GenRestart) {
      const c = s.children.get(msg.pid);
      if (c === undefined || !c.restarting) return { state: s };
      return (await restartChild(s, msg.pid, c)) ? { state: s } : { stop: "shutdown", state: s };
    }
    const m = msg as { type?: unknown; from?: unknown; reason?: unknown };
    if (m === null || typeof m !== "object" || m.type !== "EXIT" || !(m.from instanceof Pid)) return { state: s };
    const c = s.children.get(m.from);
    if (c === undefined || c.restarting) return { state: s };
    if (!needsRestart(c.restart, m.reason)) {
      s.children.delete(m.from);
      return { state: s };
    }
    return (await restartChild(s, m.from, c)) ? { state: s } : { stop: "shutdown", state: s };
  },

  async terminate(_reason, s) {
    await stopChildren(s, [...s.children.keys()]);
  },
}, () => "DynamicSupervisor");

function startDyn(opts: unknown, link: boolean, what: string): Promise<Pid> {
  try {
    const { name, ...flags } = checkOptions(opts ?? {}, what);
    const o = name === undefined ? undefined : { name };
    return link ? GenServer.startLink(dynamicServer, flags, o) : GenServer.start(dynamicServer, flags, o);
  } catch (e) {
    return Promise.reject(e);
  }
}

const dynCall = <T>(sup: ServerRef, op: DynCall["op"], arg?: unknown) => GenServer.call<T>(sup, new DynCall(op, arg), Infinity);

/**
 * DynamicSupervisor, as in Elixir: starts with no children, starts them on demand
 * with startChild, knows them by pid, restarts them one_for_one per their restart
 * type, gives up with reason "shutdown" (stopping its children) after more than
 * `maxRestarts` restarts within `maxSeconds` of virtual time. Queries answer
 * `{ ok: true, ... } | { ok: false, error }` values.
 *
 * @example
 * const sup = await DynamicSupervisor.start({ maxChildren: 100 });
 * const r = await DynamicSupervisor.startChild(sup, { start: () => GenServer.startLink(worker, 0) });
 * if (r.ok) await DynamicSupervisor.terminateChild(sup, r.pid!);
 */
export const DynamicSupervisor = {
  /** Starts a dynamic supervisor (not linked); resolves to its pid. Options: maxChildren, maxRestarts, maxSeconds, name, strategy ("one_for_one"). */
  start(opts: DynamicSupervisorOptions = {}): Promise<Pid> {
    return startDyn(opts, false, "DynamicSupervisor.start");
  },
  /** Starts a dynamic supervisor linked to the caller (e.g. as a child of a Supervisor, with type "supervisor"). */
  startLink(opts: DynamicSupervisorOptions = {}): Promise<Pid> {
    return startDyn(opts, true, "DynamicSupervisor.startLink");
  },
  /** Starts a child under the supervisor (a malformed spec rejects with TypeError before anything is sent). */
  startChild(sup: ServerRef, spec: DynamicChildSpec): Promise<DynamicStartResult> {
    try {
      return dynCall(sup, "start", toSpec(spec, "DynamicSupervisor.startChild"));
    } catch (e) {
      return Promise.reject(e);
    }
  },
  /** Stops the child with that pid and forgets it (a restarting child is just forgotten). */
  terminateChild(sup: ServerRef, pid: Pid): Promise<DynamicTerminateResult> {
    if (!(pid instanceof Pid)) return Promise.reject(new TypeError(`DynamicSupervisor.terminateChild expects a child's pid, got ${show(pid)}`));
    return dynCall(sup, "terminate", pid);
  },
  /** `{ id: undefined, pid, type, modules, restart }` per child, pid order (pid is "restarting" while a failed restart is retried). */
  whichChildren(sup: ServerRef): Promise<ChildInfo[]> {
    return dynCall(sup, "which");
  },
  /** `{ specs, active, supervisors, workers }`. */
  countChildren(sup: ServerRef): Promise<DynamicCounts> {
    return dynCall(sup, "count");
  },
  /** Stops the supervisor and its children (GenServer.stop). */
  stop(sup: ServerRef, reason: unknown = "normal", timeout = Infinity): Promise<void> {
    return GenServer.stop(sup, reason, timeout);
  },
} as const;
