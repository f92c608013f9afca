// The Task namespace (Elixir's Task): the public surface over task.ts (one task) and
// task-stream.ts (asyncStream).
import type { Pid } from "../values/pid.js";
import { spawn, spawnLink } from "../runtime/processes.js";
import { laneLabel, spawnedName } from "../runtime/lane-names.js";
import { asyncTask, awaitTask, awaitMany, yieldTask, yieldMany, shutdownTask, ignoreTask, completed, checkFn, type TaskHandle } from "./task.js";
import { asyncStream, type AsyncStreamOptions } from "./task-stream.js";
import { TaskSupervisor } from "./task-supervisor.js";
import type { TaskResult } from "./task.js";

/**
 * Task, as in Elixir: `async` (linked + monitored) and `asyncNolink` (monitored
 * only, like Task.Supervisor.async_nolink), `await` with a virtual timeout,
 * `awaitMany`, `yield`, `yieldMany`, `shutdown`, `ignore`, `completed`,
 * `asyncStream`, and fire-and-forget `start` / `startLink`.
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
  /** One YieldResult per task, in the order of `tasks`, after at most `timeout` virtual ms in total (or `{ timeout, limit, onTimeout }`). */
  yieldMany,
  /** Unlinks and stops the task ("shutdown", then "kill" after `timeout`; or "brutal_kill"): its reply if it came first, `{ ok: false, exit }`, or undefined. */
  shutdown: shutdownTask,
  /** Unlinks and demonitors the task, which keeps running; its result if it already came, else undefined (later results are dropped). */
  ignore: ignoreTask,
  /** A task already completed with `value` (Task.completed/1). */
  completed,
  /** Runs `fn` on each item in tasks, at most `maxConcurrency` at once: an async iterable of TaskResults (see task-stream.ts). */
  asyncStream<T, R>(items: Iterable<T> | AsyncIterable<T>, fn: (item: T) => R | Promise<R>, opts?: AsyncStreamOptions): AsyncIterable<TaskResult<Awaited<R>>> {
    return asyncStream(items, fn, opts);
  },
  /** Elixir's Task.Supervisor (an alias of TaskSupervisor). */
  Supervisor: TaskSupervisor,
  /** Starts `fn` in a process nobody waits for (Task.start); resolves to its pid. */
  start(fn: () => unknown): Promise<Pid> {
    try {
      checkFn(fn, "Task.start");
    } catch (e) {
      return Promise.reject(e);
    }
    return spawn(laneLabel(async () => {
      await fn();
    }, () => spawnedName(fn, false) || "Task"));
  },
  /** Like `start`, linked to the caller. */
  startLink(fn: () => unknown): Promise<Pid> {
    try {
      checkFn(fn, "Task.startLink");
    } catch (e) {
      return Promise.reject(e);
    }
    return spawnLink(laneLabel(async () => {
      await fn();
    }, () => spawnedName(fn, false) || "Task"));
  },
} as const;
