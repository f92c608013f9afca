// Replay: every bug found replays to the same failure under every strategy, an edited
// program is reported as a divergence naming the step, and trace files round-trip
// (with clear errors for corrupt, foreign or other-version files).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtemp, rm, writeFile, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { explore, replay, ReplayDivergence, OptionsError, spawn, send, receive, self, yieldNow, monitor, sendAfter, sleep, SharedCell, type TraceFile, type Bug } from "lockstep";
import { saveTrace, loadTrace, parseTrace, TRACE_VERSION } from "../src/explore/trace-file.js";
import lostUpdate from "../examples/lost-update.mjs";
import lockOrder from "../examples/deadlock.mjs";
import downRace from "../examples/down-race.mjs";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lockstep-replay-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const STRATEGIES = ["random", "pct", "fair-pct", "pos", "idpct", "portfolio"] as const;

/** A timeout racing a reply (race timer policy exercises timer decisions). */
async function timeoutRace() {
  const me = self();
  const server = await spawn(async () => {
    const m = await receive();
    await yieldNow();
    await send(m.from, "reply");
  });
  await send(server, { from: me });
  const r = await receive(undefined, { timeout: 5 });
  if (typeof r === "symbol") throw new Error("the call timed out");
}

/** A process that crashes after a sleep, watched by nobody. */
async function crashAfterSleep() {
  const me = self();
  await spawn(async () => {
    await sleep(3);
    throw new Error("worker failed");
  });
  await sendAfter(me, "tick", 1);
  await receive();
  await sleep(10);
}

const PROGRAMS: [string, () => Promise<void>, Record<string, unknown>][] = [
  ["lost-update", lostUpdate, {}],
  ["deadlock", lockOrder, {}],
  ["down-race", downRace, {}],
  ["timeout race", timeoutRace, { timers: "race" }],
  ["crash", crashAfterSleep, {}],
];

