// Model test of the engine's tables (the HdrHistogramJS pattern: fast-check drives
// the wasm build and a plain TypeScript reference side by side and compares every
// answer). Covers the process table and enabled set, the timer heap, the monitor
// index and the link sets, across many begin() resets of one engine instance.
import { describe, it, expect, beforeAll } from "vitest";
import fc from "fast-check";
import { createEngine } from "../src/engine/load";
import type { Engine } from "../src/engine/engine";

const TIMER = 0;
const NOTHING = -1;
/** Pids used by monitor and link commands (the tables accept pids not yet spawned). */
const MAXPID = 8;

type Cmd =
  | { c: "spawn" }
  | { c: "enable" | "disable" | "kill"; p: number }
  | { c: "pick" }
  | { c: "addTimer"; p: number; delay: number }
  | { c: "cancelTimer"; t: number }
  | { c: "popTimer" }
  | { c: "monAdd"; w: number; t: number }
  | { c: "monRemove"; m: number }
  | { c: "monTargetDown"; p: number }
  | { c: "monWatcherDown"; p: number }
  | { c: "linkAdd" | "linkRemove"; a: number; b: number }
  | { c: "linkTakeAll"; p: number }
  | { c: "exit"; p: number };

const pid = fc.integer({ min: 1, max: MAXPID });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ c: "spawn" as const }) },
  fc.record({ c: fc.constantFrom("enable" as const, "disable" as const, "kill" as const), p: fc.nat(20) }),
  { weight: 2, arbitrary: fc.constant({ c: "pick" as const }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant("addTimer" as const), p: fc.nat(MAXPID), delay: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constantFrom(0.5, 10, 10)) }) },
  fc.record({ c: fc.constant("cancelTimer" as const), t: fc.nat(40) }),
  fc.constant({ c: "popTimer" as const }),
  { weight: 2, arbitrary: fc.record({ c: fc.constant("monAdd" as const), w: pid, t: pid }) },
  fc.record({ c: fc.constant("monRemove" as const), m: fc.nat(40) }),
  fc.record({ c: fc.constant("monTargetDown" as const), p: pid }),
  fc.record({ c: fc.constant("monWatcherDown" as const), p: pid }),
  { weight: 2, arbitrary: fc.record({ c: fc.constantFrom("linkAdd" as const, "linkRemove" as const), a: pid, b: pid }) },
  fc.record({ c: fc.constant("linkTakeAll" as const), p: pid }),
  fc.record({ c: fc.constant("exit" as const), p: fc.nat(20) }),
);

/** The reference: the same tables as plain TypeScript collections. */
class Model {
  procCount = 0;
  alive = new Set<number>();
  enabled = new Set<number>();
  now = 0;
  private seq = 0;
  timers = new Map<number, { deadline: number; seq: number }>();
  /** Every timer id the engine ever returned (cancel commands pick among them). */
  timerIds: number[] = [];
  monitors = new Map<number, { w: number; t: number; seq: number }>();
  monIds: number[] = [];
  /** Link "a,b" (a < b) -> creation sequence. */
  links = new Map<string, number>();

  nextTimer(): number {
    let best = -1;
    let bd = Infinity;
    let bs = Infinity;
    for (const [id, t] of this.timers) {
      if (t.deadline < bd || (t.deadline === bd && t.seq < bs)) [best, bd, bs] = [id, t.deadline, t.seq];
    }
    return best;
  }
  addTimer(id: number, delay: number): void {
    this.timers.set(id, { deadline: this.now + delay, seq: this.seq++ });
    this.timerIds.push(id);
  }
  fire(id: number): void {
    this.now = this.timers.get(id)!.deadline;
    this.timers.delete(id);
  }
  monitorsOf(key: "w" | "t", p: number): number[] {
    return [...this.monitors].filter(([, m]) => m[key] === p).sort((x, y) => x[1].seq - y[1].seq).map(([id]) => id);
  }
  linkKey(a: number, b: number): string {
    return a < b ? `${a},${b}` : `${b},${a}`;
  }
  /** p's link partners, most recent link first. */
  partners(p: number): number[] {
    return [...this.links]
      .map(([k, s]) => [k.split(",").map(Number), s] as const)
      .filter(([ab]) => ab.includes(p))
      .sort((x, y) => y[1] - x[1])
      .map(([ab]) => (ab[0] === p ? ab[1] : ab[0]));
  }
}

