// causallyConsistent (src/check/causal.ts): known answers from the causal-consistency
// literature (Bouajjani et al., POPL 2017: each bad pattern, and the classic histories
// CC allows but sequential consistency does not), and agreement with a brute-force
// reading of the definition on 10,000 random small histories.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { History, causallyConsistent, sequentiallyConsistent, type Model, type Pid } from "lockstep";

const P = [{ p: 0 }, { p: 1 }, { p: 2 }, { p: 3 }] as unknown as Pid[];
type Ev = ["w", number, string, number] | ["r", number, string, number | undefined];

/** A history where each event is one whole op of process e[1], in this real-time order. */
function seq(events: Ev[]): History {
  const h = new History();
  for (const e of events) {
    if (e[0] === "w") h.ok(h.record(P[e[1]], "write", { key: e[2], value: e[3] }), undefined);
    else h.ok(h.record(P[e[1]], "read", { key: e[2] }), e[3]);
  }
  return h;
}

const register: Model<Record<string, number | undefined>> = {
  init: () => ({}),
  step: (s, name, args) => {
    const { key, value } = args as { key: string; value?: number };
    return name === "read" ? [s[key], s] : [undefined, { ...s, [key]: value }];
  },
};

describe("causallyConsistent: known answers", () => {
  it("accepts reads of one's own and others' writes in causal order", () => {
    expect(causallyConsistent(seq([["w", 0, "x", 1], ["r", 1, "x", 1], ["w", 1, "y", 2], ["r", 2, "y", 2], ["r", 2, "x", 1]]))).toEqual({ ok: true });
  });

  it("accepts two processes seeing concurrent writes in opposite orders (CC, not sequentially consistent)", () => {
    const h = seq([["w", 0, "x", 1], ["w", 1, "x", 2], ["r", 2, "x", 1], ["r", 3, "x", 2], ["r", 2, "x", 2], ["r", 3, "x", 1]]);
    expect(causallyConsistent(h)).toEqual({ ok: true });
    expect(sequentiallyConsistent(h, register).ok).toBe(false);
  });

  it("accepts each process reading the other's write after its own (store buffering shape)", () => {
    expect(causallyConsistent(seq([["w", 0, "x", 1], ["w", 1, "x", 2], ["r", 0, "x", 2], ["r", 1, "x", 1]]))).toEqual({ ok: true });
  });

  it("ThinAirRead: a value nobody wrote", () => {
    const r = causallyConsistent(seq([["w", 0, "x", 1], ["r", 1, "x", 7]]));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.explanation).toMatch(/^ThinAirRead: .*read\(\{ key: "x" \}\) -> 7/);
      expect(r.ops.map((o) => o.name)).toEqual(["read"]);
    }
  });

  it("WriteCOInitRead: a process does not see its own write", () => {
    const r = causallyConsistent(seq([["w", 0, "x", 1], ["r", 0, "x", undefined]]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.explanation).toMatch(/^WriteCOInitRead/);
  });

  it("WriteCOInitRead through another process: a write seen, then its cause missed (message passing)", () => {
    // P0 writes data then flag; P1 sees the flag but not the data.
    const r = causallyConsistent(seq([["w", 0, "data", 1], ["w", 0, "flag", 1], ["r", 1, "flag", 1], ["r", 1, "data", undefined]]));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.explanation).toMatch(/^WriteCOInitRead/);
      expect(r.ops).toHaveLength(4);
    }
  });

  it("WriteCORead: a newer value seen, then an older one (no going back in time)", () => {
    const r = causallyConsistent(seq([["w", 0, "x", 1], ["w", 0, "x", 2], ["r", 1, "x", 2], ["r", 1, "x", 1]]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.explanation).toMatch(/^WriteCORead: .*-> 1 .* returns the value of .*write.*value: 1.* although the newer .*value: 2/);
  });

  it("CyclicCO: each process reads the other's later write (out of thin air through causality)", () => {
    const h = new History();
    const r0 = h.record(P[0], "read", { key: "x" });
    const r1 = h.record(P[1], "read", { key: "y" });
    h.ok(r0, 1);
    h.ok(r1, 1);
    h.ok(h.record(P[0], "write", { key: "y", value: 1 }));
    h.ok(h.record(P[1], "write", { key: "x", value: 1 }));
    const r = causallyConsistent(h);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.explanation).toMatch(/^CyclicCO/);
  });

  it("failed writes never happened; unknown ones may have", () => {
    const h = new History();
    h.fail(h.record(P[0], "write", { key: "x", value: 1 }), "rejected");
    h.ok(h.record(P[1], "read", { key: "x" }), 1);
    expect(causallyConsistent(h).ok).toBe(false);
    const g = new History();
    g.info(g.record(P[0], "write", { key: "x", value: 1 }));
    g.ok(g.record(P[1], "read", { key: "x" }), 1);
    g.ok(g.record(P[1], "read", { key: "x" }), undefined);
    expect(causallyConsistent(g).ok).toBe(false); // read 1, then the initial value again: WriteCOInitRead
    const k = new History();
    k.info(k.record(P[0], "write", { key: "x", value: 1 }));
    k.ok(k.record(P[1], "read", { key: "x" }), 1);
    expect(causallyConsistent(k)).toEqual({ ok: true });
  });

  it("takes other op names, keys, values and an initial value", () => {
    const h = new History();
    h.ok(h.record(P[0], "put", ["k", 5]));
    h.ok(h.record(P[1], "get", ["k"]), 5);
    h.ok(h.record(P[1], "get", ["k"]), 0);
    const spec = { read: "get", write: "put", key: (a: unknown) => (a as unknown[])[0], value: (a: unknown) => (a as unknown[])[1], init: 0 };
    const r = causallyConsistent(h, spec);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.explanation).toMatch(/^WriteCOInitRead/);
  });

  it("rejects what it cannot check: other ops, repeated values, a non-history", () => {
    const h = seq([["w", 0, "x", 1], ["w", 1, "x", 1]]);
    expect(() => causallyConsistent(h)).toThrow(/distinct value \(a differentiated history\)/);
    const g = new History();
    g.ok(g.record(P[0], "incr", {}));
    expect(() => causallyConsistent(g)).toThrow(/neither read nor write/);
    expect(() => causallyConsistent({} as History)).toThrow(/expects a History/);
    expect(() => causallyConsistent(seq([["w", 0, "x", 1]]), { init: 1 })).toThrow(/other than the initial one/);
  });
});

