// The causal slice of a failure: the operations of a trace that happen-before the
// failing step, printed as the short story of the bug.
//
// Happens-before is built from the integer operation records alone ([step, pid, op,
// resource, aux], src/engine/ops.ts), as the transitive closure of:
//   - process order: each operation of a process follows its previous one; a process's
//     first operation follows the spawn that created it;
//   - resources: an operation that reads a resource (receive, isAlive, whereis, a
//     registry or shared-cell read, monitor, link) follows the last write to it (send, exit,
//     exit signal, register, a registry or shared-cell write, ...), and writes to one
//     resource are ordered among themselves (mailbox order, registry and cell history);
//     a process woken from a blocking receive follows the last write to its mailbox;
//   - timers: a fired timer belongs to the process that set it (so it follows the
//     setting operation and precedes that process's next one); a sendAfter is a write
//     to its target's mailbox;
//   - monitors and links: a process's exit (or an exit signal to it) precedes the next
//     operation of every process that monitors or is linked to it (the DOWN / EXIT it
//     delivers); monitor, link, spawnLink and spawnMonitor establish who watches whom.
// The failing step itself is the failing process resuming after its last operation
// (so it follows that operation and the last message sent to it); for a deadlock, every
// blocked process's. Operations with no effect on others (yield) are left out of the
// story but still connect it.
import type { StepEvent } from "../runtime/iteration.js";
import type { Pid } from "../values/pid.js";
import type { TraceFile } from "./trace-file.js";
import { OP, RES, opName, resource, describeResource, RESOURCE_SPACE } from "../engine/ops.js";

const enum Access {
  LOCAL,
  READ,
  WRITE,
}

function access(op: number): Access {
  switch (op) {
    case OP.YIELD:
    case OP.SLEEP:
    case OP.START:
    case OP.TRAP_EXIT:
    case OP.DEMONITOR:
    case OP.TIMER_FIRE:
      return Access.LOCAL;
    case OP.RECEIVE:
    case OP.BLOCK:
    case OP.IS_ALIVE:
    case OP.WHEREIS:
    case OP.REG_READ:
    case OP.SHARED_READ:
    case OP.MONITOR:
    case OP.LINK:
    case OP.UNLINK:
      return Access.READ; // of the target's liveness; who watches whom is tracked apart
    default:
      return Access.WRITE; // unknown (newer) operations are treated conservatively
  }
}

const SPACE = RESOURCE_SPACE;
/** How the readable log marks a receive completed by another process's operation. */
const WOKEN = /woken/;
const procOf = (res: number): number => (Math.floor(res / SPACE) === RES.PROC ? res % SPACE : 0);

/**
 * Indices (into `trace.events`) of the operations causally relevant to the failure,
 * in trace order. `failPid` is the failing process's number when known (a Bug has it).
 */
export function sliceIndices(trace: TraceFile, failPid?: number): number[] {
  const ev = trace.events;
  const preds: number[][] = [];
  const lastOf = new Map<number, number>();
  const lastWrite = new Map<number, number>();
  const spawnOf = new Map<number, number>();
  const watchers = new Map<number, Set<number>>();
  const deaths = new Map<number, number[]>();
  const watch = (target: number, w: number) => {
    if (target <= 0 || w <= 0 || target === w) return;
    let s = watchers.get(target);
    if (!s) watchers.set(target, (s = new Set()));
    s.add(w);
  };
  const died = (p: number, i: number) => {
    for (const w of watchers.get(p) ?? []) {
      const d = deaths.get(w);
      if (d) d.push(i);
      else deaths.set(w, [i]);
    }
  };
  /** Predecessors of an operation by process `pe` that accesses `res`. */
  const before = (pe: number, acc: Access, res: number): number[] => {
    const ps: number[] = [];
    const prev = lastOf.get(pe);
    if (prev !== undefined) {
      ps.push(prev);
      // Woken from a blocking receive: by the last message put in its mailbox.
      if (ev[prev][2] === OP.BLOCK) {
        const w = lastWrite.get(resource(RES.PROC, pe));
        if (w !== undefined && w > prev) ps.push(w);
      }
    } else {
      const s = spawnOf.get(pe);
      if (s !== undefined) ps.push(s);
    }
    const d = deaths.get(pe);
    if (d) {
      ps.push(...d);
      deaths.delete(pe);
    }
    if (acc !== Access.LOCAL) {
      const w = lastWrite.get(res);
      if (w !== undefined) ps.push(w);
    }
    return ps;
  };

  for (let i = 0; i < ev.length; i++) {
    const [, pid, op, res, aux] = ev[i];
    const pe = op === OP.TIMER_FIRE ? aux : pid;
    const acc = access(op);
    preds.push(before(pe, acc, res));
    if (acc === Access.WRITE) lastWrite.set(res, i);
    lastOf.set(pe, i);
    const other = procOf(res);
    switch (op) {
      case OP.SPAWN:
        spawnOf.set(other, i);
        if (aux === 1) (watch(other, pid), watch(pid, other));
        else if (aux === 2) watch(other, pid);
        break;
      case OP.MONITOR:
        watch(other, pid);
        break;
      case OP.LINK:
        watch(other, pid);
        watch(pid, other);
        break;
      case OP.UNLINK:
        watchers.get(other)?.delete(pid);
        watchers.get(pid)?.delete(other);
        break;
      case OP.EXIT:
        died(pe, i);
        break;
      case OP.EXIT_SIGNAL:
        died(other, i);
        break;
    }
  }

  // The failing step: the failing process(es) resuming after their last operation.
  const relevant = new Set<number>();
  const work: number[] = [];
  for (const p of failingProcesses(trace, failPid, lastOf)) {
    for (const j of before(p, Access.LOCAL, 0)) work.push(j);
  }
  if (work.length === 0 && ev.length > 0) work.push(ev.length - 1);
  while (work.length > 0) {
    const j = work.pop()!;
    if (relevant.has(j)) continue;
    relevant.add(j);
    for (const k of preds[j]) if (!relevant.has(k)) work.push(k);
  }
  return [...relevant].sort((a, b) => a - b);
}