let e: Engine;
beforeAll(async () => {
  e = await createEngine();
});

let runNo = 0;
function begin(race: boolean): Model {
  runNo++;
  e.x.begin(runNo, 0, runNo, 0, race ? 1 : 0, 0, 0, 0);
  return new Model();
}

/** Applies one command to both sides and compares the answers. */
function apply(m: Model, k: Cmd, race: boolean): void {
  const x = e.x;
  switch (k.c) {
    case "spawn": {
      const p = x.spawn(0);
      expect(p).toBe(++m.procCount);
      m.alive.add(p);
      m.enabled.add(p);
      return;
    }
    case "enable":
    case "disable":
    case "kill": {
      if (m.procCount === 0) return;
      const p = 1 + (k.p % m.procCount);
      x[k.c](p);
      if (k.c === "kill") {
        m.alive.delete(p);
        m.enabled.delete(p);
      } else if (k.c === "disable") m.enabled.delete(p);
      else if (m.alive.has(p)) m.enabled.add(p); // a dead process is never enabled again
      return;
    }
    case "pick": {
      const c = x.pick(0);
      const next = m.nextTimer();
      if (m.enabled.size === 0) {
        expect(c).toBe(next >= 0 ? TIMER : NOTHING);
      } else if (race && next >= 0) {
        expect(c === TIMER || m.enabled.has(c)).toBe(true);
      } else {
        expect(m.enabled.has(c)).toBe(true);
      }
      if (c === TIMER) {
        expect(x.firedTimer()).toBe(next);
        m.fire(next);
      }
      return;
    }
    case "addTimer": {
      const t = x.addTimer(k.p, k.delay);
      expect(m.timers.has(t)).toBe(false); // a fresh or recycled slot, never a pending one
      m.addTimer(t, k.delay);
      return;
    }
    case "cancelTimer": {
      const t = m.timerIds.length > 0 && k.t < 35 ? m.timerIds[k.t % m.timerIds.length] : 10_000 + k.t;
      expect(!!x.cancelTimer(t)).toBe(m.timers.has(t));
      m.timers.delete(t);
      return;
    }
    case "popTimer": {
      const next = m.nextTimer();
      expect(x.popTimer()).toBe(next);
      if (next >= 0) m.fire(next);
      return;
    }
    case "monAdd": {
      const id = x.monAdd(k.w, k.t);
      expect(m.monitors.has(id)).toBe(false);
      m.monitors.set(id, { w: k.w, t: k.t, seq: m.monIds.length });
      m.monIds.push(id);
      return;
    }
    case "monRemove": {
      const id = m.monIds.length > 0 && k.m < 35 ? m.monIds[k.m % m.monIds.length] : 10_000 + k.m;
      expect(!!x.monRemove(id)).toBe(m.monitors.has(id));
      m.monitors.delete(id);
      return;
    }
    case "monTargetDown": {
      // DOWN fan-out: exactly the live monitors of the target, in creation order.
      const want = m.monitorsOf("t", k.p);
      const n = x.monTargetDown(k.p);
      expect(n).toBe(want.length);
      expect(e.readScratch(2 * n)).toEqual(want.flatMap((id) => [id, m.monitors.get(id)!.w]));
      for (const id of want) m.monitors.delete(id);
      return;
    }
    case "monWatcherDown": {
      const want = m.monitorsOf("w", k.p);
      expect(x.monWatcherDown(k.p)).toBe(want.length);
      for (const id of want) m.monitors.delete(id);
      return;
    }
    case "linkAdd": {
      const key = m.linkKey(k.a, k.b);
      const fresh = k.a !== k.b && !m.links.has(key);
      expect(!!x.linkAdd(k.a, k.b)).toBe(fresh); // idempotent; no self-links
      if (fresh) m.links.set(key, m.links.size === 0 ? 0 : Math.max(...m.links.values()) + 1);
      return;
    }
    case "linkRemove": {
      const key = m.linkKey(k.a, k.b);
      expect(!!x.linkRemove(k.a, k.b)).toBe(m.links.has(key));
      m.links.delete(key);
      return;
    }
    case "linkTakeAll": {
      const want = m.partners(k.p);
      const n = x.linkTakeAll(k.p);
      expect(e.readScratch(n)).toEqual(want);
      for (const o of want) m.links.delete(m.linkKey(k.p, o));
      return;
    }
    case "exit": {
      // A death in one call: kill + monWatcherDown; 1 (nothing more done) when a
      // monitor targets p or p has a link, so monTargetDown/linkTakeAll must follow.
      if (m.procCount === 0) return;
      const p = 1 + (k.p % m.procCount);
      // The monitors p held go first (as monWatcherDown before monTargetDown): a
      // monitor of p on itself does not count as watching it.
      for (const id of m.monitorsOf("w", p)) m.monitors.delete(id);
      const watched = m.monitorsOf("t", p).length > 0 || m.partners(p).length > 0;
      expect(x.exit(p)).toBe(watched ? 1 : 0);
      m.alive.delete(p);
      m.enabled.delete(p);
      return;
    }
  }
}

