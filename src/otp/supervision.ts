// What Supervisor and DynamicSupervisor share (OTP's supervisor.erl and Elixir's
// dynamic_supervisor.ex do the same things here): the fields of a child spec, calling
// a child's start function, the exit reasons that count as a clean stop, stopping
// children (exit "shutdown", then "kill" after their shutdown time) and the restart
// intensity window. Internal to otp/.
import { OptionsError } from "../runtime/errors.js";
import { receive } from "../runtime/messages.js";
import { exit, unlink } from "../runtime/processes.js";
import { now } from "../runtime/time.js";
import { TIMEOUT } from "../runtime/timeout.js";
import { exitFrom, monitorInternal } from "../runtime/library.js";
import { Pid } from "../values/pid.js";
import type { Ref } from "../values/ref.js";
import { isPlainObject } from "../values/term.js";
import { show } from "../values/show.js";
import { StartError } from "./errors.js";

export type RestartType = "permanent" | "transient" | "temporary";
export type ChildType = "worker" | "supervisor";
/** Virtual ms, Infinity (also spelled "infinity", as OTP's atom) or "brutal_kill"; "infinity" is stored as Infinity. */
export type Shutdown = number | "brutal_kill" | "infinity";

/** The validated fields of a child spec both supervisors keep. */
export interface SpecFields {
  start: () => Promise<Pid>;
  restart: RestartType;
  shutdown: number | "brutal_kill";
  type: ChildType;
  /** supervisor.erl's modules: only reported by whichChildren (default []). */
  modules: unknown[] | "dynamic";
}

const RESTARTS: readonly string[] = ["permanent", "transient", "temporary"];

/**
 * Validates `start`, `restart`, `type` and `shutdown` of a child spec (an object whose
 * keys were already checked); `label` names the child in messages, e.g. `child "a"`.
 */
export function specFields(spec: Record<string, unknown>, what: string, label: string): SpecFields {
  if (typeof spec.start !== "function") throw new TypeError(`${what}: ${label} needs start: () => Promise<Pid> (e.g. () => GenServer.startLink(...)), got ${show(spec.start)}`);
  const restart = spec.restart ?? "permanent";
  if (!RESTARTS.includes(restart as string)) throw new TypeError(`${what}: ${label} has restart ${show(restart)}; expected "permanent", "transient" or "temporary"`);
  const type = spec.type ?? "worker";
  if (type !== "worker" && type !== "supervisor") throw new TypeError(`${what}: ${label} has type ${show(type)}; expected "worker" or "supervisor"`);
  let shutdown = spec.shutdown ?? (type === "supervisor" ? Infinity : 5000);
  if (shutdown === "infinity") shutdown = Infinity;
  if (shutdown !== "brutal_kill" && (typeof shutdown !== "number" || Number.isNaN(shutdown) || shutdown < 0)) {
    throw new TypeError(`${what}: ${label} has shutdown ${show(shutdown)}; expected virtual ms, Infinity ("infinity") or "brutal_kill"`);
  }
  const modules = spec.modules ?? [];
  if (modules !== "dynamic" && !Array.isArray(modules)) throw new TypeError(`${what}: ${label} has modules ${show(modules)}; expected an array or "dynamic"`);
  return { start: spec.start as () => Promise<Pid>, restart: restart as RestartType, shutdown: shutdown as number | "brutal_kill", type, modules: modules as unknown[] | "dynamic" };
}

/** Restart intensity: `maxRestarts` (default 3) within `maxSeconds` (default 5), validated. */
export function intensityOf(opts: { maxRestarts?: unknown; maxSeconds?: unknown }, what: string): { intensity: number; periodMs: number } {
  const { maxRestarts = 3, maxSeconds = 5 } = opts;
  if (!Number.isInteger(maxRestarts) || (maxRestarts as number) < 0) throw new OptionsError(`${what}: maxRestarts must be a non-negative integer, got ${show(maxRestarts)}`);
  if (typeof maxSeconds !== "number" || !(maxSeconds > 0)) throw new OptionsError(`${what}: maxSeconds must be a positive number, got ${show(maxSeconds)}`);
  return { intensity: maxRestarts as number, periodMs: maxSeconds * 1000 };
}

