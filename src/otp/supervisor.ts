// Supervisor: Elixir's Supervisor (lib/elixir/lib/supervisor.ex) over OTP's
// supervisor.erl, as a GenServer that traps exits. Children start in list order
// (inside the supervisor process, so their start links them to it) and stop in
// reverse order; a child's EXIT triggers the restart its `restart` type and the
// strategy call for, counted against the restart intensity in virtual time.
// Automatic shutdown (OTP 24's auto_shutdown): when a significant child exits by
// itself and is not restarted, an "any_significant" supervisor stops with reason
// "shutdown", an "all_significant" one once no significant child runs any more
// (supervisor.erl do_auto_shutdown/2). Children the supervisor terminates itself
// (terminateChild, a sibling's restart, its own shutdown) never trigger it.
import { OptionsError } from "../runtime/errors.js";
import { Pid } from "../values/pid.js";
import { self, trapExits } from "../runtime/processes.js";
import { laneLabel } from "../runtime/lane-names.js";
import { isPlainObject, termEquals } from "../values/term.js";
import { show, trustShow } from "../values/show.js";
import { GenServer, type Behaviour, type ServerRef, type StartOptions } from "./genserver.js";
import { addRestart, intensityOf, needsRestart, shutdownAll, specFields, startOne, type RestartType, type Shutdown } from "./supervision.js";

export type Strategy = "one_for_one" | "one_for_all" | "rest_for_one";
/** OTP 24's auto_shutdown supervisor flag. */
export type AutoShutdown = "never" | "any_significant" | "all_significant";
export type { RestartType };

/** A child specification (DESIGN.md): `start` must return a process linked to the caller. */
export interface ChildSpec {
  id: unknown;
  start: () => Promise<Pid>;
  /** permanent (default): always restarted; transient: only after an abnormal exit; temporary: never. */
  restart?: RestartType;
  /** Virtual ms to wait after exit(child, "shutdown") before killing it, Infinity / "infinity", or "brutal_kill" (default 5000; Infinity for supervisors). */
  shutdown?: Shutdown;
  /** "worker" (default) or "supervisor"; only counted by countChildren and used for the default shutdown. */
  type?: "worker" | "supervisor";
  /** Its exit without a restart can stop the supervisor (see SupervisorOptions.autoShutdown); transient or temporary children only. */
  significant?: boolean;
  /** Reported by whichChildren (OTP's modules; default []). */
  modules?: unknown[] | "dynamic";
}

export interface SupervisorOptions extends StartOptions {
  strategy: Strategy;
  /** Restarts allowed within maxSeconds before the supervisor gives up (default 3). */
  maxRestarts?: number;
  /** The window of maxRestarts, in virtual seconds (default 5). */
  maxSeconds?: number;
  /** "never" (default; significant children are rejected), "any_significant" or "all_significant". */
  autoShutdown?: AutoShutdown;
}

/** One entry of whichChildren, in OTP's order (most recently started first). */
export interface ChildInfo {
  id: unknown;
  /** The running pid, "restarting" while a failed restart is retried, undefined when not running. */
  pid: Pid | "restarting" | undefined;
  type: "worker" | "supervisor";
  /** The spec's modules (default []). */
  modules: unknown[] | "dynamic";
  restart: RestartType;
}

export type ChildResult = { ok: true; pid: Pid | undefined } | { ok: false; error: "already_started"; pid: Pid } | { ok: false; error: "already_present" } | { ok: false; error: "start_failed"; reason: unknown };
export type ChildOpResult = { ok: true } | { ok: false; error: "not_found" | "running" | "restarting" };
export type RestartResult = { ok: true; pid: Pid | undefined } | { ok: false; error: "not_found" | "running" | "restarting" } | { ok: false; error: "start_failed"; reason: unknown };

// ---- validation -------------------------------------------------------------------

const STRATEGIES: readonly string[] = ["one_for_one", "one_for_all", "rest_for_one"];
const SPEC_KEYS: readonly string[] = ["id", "start", "restart", "shutdown", "type", "significant", "modules"];
const OPTION_KEYS: readonly string[] = ["strategy", "maxRestarts", "maxSeconds", "autoShutdown", "name"];
const AUTO_SHUTDOWNS: readonly string[] = ["never", "any_significant", "all_significant"];

interface Child {
  id: unknown;
  start: () => Promise<Pid>;
  restart: RestartType;
  shutdown: number | "brutal_kill";
  type: "worker" | "supervisor";
  modules: unknown[] | "dynamic";
  significant: boolean;
  pid: Pid | "restarting" | undefined;
}

