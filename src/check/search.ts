// The search shared by both checkers: Wing & Gong's backtracking over which pending
// operation takes effect next, with Lowe's memoization (a configuration — the set of
// operations already placed plus the model state — is explored at most once). This
// is the algorithm of Knossos' `linear` checker and Porcupine.
//
// Linearizability: an op may go next iff no unplaced op completed before it was
// invoked. Sequential consistency: an op may go next iff it is the first unplaced op
// of its process. `info` ops (and ops never completed) may be placed, with any
// result, or left out; `fail` ops are dropped before the search.
import { termEquals } from "../values/term.js";
import { show } from "../values/show.js";
import { call, describeOp, Outcome, type Op } from "./history.js";
import { stateKeyer } from "./state-key.js";
import type { Model } from "./model.js";

export type Mode = "linearizable" | "sequential";

/** Why a search failed: the furthest it got. */
export interface Stuck {
  /** The deepest prefix placed (ops in the order they took effect). */
  placed: Op[];
  /** Model states reached with that many required ops placed (up to 3, by key). */
  states: unknown[];
  /** The required op that could not be placed there. */
  blocked: Op;
}

interface Frame {
  state: unknown;
  candidates: number[];
  next: number;
  /** The op placed to reach the next frame (-1 before any). */
  placed: number;
  /** The ops placed so far, newest first (shared tails: capturing it is O(1)). */
  path: Path | null;
}

interface Path {
  op: Op;
  prev: Path | null;
}

/** Searches for a legal order of `ops` (already without `fail` ops); null if one exists. */
export function search(input: readonly Op[], model: Model, mode: Mode): Stuck | null {
  const ops = [...input].sort((a, b) => a.invoke - b.invoke);
  const n = ops.length;
  const required = (i: number) => ops[i].outcome === Outcome.Ok;
  let needed = 0;
  for (let i = 0; i < n; i++) if (required(i)) needed++;
  if (needed === 0) return null;

  const done = new Uint8Array(n);
  const words = new Uint16Array(Math.ceil(n / 16));
  const keyOf = model.key ? (s: unknown) => model.key!(s) : stateKeyer();
  const seen = new Set<string>();
  const memoKey = (state: unknown) => placedKey() + "\u0000" + keyOf(state);

  // Program order per process (sequential mode): ops without a process are each their own.
  const procIndex = new Int32Array(n);
  const procOps: number[][] = [];
  const heads: number[] = [];
  if (mode === "sequential") {
    const byPid = new Map<unknown, number>();
    for (let i = 0; i < n; i++) {
      const p = ops[i].process;
      let k = p === undefined ? undefined : byPid.get(p);
      if (k === undefined) {
        k = procOps.length;
        procOps.push([]);
        heads.push(0);
        if (p !== undefined) byPid.set(p, k);
      }
      procIndex[i] = k;
      procOps[k].push(i);
    }
  }
  // Linearizable mode: the unplaced ops in invoke order, as a doubly linked list
  // (Porcupine's lift/unlift), so scans skip placed ops; n is the end sentinel.
  const nextU = new Int32Array(n + 1);
  const prevU = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) {
    nextU[i] = i + 1;
    prevU[i] = i - 1;
  }
  let head = 0;
  let placedCount = 0;

  /**
   * The placed set, exactly and compactly. Sequential: each process's placed ops are a
   * prefix of its program order, so the heads say it all. Linearizable: `lo` is the
   * first unplaced required op; below it every op is placed except the (unplaced,
   * optional) ones listed; from it the placed set is encoded as 16-bit chars up to the
   * last word holding a placed op, so the cost follows the window of concurrent ops
   * (and pending info ops), not the history's length.
   */
  const placedKey = (): string => {
    if (mode === "sequential") return heads.join(",");
    let out = "";
    let lo = head;
    let skipped = 0;
    while (lo < n && !required(lo)) {
      out += lo + ",";
      skipped++;
      lo = nextU[lo];
    }
    let rest = placedCount - (lo - skipped);
    out += lo + ":";
    for (let w = lo >> 4; rest > 0; w++) {
      const word = w === lo >> 4 ? words[w] & (0xffff << (lo & 15)) & 0xffff : words[w];
      out += String.fromCharCode(word);
      rest -= popcount16(word);
    }
    return out;
  };

  const mark = (i: number, v: 0 | 1) => {
    done[i] = v;
    words[i >> 4] ^= 1 << (i & 15);
    placedCount += v === 1 ? 1 : -1;
    if (mode === "linearizable") {
      if (v === 1) {
        // Lift i out of the unplaced list (its own links stay, for the undo).
        if (prevU[i] >= 0) nextU[prevU[i]] = nextU[i];
        else head = nextU[i];
        prevU[nextU[i]] = prevU[i];
      } else {
        // Undo in reverse order of lifts: i's neighbours are as they were.
        if (prevU[i] >= 0) nextU[prevU[i]] = i;
        else head = i;
        prevU[nextU[i]] = i;
      }
    } else {
      const k = procIndex[i];
      const list = procOps[k];
      if (v === 1) {
        while (heads[k] < list.length && done[list[heads[k]]]) heads[k]++;
      } else {
        const pos = list.indexOf(i, 0);
        if (pos < heads[k]) heads[k] = pos;
      }
    }
  };

  const candidates = (): number[] => {
    const out: number[] = [];
    if (mode === "linearizable") {
      // Scan in invoke order keeping the earliest completion among unplaced ops; an op
      // invoked after that completion cannot go next (nor can any later-invoked one).
      // Every op scanned was invoked before the final minimum: a later op lowers it only
      // to its own completion, which is after its invocation, after theirs.
      let minComplete = Infinity;
      for (let i = head; i < n && ops[i].invoke < minComplete; i = nextU[i]) {
        out.push(i);
        if (ops[i].complete < minComplete) minComplete = ops[i].complete;
      }
    } else {
      for (let k = 0; k < procOps.length; k++) if (heads[k] < procOps[k].length) out.push(procOps[k][heads[k]]);
    }
    return out;
  };

  let placedRequired = 0;
  let best = -1;
  let bestPath = null as Path | null; // (assigned in recordBest)
  let bestStates: unknown[] = [];
  let bestKeys = new Set<string>();
  let bestWords = words.slice();

  const root = model.init();
  seen.add(memoKey(root));
  const stack: Frame[] = [{ state: root, candidates: candidates(), next: 0, placed: -1, path: null }];
  // Each candidate is tried placed; an info candidate in sequential mode is also tried skipped
  // (encoded as index + length).
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (placedRequired > best || (placedRequired === best && bestStates.length < 3)) {
      recordBest(top);
    }
    const c = top.candidates;
    const tries = mode === "sequential" ? 2 * c.length : c.length;
    let pushed = false;
    while (top.next < tries) {
      const t = top.next++;
      const i = c[t % c.length];
      const skip = t >= c.length;
      const op = ops[i];
      if (skip && op.outcome === Outcome.Ok) continue;
      let next = top.state;
      if (!skip) {
        const [result, after] = stepOf(model, top.state, op);
        if (op.outcome === Outcome.Ok && !termEquals(result, op.result)) continue;
        next = after;
      }
      mark(i, 1);
      if (op.outcome === Outcome.Ok) placedRequired++;
      if (placedRequired === needed) return null;
      const key = memoKey(next);
      if (seen.has(key)) {
        mark(i, 0);
        if (op.outcome === Outcome.Ok) placedRequired--;
        continue;
      }
      seen.add(key);
      stack.push({ state: next, candidates: candidates(), next: 0, placed: i, path: skip ? top.path : { op, prev: top.path } });
      pushed = true;
      break;
    }
    if (pushed) continue;
    stack.pop();
    if (top.placed >= 0) {
      mark(top.placed, 0);
      if (ops[top.placed].outcome === Outcome.Ok) placedRequired--;
    }
  }
  const placed: Op[] = [];
  for (let p = bestPath; p !== null; p = p.prev) placed.push(p.op);
  return { placed: placed.reverse(), states: bestStates, blocked: blockedOp() };

  function recordBest(top: Frame): void {
    const k = keyOf(top.state);
    if (placedRequired > best) {
      best = placedRequired;
      bestKeys = new Set();
      bestStates = [];
      bestPath = top.path;
      bestWords = words.slice();
    }
    if (!bestKeys.has(k)) {
      bestKeys.add(k);
      bestStates.push(top.state);
    }
  }

  /**
   * At the furthest configuration, the required unplaced op that must come first: the
   * earliest to complete (linearizable) or to be invoked among process heads (sequential).
   */
  function blockedOp(): Op {
    const placedAt = (i: number) => (bestWords[i >> 4] >> (i & 15)) & 1;
    const seenProc = new Set<number>();
    let pick = -1;
    for (let i = 0; i < n; i++) {
      if (placedAt(i)) continue;
      if (mode === "sequential") {
        const k = procIndex[i];
        if (seenProc.has(k)) continue; // not its process's head
        seenProc.add(k);
        if (required(i)) return ops[i];
        continue;
      }
      if (required(i) && (pick < 0 || ops[i].complete < ops[pick].complete)) pick = i;
    }
    if (pick < 0) for (let i = 0; i < n; i++) if (!placedAt(i) && required(i)) return ops[i];
    return ops[pick];
  }
}