/** The outcome of a child's start function. */
export type Started = { pid: Pid } | { ignore: true } | { error: unknown; pid?: Pid };

/** Calls a start function: a pid, an ignore (StartError "ignore"), or an error (a StartError's reason, or what was thrown). */
export async function startOne(start: () => Promise<Pid>): Promise<Started> {
  try {
    const pid = await start();
    if (!(pid instanceof Pid)) return { error: { bad_return_value: pid } };
    return { pid };
  } catch (e) {
    if (e instanceof StartError && e.reason === "ignore") return { ignore: true };
    if (e instanceof StartError && e.reason === "already_started") return { error: "already_started", pid: e.pid as Pid };
    return { error: e instanceof StartError ? e.reason : e };
  }
}

/** normal, shutdown and { shutdown: term } are successful exits (no transient restart). */
export function isShutdown(reason: unknown): boolean {
  return reason === "normal" || reason === "shutdown" || (isPlainObject(reason) && Object.keys(reason).length === 1 && "shutdown" in reason);
}

/** Whether a child that exited with `reason` is restarted (supervisor.erl do_restart/3). */
export function needsRestart(restart: RestartType, reason: unknown): boolean {
  return restart === "permanent" || (restart === "transient" && !isShutdown(reason));
}

/**
 * Stops children, all at once (dynamic_supervisor.ex terminate_children/2; one child is
 * supervisor.erl shutdown/1): monitor each, send exit "shutdown" ("kill" for
 * brutal_kill), kill those still alive when their shutdown time is up, and once each
 * is DOWN drop the link and its EXIT message, so its death triggers no restart. For one
 * child this is exactly supervisor.erl shutdown/1.
 */
export async function shutdownAll(children: ReadonlyArray<{ pid: Pid; shutdown: number | "brutal_kill" }>): Promise<void> {
  const waiting = new Map<Ref, { pid: Pid; deadline: number }>();
  for (const { pid, shutdown } of children) {
    const ref = await monitorInternal(pid);
    // The shutdown time runs from the exit signal: read the clock before the sync point,
    // since under timers: "race" a timer may fire before this process runs again.
    const deadline = shutdown === "brutal_kill" ? Infinity : now() + shutdown;
    await exit(pid, shutdown === "brutal_kill" ? "kill" : "shutdown");
    waiting.set(ref, { pid, deadline });
  }
  while (waiting.size > 0) {
    let next = Infinity;
    for (const w of waiting.values()) next = Math.min(next, w.deadline);
    const m = await receive((m: any) => m !== null && typeof m === "object" && m.type === "DOWN" && waiting.has(m.ref), { timeout: next === Infinity ? Infinity : Math.max(0, next - now()) });
    if (m === TIMEOUT) {
      const t = now();
      for (const w of waiting.values()) {
        if (w.deadline > t) continue;
        w.deadline = Infinity;
        await exit(w.pid, "kill");
      }
    } else {
      waiting.delete((m as { ref: Ref }).ref);
    }
  }
  for (const { pid } of children) {
    await unlink(pid);
    await receive(exitFrom(pid), { timeout: 0 });
  }
}

/**
 * OTP add_restart: keep the restarts within the window (inclusive: R >= Now - Period),
 * add one at now(); false when that makes more than `intensity`. Mutates `restarts`.
 */
export function addRestart(restarts: number[], intensity: number, periodMs: number): boolean {
  const t = now();
  const threshold = t - periodMs;
  let k = 0;
  for (const r of restarts) if (r >= threshold) restarts[k++] = r;
  restarts.length = k;
  restarts.push(t);
  return restarts.length <= intensity;
}
