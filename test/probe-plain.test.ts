// Plain async JavaScript as a new user writes it (DESIGN.md, "Plain JavaScript"):
// verdicts found wrong by an adversarial probe, and programs whose verdicts are right
// kept as regressions (bug found and replayed; or no bug, with the claimed count).
import { describe, it, expect } from "vitest";
import { explore, replay, controlled, type ExploreOptions } from "lockstep";

const base: ExploreOptions = { traceDir: false, seed: 1 };

describe("wrong verdicts found by the probe", () => {
  it("a real-timer await after a floating rejection is an uncontrolled await, not a deadlock, whatever the host had pending", async () => {
    // The host's own pending work (a test runner's immediate) finishes while the
    // explorer lets Node report the floating rejection; the re-run that attributes it
    // must still see the body's own setImmediate as a real resource it started.
    await explore(async () => {}, { ...base, iterations: 1 }); // the engine is loaded
    setImmediate(() => {});
    const body = async () => {
      void controlled(async () => { throw new Error("floating"); })();
      await new Promise((r) => setImmediate(r));
    };
    const r = await explore(body, { ...base, strategy: "random", iterations: 5 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("uncontrolled-await");
    expect(r.bug.format()).not.toContain("did not reproduce");
  });
});