/** The explanation of a failed search. */
export function explain(stuck: Stuck, model: Model, mode: Mode): string {
  const { blocked, placed, states } = stuck;
  const order = mode === "linearizable" ? "linearization" : "sequentially consistent order";
  const prefix = placed.length === 0 ? "before any other operation" : `after ${placed.map((o) => `#${o.id} ${o.name}`).join(", ")}`;
  const lines = [`no ${order} exists: ${describeOp(blocked)} has no legal place.`, `The furthest order found places ${placed.length} operation(s); ${prefix} the model state is:`];
  for (const s of states) {
    const [r] = stepOf(model, s, blocked);
    const verdict = termEquals(r, blocked.result)
      ? `as observed, but no order of the remaining operations is legal from there`
      : `, not ${show(blocked.result)}`;
    lines.push(`  ${show(s)}, where ${call(blocked.name, blocked.args)} returns ${show(r)}${verdict.startsWith(",") ? verdict : " " + verdict}`);
  }
  return lines.join("\n");
}

function popcount16(x: number): number {
  x = x - ((x >> 1) & 0x5555);
  x = (x & 0x3333) + ((x >> 2) & 0x3333);
  x = (x + (x >> 4)) & 0x0f0f;
  return (x + (x >> 8)) & 0x1f;
}

/** model.step, checked: it must return a [result, nextState] pair. */
function stepOf(model: Model, state: unknown, op: Op): readonly [unknown, unknown] {
  const out = model.step(state, op.name, op.args);
  if (!Array.isArray(out) || out.length !== 2) throw new TypeError(`model.step must return a [result, nextState] pair, got ${show(out)} for ${op.name}(${show(op.args)})`);
  return out as [unknown, unknown];
}
