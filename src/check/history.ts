// A Jepsen/Porcupine-style operation history: each operation is an invocation and a
// completion (ok, fail or info) stamped with indices from one counter. Recording is
// cheap: integers and references only, no formatting (the checkers format on failure).
import { currentIteration } from "../runtime/iteration.js";
import { self } from "../runtime/processes.js";
import type { Pid } from "../values/pid.js";
import { show } from "../values/show.js";

/** How an operation ended. `pending`: no completion recorded yet (checked as `info`). */
export const Outcome = Object.freeze({ Pending: 0, Ok: 1, Fail: 2, Info: 3 } as const);
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** One recorded operation. Indices come from one counter shared by invokes and completions. */
export interface Op {
  /** Position in `History.ops` (what `invoke` returned). */
  readonly id: number;
  /** The process that invoked it (`self()`), or undefined outside a lockstep process. */
  readonly process: Pid | undefined;
  readonly name: string;
  readonly args: unknown;
  /** When it was invoked. */
  readonly invoke: number;
  /** When it completed; `Infinity` while pending and for `info` (it may take effect at any later time). */
  complete: number;
  outcome: Outcome;
  /** The result (`ok`) or error (`fail`). */
  result: unknown;
}

/** A handle returned by `History.invoke`: the operation's id. */
export type OpId = number;

/**
 * A concurrent history. `invoke` records the calling process and is not a sync point;
 * neither are `ok`, `fail` and `info`.
 *
 * @example
 * const h = new History();
 * const op = h.invoke("read", []);
 * h.ok(op, await cell.get());
 */
export class History {
  readonly ops: Op[] = [];
  private clock = 0;

  /** Records the invocation of `name(args)` by the calling process; returns its handle. */
  invoke(name: string, args?: unknown): OpId {
    return this.record(currentProcess(), name, args);
  }

  /** The operation happened and returned `result`. */
  ok(op: OpId, result?: unknown): void {
    this.complete(op, Outcome.Ok, result, "ok");
  }

  /** The operation did not happen (it failed without effect). */
  fail(op: OpId, error?: unknown): void {
    this.complete(op, Outcome.Fail, error, "fail");
  }

  /** The outcome is unknown: it may or may not have happened, at any time after its invocation. */
  info(op: OpId): void {
    this.complete(op, Outcome.Info, undefined, "info");
  }

  /** @internal Records an invocation as `process` (tests and adapters). */
  record(process: Pid | undefined, name: string, args: unknown): OpId {
    const id = this.ops.length;
    this.ops.push({ id, process, name, args, invoke: this.clock++, complete: Infinity, outcome: Outcome.Pending, result: undefined });
    return id;
  }

  private complete(id: OpId, outcome: Outcome, result: unknown, what: string): void {
    const op = this.ops[id];
    if (op === undefined || id !== Math.floor(id)) throw new TypeError(`History.${what} expects an operation returned by invoke(), got ${show(id)}`);
    if (op.outcome !== Outcome.Pending) throw new TypeError(`History.${what}: operation #${id} (${op.name}) already completed`);
    op.outcome = outcome;
    op.result = result;
    // An info op may take effect at any later time: its completion is unbounded.
    op.complete = outcome === Outcome.Info ? Infinity : this.clock++;
  }
}

/** The calling lockstep process, or undefined outside one. */
function currentProcess(): Pid | undefined {
  const it = currentIteration();
  return it !== null && it.caller() !== null ? self() : undefined;
}

/** One line describing `op`, for explanations: `#3 <0.4.0> read() -> 1 [5, 8]`. */
export function describeOp(op: Op): string {
  const who = op.process === undefined ? "" : ` ${show(op.process)}`;
  const end =
    op.outcome === Outcome.Ok ? ` -> ${show(op.result)}` : op.outcome === Outcome.Fail ? ` failed ${show(op.result)}` : " (outcome unknown)";
  const when = op.complete === Infinity ? `[${op.invoke}, ...]` : `[${op.invoke}, ${op.complete}]`;
  return `#${op.id}${who} ${call(op.name, op.args)}${end} ${when}`;
}

/** `name(args)`: an args array lists its elements, undefined shows nothing. */
export function call(name: string, args: unknown): string {
  const inner = args === undefined ? "" : Array.isArray(args) ? args.map((a) => show(a)).join(", ") : show(args);
  return `${name}(${inner})`;
}