function toChild(spec: unknown, what: string): Child {
  if (!isPlainObject(spec)) throw new TypeError(`${what}: a child spec must be an object { id, start, restart? }, got ${show(spec)}`);
  for (const k of Object.keys(spec)) if (!SPEC_KEYS.includes(k)) throw new TypeError(`${what}: unknown key ${show(k)} in child spec ${show(spec.id)} (known: ${SPEC_KEYS.join(", ")})`);
  if (spec.id === undefined) throw new TypeError(`${what}: child spec ${show(spec)} has no id`);
  const fields = specFields(spec, what, `child ${show(spec.id)}`);
  const significant = spec.significant ?? false;
  if (typeof significant !== "boolean") throw new TypeError(`${what}: child ${show(spec.id)} has significant ${show(significant)}; expected a boolean`);
  // supervisor.erl validSignificant/3: a permanent child is restarted, so it can never end the supervisor.
  if (significant && fields.restart === "permanent") throw new TypeError(`${what}: child ${show(spec.id)} is significant and permanent, a bad combination (a significant child must be transient or temporary)`);
  return { id: spec.id, ...fields, significant, pid: undefined };
}

/** validSignificant/3's other half, which needs the supervisor's flags. */
function significantAllowed(c: Child, auto: AutoShutdown, what: string): void {
  if (c.significant && auto === "never") throw new TypeError(`${what}: child ${show(c.id)} is significant but the supervisor's autoShutdown is "never", a bad combination`);
}

interface Flags {
  strategy: Strategy;
  intensity: number;
  periodMs: number;
  autoShutdown: AutoShutdown;
}

function checkOptions(opts: unknown, what: string): Flags & { name?: StartOptions["name"] } {
  if (!isPlainObject(opts)) throw new OptionsError(`${what}: options must be an object like { strategy: "one_for_one" }, got ${show(opts)}`);
  for (const k of Object.keys(opts)) if (!OPTION_KEYS.includes(k)) throw new OptionsError(`${what}: unknown option ${show(k)} (known: ${OPTION_KEYS.join(", ")})`);
  const { strategy, name, autoShutdown = "never" } = opts as Partial<SupervisorOptions>;
  if (!STRATEGIES.includes(strategy as string)) {
    throw new OptionsError(`${what}: strategy must be "one_for_one", "one_for_all" or "rest_for_one", got ${show(strategy)}`);
  }
  if (!AUTO_SHUTDOWNS.includes(autoShutdown)) throw new OptionsError(`${what}: autoShutdown must be "never", "any_significant" or "all_significant", got ${show(autoShutdown)}`);
  return { strategy: strategy as Strategy, ...intensityOf(opts, what), autoShutdown, name };
}

function checkChildren(children: unknown, what: string, auto: AutoShutdown): Child[] {
  if (!Array.isArray(children)) throw new TypeError(`${what} expects an array of child specs, got ${show(children)}`);
  const out: Child[] = [];
  for (const spec of children) {
    const c = toChild(spec, what);
    significantAllowed(c, auto, what);
    if (out.some((o) => termEquals(o.id, c.id))) throw new TypeError(`${what}: duplicate child id ${show(c.id)}`);
    out.push(c);
  }
  return out;
}

// ---- the supervisor process -------------------------------------------------------

interface State {
  flags: Flags;
  /** In start order. */
  children: Child[];
  /** Virtual times of the restarts inside the current window, oldest first. */
  restarts: number[];
}

class SupCall {
  constructor(
    readonly op: "which" | "count" | "start" | "terminate" | "restart" | "delete",
    readonly arg?: unknown,
  ) {}
  toString(): string {
    return `Supervisor.${this.op}(${this.arg === undefined ? "" : show(this.arg)})`;
  }
}

/** supervisor.erl retries a failed restart through its own mailbox, so other requests get in between. */
class TryAgain {
  constructor(readonly id: unknown) {}
  toString(): string {
    return `try_again_restart(${show(this.id)})`;
  }
}

/** startChild's answer for a spec the supervisor's flags reject: the caller throws it as a TypeError. */
class BadSpec {
  constructor(readonly message: string) {}
}

trustShow(SupCall, TryAgain);

/** Terminates `group` in reverse start order; temporary children leave the list, the others stay with no pid. */
async function terminateChildren(s: State, group: Child[]): Promise<void> {
  for (let i = group.length - 1; i >= 0; i--) {
    const c = group[i];
    if (c.pid instanceof Pid) await shutdownAll([{ pid: c.pid, shutdown: c.shutdown }]);
    removeOrClear(s, c);
  }
}

function removeOrClear(s: State, c: Child): void {
  if (c.restart === "temporary") s.children = s.children.filter((x) => x !== c);
  else c.pid = undefined;
}

