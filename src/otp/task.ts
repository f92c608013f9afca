// Task: Elixir's Task (lib/elixir/lib/task.ex). An async task is a process linked to
// and monitored by its owner; it sends its result through an alias the owner turns
// off when it stops waiting, so a result that comes too late is dropped.
import { ArgumentError } from "../runtime/errors.js";
import { receive } from "../runtime/messages.js";
import { Pid } from "../values/pid.js";
import { demonitor, makeRef, self, spawn, spawnLink, spawnMonitor, spawnMonitorInternal } from "../runtime/processes.js";
import { Ref } from "../values/ref.js";
import { now } from "../runtime/time.js";
import { TIMEOUT, type Timeout } from "../runtime/timeout.js";
import { show, trustShow } from "../values/show.js";
import { CallExit } from "./errors.js";
import { checkTimeout } from "./genserver.js";
import { Alias, downOf, sendToAlias } from "../runtime/library.js";

class TaskReply {
  constructor(
    readonly tag: Ref,
    readonly value: unknown,
  ) {}
  toString(): string {
    return `task result(${show(this.value)})`;
  }
}

/** A running task: await it (once) from its owner with `Task.await`, or poll it with `Task.yield`. */
export class TaskHandle<T = unknown> {
  /** @internal */
  constructor(
    readonly pid: Pid,
    /** The owner's monitor of the task. */
    readonly ref: Ref,
    readonly owner: Pid,
    /** @internal */ readonly alias: Alias,
  ) {}
  /** Phantom field carrying the result type. */
  declare readonly __result?: T;
  toString(): string {
    return `Task(${this.pid})`;
  }
}

trustShow(TaskReply, TaskHandle);

/** What `Task.yield` resolves to: the result, the task's exit, or TIMEOUT (still running). */
export type YieldResult<T> = { ok: true; value: T } | { ok: false; exit: unknown } | Timeout;

function checkFn(fn: unknown, what: string): asserts fn is () => unknown {
  if (typeof fn !== "function") throw new TypeError(`${what} expects a function (the task body), got ${show(fn)}`);
}

function checkOwned(task: unknown, what: string): asserts task is TaskHandle {
  if (!(task instanceof TaskHandle)) throw new TypeError(`${what} expects a task from Task.async or Task.asyncNolink, got ${show(task)}`);
  const me = self();
  if (task.owner !== me) throw new ArgumentError(`${what}: ${task} belongs to ${task.owner}, not to ${me} (only the owner can await it)`);
}

async function asyncTask<T>(fn: () => T | Promise<T>, link: boolean, what: string): Promise<TaskHandle<T>> {
  checkFn(fn, what);
  const alias = new Alias(self(), makeRef());
  const body = async () => {
    const value = await fn();
    await sendToAlias(alias, new TaskReply(alias.tag, value));
  };
  if (link) {
    // Linked and monitored atomically; the monitor is internal because the link
    // already carries a crash to the owner, which is still reported unless it traps exits.
    const { pid, ref } = await spawnMonitorInternal(body, true, what);
    return new TaskHandle<T>(pid, ref, alias.pid, alias);
  }
  // Not linked: the owner's monitor is how it learns of a crash, so it counts as handling it.
  const { pid, ref } = await spawnMonitor(body);
  return new TaskHandle<T>(pid, ref, alias.pid, alias);
}

const replyOf = (task: TaskHandle) => (m: unknown) => m instanceof TaskReply && m.tag === task.alias.tag;

async function awaitTask<T>(task: TaskHandle<T>, timeout = 5000): Promise<T> {
  checkOwned(task, "Task.await");
  const t = checkTimeout(timeout, "Task.await");
  const isReply = replyOf(task);
  const isDown = downOf(task.ref);
  const m = await receive((x) => isReply(x) || isDown(x), { timeout: t });
  task.alias.active = false;
  if (m instanceof TaskReply) {
    await demonitor(task.ref, { flush: true });
    return m.value as T;
  }
  if (m === TIMEOUT) {
    await demonitor(task.ref, { flush: true });
    throw new CallExit("timeout", `Task.await(${task}, ${timeout})`);
  }
  throw new CallExit((m as { reason: unknown }).reason, `Task.await(${task}, ${timeout})`);
}

