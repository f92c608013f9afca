// Shrinking: the shrunk schedule fails the same way, is no longer than the original,
// is strictly shorter or has fewer preemptions, replays deterministically, and is
// saved beside the original trace. Length is the number of decisions up to the
// failing step.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtemp, rm, access, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { explore, replay, shrink, ReplayDivergence, OptionsError, LockstepError, spawn, send, receive, self, yieldNow, type Bug } from "lockstep";
import { loadTrace } from "../src/explore/trace-file.js";
import lostUpdate from "../examples/lost-update.mjs";
import lockOrder from "../examples/deadlock.mjs";
import downRace from "../examples/down-race.mjs";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lockstep-shrink-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The first bug explore finds; it must be of `kind`. */
async function found(body: () => Promise<void>, kind: Bug["kind"], o: Parameters<typeof explore>[1]): Promise<Bug> {
  const r = await explore(body, { iterations: 500, traceDir: false, ...o });
  if (r.ok) throw new Error("expected a bug");
  expect(r.bug.kind, r.bug.message).toBe(kind);
  return r.bug;
}

/** Noise workers run for a while; a checker's message, if it comes first, fails the body at once. */
async function earlyFailure() {
  const me = self();
  for (let i = 0; i < 3; i++) {
    await spawn(async () => {
      for (let j = 0; j < 8; j++) await yieldNow();
      await send(me, "done");
    });
  }
  await spawn(async () => {
    await yieldNow();
    await send(me, "bad");
  });
  for (let i = 0; i < 4; i++) {
    const m = await receive();
    if (m === "bad" && i < 3) throw new Error(`the checker's message arrived as message ${i + 1}`);
  }
}