function failingProcesses(trace: TraceFile, failPid: number | undefined, lastOf: Map<number, number>): number[] {
  const f = trace.failure;
  if (f?.kind === "deadlock") {
    const blocked: number[] = [];
    for (const [p, i] of lastOf) {
      const op = trace.events[i][2];
      if (p > 0 && (op === OP.BLOCK || op === OP.SLEEP)) blocked.push(p);
    }
    return blocked;
  }
  if (failPid !== undefined) return [failPid];
  if (f?.kind === "exception") return [1]; // the body threw; its message may name other pids
  const named = f && f.kind !== "step-limit" ? /<0\.(\d+)\.0>/.exec(f.message) : null;
  if (named) return [Number(named[1])];
  const last = trace.events[trace.events.length - 1];
  return last ? [last[2] === OP.TIMER_FIRE ? last[4] : last[1]] : [];
}

const pidText = (p: number): string => (p === 0 ? "timer" : `<0.${p}.0>`);


/**
 * The causal slice of a trace as printable events. With the readable log of the run
 * (a Bug's `events`), each operation is shown as the report shows it; without it,
 * as op code and resource.
 */
export function sliceOfTrace(trace: TraceFile, log: StepEvent[] = [], failPid?: number): StepEvent[] {
  const idx = sliceIndices(trace, failPid);
  const ev = trace.events;
  // Group the readable log by (step, pid): each sync point notes one line and records
  // one operation, so within a group they pair up from the end. A group may also hold
  // lines that record no operation: a process's start, and the completion of a
  // receive that blocked (shown when a later operation of that process is in the story).
  const groups = new Map<string, number[]>();
  const fireName = opName(OP.TIMER_FIRE);
  const woken: number[] = [];
  let failRow: StepEvent | undefined;
  log.forEach((l, n) => {
    if (l.op.startsWith("FAILS")) failRow = l;
    else if (WOKEN.test(l.detail)) woken.push(n);
    else if (l.op !== opName(OP.START)) {
      const key = `${l.op === fireName ? "t" : ""}${l.step}|${l.pid}`;
      const g = groups.get(key);
      if (g) g.push(n);
      else groups.set(key, [n]);
    }
  });
  const recorded = new Map<string, number[]>();
  ev.forEach(([step, pid, op], i) => {
    if (op === OP.TIMER_FIRE) return;
    const key = `${step}|${pidText(pid)}`;
    const g = recorded.get(key);
    if (g) g.push(i);
    else recorded.set(key, [i]);
  });
  /** The log line of operation i, as an index into `log`, or -1. */
  const lineOf = (i: number): number => {
    const [step, pid, op, , aux] = ev[i];
    if (op === OP.TIMER_FIRE) return groups.get(`t${step}|${pidText(aux)}`)?.[0] ?? -1;
    const key = `${step}|${pidText(pid)}`;
    const ops = recorded.get(key)!;
    const lines = groups.get(key) ?? [];
    const k = lines.length - (ops.length - ops.indexOf(i));
    return k >= 0 ? lines[k] : -1;
  };
  // Entries sort by step, then log order; lines built from bare records go after.
  const rows: { step: number; order: number; e: StepEvent }[] = [];
  const lastStepOf = new Map<string, number>();
  const seen = (pid: string, step: number) => lastStepOf.set(pid, Math.max(step, lastStepOf.get(pid) ?? -1));
  for (const i of idx) {
    const [step, pid, op, res, aux] = ev[i];
    const who = pidText(op === OP.TIMER_FIRE ? aux : pid);
    seen(who, step);
    if (op === OP.YIELD) continue;
    const n = lineOf(i);
    rows.push({ step, order: n >= 0 ? n : log.length + i, e: n >= 0 ? log[n] : { step, pid: who, op: opName(op), detail: describeResource(op, res, pid), result: "" } });
  }
  if (failRow) seen(failRow.pid, failRow.step);
  for (const n of woken) {
    const w = log[n];
    if ((lastStepOf.get(w.pid) ?? -1) >= w.step) rows.push({ step: w.step, order: n, e: w });
  }
  rows.sort((a, b) => a.step - b.step || a.order - b.order);
  const story = rows.map((r) => r.e);
  if (failRow) story.push(failRow);
  return story;
}

/**
 * The operations causally relevant to a bug's failing step: its short story, in
 * trace order, ending with the failure.
 *
 * @example
 * const r = await explore(body);
 * if (!r.ok) for (const e of causalSlice(r.bug)) console.log(e.step, e.pid, e.op, e.detail, e.result);
 */
export function causalSlice(bug: { trace: TraceFile; events?: StepEvent[]; pid?: Pid }): StepEvent[] {
  return sliceOfTrace(bug.trace, bug.events ?? [], bug.pid?.id);
}
