// Task.asyncStream: Elixir's Task.async_stream/3 (lib/elixir/lib/task.ex, the stream
// loop in lib/elixir/lib/task/supervised.ex) as an async iterable. Elixir runs the
// tasks under an intermediate "monitor" process that also times them out; here the
// consumer does both itself: each item runs in a task linked to and monitored by the
// consumer (as Task.async), and the consumer's receive times out at the earliest
// task deadline. What the consumer sees is the same: `{ ok: true, value }` per item,
// `{ ok: false, exit }` for a task that exited (only seen when trapping exits: the
// link takes a non-trapping consumer down), and a timeout that either exits the
// consumer (rejects with CallExit "timeout") or yields `{ ok: false, exit: "timeout" }`.
import { ArgumentError } from "../runtime/errors.js";
import { receive } from "../runtime/messages.js";
import { self } from "../runtime/processes.js";
import { now } from "../runtime/time.js";
import { TIMEOUT } from "../runtime/timeout.js";
import { exitFrom } from "../runtime/library.js";
import { Pid } from "../values/pid.js";
import { Ref } from "../values/ref.js";
import { show } from "../values/show.js";
import { CallExit } from "./errors.js";
import { checkTimeout } from "./genserver.js";
import { asyncTask, shutdownTask, TaskReply, type TaskHandle, type TaskResult } from "./task.js";

/** Options of `Task.asyncStream` (Elixir's async_stream options). */
export interface AsyncStreamOptions {
  /**
   * How many tasks may run at once (default 2: Elixir's default is
   * System.schedulers_online(), which a simulation has no use for; 2 is the smallest
   * value that still makes items race).
   */
  maxConcurrency?: number;
  /** Emit results in the order of the items (default true); false emits them as they finish. */
  ordered?: boolean;
  /** Virtual ms each task may run, counted from its spawn (default 5000, Infinity allowed). */
  timeout?: number;
  /** A task that times out is killed; then the consumer exits ("exit", default: the iteration rejects with CallExit "timeout") or `{ ok: false, exit: "timeout" }` is emitted for it ("killTask"). */
  onTimeout?: "exit" | "killTask";
}

interface Config {
  max: number;
  ordered: boolean;
  timeout: number;
  onTimeout: "exit" | "killTask";
}

const KEYS = ["maxConcurrency", "ordered", "timeout", "onTimeout"];

function config(opts: unknown): Config {
  const what = "Task.asyncStream";
  if (opts === undefined) opts = {};
  if (opts === null || typeof opts !== "object") throw new TypeError(`${what}: options must be an object like { maxConcurrency }, got ${show(opts)}`);
  for (const k of Object.keys(opts)) if (!KEYS.includes(k)) throw new TypeError(`${what}: unknown option ${show(k)} (known: ${KEYS.join(", ")})`);
  const o = opts as AsyncStreamOptions;
  const max = o.maxConcurrency ?? 2;
  if (!Number.isInteger(max) || max < 1) throw new TypeError(`${what}: maxConcurrency must be an integer greater than zero, got ${show(o.maxConcurrency)}`);
  const ordered = o.ordered ?? true;
  if (typeof ordered !== "boolean") throw new TypeError(`${what}: ordered must be a boolean, got ${show(ordered)}`);
  const onTimeout = o.onTimeout ?? "exit";
  if (onTimeout !== "exit" && onTimeout !== "killTask") throw new TypeError(`${what}: onTimeout must be "exit" or "killTask", got ${show(onTimeout)}`);
  return { max, ordered, timeout: checkTimeout(o.timeout ?? 5000, what), onTimeout };
}

/** One item's task, from its spawn until its DOWN is received. */
interface Slot {
  index: number;
  task: TaskHandle;
  /** Spawn time + timeout. */
  deadline: number;
  /** Set when its reply arrived: the task is exiting, its DOWN will follow. */
  reply: TaskResult<unknown> | undefined;
}

type Input<T> = Iterator<T> | AsyncIterator<T>;

function inputOf<T>(items: Iterable<T> | AsyncIterable<T>): Input<T> {
  if (items != null && typeof (items as AsyncIterable<T>)[Symbol.asyncIterator] === "function") return (items as AsyncIterable<T>)[Symbol.asyncIterator]();
  if (items != null && typeof (items as Iterable<T>)[Symbol.iterator] === "function") return (items as Iterable<T>)[Symbol.iterator]();
  throw new TypeError(`Task.asyncStream expects an iterable or async iterable of items, got ${show(items)}`);
}

/**
 * The stream loop, run by the consumer (the process that iterates). Like Elixir's
 * stream_reduce: spawn while fewer than `max` tasks run, wait for one event (a reply,
 * a DOWN, or the earliest deadline), emit what became deliverable, repeat. A slot is
 * freed by its task's DOWN, not by its reply, as in Elixir.
 */