describe("shrink", () => {
  const EXAMPLES: [string, () => Promise<void>, Bug["kind"]][] = [["lost-update", lostUpdate, "exception"], ["deadlock", lockOrder, "deadlock"], ["down-race", downRace, "exception"]];

  for (const [name, body, kind] of EXAMPLES) {
    it(`shrinks ${name}: same failure, no longer, shorter or fewer preemptions, deterministic replay`, async () => {
      for (const [strategy, seed] of [["random", 1], ["random", 2], ["pct", 1], ["pos", 4]] as const) {
        const bug = await found(body, kind, { strategy, seed });
        const s = await shrink(body, bug);
        const where = `${name} ${strategy} seed ${seed}`;
        expect(s.bug.kind, where).toBe(bug.kind);
        expect(s.originalLength, where).toBe(bug.step);
        expect(s.shrunkLength, where).toBe(s.bug.trace.decisions.length);
        expect(s.shrunkLength, where).toBe(s.bug.step);
        expect(s.shrunkLength, where).toBeLessThanOrEqual(s.originalLength);
        expect(s.shrunkLength < s.originalLength || s.shrunkPreemptions < s.originalPreemptions, `${where}: ${JSON.stringify(s)}`).toBe(true);
        expect(s.replays).toBeGreaterThan(0);
        for (const source of [s.bug, s.bug.trace]) {
          const again = await replay(body, source);
          expect(again.ok, where).toBe(false);
          if (!again.ok) {
            expect(again.bug.kind).toBe(bug.kind);
            expect(again.bug.schedule).toEqual(s.bug.schedule);
          }
        }
      }
    });
  }

  it("cuts a schedule whose assertion can fail early strictly shorter", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const bug = await found(earlyFailure, "exception", { strategy: "random", seed });
      const s = await shrink(earlyFailure, bug);
      expect(s.bug.kind).toBe("exception");
      expect(s.shrunkLength).toBeLessThan(s.originalLength);
      // Minimal: the checker's message first, ahead of the 8 steps each worker needs.
      expect(s.shrunkLength).toBeLessThan(15);
      expect(String((s.bug.error as Error).message)).toMatch(/arrived as message/);
    }
  });

  it("keeps the failure kind: an exception never shrinks into a shorter deadlock", async () => {
    // Without preemptions the body runs ahead, sets `late`, blocks in receive, and the
    // worker then blocks too: a deadlock with no preemption. The exception needs the
    // worker to run first (a preemption), and then the body takes 6 more steps.
    const early = async () => {
      const me = self();
      let late = false;
      await spawn(async () => {
        if (late) await receive();
        else await send(me, "early");
      });
      late = true;
      await receive();
      for (let i = 0; i < 6; i++) await yieldNow();
      throw new Error("the worker ran before the body waited");
    };
    const bug = await found(early, "exception", { strategy: "random", seed: 3 });
    expect(bug.kind).toBe("exception");
    const s = await shrink(early, bug);
    expect(s.bug.kind).toBe("exception");
    expect((s.bug.error as Error).message).toBe("the worker ran before the body waited");
    const again = await replay(early, s.bug);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.bug.kind).toBe("exception");
  });

  it("keeps the error class: a RangeError never shrinks into a shorter TypeError", async () => {
    const early = async () => {
      const me = self();
      let late = false;
      await spawn(async () => {
        if (late) await send(me, "late");
        else await send(me, "early");
      });
      late = true;
      if ((await receive()) === "late") throw new TypeError("late");
      for (let i = 0; i < 6; i++) await yieldNow();
      throw new RangeError("early");
    };
    const bug = await found(early, "exception", { strategy: "random", seed: 3 });
    expect((bug.error as Error).name).toBe("RangeError");
    const s = await shrink(early, bug);
    expect(s.bug.kind).toBe("exception");
    expect((s.bug.error as Error).name).toBe("RangeError");
  });

  it("reaches a schedule without preemptions when one exists", async () => {
    const bug = await found(lockOrder, "deadlock", { strategy: "random", seed: 1 });
    expect(bug.kind).toBe("deadlock");
    const s = await shrink(lockOrder, bug);
    expect(s.originalPreemptions).toBeGreaterThan(0);
    expect(s.shrunkPreemptions).toBeLessThan(s.originalPreemptions);
  });

  it("saves the shrunk trace beside the original, and accepts a path or a trace carrying its path", async () => {
    const r = await explore(lostUpdate, { strategy: "random", seed: 4, iterations: 100, traceDir: dir });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const original = r.bug.tracePath!;
    const s = await shrink(lostUpdate, r.bug);
    expect(s.bug.tracePath).toBe(original.replace(/\.json$/, "-shrunk.json"));
    await access(s.bug.tracePath!);
    const saved = await loadTrace(s.bug.tracePath!);
    expect(saved.decisions).toEqual(s.bug.schedule);
    expect(saved.decisions.length).toBe(s.shrunkLength);
    const again = await replay(lostUpdate, s.bug.tracePath!);
    expect(again.ok).toBe(false);

    const fromPath = await shrink(lostUpdate, original);
    expect(fromPath.bug.tracePath).toBe(s.bug.tracePath);
    expect(fromPath.bug.schedule).toEqual(s.bug.schedule); // shrinking is deterministic
    const fromTrace = await shrink(lostUpdate, { ...r.bug.trace, tracePath: original });
    expect(fromTrace.shrunkLength).toBe(s.shrunkLength);
    // Shrinking a shrunk trace writes beside it without stacking suffixes.
    const twice = await shrink(lostUpdate, s.bug.tracePath!);
    expect(twice.bug.tracePath).toBe(s.bug.tracePath);
    expect(twice.shrunkLength).toBeLessThanOrEqual(s.shrunkLength);
    // A trace object without a path is not saved.
    const unsaved = await shrink(lostUpdate, r.bug.trace);
    expect(unsaved.bug.tracePath).toBeUndefined();
  });

  it("a shrunk trace that cannot be saved is still returned, saying why", async () => {
    const bug = await found(lostUpdate, "exception", { strategy: "random", seed: 4 });
    const blocker = join(dir, "not-a-dir");
    await writeFile(blocker, "a regular file");
    const s = await shrink(lostUpdate, { ...bug.trace, tracePath: join(blocker, "t.json") });
    expect(s.bug.tracePath).toBeUndefined();
    expect(s.bug.traceSaveError).toMatch(/could not save the trace .*not-a-dir.*ENOTDIR/);
    expect(s.bug.format()).toContain(`warning: ${s.bug.traceSaveError}`);
    expect(s.shrunkLength).toBeLessThanOrEqual(s.originalLength);
  });

  it("stays within its budget of replays", async () => {
    const bug = await found(lostUpdate, "exception", { strategy: "random", seed: 2 });
    const s = await shrink(lostUpdate, bug, { maxReplays: 3 });
    expect(s.replays).toBeLessThanOrEqual(3);
    expect(s.shrunkLength).toBeLessThanOrEqual(s.originalLength);
    const again = await replay(lostUpdate, s.bug);
    expect(again.ok).toBe(false);
  });

  it("stops at its budget of decisions: with maxDecisions 1 the original replay uses it up", async () => {
    const bug = await found(lostUpdate, "exception", { strategy: "random", seed: 2 });
    const s = await shrink(lostUpdate, bug, { maxDecisions: 1 });
    expect(s.replays).toBe(0);
    expect(s.shrunkLength).toBe(s.originalLength);
    expect(s.bug.schedule).toEqual(bug.schedule);
    const more = await shrink(lostUpdate, bug, { maxDecisions: 3 * bug.schedule.length });
    expect(more.replays).toBeGreaterThan(0);
    expect(more.replays).toBeLessThanOrEqual(3);
  });

  it("save: false writes nothing; a plain { trace, tracePath } object is shrunk and saved beside its file", async () => {
    const r = await explore(lostUpdate, { strategy: "random", seed: 5, iterations: 100, traceDir: join(dir, "plain") });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    const original = r.bug.tracePath!;
    const shrunkPath = original.replace(/\.json$/, "-shrunk.json");
    const quiet = await shrink(lostUpdate, r.bug, { save: false });
    expect(quiet.bug.tracePath).toBeUndefined();
    await expect(access(shrunkPath)).rejects.toThrow();
    const plain = JSON.parse(JSON.stringify({ trace: r.bug.trace, tracePath: original }));
    const s = await shrink(lostUpdate, plain);
    expect(s.bug.kind).toBe("exception");
    expect(s.bug.tracePath).toBe(shrunkPath);
    await access(shrunkPath);
    expect(s.bug.schedule).toEqual(quiet.bug.schedule);
  });

  it("terminates on a step-limit failure", async () => {
    const spin = async () => {
      let flag = false;
      const me = self();
      await spawn(async () => {
        while (!flag) await yieldNow();
        await send(me, "a");
      });
      await spawn(async () => {
        await yieldNow();
        flag = true;
        await send(me, "b");
      });
      await receive();
      await receive();
    };
    const bug = await found(spin, "step-limit", { strategy: "pct", seed: 1, maxSteps: 300 });
    expect(bug.kind).toBe("step-limit");
    const s = await shrink(spin, bug, { maxDecisions: 20000 });
    expect(s.bug.kind).toBe("step-limit");
    expect(s.shrunkLength).toBeLessThanOrEqual(s.originalLength);
    expect(s.replays).toBeLessThanOrEqual(20000 / 300 + 2);
  });

  it("rejects bad input with clear errors", async () => {
    const bug = await found(downRace, "exception", { seed: 1 });
    await expect(shrink(42 as never, bug)).rejects.toThrow(/shrink expects the test body/);
    await expect(shrink(downRace, { ...bug.trace, failure: null })).rejects.toThrow(/records no failure/);
    await expect(shrink(downRace, { hello: 1 } as never)).rejects.toBeInstanceOf(OptionsError);
    await expect(shrink(downRace, bug, { maxReplays: 0 })).rejects.toThrow(/maxReplays must be an integer >= 1, got 0/);
    await expect(shrink(downRace, join(dir, "nope.json"))).rejects.toThrow(/cannot read trace file/);
    // Another program: the strict replay of the original diverges.
    await expect(shrink(lostUpdate, bug)).rejects.toBeInstanceOf(ReplayDivergence);
    // The same schedule no longer fails.
    let fail = true;
    const flaky = async () => {
      const me = self();
      await spawn(async () => send(me, 1));
      await receive();
      if (fail) throw new Error("flaky");
    };
    const fb = await found(flaky, "exception", { seed: 1 });
    fail = false;
    const e = await shrink(flaky, fb).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(LockstepError);
    expect((e as Error).message).toMatch(/replaying the trace passed instead of failing with exception/);
  });
});