/** Compares every observable of the tables with the model. */
function checkState(m: Model): void {
  const x = e.x;
  expect(x.processCount()).toBe(m.procCount);
  expect(x.runnableCount()).toBe(m.enabled.size);
  for (let p = 1; p <= m.procCount; p++) {
    expect(!!x.isAlive(p)).toBe(m.alive.has(p));
    expect(!!x.isEnabled(p)).toBe(m.enabled.has(p));
  }
  expect(!!x.isAlive(m.procCount + 1)).toBe(false);
  expect(x.now()).toBe(m.now);
  expect(x.nextTimer()).toBe(m.nextTimer());
  for (const t of new Set(m.timerIds)) {
    expect(!!x.timerIsPending(t)).toBe(m.timers.has(t));
    if (m.timers.has(t)) expect(x.timerLeft(t)).toBe(m.timers.get(t)!.deadline - m.now);
  }
  for (const id of new Set(m.monIds)) {
    const live = m.monitors.get(id);
    expect(!!x.monLive(id)).toBe(live !== undefined);
    if (live) {
      expect(x.monWatcher(id)).toBe(live.w);
      expect(x.monTarget(id)).toBe(live.t);
    }
  }
  for (let a = 1; a <= MAXPID; a++) {
    expect(x.linkCount(a)).toBe(m.partners(a).length);
    for (let b = 1; b <= MAXPID; b++) {
      const want = m.links.has(m.linkKey(a, b));
      expect(!!x.linked(a, b)).toBe(want);
    }
  }
}

