// lockstep/vitest: a failing ctest fails with the report and the replay command;
// `replay: path` reproduces a saved trace.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function runFixture(env: Record<string, string>, args = ["test/fixtures/ctest.fixture.ts"]) {
  const r = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=verbose", ...args], {
    cwd: root, encoding: "utf8", env: { ...process.env, LOCKSTEP_FIXTURES: "1", CI: "true", ...env },
  });
  // Colours off: the assertions read vitest's text, not its terminal styling.
  return { code: r.status, out: (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, "") };
}

describe("ctest", () => {
  it("fails with seed, strategy, interleaving and replay command; passes and skips like a test", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-ctest-"));
    const r = runFixture({ FIXTURE_TRACE_DIR: dir });
    expect(r.code).toBe(1);
    // The user's error comes first, the report after it.
    expect(r.out).toMatch(/Error: b overtook a\n\nlockstep found a bug \(exception\)/);
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

  it("a failing assertion shows the user's message and vitest's diff first, then the schedule and a working replay hint", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-ctest-"));
    const r = runFixture({ FIXTURE_TRACE_DIR: dir }, ["test/fixtures/ctest-output.fixture.ts"]);
    const failure = r.out.slice(r.out.indexOf("Failed Tests 1"));
    // vitest prints the user's assertion as the error, with its expected/received diff and code frame.
    expect(failure).toMatch(/AssertionError: the first message is a's: expected 'b' to be 'a'/);
    expect(failure.indexOf("AssertionError: the first message")).toBeLessThan(failure.indexOf("lockstep found a bug"));
    expect(failure).toMatch(/Expected: "a"\nReceived: "b"/);
    expect(failure).toMatch(/ctest-output\.fixture\.ts:\d+:\d+/);
    expect(failure).toContain(`expect(first, "the first message is a's").toBe("a")`);
    // ... then the schedule and the ctest call that replays it.
    expect(failure).toMatch(/iteration \d+, seed 4, strategy \S+, \d+ steps/);
    expect(failure).toMatch(/step\s+process\s+operation\s+result/);
    const hint = /Replay: ctest\("an assertion fails inside the exploration", body, \{ replay: "(.*\.json)" \}\)/.exec(failure);
    expect(hint).not.toBeNull();
    expect(existsSync(hint![1])).toBe(true);
    expect(r.out).not.toMatch(/traceDir: false/);
    // each: names formatted from the rows (%i, %s, $prop), the rows' values passed to the body.
    expect(r.out).toMatch(/✓ .*each row 1 is one/);
    expect(r.out).toMatch(/✓ .*each row 2 is two/);
    expect(r.out).toMatch(/✓ .*each object 'ann'/);
    expect(r.out).toMatch(/✓ .*each passed the rows' values to the bodies/);
    // concurrent ctests pass, one exploration at a time; todo is listed as a todo.
    expect(r.out).toMatch(/✓ .*concurrent ctests took turns/);
    expect(r.out).toMatch(/1 failed.*8 passed.*1 todo/);
  });

  it("with no options set, the hint replays the trace written to .lockstep (never a traceDir: false note)", () => {
    const r = runFixture({ FIXTURE_NO_OPTIONS: "1" }, ["test/fixtures/ctest-output.fixture.ts", "-t", "an assertion fails"]);
    const hint = /Replay: ctest\("an assertion fails inside the exploration", body, \{ replay: "(\.lockstep\/.*\.json)" \}\)/.exec(r.out);
    expect(hint, r.out).not.toBeNull();
    expect(r.out).not.toMatch(/traceDir: false|no trace file was written/);
    rmSync(join(root, hint![1]), { force: true });
  });

  it("LOCKSTEP_ITERATIONS and LOCKSTEP_SEED replace defaults, not a test's own options; a bad value is a clear error", () => {
    const ok = runFixture({ LOCKSTEP_ITERATIONS: "7", LOCKSTEP_SEED: "3" }, ["test/fixtures/ctest-env.fixture.ts"]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/3 passed/);
    const failing = runFixture({ LOCKSTEP_SEED: "3", FIXTURE_FAIL: "1" }, ["test/fixtures/ctest-env.fixture.ts", "-t", "always fails"]);
    expect(failing.out).toMatch(/iteration 1, seed 3, strategy random/);
    const bad = runFixture({ LOCKSTEP_ITERATIONS: "lots" }, ["test/fixtures/ctest-env.fixture.ts"]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('the environment variable LOCKSTEP_ITERATIONS must be an integer >= 1, got "lots"');
  });

  it("ctest.only runs alone in its file", () => {
    const r = runFixture({}, ["test/fixtures/ctest-only.fixture.ts", "--allowOnly"]); // CI=true forbids .only otherwise
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/1 passed/);
    expect(r.out).toMatch(/1 skipped/);
  });

  it("reads LOCKSTEP_SEED and LOCKSTEP_ITERATIONS strictly", async () => {
    const { envOptions } = await import("../src/vitest/index.js");
    expect(envOptions({})).toEqual({});
    expect(envOptions({ LOCKSTEP_SEED: "0", LOCKSTEP_ITERATIONS: " 50 " })).toEqual({ seed: 0, iterations: 50 });
    expect(() => envOptions({ LOCKSTEP_ITERATIONS: "0" })).toThrow(/LOCKSTEP_ITERATIONS must be an integer >= 1, got "0"/);
    expect(() => envOptions({ LOCKSTEP_SEED: "-1" })).toThrow(/LOCKSTEP_SEED must be an integer >= 0/);
    expect(() => envOptions({ LOCKSTEP_SEED: "1e3" })).toThrow(/LOCKSTEP_SEED/);
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