describe("replay", () => {
  it("replays every bug found, under every strategy, to the same failure", async () => {
    let replayed = 0;
    for (const [name, body, extra] of PROGRAMS) {
      for (const strategy of STRATEGIES) {
        const r = await explore(body, { strategy, seed: 7, iterations: 300, traceDir: false, ...extra });
        expect(r.ok, `${name} under ${strategy}`).toBe(false);
        if (r.ok) continue;
        for (const source of [r.bug, r.bug.trace, JSON.parse(JSON.stringify(r.bug.trace)) as TraceFile]) {
          const again = await replay(body, source);
          expect(again.ok).toBe(false);
          if (again.ok) continue;
          expect(again.bug.kind).toBe(r.bug.kind);
          expect(again.bug.message).toBe(r.bug.message);
          expect(again.bug.schedule).toEqual(r.bug.schedule);
          expect(again.bug.trace.events).toEqual(r.bug.trace.events);
          expect(again.bug.strategy).toBe(r.bug.strategy);
          replayed++;
        }
      }
    }
    expect(replayed).toBe(PROGRAMS.length * STRATEGIES.length * 3);
  });

  it("replays from the trace file an exploration saved, and prints the replay command", async () => {
    const r = await explore(lostUpdate, { seed: 3, iterations: 100, traceDir: dir });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    expect(r.bug.tracePath).toBeDefined();
    expect(r.bug.tracePath!.startsWith(dir)).toBe(true);
    expect(r.bug.format()).toContain(`Replay: await replay(body, ${JSON.stringify(r.bug.tracePath)})`);
    const again = await replay(lostUpdate, r.bug.tracePath!);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.bug.schedule).toEqual(r.bug.schedule);
  });

  it("reports an edited program as a divergence naming the step", async () => {
    const version = (extraSend: boolean, skipSecond: boolean) =>
      async function edited() {
        const me = self();
        const a = await spawn(async () => {
          await send(me, "a1");
          await send(me, "a2");
        });
        if (!skipSecond) await spawn(async () => { await send(me, "b"); });
        if (extraSend) await send(a, "hello");
        const first = await receive();
        await receive();
        if (!skipSecond) await receive();
        if (first === "b") throw new Error("b arrived first");
      };
    const r = await explore(version(false, false), { strategy: "random", seed: 1, iterations: 200, traceDir: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.message).toMatch(/b arrived first/);
    // An extra operation: the recorded operations stop matching.
    const e1 = await replay(version(true, false), r.bug).then(() => null, (e: unknown) => e);
    expect(e1).toBeInstanceOf(ReplayDivergence);
    const d1 = e1 as ReplayDivergence;
    expect(Number.isInteger(d1.step)).toBe(true);
    expect(d1.step).toBeLessThanOrEqual(r.bug.schedule.length);
    expect(d1.message).toMatch(new RegExp(`replay diverged at step ${d1.step}: the trace expected .*, but the program did `));
    expect(d1.expected).toMatch(/<0\.\d+\.0>/);
    // A process that no longer exists: the recorded decision is impossible.
    const e2 = await replay(version(false, true), r.bug).then(() => null, (e: unknown) => e);
    expect(e2).toBeInstanceOf(ReplayDivergence);
    expect((e2 as ReplayDivergence).message).toMatch(/replay diverged at step \d+/);
    // The unedited program still reproduces.
    const ok = await replay(version(false, false), r.bug);
    expect(ok.ok).toBe(false);
  });

  it("an edit that touches another SharedCell at the same step diverges (events compare resources)", async () => {
    // Same processes, same operations, same decisions: only the cell read differs.
    const version = (edited: boolean) =>
      async function cells() {
        const a = new SharedCell(0);
        const b = new SharedCell(0);
        const me = self();
        for (let i = 0; i < 2; i++) {
          await spawn(async () => {
            const v = await (edited && i === 1 ? b : a).get();
            await a.set(v + 1);
            await send(me, "done");
          });
        }
        await receive();
        await receive();
        if ((await a.get()) !== 2) throw new Error("lost update");
      };
    const r = await explore(version(false), { strategy: "random", seed: 1, iterations: 200, traceDir: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    const e = await replay(version(true), r.bug).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ReplayDivergence);
    const d = e as ReplayDivergence;
    expect(d.expected).toMatch(/^<0\.3\.0> shared-\S+ shared #\d+$/);
    expect(d.actual).toMatch(/^<0\.3\.0> shared-\S+ shared #\d+$/);
    expect(d.actual).not.toBe(d.expected);
    // Unedited, it reproduces.
    const again = await replay(version(false), r.bug);
    expect(again.ok).toBe(false);
  });

  it("a decision naming a process that cannot run diverges at that step (the engine's decision check, not the operation check)", async () => {
    const r = await explore(lostUpdate, { strategy: "random", seed: 1, iterations: 200, traceDir: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    const t = r.bug.trace;
    const k = Math.floor(t.decisions.length / 2);
    // The operations up to step k still match the trace, so only the decision check can fire.
    for (const events of [t.events]) {
      // A pid that never exists.
      const ghost = await replay(lostUpdate, { ...t, events, decisions: t.decisions.map((d, i) => (i === k ? 99 : d)) }).then(() => null, (x: unknown) => x);
      expect(ghost).toBeInstanceOf(ReplayDivergence);
      expect((ghost as ReplayDivergence).step).toBe(k);
      expect((ghost as ReplayDivergence).expected).toBe("<0.99.0> to run");
      expect((ghost as ReplayDivergence).actual).toBe("not run <0.99.0>: it could not run (blocked, ended or never spawned)");
      // The message reads as a sentence: "..., but the program did not run <0.99.0>: ...".
      expect((ghost as ReplayDivergence).message).toContain("but the program did not run <0.99.0>");
      // A timer decision where no timer is pending (the program sets none).
      const timer = await replay(lostUpdate, { ...t, events, decisions: t.decisions.map((d, i) => (i === k ? 0 : d)) }).then(() => null, (x: unknown) => x);
      expect(timer).toBeInstanceOf(ReplayDivergence);
      expect((timer as ReplayDivergence).step).toBe(k);
      expect((timer as ReplayDivergence).expected).toBe("the next timer to fire");
      expect((timer as ReplayDivergence).message).toContain("but the program did not fire one: no timer was pending");
    }
  });

  it("resolves { ok: true } when the same schedule no longer fails", async () => {
    let fail = true;
    const body = async () => {
      const me = self();
      await spawn(async () => send(me, 1));
      await receive();
      if (fail) throw new Error("flaky");
    };
    const r = await explore(body, { seed: 1, iterations: 1, traceDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.kind).toBe("exception");
    fail = false;
    if (!r.ok) expect(await replay(body, r.bug)).toEqual({ ok: true });
  });

  it("rejects a bad body or source with clear errors", async () => {
    await expect(replay(42 as never, "x.json")).rejects.toThrow(/replay expects the test body first, got number/);
    await expect(replay(async () => {}, { hello: 1 } as never)).rejects.toThrow(OptionsError);
  });
});

describe("trace files", () => {
  async function someBug(): Promise<Bug> {
    const r = await explore(downRace, { seed: 2, iterations: 100, traceDir: false });
    if (r.ok) throw new Error("expected a bug");
    return r.bug;
  }

  it("round-trip through saveTrace / loadTrace / parseTrace", async () => {
    const bug = await someBug();
    const path = (await saveTrace(bug.trace, join(dir, "sub")))!;
    expect(path).toMatch(/downRace-i\d+-s2\.json$/);
    expect(await loadTrace(path)).toEqual(bug.trace);
    expect(parseTrace(await readFile(path, "utf8"))).toEqual(bug.trace);
    const t = bug.trace;
    expect(t.format).toBe("lockstep-trace");
    expect(t.version).toBe(TRACE_VERSION);
    expect(typeof t.lockstep).toBe("string");
    expect(t.seed).toBe(2);
    expect(t.strategy).toBe(bug.strategy);
    expect(t.decisions).toEqual(bug.schedule);
    expect(t.failure?.kind).toBe("exception");
    expect(t.events.every((e) => e.length === 5)).toBe(true);
    // Saving under a suffix keeps both files.
    await saveTrace(bug.trace, join(dir, "sub"), "-copy");
    expect((await readdir(join(dir, "sub"))).sort()).toEqual([`downRace-i${t.iteration}-s2-copy.json`, `downRace-i${t.iteration}-s2.json`]);
  });

  it("gives clear errors for corrupt, foreign and other-version files", async () => {
    const bug = await someBug();
    const write = async (name: string, text: string) => {
      const p = join(dir, name);
      await writeFile(p, text);
      return p;
    };
    const corrupt = await write("corrupt.json", JSON.stringify(bug.trace).slice(0, 40));
    await expect(loadTrace(corrupt)).rejects.toThrow(new RegExp(`trace file .*corrupt\\.json is not valid JSON`));
    await expect(replay(downRace, corrupt)).rejects.toThrow(/is not valid JSON/);
    const other = await write("v99.json", JSON.stringify({ ...bug.trace, version: 99 }));
    await expect(replay(downRace, other)).rejects.toThrow(new RegExp(`it has format version 99; this lockstep \\(.*\\) reads version ${TRACE_VERSION}`));
    const foreign = await write("foreign.json", JSON.stringify({ name: "package", version: "1.0.0" }));
    await expect(loadTrace(foreign)).rejects.toThrow(/is not a usable lockstep trace: its "format" is undefined, expected "lockstep-trace"/);
    const array = await write("array.json", "[1, 2, 3]");
    await expect(loadTrace(array)).rejects.toThrow(/expected a JSON object/);
    await expect(loadTrace(join(dir, "missing.json"))).rejects.toThrow(/cannot read trace file .*missing\.json/);
    expect(() => parseTrace(JSON.stringify({ ...bug.trace, decisions: [1, -1] }))).toThrow(/"decisions\[1\]" must be an integer from 0 to 4294967295, got -1/);
    expect(() => parseTrace(JSON.stringify({ ...bug.trace, events: [[1, 2, 3]] }))).toThrow(/"events\[0\]" must be a \[step, pid, op, resource, aux\] record of 5 integers, it has 3 fields/);
    expect(() => parseTrace(JSON.stringify({ ...bug.trace, options: { ...bug.trace.options, timers: "fast" } }))).toThrow(/"options.timers"/);
    for (const p of [corrupt, other, foreign, array]) await expect(loadTrace(p)).rejects.toBeInstanceOf(OptionsError);
  });

  it("rejects each malformed field with one message naming it", async () => {
    const bug = await someBug();
    const t = bug.trace;
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["maxSteps 0", { options: { ...t.options, maxSteps: 0 } }, /"options.maxSteps" must be a positive integer, got 0/],
      ["maxSteps fractional", { options: { ...t.options, maxSteps: 1.5 } }, /"options.maxSteps" must be a positive integer, got 1.5/],
      ["maxSteps string", { options: { ...t.options, maxSteps: "100" } }, /"options.maxSteps" must be a positive integer, got "100"/],
      ["maxSteps unsafe", { options: { ...t.options, maxSteps: 2 ** 60 } }, /"options.maxSteps" must be a positive integer/],
      ["allowCrashes", { options: { ...t.options, allowCrashes: "yes" } }, /"options.allowCrashes" must be true or false, got "yes"/],
      ["allowCrashes missing", { options: { maxSteps: 10, timers: "quiescent" } }, /"options.allowCrashes" must be true or false, got undefined/],
      ["options array", { options: [] }, /"options" must be an object/],
      ["decision above u32", { decisions: [1, 4294967296] }, /"decisions\[1\]" must be an integer from 0 to 4294967295, got 4294967296/],
      ["decision fractional", { decisions: [1.5] }, /"decisions\[0\]" must be an integer from 0 to 4294967295, got 1.5/],
      ["decisions not array", { decisions: "1,2" }, /"decisions" must be an array/],
      ["event missing field", { events: [[0, 1, 2, 3]] }, /"events\[0\]" must be a \[step, pid, op, resource, aux\] record of 5 integers, it has 4 fields/],
      ["event extra field", { events: [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5]] }, /"events\[1\]" must be a \[step, pid, op, resource, aux\] record of 5 integers, it has 6 fields/],
      ["event non-integer", { events: [[0, 1, 2.5, 3, 4]] }, /"events\[0\]\[2\]" \(op\) must be an integer, got 2.5/],
      ["event string", { events: [[0, "1", 2, 3, 4]] }, /"events\[0\]\[1\]" \(pid\) must be an integer, got "1"/],
      ["event not array", { events: [{}] }, /"events\[0\]" must be a \[step, pid, op, resource, aux\] record of 5 integers/],
      ["test missing", { test: undefined }, /"test" \(the scenario name\) must be a non-empty string, got undefined/],
      ["test number", { test: 7 }, /"test" \(the scenario name\) must be a non-empty string, got 7/],
      ["strategy", { strategy: 3 }, /"strategy" must be a string, got 3/],
      ["file", { file: 3 }, /"file" must be a path string, got 3/],
      ["failure string", { failure: "boom" }, /"failure" must be null or \{ kind, message, step \}, got "boom"/],
      ["failure kind", { failure: { message: "m", step: 1 } }, /"failure.kind" must be a non-empty string, got undefined/],
      ["failure message", { failure: { kind: "exception", message: 1, step: 1 } }, /"failure.message" must be a string, got 1/],
      ["failure step", { failure: { kind: "exception", message: "m", step: -1 } }, /"failure.step" must be a non-negative integer, got -1/],
    ];
    for (const [what, patch, message] of cases) {
      const bad = JSON.stringify({ ...t, ...patch });
      expect(() => parseTrace(bad, "t.json"), what).toThrow(OptionsError);
      expect(() => parseTrace(bad, "t.json"), what).toThrow(message);
      await expect(replay(downRace, JSON.parse(bad)), what).rejects.toThrow(message);
    }
    // The valid trace, and a valid "no failure" trace, still load.
    expect(parseTrace(JSON.stringify(t))).toEqual(t);
    expect(parseTrace(JSON.stringify({ ...t, failure: null })).failure).toBeNull();
  });

  it("a trace that cannot be saved still returns the bug, saying why it was not saved", async () => {
    const blocker = join(dir, "a-regular-file");
    await writeFile(blocker, "not a directory");
    const traceDir = join(blocker, "traces");
    const r = await explore(lostUpdate, { seed: 3, iterations: 100, traceDir });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    expect(r.bug.tracePath).toBeUndefined();
    expect(r.bug.traceSaveError).toMatch(new RegExp(`could not save the trace under ${traceDir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: .*ENOTDIR`));
    const report = r.bug.format();
    expect(report).toContain(`warning: ${r.bug.traceSaveError}`);
    expect(report).toMatch(/Replay: await replay\(body, bug\)/);
    expect(report).toMatch(/lost update: counter is 1, expected 2/);
    // The bug in memory still replays.
    const again = await replay(lostUpdate, r.bug);
    expect(again.ok).toBe(false);
  });

  it("a trace of another program is reported as a divergence", async () => {
    const bug = await someBug();
    const e = await replay(lostUpdate, bug.trace).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ReplayDivergence);
  });

  it("monitor-based programs replay from disk too", async () => {
    const body = async () => {
      const w = await spawn(async () => {});
      const ref = await monitor(w);
      const m = await receive();
      if (m.ref === ref && m.reason === "noproc") throw new Error("monitored too late");
    };
    const r = await explore(body, { seed: 5, iterations: 50, traceDir: dir });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const again = await replay(body, r.bug.tracePath!);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.bug.message).toBe(r.bug.message);
  });
});

// Strict replay must consume the whole trace: a program that ends early, or a trace
// that runs out of decisions or operations, is a divergence, never a silent pass.
describe("strict replay follows the trace to its end", () => {
  /** Fails on every schedule at its last step; `mode` edits the program. */
  function program(mode: { stopEarly?: boolean; throwEarly?: boolean }) {
    return async function ending() {
      const me = self();
      await spawn(async () => {
        await send(me, "a");
        await send(me, "b");
      });
      await receive();
      if (mode.stopEarly) return;
      if (mode.throwEarly) throw new Error("an earlier assertion");
      await receive();
      await yieldNow();
      throw new Error("always fails at the end");
    };
  }

  async function traceOfEnding(): Promise<TraceFile> {
    const r = await explore(program({}), { strategy: "random", seed: 1, iterations: 1, traceDir: false });
    if (r.ok) throw new Error("expected a bug");
    return r.bug.trace;
  }

  async function divergence(p: Promise<unknown>): Promise<ReplayDivergence> {
    const e = await p.then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ReplayDivergence);
    return e as ReplayDivergence;
  }

  it("a program that now returns before the trace ends diverges where it ended", async () => {
    const t = await traceOfEnding();
    const d = await divergence(replay(program({ stopEarly: true }), t));
    expect(d.step).toBeLessThan(t.decisions.length);
    expect(d.expected).toMatch(new RegExp(`${t.decisions.length} decisions`));
    expect(d.actual).toMatch(/end there: the test body returned/);
    expect(d.message).toMatch(new RegExp(`replay diverged at step ${d.step}:`));
  });

  it("a program that now fails earlier diverges instead of reporting a different bug", async () => {
    const t = await traceOfEnding();
    const d = await divergence(replay(program({ throwEarly: true }), t));
    expect(d.step).toBeLessThan(t.decisions.length);
    expect(d.actual).toMatch(/end there: it failed \(exception: .*an earlier assertion/);
  });

  it("a trace with fewer decisions than the program needs diverges at its last decision", async () => {
    const r = await explore(lostUpdate, { strategy: "random", seed: 3, iterations: 200, traceDir: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const t = r.bug.trace;
    for (const k of [0, 1, Math.floor(t.decisions.length / 2), t.decisions.length - 1]) {
      // Decisions cut at k, operations cut consistently (an event's step counts the decisions before it).
      const cut = { ...t, decisions: t.decisions.slice(0, k), events: t.events.filter((e) => e[0] < k + 1) };
      const d = await divergence(replay(lostUpdate, cut));
      expect(d.step, `cut at ${k}`).toBe(k);
      expect(d.expected).toMatch(new RegExp(`the run to end \\(the trace has ${k} decisions\\)`));
      expect(d.actual).toMatch(/another scheduling decision/);
    }
  });

  it("operations left over in the trace, or missing from it, are a divergence", async () => {
    const t = await traceOfEnding();
    const last = t.events[t.events.length - 1];
    const extra = { ...t, events: [...t.events, [last[0], 1, last[2], last[3], 0]] };
    const d1 = await divergence(replay(program({}), extra));
    expect(d1.actual).toMatch(/nothing more/);
    const fewer = { ...t, events: t.events.slice(0, -1) };
    const d2 = await divergence(replay(program({}), fewer));
    expect(d2.expected).toMatch(new RegExp(`no further operation \\(the trace has ${t.events.length - 1} operations\\)`));
  });

  it("the unedited program still reproduces from the whole trace", async () => {
    const t = await traceOfEnding();
    const again = await replay(program({}), t);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.bug.schedule).toEqual(t.decisions);
  });
});
