import { Pid } from "./pid.js";
import { trustShow } from "../values/show.js";
import type { Iteration } from "./iteration.js";

/** What a blocked process is waiting for (for deadlock reports and timer effects). */
export const enum Wait {
  NONE = 0,
  RECEIVE = 1,
  SLEEP = 2,
  /** Parked by a library primitive (Mutex, Condition...) that will enable it itself. */
  OTHER = 3,
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
  /** Why the process is blocked, if it is. */
  waiting: Wait = Wait.NONE;
  match: Matcher | undefined = undefined;
  /** Timer slot of a pending receive timeout or sleep, or -1. */
  waitTimer = -1;
  /** Free text describing an OTHER wait (e.g. "Mutex#3.lock"). */
  waitLabel = "";
  /** The last op this process performed (an OP code), for failure messages. */
  lastOp = 0;
  /** Report line to print when a blocked receive resumes (detail mode only). */
  waitNote = "";
  /** Local names registered to this process. */
  names: (string | symbol)[] | null = null;
  /** Timers whose destination is this process (cancelled when it dies, as Erlang does). */
  timersTo = 0;
  /** Set by the first sync point that found the process not yet awaited (see Iteration.enter). */
  constructor(
    readonly it: Iteration,
    readonly id: number,
    readonly fn: (() => unknown) | null,
    readonly system: boolean,
    readonly label: string,
  ) {
    this.pid = new Pid(id);
  }

  toString(): string {
    return this.label ? `${this.pid} (${this.label})` : String(this.pid);
  }
}

trustShow(Proc);
