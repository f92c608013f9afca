// lockstep/vitest: a failing ctest fails with the report and the replay command;
// `replay: path` reproduces a saved trace.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function runFixture(env: Record<string, string>, args = ["test/fixtures/ctest.fixture.ts"]) {
  const r = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=verbose", ...args], {
    cwd: root, encoding: "utf8", env: { ...process.env, LOCKSTEP_FIXTURES: "1", CI: "true", ...env },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("ctest", () => {
  it("fails with seed, strategy, interleaving and replay command; passes and skips like a test", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-ctest-"));
    const r = runFixture({ FIXTURE_TRACE_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/BugFound/);
    expect(r.out).toMatch(/b overtook a/);
    expect(r.out).toMatch(/seed 4, strategy/);
    expect(r.out).toMatch(/step\s+process\s+operation/);
    // The replay hint is the call that works in a test file.
    expect(r.out).toMatch(/Replay: ctest\(".*", body, \{ replay: ".*\.json" \}\)/);
    expect(r.out).toMatch(/1 failed/);
    expect(r.out).toMatch(/1 passed/);
    expect(r.out).toMatch(/1 skipped/);
    const traces = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(traces.length).toBe(1);

    const again = runFixture({ FIXTURE_TRACE_DIR: dir, FIXTURE_REPLAY: join(dir, traces[0]) });
    expect(again.out).toMatch(/replaying a saved trace reproduces/);
    expect(again.out).toMatch(/2 failed/); // the racy ctest and its replay both fail with the bug
  });

  it("a ctest with more work than its timeout stops exploring in time and passes; the next exploration runs", () => {
    const r = runFixture({}, ["test/fixtures/ctest-timeout.fixture.ts", "--testTimeout=800"]);
    expect(r.out).not.toMatch(/Test timed out/);
    expect(r.out).not.toMatch(/already running/);
    expect(r.out).toMatch(/5 passed/);
    expect(r.code).toBe(0);
  });

  it("budgets the exploration to the test's timeout less a margin", async () => {
    const { timeBudget } = await import("../src/vitest/index.js");
    expect(timeBudget(5000)).toBe(4500);
    expect(timeBudget(500)).toBe(300);
    expect(timeBudget(120000)).toBe(118000);
    expect(timeBudget(150)).toBe(1);
    expect(timeBudget(0)).toBeUndefined(); // vitest: 0 disables the timeout
    expect(timeBudget(Infinity)).toBeUndefined();
    expect(timeBudget(undefined)).toBeUndefined();
  });
});
