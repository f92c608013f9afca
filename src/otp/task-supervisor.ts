// Task.Supervisor: Elixir's lib/elixir/lib/task/supervisor.ex. A Task.Supervisor is a
// DynamicSupervisor whose children are tasks (temporary by default). As in Elixir, a
// task is started idle under the supervisor (linked to it, so the supervisor's
// shutdown stops it) and is handed its function by the caller in a message, after the
// caller has linked to it (async) and monitored it (async and asyncNolink): the task
// cannot run, and so cannot finish or crash, before its owner watches it. Its result
// goes through the owner's alias, so Task.await / yield / shutdown / ignore work on it
// unchanged.
import { receive, send } from "../runtime/messages.js";
import { link, makeRef, monitor, self, spawnLink } from "../runtime/processes.js";
import { laneLabel } from "../runtime/lane-names.js";
import { Alias, monitorInternal, sendToAlias } from "../runtime/library.js";
import { Pid } from "../values/pid.js";
import { show, trustShow } from "../values/show.js";
import { DynamicSupervisor, type DynamicStartResult, type DynamicTerminateResult } from "./dynamic-supervisor.js";
import type { ServerRef, StartOptions } from "./genserver.js";
import type { RestartType, Shutdown } from "./supervision.js";
import { checkFn, TaskHandle, TaskReply, type TaskResult } from "./task.js";
import { asyncStream as streamOf, type AsyncStreamOptions } from "./task-stream.js";

export interface TaskSupervisorOptions extends StartOptions {
  /** Tasks allowed at once (default Infinity); beyond it async rejects and startChild answers `{ ok: false, error: "max_children" }`. */
  maxChildren?: number;
  /** Restart intensity, as DynamicSupervisor's (only restarting children count: tasks are temporary by default). */
  maxRestarts?: number;
  maxSeconds?: number;
}

/** Options of async / asyncNolink: the task's shutdown when the supervisor stops (default 5000). */
export interface TaskSupervisorAsyncOptions {
  shutdown?: Shutdown;
}

/** Options of startChild: restart (default "temporary") and shutdown (default 5000). */
export interface TaskSupervisorChildOptions {
  restart?: RestartType;
  shutdown?: Shutdown;
}

/** The function a waiting task runs, and where its result goes (null: fire and forget). */
class TaskRun {
  constructor(
    readonly fn: () => unknown,
    readonly alias: Alias | null,
  ) {}
  toString(): string {
    return this.alias === null ? "task run" : `task run(reply to ${this.alias.pid})`;
  }
}
trustShow(TaskRun);

const isRun = (m: unknown): boolean => m instanceof TaskRun;

/** A supervised task's process: wait for the function, run it, reply if asked to. */
async function taskBody(): Promise<void> {
  const run = (await receive(isRun)) as TaskRun;
  const value = await run.fn();
  if (run.alias !== null) await sendToAlias(run.alias, new TaskReply(run.alias.tag, value));
}

laneLabel(taskBody, () => "Task");
const startIdle = () => spawnLink(taskBody);

function checkOpts(opts: unknown, keys: readonly string[], what: string): Record<string, unknown> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== "object") throw new TypeError(`${what}: options must be an object, got ${show(opts)}`);
  for (const k of Object.keys(opts)) if (!keys.includes(k)) throw new TypeError(`${what}: unknown option ${show(k)} (known: ${keys.join(", ")})`);
  return opts as Record<string, unknown>;
}

/** Thrown by async when the supervisor has maxChildren tasks (Elixir raises the same message). */
export class MaxChildrenError extends Error {
  constructor(what: string) {
    super(`${what}: reached the maximum number of tasks for this task supervisor. The maximum number is set by the maxChildren option given to the task supervisor`);
    this.name = "MaxChildrenError";
  }
}

async function startTask(sup: ServerRef, restart: RestartType, shutdown: Shutdown | undefined): Promise<DynamicStartResult> {
  return DynamicSupervisor.startChild(sup, shutdown === undefined ? { start: startIdle, restart } : { start: startIdle, restart, shutdown });
}

/** task/supervisor.ex async/6: start idle, link (async only), monitor, hand over the function. */
async function supervisedAsync<T>(sup: ServerRef, fn: () => T | Promise<T>, opts: unknown, linked: boolean, what: string): Promise<TaskHandle<T>> {
  checkFn(fn, what);
  const o = checkOpts(opts, ["shutdown"], what);
  const r = await startTask(sup, "temporary", o.shutdown as Shutdown | undefined);
  if (!r.ok) {
    if (r.error === "max_children") throw new MaxChildrenError(what);
    throw new Error(`${what}: the task could not be started: ${show(r.error)}`);
  }
  const pid = r.pid as Pid;
  if (linked) await link(pid);
  // Linked: the link carries a crash to the owner, so the monitor is internal (as Task.async's).
  // Not linked: the owner's monitor is how it learns of a crash, so it counts as handling it.
  const ref = linked ? await monitorInternal(pid) : await monitor(pid);
  const alias = new Alias(self(), makeRef());
  await send(pid, new TaskRun(fn, alias));
  return new TaskHandle<T>(pid, ref, alias.pid, alias);
}

