// Task: Elixir's Task (lib/elixir/lib/task.ex). An async task is a process linked to
// and monitored by its owner; it sends its result through an alias the owner turns
// off when it stops waiting, so a result that comes too late is dropped.
import { ArgumentError } from "../runtime/errors.js";
import { receive } from "../runtime/messages.js";
import { Pid } from "../values/pid.js";
import { demonitor, exit, makeRef, monitor, self, spawnMonitor, spawnMonitorInternal, unlink } from "../runtime/processes.js";
import { Ref } from "../values/ref.js";
import { laneLabel, spawnedName } from "../runtime/lane-names.js";
import { now } from "../runtime/time.js";
import { TIMEOUT, type Timeout } from "../runtime/timeout.js";
import { show, trustShow } from "../values/show.js";
import { CallExit } from "./errors.js";
import { checkTimeout } from "./genserver.js";
import { Alias, downOf, sendToAlias } from "../runtime/library.js";

/** @internal A task's reply, sent through its alias. */
export class TaskReply {
  constructor(
    readonly tag: Ref,
    readonly value: unknown,
  ) {}
  toString(): string {
    return `task result(${show(this.value)})`;
  }
}

/**
 * A task: await it (once) from its owner with `Task.await`, poll it with `Task.yield`,
 * or stop caring with `Task.shutdown` / `Task.ignore`. `pid` is undefined only for
 * `Task.completed(value)` (Elixir's `%Task{pid: nil}`).
 */
export class TaskHandle<T = unknown, P extends Pid | undefined = Pid> {
  /** @internal A Task.completed result not taken yet (Elixir keeps it in the owner's mailbox until received once). */
  settled: { value: T } | undefined = undefined;
  /** @internal */
  constructor(
    readonly pid: P,
    /** The owner's monitor of the task. */
    readonly ref: Ref,
    readonly owner: Pid,
    /** @internal */ readonly alias: Alias,
  ) {}
  /** Phantom field carrying the result type. */
  declare readonly __result?: T;
  toString(): string {
    return this.pid === undefined ? "Task(completed)" : `Task(${this.pid})`;
  }
}

/** Any task handle, running or `Task.completed`. */
type AnyTask<T = unknown> = TaskHandle<T, Pid | undefined>;

trustShow(TaskReply, TaskHandle);

/** How a task ended: its result, or the reason it exited without one. */
export type TaskResult<T> = { ok: true; value: T } | { ok: false; exit: unknown };

/** What `Task.yield` resolves to: the result, the task's exit, or TIMEOUT (still running). */
export type YieldResult<T> = TaskResult<T> | Timeout;

export function checkFn(fn: unknown, what: string): asserts fn is () => unknown {
  if (typeof fn !== "function") throw new TypeError(`${what} expects a function (the task body), got ${show(fn)}`);
}

function checkTask(task: unknown, what: string): asserts task is AnyTask {
  if (!(task instanceof TaskHandle)) throw new TypeError(`${what} expects a task from Task.async or Task.asyncNolink, got ${show(task)}`);
}

function checkOwned(task: unknown, what: string): asserts task is AnyTask {
  checkTask(task, what);
  const me = self();
  if (task.owner !== me) throw new ArgumentError(`${what}: ${task} belongs to ${task.owner}, not to ${me} (only the owner can await it)`);
}