/** A child exited with `reason`: restart it (and siblings) or forget it. Returns false when the supervisor must shut down. */
async function childExited(s: State, c: Child, reason: unknown): Promise<boolean> {
  if (needsRestart(c.restart, reason)) return restart(s, c);
  removeOrClear(s, c);
  return !autoShutdown(s, c);
}

/** supervisor.erl do_auto_shutdown/2, after `c` exited by itself and was not restarted: whether the supervisor stops. */
function autoShutdown(s: State, c: Child): boolean {
  if (s.flags.autoShutdown === "never" || !c.significant) return false;
  if (s.flags.autoShutdown === "any_significant") return true;
  return !s.children.some((x) => x.significant && x.pid !== undefined);
}

async function restart(s: State, c: Child): Promise<boolean> {
  if (!addRestart(s.restarts, s.flags.intensity, s.flags.periodMs)) {
    removeOrClear(s, c);
    return false;
  }
  const i = s.children.indexOf(c);
  const group = s.flags.strategy === "one_for_one" ? [c] : s.flags.strategy === "rest_for_one" ? s.children.slice(i) : s.children.slice();
  c.pid = undefined; // dead already; its EXIT was consumed
  await terminateChildren(s, group.filter((x) => x !== c));
  for (const x of group) {
    if (!s.children.includes(x)) continue; // a temporary sibling that was terminated
    const r = await startOne(x.start);
    if ("pid" in r && !("error" in r)) x.pid = r.pid;
    else if ("ignore" in r) x.pid = undefined;
    else {
      x.pid = "restarting";
      await GenServer.cast(self(), new TryAgain(x.id));
      break;
    }
  }
  return true;
}

const find = (s: State, id: unknown) => s.children.find((c) => termEquals(c.id, id));

const supervisorServer: Behaviour<State, { children: Child[]; flags: Flags }> = laneLabel({
  async init({ children, flags }) {
    await trapExits(true);
    const s: State = { flags, children: [], restarts: [] };
    for (const c of children) {
      const r = await startOne(c.start);
      if ("error" in r) {
        await terminateChildren(s, s.children.slice());
        return { stop: { shutdown: { failed_to_start_child: c.id, reason: r.error } } };
      }
      if ("pid" in r) c.pid = r.pid;
      if ("pid" in r || c.restart !== "temporary") s.children.push(c); // an ignored temporary child is not kept
    }
    return { state: s };
  },

  async handleCall(req: SupCall, _from, s) {
    switch (req.op) {
      case "which":
        return { reply: s.children.map((c): ChildInfo => ({ id: c.id, pid: c.pid, type: c.type, modules: c.modules, restart: c.restart })).reverse(), state: s };
      case "count": {
        const active = s.children.filter((c) => c.pid instanceof Pid).length;
        const supervisors = s.children.filter((c) => c.type === "supervisor").length;
        return { reply: { specs: s.children.length, active, supervisors, workers: s.children.length - supervisors }, state: s };
      }
      case "start": {
        const c = req.arg as Child;
        try {
          significantAllowed(c, s.flags.autoShutdown, "Supervisor.startChild");
        } catch (e) {
          return { reply: new BadSpec((e as Error).message), state: s };
        }
        const old = find(s, c.id);
        if (old) return { reply: old.pid instanceof Pid ? { ok: false, error: "already_started", pid: old.pid } : { ok: false, error: "already_present" }, state: s };
        const r = await startOne(c.start);
        if ("error" in r) {
          const reply = r.error === "already_started" ? { ok: false, error: "already_started", pid: r.pid } : { ok: false, error: "start_failed", reason: r.error };
          return { reply, state: s };
        }
        if ("pid" in r) c.pid = r.pid;
        if ("pid" in r || c.restart !== "temporary") s.children.push(c);
        return { reply: { ok: true, pid: c.pid }, state: s };
      }
      case "terminate": {
        const c = find(s, req.arg);
        if (!c) return { reply: { ok: false, error: "not_found" }, state: s };
        if (c.pid instanceof Pid) await shutdownAll([{ pid: c.pid, shutdown: c.shutdown }]);
        removeOrClear(s, c);
        return { reply: { ok: true }, state: s };
      }
      case "restart": {
        const c = find(s, req.arg);
        if (!c) return { reply: { ok: false, error: "not_found" }, state: s };
        if (c.pid !== undefined) return { reply: { ok: false, error: c.pid === "restarting" ? "restarting" : "running" }, state: s };
        const r = await startOne(c.start);
        if ("error" in r) return { reply: { ok: false, error: "start_failed", reason: r.error }, state: s };
        c.pid = "pid" in r ? r.pid : undefined;
        return { reply: { ok: true, pid: c.pid }, state: s };
      }
      case "delete": {
        const c = find(s, req.arg);
        if (!c) return { reply: { ok: false, error: "not_found" }, state: s };
        if (c.pid !== undefined) return { reply: { ok: false, error: c.pid === "restarting" ? "restarting" : "running" }, state: s };
        s.children = s.children.filter((x) => x !== c);
        return { reply: { ok: true }, state: s };
      }
    }
  },

  async handleCast(msg: TryAgain, s) {
    const c = find(s, msg.id);
    if (c === undefined || c.pid !== "restarting") return { state: s };
    return (await restart(s, c)) ? { state: s } : { stop: "shutdown", state: s };
  },

  async handleInfo(msg: unknown, s) {
    const m = msg as { type?: unknown; from?: unknown; reason?: unknown };
    if (m === null || typeof m !== "object" || m.type !== "EXIT") return { state: s };
    const c = s.children.find((x) => x.pid === m.from);
    if (c === undefined) return { state: s };
    return (await childExited(s, c, m.reason)) ? { state: s } : { stop: "shutdown", state: s };
  },

  async terminate(_reason, s) {
    await terminateChildren(s, s.children.slice());
  },
}, () => "Supervisor");

