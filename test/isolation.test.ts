// Iteration isolation (issue 19): controlled calls, timers and shared objects belong to
// the iteration that made them. Code left over from an abandoned iteration (a real
// timer a library set before the iteration was abandoned as an uncontrolled await)
// runs only between iterations in Node, and whatever lockstep call it makes there is
// dropped; it never runs as part of a later iteration. Controlled calls still pending
// when the body returns are a warning, not a failure.
import { describe, it, expect } from "vitest";
import { explore, controlled, SharedCell } from "lockstep";

const realSetTimeout = globalThis.setTimeout;

describe("iteration isolation", () => {
  it("an abandoned iteration's real timer fires during a later exploration: its controlled() call is dropped and the live iterations see only their own calls", async () => {
    const calls: string[] = [];
    const record = controlled(async (who: string) => void calls.push(who), { name: "record" }); // a module's stub
    const abandoned = await explore(async () => {
      // A library's real timer (it kept the host's setTimeout), firing after the iteration is gone.
      realSetTimeout(() => void record("leftover"), 5);
      await new Promise((r) => realSetTimeout(r, 200)); // an uncontrolled await: the iteration is abandoned
    }, { iterations: 1, seed: 1, traceDir: false });
    expect(abandoned.ok).toBe(false);
    if (!abandoned.ok) expect(abandoned.bug.kind).toBe("uncontrolled-await");
    calls.length = 0;
    let live = 0;
    const later = await explore(async () => {
      live++;
      await record("live");
    }, { iterations: 1_000_000, timeLimitMs: 100, seed: 2, traceDir: false });
    expect(later.ok, later.ok ? "" : later.bug.format()).toBe(true);
    expect(later.stats.warnings).toBeUndefined();
    // The leftover timers (the search's run and the report's re-run) fired while it ran, in its yields.
    expect(calls.length).toBe(live);
    expect(calls.every((c) => c === "live")).toBe(true);
  });

  it("a controlled function made in one iteration and called in another does nothing there, with a warning", async () => {
    let kept: (() => Promise<number>) | undefined;
    const r = await explore(async () => {
      const mine = controlled(async () => 1, { name: "mine" });
      if (kept === undefined) {
        kept = mine;
        return;
      }
      void kept(); // from iteration 1: dropped
      expect(await mine()).toBe(1);
    }, { iterations: 3, seed: 1, traceDir: false });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
    expect(r.stats.warnings?.[0]).toMatch(/^mine\(\) was made by controlled\(\) in an earlier iteration and called in this one: the call was dropped .*\(iteration 2, and 1 more\)$/);
  });

  it("a shared object made in one iteration cannot be used in another", async () => {
    let kept: SharedCell<number> | undefined;
    const r = await explore(async () => {
      const cell = new SharedCell(0);
      if (kept === undefined) kept = cell;
      else await expect(kept.get()).rejects.toThrow(/belongs to an earlier iteration|another iteration|iteration/);
    }, { iterations: 2, seed: 1, traceDir: false });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });

  it("controlled calls still pending when the body returns are a warning, not a failure", async () => {
    const r = await explore(async () => {
      const audit = controlled(async (_what: string) => {}, { name: "audit" });
      void audit("login"); // fire and forget
    }, { iterations: 10, seed: 1, strategy: "random", traceDir: false }); // random: every iteration runs (the default would enumerate this one-schedule space and stop)
    expect(r.ok).toBe(true);
    expect(r.stats.warnings).toEqual([
      "the body returned while 1 controlled call was still pending: its result was dropped (await it, or `await settle()`, if its effects matter to the test) (iteration 1, and 9 more)",
    ]);
  });
});
