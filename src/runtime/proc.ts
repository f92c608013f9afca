import { Pid } from "../values/pid.js";
import { trustShow } from "../values/show.js";

/** What a blocked process is waiting for (for deadlock reports and timer effects). */
export const enum Wait {
  NONE = 0,
  RECEIVE = 1,
  SLEEP = 2,
  /** Parked by a library primitive (Mutex, Condition...) that will enable it itself. */
  OTHER = 3,
}

/**
 * Concurrent work a process has in flight (src/runtime/calls.ts): controlled calls and
 * lockstep calls started while another of its calls had not settled. Their results are
 * handed over whenever the process resumes.
 */
export interface InFlight {
  /** Settles, in the process's turn, what finished; re-arms idle detection while work remains. */
  resumed(): void;
  /** Calls started and not yet handed over. */
  readonly inFlight: number;
  /** Lockstep calls made concurrently and not yet handed over (a process must not end with one floating). */
  readonly syncInFlight: number;
  /** Calls that finished and wait for the process to resume to be handed over. */
  readonly settled: readonly { readonly name: string }[];
}

/** A receive predicate: true for the messages the process wants. */
export type Matcher = (msg: any) => unknown;

/**
 * One managed process of one iteration. Only the runtime touches these; users see
 * the `pid`. A process is an async function that runs only between sync points when
 * the engine chose it.
 */
export class Proc {
  readonly pid: Pid;
  /** Cache of the engine's liveness (x.isAlive), asserted in debug builds (Iteration.checkCaches). */
  alive = true;
  /** Exit reason once dead. */
  reason: unknown = undefined;
  readonly mailbox: unknown[] = [];
  trap = false;
  /** Resolves the promise the process is parked on; null when not parked. */
  wake: ((v: unknown) => void) | null = null;
  wakeErr: ((e: unknown) => void) | null = null;
  /** Value (or error) handed back when the process resumes. */
  resumeValue: unknown = undefined;
  resumeError: unknown = undefined;
  hasResumeError = false;
  /** Why the process is blocked, if it is; a blocked process is disabled in the engine (asserted in debug builds). */
  waiting: Wait = Wait.NONE;
  match: Matcher | undefined = undefined;
  /** Timer slot of a pending receive timeout or sleep, or -1. */
  waitTimer = -1;
  /** Free text describing an OTHER wait (e.g. "Mutex#3.lock"). */
  waitLabel: string | (() => string) = "";
  /** The last op this process performed (an OP code), for failure messages. */
  lastOp = 0;
  /** Report line to print when a blocked receive resumes (detail mode only). */
  waitNote = "";
  /** Where the program's blocked receive is (detail mode), for the line of its woken row. */
  waitSite = "";
  /** Local names registered to this process. */
  names: (string | symbol)[] | null = null;
  /** Timers whose destination is this process (cancelled when it dies, as Erlang does). */
  timersTo = 0;
  /** Its concurrent calls (controlled calls, concurrent sync points), created on first use. */
  calls: InFlight | null = null;
  /**
   * The controlled call this task runs (a Call of src/runtime/calls.ts, opaque here),
   * or null for a process. A field, not a WeakMap keyed by task: an iteration makes a
   * task per call, and short-lived WeakMap keys are costly for the garbage collector.
   */
  call: object | null = null;
  /**
   * The process this one acts for: itself, or for a task that runs one concurrent
   * sync point of a process (src/runtime/calls.ts), that process. Identity-bearing
   * effects (a Mutex's owner, a registration, a link, a monitor's watcher) use `home`.
   */
  home: Proc = this;
  /** Index of the simulated node it runs on (src/runtime/cluster-state.ts); 0 is the main node. */
  node = 0;
  /** Tasks acting for this process that wait in a receive on its mailbox, in the order they began waiting. */
  receivers: Proc[] | null = null;
  /**
   * Blocked because its code went idle (it awaits plain promises only): on its
   * controlled calls (calls.ts) or on the event loop (virtual timers). A timer callback
   * may be handed to such a process to run in its turn (src/runtime/virtual-timers.ts).
   */
  eventWait = false;
  /**
   * Its code is idle (it awaits plain promises only): set when it blocks on its calls or
   * the event loop, kept after it was woken until it next runs. A timer callback of its
   * own is handed to it then, even once it is runnable again (src/runtime/virtual-timers.ts).
   */
  idle = false;
  /** Callbacks handed to this process, run in its turn when it next resumes (Iteration.transfer). */
  due: (() => void)[] | null = null;
  /**
   * Its code reached its end outside its turn (Iteration.deferToOwnTurn): the end, run in
   * its turn after the callbacks handed to it (ending first would drop them with it).
   */
  ending: (() => void) | null = null;
  /** For a process that runs a timer callback: the timer it runs (describe(): e.g. "setTimeout #3 callback, set by <0.1.0>"), for crash reports; null otherwise. */
  timer: { describe(): string } | null = null;
  constructor(
    readonly id: number,
    readonly fn: (() => unknown) | null,
    readonly system: boolean,
    /** What it runs, for reports (a function: built only when a report asks). */
    readonly label: string | (() => string),
  ) {
    this.pid = new Pid(id);
  }

  toString(): string {
    const label = typeof this.label === "function" ? this.label() : this.label;
    return label ? `${this.pid} (${label})` : String(this.pid);
  }
}

trustShow(Proc);