async function* run<T, R>(items: Iterable<T> | AsyncIterable<T>, fn: (item: T) => R | Promise<R>, c: Config, spawnTask: Spawner): AsyncGenerator<TaskResult<Awaited<R>>> {
  const input = inputOf(items);
  const running = new Map<Ref, Slot>(); // by monitor ref
  const byTag = new Map<Ref, Slot>(); // by reply alias tag
  const ready = new Map<number, TaskResult<unknown>>(); // finished, by index (ordered)
  const queue: TaskResult<unknown>[] = []; // finished, in finishing order (unordered)
  let spawned = 0;
  let delivered = 0;
  let inputDone = false;
  const slotOf = (m: any): Slot | undefined =>
    m instanceof TaskReply ? byTag.get(m.tag) : m !== null && typeof m === "object" && m.type === "DOWN" ? running.get(m.ref) : undefined;
  const finish = async (s: Slot, r: TaskResult<unknown>) => {
    running.delete(s.task.ref);
    byTag.delete(s.task.alias.tag);
    // A consumer that traps exits also got the link's EXIT: drop it (Elixir's tasks are linked to the monitor process instead).
    await receive(exitFrom(s.task.pid), { timeout: 0 });
    if (c.ordered) ready.set(s.index, r);
    else queue.push(r);
  };
  try {
    for (;;) {
      while (!inputDone && running.size < c.max) {
        const next = await input.next();
        if (next.done) {
          inputDone = true;
          break;
        }
        const item = next.value;
        const task = await spawnTask(() => fn(item));
        const s: Slot = { index: spawned++, task, deadline: now() + c.timeout, reply: undefined };
        running.set(task.ref, s);
        byTag.set(task.alias.tag, s);
      }
      if (running.size === 0) return;
      let earliest = Infinity;
      for (const s of running.values()) if (s.reply === undefined && s.deadline < earliest) earliest = s.deadline;
      const m = await receive((x) => slotOf(x) !== undefined, { timeout: Math.max(0, earliest - now()) });
      if (m === TIMEOUT) {
        for (const s of [...running.values()]) {
          if (s.reply !== undefined || s.deadline > now()) continue;
          // Killed whatever onTimeout says (as Elixir's monitor process does); a reply that came first wins.
          const r = await shutdownTask(s.task, "brutal_kill");
          if (r?.ok) await finish(s, r);
          else if (c.onTimeout === "killTask") await finish(s, { ok: false, exit: "timeout" });
          else {
            running.delete(s.task.ref);
            await receive(exitFrom(s.task.pid), { timeout: 0 });
            throw new CallExit("timeout", `Task.asyncStream(timeout ${c.timeout})`);
          }
        }
      } else {
        const s = slotOf(m)!;
        if (m instanceof TaskReply) s.reply = { ok: true, value: m.value };
        else await finish(s, s.reply ?? { ok: false, exit: (m as { reason: unknown }).reason });
      }
      if (c.ordered) {
        for (let r; (r = ready.get(delivered)) !== undefined; ) {
          ready.delete(delivered++);
          yield r as TaskResult<Awaited<R>>;
        }
      } else {
        while (queue.length > 0) {
          delivered++;
          yield queue.shift() as TaskResult<Awaited<R>>;
        }
      }
    }
  } finally {
    // Stopped early (break, a thrown error, a timeout exit): kill what still runs and
    // drop its messages, then close the input (Elixir's stream_close).
    for (const s of running.values()) {
      await shutdownTask(s.task, "brutal_kill");
      await receive(exitFrom(s.task.pid), { timeout: 0 });
    }
    running.clear();
    if (!inputDone) await input.return?.();
  }
}

/** How a stream starts one item's task: Task.async by default, Task.Supervisor.async under a supervisor. */
export type Spawner = (fn: () => unknown) => Promise<TaskHandle>;

const spawnLinked: Spawner = (fn) => asyncTask(fn, true, "Task.asyncStream");

/**
 * Task.async_stream/3: an async iterable that runs `fn(item)` for each item in its
 * own task (linked to and monitored by the consumer), at most `maxConcurrency` at a
 * time, and yields `{ ok: true, value }` per item — in item order unless `ordered:
 * false`. Nothing runs until iteration starts; each iteration runs the items afresh.
 * Stopping early (break) kills the tasks still running. Only the process that
 * started an iteration may continue it.
 *
 * @example
 * for await (const r of Task.asyncStream([1, 2, 3], async (x) => x * 2, { maxConcurrency: 2 })) {
 *   if (r.ok) console.log(r.value); // 2, 4, 6
 * }
 */
export function asyncStream<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  fn: (item: T) => R | Promise<R>,
  opts?: AsyncStreamOptions,
  /** @internal Task.Supervisor.asyncStream's: tasks started under a supervisor. */
  spawnTask: Spawner = spawnLinked,
): AsyncIterable<TaskResult<Awaited<R>>> {
  if (typeof fn !== "function") throw new TypeError(`Task.asyncStream expects a function (the task body), got ${show(fn)}`);
  if (items == null || (typeof (items as any)[Symbol.iterator] !== "function" && typeof (items as any)[Symbol.asyncIterator] !== "function")) {
    throw new TypeError(`Task.asyncStream expects an iterable or async iterable of items, got ${show(items)}`);
  }
  const c = config(opts);
  return {
    [Symbol.asyncIterator](): AsyncIterator<TaskResult<Awaited<R>>> {
      const gen = run(items, fn, c, spawnTask);
      let consumer: Pid | undefined;
      const owned = <V>(step: () => Promise<V>): Promise<V> => {
        try {
          const me = self();
          consumer ??= me;
          if (me !== consumer) throw new ArgumentError(`Task.asyncStream: this iteration belongs to ${consumer}, not to ${me} (only the process iterating a stream can continue it)`);
        } catch (e) {
          return Promise.reject(e);
        }
        return step();
      };
      return {
        next: () => owned(() => gen.next()),
        return: (v?: any) => owned(() => gen.return(v)),
      };
    },
  };
}