/** @internal Spawns `fn` as a task of the caller (linked or not, always monitored). */
export async function asyncTask<T>(fn: () => T | Promise<T>, link: boolean, what: string): Promise<TaskHandle<T>> {
  checkFn(fn, what);
  const alias = new Alias(self(), makeRef());
  const body = laneLabel(async () => {
    const value = await fn();
    await sendToAlias(alias, new TaskReply(alias.tag, value));
  }, () => spawnedName(fn, false) || "Task");
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

const replyOf = (task: AnyTask) => (m: unknown) => m instanceof TaskReply && m.tag === task.alias.tag;

/** A Task.completed result, taken once: after that the task behaves as one whose reply was received. */
function takeSettled<T>(task: AnyTask<T>): { ok: true; value: T } | undefined {
  const s = task.settled;
  if (s === undefined) return undefined;
  task.settled = undefined;
  return { ok: true, value: s.value };
}

export async function awaitTask<T>(task: AnyTask<T>, timeout = 5000): Promise<T> {
  checkOwned(task, "Task.await");
  const t = checkTimeout(timeout, "Task.await");
  const done = takeSettled(task);
  if (done) return done.value;
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

export async function awaitMany(tasks: AnyTask[], timeout = 5000): Promise<unknown[]> {
  if (!Array.isArray(tasks)) throw new TypeError(`Task.awaitMany expects an array of tasks, got ${show(tasks)}`);
  for (const t of tasks) checkOwned(t, "Task.awaitMany");
  const t = checkTimeout(timeout, "Task.awaitMany");
  const deadline = now() + t;
  const results = new Map<AnyTask, unknown>();
  const pending = new Set(tasks);
  for (const p of tasks) {
    const done = takeSettled(p);
    if (done) {
      results.set(p, done.value);
      pending.delete(p);
    }
  }
  const fail = async (reason: unknown): Promise<never> => {
    for (const p of pending) {
      p.alias.active = false;
      await demonitor(p.ref, { flush: true });
    }
    throw new CallExit(reason, `Task.awaitMany([${tasks.length} tasks], ${timeout})`);
  };
  while (pending.size > 0) {
    let hit: AnyTask | undefined;
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

export async function yieldTask<T>(task: AnyTask<T>, timeout = 5000): Promise<YieldResult<T>> {
  checkOwned(task, "Task.yield");
  const t = checkTimeout(timeout, "Task.yield");
  const done = takeSettled(task);
  if (done) return done;
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

/** Options of `Task.yieldMany` (Elixir's yield_many/2 keyword list). */
export interface YieldManyOptions {
  /** Virtual ms to wait in total (default 5000, Infinity allowed). */
  timeout?: number;
  /** Return as soon as this many tasks replied or exited (default: all of them). */
  limit?: number;
  /** What to do with the tasks still running when the timeout expires: keep them ("nothing", default), `Task.ignore` them, or `Task.shutdown(task, "brutal_kill")` them ("killTask"). */
  onTimeout?: "nothing" | "ignore" | "killTask";
}

const ON_TIMEOUT = ["nothing", "ignore", "killTask"];

function yieldManyOptions(opts: unknown, count: number): { timeout: number; limit: number; onTimeout: string } {
  const what = "Task.yieldMany";
  if (typeof opts === "number") return { timeout: checkTimeout(opts, what), limit: count, onTimeout: "nothing" };
  if (opts === null || typeof opts !== "object") throw new TypeError(`${what}: expected a timeout or { timeout, limit, onTimeout }, got ${show(opts)}`);
  for (const k of Object.keys(opts)) if (!["timeout", "limit", "onTimeout"].includes(k)) throw new TypeError(`${what}: unknown option ${show(k)} (known: timeout, limit, onTimeout)`);
  const o = opts as YieldManyOptions;
  const limit = o.limit ?? Math.max(count, 1);
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`${what}: limit must be a positive integer, got ${show(o.limit)}`);
  const onTimeout = o.onTimeout ?? "nothing";
  if (!ON_TIMEOUT.includes(onTimeout)) throw new TypeError(`${what}: onTimeout must be "nothing", "ignore" or "killTask", got ${show(onTimeout)}`);
  return { timeout: checkTimeout(o.timeout ?? 5000, what), limit: Math.min(limit, count), onTimeout };
}

/**
 * task.ex yield_many/2: waits at most `timeout` virtual ms in total for the tasks'
 * replies or exits, in mailbox order, and answers one YieldResult per task in the
 * order of `tasks` (TIMEOUT for a task still running). Replied tasks are demonitored;
 * the others stay monitored, so they can be yielded, awaited or shut down later.
 */
export async function yieldMany(tasks: AnyTask[], opts: number | YieldManyOptions = 5000): Promise<YieldResult<unknown>[]> {
  if (!Array.isArray(tasks)) throw new TypeError(`Task.yieldMany expects an array of tasks, got ${show(tasks)}`);
  for (const t of tasks) checkOwned(t, "Task.yieldMany");
  const pending = new Set(tasks);
  const { timeout, limit, onTimeout } = yieldManyOptions(opts, pending.size);
  const results = new Map<AnyTask, TaskResult<unknown>>();
  for (const p of pending) {
    if (results.size >= limit) break;
    const done = takeSettled(p);
    if (done) {
      results.set(p, done);
      pending.delete(p);
    }
  }
  // Which pending task a message belongs to: its reply (by alias tag) or its DOWN (by monitor ref).
  const byTag = new Map<Ref, AnyTask>();
  const byRef = new Map<Ref, AnyTask>();
  for (const p of pending) {
    byTag.set(p.alias.tag, p);
    byRef.set(p.ref, p);
  }
  const owner = (m: any): AnyTask | undefined =>
    m instanceof TaskReply ? byTag.get(m.tag) : m !== null && typeof m === "object" && m.type === "DOWN" ? byRef.get(m.ref) : undefined;
  const deadline = now() + timeout;
  let timedOut = false;
  while (results.size < limit) {
    const m = await receive((x) => owner(x) !== undefined, { timeout: Math.max(0, deadline - now()) });
    if (m === TIMEOUT) {
      timedOut = true;
      break;
    }
    const task = owner(m)!;
    byTag.delete(task.alias.tag);
    byRef.delete(task.ref);
    task.alias.active = false;
    if (m instanceof TaskReply) {
      await demonitor(task.ref, { flush: true });
      results.set(task, { ok: true, value: m.value });
    } else {
      results.set(task, { ok: false, exit: (m as { reason: unknown }).reason });
    }
  }
  const out: YieldResult<unknown>[] = [];
  for (const task of tasks) {
    let r: YieldResult<unknown> | undefined = results.get(task);
    if (r === undefined && timedOut && onTimeout === "killTask") r = await shutdownTask(task, "brutal_kill");
    if (r === undefined && timedOut && onTimeout === "ignore") r = await ignoreTask(task);
    out.push(r ?? TIMEOUT);
  }
  return out;
}

/**
 * task.ex shutdown/2: unlinks the task and sends it exit signal "shutdown" (then
 * "kill" after `timeout` virtual ms), or "kill" at once with "brutal_kill", and waits
 * until it is dead. A reply already in the owner's mailbox wins (`{ ok: true, value }`);
 * a task that died with another reason than the one it was shut down with gives
 * `{ ok: false, exit }` (so does a kill after the timeout: `{ ok: false, exit: "killed" }`,
 * as in Elixir); a task shut down gives undefined (Elixir's nil).
 */
export async function shutdownTask<T>(task: AnyTask<T>, how: number | "brutal_kill" = 5000): Promise<TaskResult<T> | undefined> {
  checkTask(task, "Task.shutdown");
  if (task.pid === undefined) return ignoreTask(task);
  checkOwned(task, "Task.shutdown");
  const brutal = how === "brutal_kill";
  const timeout = brutal ? Infinity : checkTimeout(how, "Task.shutdown");
  const pid = task.pid;
  // Monitored before the unlink, as Elixir does: a crash in between is still seen (and counts as handled).
  const mon = await monitor(pid);
  await unlink(pid);
  await exit(pid, brutal ? "kill" : "shutdown");
  const expected = brutal ? "killed" : "shutdown";
  let m = await receive(downOf(mon), { timeout });
  if (m === TIMEOUT) {
    await exit(pid, "kill");
    m = await receive(downOf(mon));
  }
  task.alias.active = false; // the task is dead: nothing more can come through it
  let reason = (m as { reason: unknown }).reason;
  if (reason === "noproc") {
    // It was dead before the new monitor: its own DOWN, if still in the mailbox, says how it ended.
    const down = await receive(downOf(task.ref), { timeout: 0 });
    if (down === TIMEOUT) await demonitor(task.ref, { flush: true });
    else reason = (down as { reason: unknown }).reason;
  } else {
    await demonitor(task.ref, { flush: true });
  }
  const reply = await receive(replyOf(task), { timeout: 0 });
  if (reply !== TIMEOUT) return { ok: true, value: (reply as TaskReply).value as T };
  return reason === expected ? undefined : { ok: false, exit: reason };
}

/**
 * task.ex ignore/1: the owner stops caring: the task is unlinked and demonitored and
 * keeps running, its later reply is dropped. Answers the result if the task had
 * already replied or exited, undefined otherwise.
 */
export async function ignoreTask<T>(task: AnyTask<T>): Promise<TaskResult<T> | undefined> {
  checkOwned(task, "Task.ignore");
  if (task.pid === undefined) return takeSettled(task);
  const isReply = replyOf(task);
  const isDown = downOf(task.ref);
  task.alias.active = false; // before the receive: a reply sent from now on is dropped, one already sent is found
  const m = await receive((x) => isReply(x) || isDown(x), { timeout: 0 });
  if (m !== TIMEOUT && !(m instanceof TaskReply)) return { ok: false, exit: (m as { reason: unknown }).reason };
  await unlink(task.pid);
  await demonitor(task.ref, { flush: true });
  return m === TIMEOUT ? undefined : { ok: true, value: (m as TaskReply).value as T };
}

/** task.ex completed/1: a task of the caller already completed with `value` (a plain call, not a sync point). */
export function completed<T>(value: T): TaskHandle<T, undefined> {
  const me = self();
  const ref = makeRef();
  const alias = new Alias(me, ref);
  alias.active = false;
  const task = new TaskHandle<T, undefined>(undefined, ref, me, alias);
  task.settled = { value };
  return task;
}