async function awaitMany(tasks: TaskHandle[], timeout = 5000): Promise<unknown[]> {
  if (!Array.isArray(tasks)) throw new TypeError(`Task.awaitMany expects an array of tasks, got ${show(tasks)}`);
  for (const t of tasks) checkOwned(t, "Task.awaitMany");
  const t = checkTimeout(timeout, "Task.awaitMany");
  const deadline = now() + t;
  const results = new Map<TaskHandle, unknown>();
  const pending = new Set(tasks);
  const fail = async (reason: unknown): Promise<never> => {
    for (const p of pending) {
      p.alias.active = false;
      await demonitor(p.ref, { flush: true });
    }
    throw new CallExit(reason, `Task.awaitMany([${tasks.length} tasks], ${timeout})`);
  };
  while (pending.size > 0) {
    let hit: TaskHandle | undefined;
    const m = await receive(
      (x) => {
        for (const p of pending) if (replyOf(p)(x) || downOf(p.ref)(x)) return (hit = p);
        return false;
      },
      { timeout: Math.max(0, deadline - now()) },
    );
    if (m === TIMEOUT) return fail("timeout");
    if (m instanceof TaskReply) {
      pending.delete(hit!);
      hit!.alias.active = false;
      results.set(hit!, m.value);
      await demonitor(hit!.ref, { flush: true });
    } else {
      return fail((m as { reason: unknown }).reason);
    }
  }
  return tasks.map((x) => results.get(x));
}

async function yieldTask<T>(task: TaskHandle<T>, timeout = 5000): Promise<YieldResult<T>> {
  checkOwned(task, "Task.yield");
  const t = checkTimeout(timeout, "Task.yield");
  const isReply = replyOf(task);
  const isDown = downOf(task.ref);
  const m = await receive((x) => isReply(x) || isDown(x), { timeout: t });
  if (m === TIMEOUT) return TIMEOUT; // the monitor stays: yield may be called again
  task.alias.active = false;
  if (m instanceof TaskReply) {
    await demonitor(task.ref, { flush: true });
    return { ok: true, value: m.value as T };
  }
  return { ok: false, exit: (m as { reason: unknown }).reason };
}

/**
 * Task, as in Elixir: `async` (linked + monitored) and `asyncNolink` (monitored
 * only, like Task.Supervisor.async_nolink), `await` with a virtual timeout,
 * `awaitMany`, `yield`, and fire-and-forget `start` / `startLink`.
 *
 * @example
 * const t = await Task.async(async () => 1 + 1);
 * await Task.await(t); // 2
 */
export const Task = {
  /** Runs `fn` in a new process linked to and monitored by the caller. */
  async<T>(fn: () => T | Promise<T>): Promise<TaskHandle<T>> {
    return asyncTask(fn, true, "Task.async");
  },
  /** Runs `fn` in a new process monitored (not linked) by the caller: its crash only shows in await/yield. */
  asyncNolink<T>(fn: () => T | Promise<T>): Promise<TaskHandle<T>> {
    return asyncTask(fn, false, "Task.asyncNolink");
  },
  /** The task's result; rejects with CallExit ("timeout" or the task's exit reason). The task keeps running after a timeout. */
  await: awaitTask,
  /** The results of all tasks, in their order; rejects with CallExit on the first exit or on the timeout. */
  awaitMany,
  /** `{ ok: true, value }`, `{ ok: false, exit: reason }`, or TIMEOUT if the task is still running after `timeout`. */
  yield: yieldTask,
  /** Starts `fn` in a process nobody waits for (Task.start); resolves to its pid. */
  start(fn: () => unknown): Promise<Pid> {
    try {
      checkFn(fn, "Task.start");
    } catch (e) {
      return Promise.reject(e);
    }
    return spawn(async () => {
      await fn();
    });
  },
  /** Like `start`, linked to the caller. */
  startLink(fn: () => unknown): Promise<Pid> {
    try {
      checkFn(fn, "Task.startLink");
    } catch (e) {
      return Promise.reject(e);
    }
    return spawnLink(async () => {
      await fn();
    });
  },
} as const;