function startSup(opts: unknown, link: boolean, what: string): Promise<Pid> {
  try {
    const o = checkOpts(opts, ["maxChildren", "maxRestarts", "maxSeconds", "name"], what);
    return link ? DynamicSupervisor.startLink(o) : DynamicSupervisor.start(o);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Task.Supervisor, as in Elixir: a DynamicSupervisor of tasks. `async` (linked to and
 * monitored by the caller) and `asyncNolink` (monitored only: a crash shows in
 * Task.await / yield as the task's exit, the caller lives on) return task handles for
 * Task.await and friends; `startChild` starts a fire-and-forget task; `children`
 * lists the running tasks; `terminateChild` stops one.
 *
 * @example
 * const sup = await TaskSupervisor.start();
 * const t = await TaskSupervisor.asyncNolink(sup, async () => fetchSomething());
 * const r = await Task.yield(t, 1000); // { ok: true, value } or { ok: false, exit }
 */
export const TaskSupervisor = {
  /** Starts a task supervisor (not linked); options maxChildren, maxRestarts, maxSeconds, name. */
  start(opts: TaskSupervisorOptions = {}): Promise<Pid> {
    return startSup(opts, false, "Task.Supervisor.start");
  },
  /** Starts a task supervisor linked to the caller (e.g. as a Supervisor child with type "supervisor"). */
  startLink(opts: TaskSupervisorOptions = {}): Promise<Pid> {
    return startSup(opts, true, "Task.Supervisor.startLink");
  },
  /** Runs `fn` in a task under `sup`, linked to and monitored by the caller; rejects with MaxChildrenError at maxChildren. */
  async<T>(sup: ServerRef, fn: () => T | Promise<T>, opts?: TaskSupervisorAsyncOptions): Promise<TaskHandle<T>> {
    return supervisedAsync(sup, fn, opts, true, "Task.Supervisor.async");
  },
  /** Runs `fn` in a task under `sup`, monitored (not linked) by the caller: its crash only shows in await / yield. */
  asyncNolink<T>(sup: ServerRef, fn: () => T | Promise<T>, opts?: TaskSupervisorAsyncOptions): Promise<TaskHandle<T>> {
    return supervisedAsync(sup, fn, opts, false, "Task.Supervisor.asyncNolink");
  },
  /** Starts `fn` under `sup`, nobody waiting for it: `{ ok: true, pid }` or `{ ok: false, error: "max_children" }`. A permanent or transient task is restarted (runs `fn` again). */
  async startChild(sup: ServerRef, fn: () => unknown, opts?: TaskSupervisorChildOptions): Promise<DynamicStartResult> {
    checkFn(fn, "Task.Supervisor.startChild");
    const o = checkOpts(opts, ["restart", "shutdown"], "Task.Supervisor.startChild");
    const start = async () => {
      const pid = await startIdle();
      await send(pid, new TaskRun(fn, null));
      return pid;
    };
    const spec = { start, restart: (o.restart ?? "temporary") as RestartType, ...(o.shutdown === undefined ? {} : { shutdown: o.shutdown as Shutdown }) };
    return DynamicSupervisor.startChild(sup, spec);
  },
  /** The pids of the running tasks (restarting ones left out), as Task.Supervisor.children/1. */
  async children(sup: ServerRef): Promise<Pid[]> {
    const out: Pid[] = [];
    for (const c of await DynamicSupervisor.whichChildren(sup)) if (c.pid instanceof Pid) out.push(c.pid);
    return out;
  },
  /** Stops a task: `{ ok: true }` or `{ ok: false, error: "not_found" }`. */
  terminateChild(sup: ServerRef, pid: Pid): Promise<DynamicTerminateResult> {
    return DynamicSupervisor.terminateChild(sup, pid);
  },
  /** Task.asyncStream with each item's task started by Task.Supervisor.async under `sup` (linked to the consumer). */
  asyncStream<T, R>(sup: ServerRef, items: Iterable<T> | AsyncIterable<T>, fn: (item: T) => R | Promise<R>, opts?: AsyncStreamOptions): AsyncIterable<TaskResult<Awaited<R>>> {
    return streamOf(items, fn, opts, (f) => supervisedAsync(sup, f, undefined, true, "Task.Supervisor.asyncStream"));
  },
  /** Task.Supervisor.async_stream_nolink: as asyncStream, the tasks not linked to the consumer (a crash is an `{ ok: false, exit }` item). */
  asyncStreamNolink<T, R>(sup: ServerRef, items: Iterable<T> | AsyncIterable<T>, fn: (item: T) => R | Promise<R>, opts?: AsyncStreamOptions): AsyncIterable<TaskResult<Awaited<R>>> {
    return streamOf(items, fn, opts, (f) => supervisedAsync(sup, f, undefined, false, "Task.Supervisor.asyncStreamNolink"));
  },
  /** Stops the supervisor and its tasks. */
  stop(sup: ServerRef, reason: unknown = "normal", timeout = Infinity): Promise<void> {
    return DynamicSupervisor.stop(sup, reason, timeout);
  },
} as const;