// ---------------------------------------------------------------------------
// The definition, brute force: CO = (po ∪ rf)+ is acyclic, every read's value was
// written (or is the initial value), and every read is legal in some linear extension
// of CO restricted to its causal past (its value is the last write of its register).
// ---------------------------------------------------------------------------

function bruteForce(h: History): boolean {
  const ops = h.ops;
  const n = ops.length;
  const isW = ops.map((o) => o.name === "write");
  const key = ops.map((o) => (o.args as { key: string }).key);
  const val = ops.map((o) => (isW[ops.indexOf(o)] ? (o.args as { value: number }).value : o.result));
  const before = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      if (a !== b && ops[a].process === ops[b].process && ops[a].complete < ops[b].invoke) before[a][b] = true;
      if (!isW[b] && isW[a] && key[a] === key[b] && val[a] === val[b]) before[a][b] = true;
    }
  for (let r = 0; r < n; r++) if (!isW[r] && val[r] !== undefined && !ops.some((_, w) => isW[w] && key[w] === key[r] && val[w] === val[r])) return false;
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (before[i][k] && before[k][j]) before[i][j] = true;
  if (before.some((row, i) => row[i])) return false;
  for (let o = 0; o < n; o++) {
    if (isW[o]) continue;
    const past = [...Array(n).keys()].filter((i) => i !== o && before[i][o]);
    // Some order of the past (respecting CO) whose last write of o's register wrote o's value.
    let legal = false;
    const order: number[] = [];
    const used = new Set<number>();
    const go = (): void => {
      if (legal) return;
      if (order.length === past.length) {
        const last = order.filter((i) => isW[i] && key[i] === key[o]).at(-1);
        legal = (last === undefined ? undefined : val[last]) === val[o];
        return;
      }
      for (const i of past) {
        if (used.has(i) || past.some((j) => !used.has(j) && j !== i && before[j][i])) continue;
        used.add(i);
        order.push(i);
        go();
        order.pop();
        used.delete(i);
      }
    };
    go();
    if (!legal) return false;
  }
  return true;
}

describe("property: agrees with the definition (brute force) on 10,000 random histories", () => {
  it("causallyConsistent", () => {
    // Per process a few ops; a global interleaving of their start/end events; reads return
    // the initial value, any written value of their key, or (rarely) one nobody wrote.
    const op = fc.record({ proc: fc.nat(2), write: fc.boolean(), key: fc.constantFrom("x", "y"), pick: fc.nat(9), overlap: fc.boolean() });
    let violations = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 6 }), (spec) => {
        const h = new History();
        let next = 1;
        const written: Record<string, number[]> = { x: [], y: [] };
        const pending: { id: number; write: boolean; key: string; pick: number }[] = [];
        const flush = () => {
          for (const p of pending.splice(0)) {
            if (p.write) h.ok(p.id);
            else {
              const choices = [undefined, ...written[p.key], 99];
              h.ok(p.id, choices[p.pick % choices.length]);
            }
          }
        };
        const open = new Set<number>();
        for (const s of spec) {
          if (open.has(s.proc)) {
            flush();
            open.clear();
          }
          const value = next++;
          const id = h.record(P[s.proc], s.write ? "write" : "read", s.write ? { key: s.key, value } : { key: s.key });
          if (s.write) written[s.key].push(value);
          pending.push({ id, write: s.write, key: s.key, pick: s.pick });
          open.add(s.proc);
          if (!s.overlap) {
            flush();
            open.clear();
          }
        }
        flush();
        const ok = causallyConsistent(h).ok;
        if (!ok) violations++;
        expect(ok).toBe(bruteForce(h));
      }),
      { seed: 20261127, numRuns: 10_000 },
    );
    // Both verdicts occur often enough for the agreement to mean something.
    expect(violations).toBeGreaterThan(1000);
    expect(violations).toBeLessThan(9000);
  });
});