describe("engine tables vs a TypeScript model", () => {
  it("agree on every command sequence (fast-check)", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(cmd, { maxLength: 120, size: "max" }), (race, cmds) => {
        const m = begin(race);
        for (const k of cmds) {
          apply(m, k, race);
          checkState(m);
        }
      }),
      { numRuns: 70, seed: 1234 },
    );
  });

  it("the timer heap alone: many adds, cancels in the middle, pops (fast-check)", () => {
    const timerCmd: fc.Arbitrary<Cmd> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ c: fc.constant("addTimer" as const), p: fc.nat(MAXPID), delay: fc.integer({ min: 0, max: 40 }) }) },
      { weight: 2, arbitrary: fc.record({ c: fc.constant("cancelTimer" as const), t: fc.nat(34) }) },
      fc.constant({ c: "popTimer" as const }),
    );
    fc.assert(
      fc.property(fc.array(timerCmd, { minLength: 20, maxLength: 200, size: "max" }), (cmds) => {
        const m = begin(false);
        for (const k of cmds) {
          apply(m, k, false);
          expect(e.x.nextTimer()).toBe(m.nextTimer());
        }
        checkState(m);
        while (m.timers.size > 0) apply(m, { c: "popTimer" }, false); // drains in (deadline, creation) order
      }),
      { numRuns: 150, seed: 4321 },
    );
  });

  it("keep agreeing past their initial capacities (growth paths)", () => {
    const m = begin(false);
    for (let i = 0; i < 700; i++) apply(m, { c: "spawn" }, false);
    for (let p = 1; p <= 700; p += 3) apply(m, { c: "disable", p: p - 1 }, false);
    for (let p = 1; p <= 700; p += 7) apply(m, { c: "kill", p: p - 1 }, false);
    // 300 timers with colliding deadlines, then drain them all in order.
    for (let i = 0; i < 300; i++) apply(m, { c: "addTimer", p: 1 + (i % MAXPID), delay: (i * 37) % 50 }, false);
    for (let i = 0; i < 40; i++) apply(m, { c: "cancelTimer", t: i }, false);
    checkState(m);
    const pending = m.timers.size;
    let fired = 0;
    for (;;) {
      const before = m.timers.size;
      apply(m, { c: "popTimer" }, false);
      if (m.timers.size === before) break;
      fired++;
    }
    expect(fired).toBe(pending);
    // 300 monitors on one target, some removed, then the fan-out.
    for (let i = 0; i < 300; i++) apply(m, { c: "monAdd", w: 1 + (i % MAXPID), t: 3 }, false);
    for (let i = 0; i < 30; i++) apply(m, { c: "monRemove", m: i }, false);
    checkState(m);
    apply(m, { c: "monTargetDown", p: 3 }, false);
    expect(m.monitors.size).toBe(0);
    checkState(m);
  });

  it("cancel re-sifts up: deadlines 0,10,2,11,12,30,4 with 11 cancelled pop as 0,2,4,10,12,30", () => {
    const m = begin(false);
    const x = e.x;
    const ids = [0, 10, 2, 11, 12, 30, 4].map((d) => {
      const t = x.addTimer(1, d);
      m.addTimer(t, d);
      return t;
    });
    expect(!!x.cancelTimer(ids[3])).toBe(true);
    m.timers.delete(ids[3]);
    const fired: number[] = [];
    for (let t = x.popTimer(); t >= 0; t = x.popTimer()) fired.push(x.now());
    expect(fired).toEqual([0, 2, 4, 10, 12, 30]);
  });

  it("links grow past their initial index capacity and are symmetric", () => {
    begin(false);
    const x = e.x;
    for (let a = 1; a <= 40; a++) for (let b = a + 1; b <= 40; b++) expect(!!x.linkAdd(b, a)).toBe(true);
    expect(x.linkCount(7)).toBe(39);
    expect(!!x.linked(3, 40)).toBe(true);
    expect(!!x.linked(40, 3)).toBe(true);
    const n = x.linkTakeAll(7);
    expect(new Set(e.readScratch(n))).toEqual(new Set(Array.from({ length: 40 }, (_, i) => i + 1).filter((p) => p !== 7)));
    for (let p = 1; p <= 40; p++) expect(!!x.linked(7, p)).toBe(false);
    expect(x.linkCount(8)).toBe(38);
    // A reset empties everything.
    begin(false);
    expect(x.linkCount(8)).toBe(0);
    expect(!!x.linked(1, 2)).toBe(false);
  });
});
