// Causal consistency (CC) for read/write registers, after Bouajjani, Enea, Guerraoui
// and Hamza, "On Verifying Causal Consistency" (POPL 2017). CC asks that every
// operation be legal in some serialization of its causal past that respects causal
// order CO = (program order ∪ reads-from)+; other operations' outputs in that past do
// not constrain it (so two processes may see concurrent writes in different orders,
// which sequential consistency forbids). For a differentiated history (no two writes
// to a register write the same value) CC holds iff none of these bad patterns occurs:
// - ThinAirRead: a read returns a value no write wrote (nor the initial value);
// - CyclicCO: CO has a cycle;
// - WriteCOInitRead: a read returns the initial value although a write of the same
//   register is causally before it;
// - WriteCORead: a read returns w1's value although another write w2 of the register
//   has w1 CO w2 CO read (it saw an older write over a newer one in its past).
// Program order is per process by real time (an op before another of the same process
// completed before it was invoked). Failed ops did not happen; reads that did not
// complete tell nothing; writes whose outcome is unknown may have happened (they can be
// read from, but nothing of their process comes after them).
import { Outcome, describeOp, type History, type Op } from "./history.js";
import type { CheckResult } from "./model.js";
import { shrink } from "./check.js";
import { timeline } from "./timeline.js";
import { OptionsError } from "../runtime/errors.js";
import { termEquals } from "../values/term.js";
import { show } from "../values/show.js";

/** How to read a register history: which ops read and write, and their key and value. */
export interface RegisterSpec {
  /** The name of read operations (default "read"); a read's result is the value it saw. */
  read?: string;
  /** The name of write operations (default "write"). */
  write?: string;
  /** The register an op touches (default: `args.key` when args is an object with a key, else one register). */
  key?(args: unknown): unknown;
  /** The value a write writes (default: `args.value` when args is an object with a value, else args). */
  value?(args: unknown): unknown;
  /** Every register's initial value (default undefined). */
  init?: unknown;
}

const hasKey = (a: unknown, k: string): a is Record<string, unknown> => a !== null && typeof a === "object" && !Array.isArray(a) && k in a;

/**
 * Checks that `h`, a history of reads and writes of registers, is causally consistent
 * (CC). Each write to a register must write a value distinct from every other write to
 * it and from the initial value (a differentiated history: the check is then
 * polynomial). Returns `{ ok: true }` or `{ ok: false, ops, explanation }` with a
 * smallest failing subsequence.
 */
export function causallyConsistent(h: History, spec: RegisterSpec = {}): CheckResult {
  if (h === null || typeof h !== "object" || !Array.isArray((h as History).ops)) throw new TypeError(`causallyConsistent expects a History, got ${show(h)}`);
  const s = resolve(spec);
  const ops = h.ops.filter((o) => o.outcome !== Outcome.Fail && (o.name === s.write || (o.name === s.read && o.outcome === Outcome.Ok)));
  for (const o of h.ops) {
    if (o.name !== s.read && o.name !== s.write) throw new OptionsError(`causallyConsistent checks registers: operation ${describeOp(o)} is neither ${s.read} nor ${s.write} (name them with { read, write })`);
  }
  checkDifferentiated(ops, s);
  const v = violation(ops, s);
  if (v === null) return { ok: true };
  const smallest = shrink([...ops].sort((a, b) => a.invoke - b.invoke), (sub) => violation(sub, s)?.pattern === v.pattern);
  return { ok: false, ops: smallest, explanation: `${violation(smallest, s)!.text}\n${timeline(smallest)}` };
}

interface Resolved {
  read: string;
  write: string;
  key(args: unknown): unknown;
  value(args: unknown): unknown;
  init: unknown;
}

function resolve(spec: RegisterSpec): Resolved {
  if (spec === null || typeof spec !== "object") throw new OptionsError(`causallyConsistent's second argument is a register spec { read?, write?, key?, value?, init? }, got ${show(spec)}`);
  return {
    read: spec.read ?? "read",
    write: spec.write ?? "write",
    key: spec.key ?? ((a) => (hasKey(a, "key") ? a.key : null)),
    value: spec.value ?? ((a) => (hasKey(a, "value") ? a.value : a)),
    init: spec.init,
  };
}