function startSup(children: unknown, opts: unknown, link: boolean, what: string): Promise<Pid> {
  try {
    const flags = checkOptions(opts, what);
    const list = checkChildren(children, what, flags.autoShutdown);
    const { name, ...f } = flags;
    const arg = { children: list, flags: f };
    const o = name === undefined ? undefined : { name };
    return link ? GenServer.startLink(supervisorServer, arg, o) : GenServer.start(supervisorServer, arg, o);
  } catch (e) {
    return Promise.reject(e);
  }
}

const supCall = <T>(sup: ServerRef, op: SupCall["op"], arg?: unknown) => GenServer.call<T>(sup, new SupCall(op, arg), Infinity);

/**
 * Supervisor, as in Elixir: start children in order, restart them per strategy
 * and restart type, give up with reason "shutdown" after more than `maxRestarts`
 * restarts within `maxSeconds` (virtual time), stop children in reverse order.
 * Queries answer `{ ok: true, ... } | { ok: false, error }` values.
 *
 * @example
 * const sup = await Supervisor.start([
 *   { id: "cache", start: () => GenServer.startLink(cache, {}) },
 * ], { strategy: "one_for_one" });
 */
export const Supervisor = {
  /** Starts a supervisor (not linked); rejects with StartError (`{ shutdown: { failed_to_start_child: id, reason } }` if a child fails). */
  start(children: ChildSpec[], opts: SupervisorOptions): Promise<Pid> {
    return startSup(children, opts, false, "Supervisor.start");
  },
  /** Starts a supervisor linked to the caller (e.g. as a child of another supervisor, with type "supervisor"). */
  startLink(children: ChildSpec[], opts: SupervisorOptions): Promise<Pid> {
    return startSup(children, opts, true, "Supervisor.startLink");
  },
  /** The children, most recently started first (as supervisor:which_children). */
  whichChildren(sup: ServerRef): Promise<ChildInfo[]> {
    return supCall(sup, "which");
  },
  /** `{ specs, active, supervisors, workers }`. */
  countChildren(sup: ServerRef): Promise<{ specs: number; active: number; supervisors: number; workers: number }> {
    return supCall(sup, "count");
  },
  /** Adds and starts a child (after the existing ones). */
  async startChild(sup: ServerRef, spec: ChildSpec): Promise<ChildResult> {
    const r = await supCall<ChildResult | BadSpec>(sup, "start", toChild(spec, "Supervisor.startChild"));
    if (r instanceof BadSpec) throw new TypeError(r.message);
    return r;
  },
  /** Stops a child; its spec stays (except for temporary children) so restartChild can start it again. */
  terminateChild(sup: ServerRef, id: unknown): Promise<ChildOpResult> {
    return supCall(sup, "terminate", id);
  },
  /** Starts a stopped child again from its spec. */
  restartChild(sup: ServerRef, id: unknown): Promise<RestartResult> {
    return supCall(sup, "restart", id);
  },
  /** Removes a stopped child's spec. */
  deleteChild(sup: ServerRef, id: unknown): Promise<ChildOpResult> {
    return supCall(sup, "delete", id);
  },
  /** Stops the supervisor and its children (GenServer.stop). */
  stop(sup: ServerRef, reason: unknown = "normal", timeout = Infinity): Promise<void> {
    return GenServer.stop(sup, reason, timeout);
  },
} as const;
