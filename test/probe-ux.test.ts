// A new user's probes of the command line and of ctest: what they must be told.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [join(root, "bin/lockstep.mjs"), ...args], { cwd, encoding: "utf8", env: { ...process.env, CI: "true" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const lockstepUrl = new URL("../dist/index.js", import.meta.url).href;

/** A scenario file with a racy scenario named first and a passing one after it. */
function twoScenarios(dir: string): string {
  writeFileSync(join(dir, "two.mjs"), `
import { SharedCell, spawn, receive, send, self } from ${JSON.stringify(lockstepUrl)};
export async function aRacy() {
  const counter = new SharedCell(0);
  const me = self();
  const inc = async () => { const v = await counter.get(); await counter.set(v + 1); await send(me, "done"); };
  await spawn(inc); await spawn(inc);
  await receive(); await receive();
  if ((await counter.get()) !== 2) throw new Error("lost update");
}
export async function zFine() {
  const me = self();
  await spawn(async () => send(me, 1));
  await receive();
}
`);
  return "two.mjs";
}

describe("lockstep explore --report with several scenarios", () => {
  it("keeps the bug's report: a passing scenario after it does not overwrite it", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-probe-"));
    const r = cli(["explore", twoScenarios(dir), "--seed", "1", "--report", "r.html", "--trace-dir", dir, "-q"], dir);
    expect(r.code).toBe(1);
    expect(r.err.match(/report written to/g)).toHaveLength(1);
    expect(r.err).toContain("report written to r.html (two#aRacy)");
    expect(readFileSync(join(dir, "r.html"), "utf8")).toContain("lost update");
  });
});

describe("a scenario file that throws at import", () => {
  it("exits 2 with the user's error and frames, not lockstep's or Node's internals", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-probe-"));
    writeFileSync(join(dir, "throws.mjs"), `throw new Error("config missing at import");\nexport default async () => {};\n`);
    const r = cli(["explore", "throws.mjs"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^lockstep: cannot load throws\.mjs: Error: config missing at import\n\s+at .*throws\.mjs:1:7/);
    expect(r.err).not.toMatch(/node:internal|dist\/|cli\.js/);
  });
});

function childVitest(env: Record<string, string>, args: string[] = []) {
  const r = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=verbose", "test/fixtures/probe-ux.fixture.ts", ...args], {
    cwd: root, encoding: "utf8", env: { ...process.env, LOCKSTEP_FIXTURES: "1", CI: "true", ...env },
  });
  return { code: r.status, out: (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, "") };
}

describe("ctest", () => {
  it("a ctest.each row's replay hint calls the body with the row's values, and pasted as printed it reproduces the bug", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-probe-"));
    const found = childVitest({ PROBE_TRACE_DIR: dir }, ["-t", "senders"]);
    const hint = /Replay: ctest\("2 senders, first is 0", \(\) => body\(2\), \{ replay: "(.*\.json)" \}\)/.exec(found.out);
    expect(hint, found.out).not.toBeNull();
    const again = childVitest({ PROBE_REPLAY: hint![1] }, ["-t", "pasted hint"]);
    expect(again.out).toMatch(/× .*pasted hint/);
    expect(again.out).toMatch(/expected 1 to be \+0/);
    expect(again.out).not.toMatch(/diverged/);
  });

  it("a space explored to the end in fewer iterations than asked passes without a 'time limit reached' note", () => {
    const r = childVitest({});
    expect(r.out).toMatch(/✓ .*a small space explored to the end/);
    expect(r.out).not.toMatch(/time limit reached/);
    expect(r.code).toBe(0);
  });
});

describe("--output and --report into a directory that does not exist", () => {
  it("exit 2 with a clear message before the search runs, not a stack trace after it", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-probe-"));
    const file = twoScenarios(dir);
    const out = cli(["explore", file, "--json", "--output", "no/such/dir/r.json"], dir);
    expect(out.code).toBe(2);
    expect(out.err).toBe("lockstep: --output no/such/dir/r.json: the directory no/such/dir does not exist\n");
    expect(out.out).toBe("");
    const report = cli(["explore", file, "--report", "no/r.html"], dir);
    expect(report.code).toBe(2);
    expect(report.err).toBe("lockstep: --report no/r.html: the directory no does not exist\n");
    // A path that exists but cannot be written (a directory) is said plainly too.
    const asDir = cli(["explore", file, "--json", "--output", ".", "--scenario", "zFine", "-q"], dir);
    expect(asDir.code).toBe(2);
    expect(asDir.err).toMatch(/^lockstep: cannot write --output \.: EISDIR/);
    expect(asDir.err).not.toMatch(/\n\s+at /);
  });
});

describe("a negative number as a flag's value", () => {
  it("says that it was read as a flag and how to write it, and the value itself is then checked", async () => {
    const { parseArgs } = await import("../src/cli/args");
    expect(() => parseArgs(["--iterations", "-5"], { iterations: "int" })).toThrow('--iterations needs a value (one starting with "-" is read as a flag; write --iterations=-...)');
    expect(() => parseArgs(["--iterations=-5"], { iterations: "int" })).toThrow(/--iterations must be a non-negative integer, got "-5"/);
  });
});