function checkDifferentiated(ops: Op[], s: Resolved): void {
  const writes = ops.filter((o) => o.name === s.write);
  for (let i = 0; i < writes.length; i++) {
    const k = s.key(writes[i].args);
    const v = s.value(writes[i].args);
    if (termEquals(v, s.init)) throw new OptionsError(`causallyConsistent needs writes of values other than the initial one: ${describeOp(writes[i])} writes ${show(v)}`);
    for (let j = 0; j < i; j++) {
      if (termEquals(s.key(writes[j].args), k) && termEquals(s.value(writes[j].args), v)) {
        throw new OptionsError(`causallyConsistent needs each write to a register to write a distinct value (a differentiated history): ${describeOp(writes[j])} and ${describeOp(writes[i])} both write ${show(v)}`);
      }
    }
  }
}

/** n×n boolean matrix as rows of 32-bit words. */
class Rel {
  readonly words: number;
  readonly m: Uint32Array;
  constructor(readonly n: number) {
    this.words = (n + 31) >>> 5;
    this.m = new Uint32Array(n * this.words);
  }
  has(a: number, b: number): boolean {
    return (this.m[a * this.words + (b >>> 5)] & (1 << (b & 31))) !== 0;
  }
  add(a: number, b: number): void {
    this.m[a * this.words + (b >>> 5)] |= 1 << (b & 31);
  }
  /** Transitive closure (Warshall over word rows). */
  close(): void {
    const { n, words, m } = this;
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        if (!this.has(i, k)) continue;
        for (let w = 0; w < words; w++) m[i * words + w] |= m[k * words + w];
      }
    }
  }
  cyclic(): number {
    for (let i = 0; i < this.n; i++) if (this.has(i, i)) return i;
    return -1;
  }
}

interface Violation {
  pattern: string;
  text: string;
}

function violation(ops: Op[], s: Resolved): Violation | null {
  const n = ops.length;
  const isWrite = ops.map((o) => o.name === s.write);
  const key = ops.map((o) => s.key(o.args));
  const sameKey = (a: number, b: number) => termEquals(key[a], key[b]);
  // Reads-from: the write of the value each read returned (-1: the initial value).
  const rf = new Int32Array(n).fill(-1);
  for (let r = 0; r < n; r++) {
    if (isWrite[r]) continue;
    const seen = ops[r].result;
    if (termEquals(seen, s.init)) continue;
    const w = ops.findIndex((o, i) => isWrite[i] && sameKey(i, r) && termEquals(s.value(o.args), seen));
    if (w < 0) return { pattern: "ThinAirRead", text: `ThinAirRead: ${describeOp(ops[r])} returns ${show(seen)}, which no write of register ${show(key[r])} wrote` };
    rf[r] = w;
  }
  const co = new Rel(n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a !== b && sameProcess(ops[a], ops[b]) && ops[a].complete < ops[b].invoke) co.add(a, b);
    }
    if (rf[a] >= 0) co.add(rf[a], a);
  }
  co.close();
  const c = co.cyclic();
  if (c >= 0) return { pattern: "CyclicCO", text: `CyclicCO: ${describeOp(ops[c])} is causally before itself (program order and reads-from form a cycle)` };
  for (let r = 0; r < n; r++) {
    if (isWrite[r]) continue;
    for (let w = 0; w < n; w++) {
      if (!isWrite[w] || w === rf[r] || !sameKey(w, r) || !co.has(w, r)) continue;
      if (rf[r] < 0) return { pattern: "WriteCOInitRead", text: `WriteCOInitRead: ${describeOp(ops[r])} returns the initial value although ${describeOp(ops[w])} is causally before it` };
      if (co.has(rf[r], w)) {
        return { pattern: "WriteCORead", text: `WriteCORead: ${describeOp(ops[r])} returns the value of ${describeOp(ops[rf[r]])} although the newer ${describeOp(ops[w])} is causally between them` };
      }
    }
  }
  return null;
}

function sameProcess(a: Op, b: Op): boolean {
  return a.process !== undefined && a.process === b.process;
}
