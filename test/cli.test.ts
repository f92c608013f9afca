// The lockstep command, run as users run it (node bin/lockstep.mjs, after the build).
import { describe, it, expect } from "vitest";
import { spawnSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, parseDuration, parseShard, shardSeed, suggest, UsageFailure } from "../src/cli/args";
import { Progress } from "../src/cli/progress";
import { checkLocation } from "../src/cli/load-error";

const root = new URL("..", import.meta.url).pathname;

function cli(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [join(root, "bin/lockstep.mjs"), ...args], { cwd, encoding: "utf8", env: { ...process.env, CI: "true" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("argument parsing", () => {
  it("parses flags and values", () => {
    const p = parseArgs(["f.mjs", "--iterations", "10", "--json", "--strategy=pct"], { iterations: "int", json: "bool", strategy: "string" });
    expect(p).toEqual({ positionals: ["f.mjs"], flags: { iterations: 10, json: true, strategy: "pct" } });
  });
  it("rejects unknown flags, missing and bad values", () => {
    expect(() => parseArgs(["--nope"], {})).toThrow(/unknown option --nope/);
    expect(() => parseArgs(["--iterations"], { iterations: "int" })).toThrow(/needs a value/);
    expect(() => parseArgs(["--iterations", "ten"], { iterations: "int" })).toThrow(UsageFailure);
    expect(() => parseArgs(["--json=1"], { json: "bool" })).toThrow(/takes no value/);
  });
  it("parses durations and shards", () => {
    expect(parseDuration("30s")).toBe(30000);
    expect(parseDuration("2m")).toBe(120000);
    expect(parseDuration("500ms")).toBe(500);
    expect(() => parseDuration("soon")).toThrow(/time-limit/);
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(() => parseShard("5/4")).toThrow(/1 <= i <= n/);
    expect(() => parseShard("x")).toThrow(/1\/4/);
  });
});

describe("lockstep explore", () => {
  it("finds the lost update, prints the schedule and a replay command, exits 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    const r = cli(["explore", "examples/lost-update.mjs", "--seed", "1", "--trace-dir", dir, "--workers", "1"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/lockstep found a bug \(exception\)/);
    expect(r.out).toMatch(/lost update: counter is 1, expected 2/);
    expect(r.out).toMatch(/step\s+process\s+operation\s+result/);
    expect(r.out).toMatch(/Replay: npx lockstep replay .*\.json/);
  });

  it("--json has the documented shape", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    const r = cli(["explore", "examples/deadlock.mjs", "--seed", "3", "--json", "--trace-dir", dir, "--workers", "1"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.ok).toBe(false);
    expect(j.bug.kind).toBe("deadlock");
    expect(typeof j.bug.iteration).toBe("number");
    expect(j.bug.seed).toBe(3);
    expect(typeof j.bug.strategy).toBe("string");
    expect(existsSync(j.bug.tracePath)).toBe(true);
  });

  it("exits 0 when no bug is found", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    writeFileSync(join(dir, "ok.mjs"), `import { spawn, send, receive, self } from "${root}dist/index.js";
      export default async function fine() { const me = self(); await spawn(async () => send(me, 1)); await receive(); }`);
    const r = cli(["explore", join(dir, "ok.mjs"), "--iterations", "50", "--seed", "1", "--json"]);
    expect(r.code).toBe(0);
    // The space is tiny: the default strategy's exhaustive pass covers it and stops early.
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ ok: true, complete: true });
    expect(json.iterations).toBe(json.traces + 2);
    const text = cli(["explore", join(dir, "ok.mjs"), "--iterations", "50", "--seed", "1"]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(new RegExp(`ok: explored all ${json.traces} interleavings: no bug \\(strategy portfolio`));
    // Two workers: the first one's share enumerates it and stops the other; the same verdict.
    const two = JSON.parse(cli(["explore", join(dir, "ok.mjs"), "--iterations", "50", "--seed", "1", "--workers", "2", "--json"]).out);
    expect(two).toMatchObject({ ok: true, complete: true, traces: json.traces });
    // With a budget too small to cover it, the randomized members run every iteration.
    const few = JSON.parse(cli(["explore", join(dir, "ok.mjs"), "--iterations", "2", "--seed", "1", "--json"]).out);
    expect(few).toMatchObject({ ok: true, iterations: 2 });
    expect(few.complete).toBeUndefined();
  });

  it("runs TypeScript scenario files without a build step", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    writeFileSync(join(dir, "race.ts"), `import { spawn, send, receive, self, type Pid } from "${root}dist/index.js";
      export const options = { iterations: 500 };
      export default async function race(): Promise<void> {
        const me: Pid = self();
        await spawn(async () => { await send(me, "a"); });
        await spawn(async () => { await send(me, "b"); });
        const first: string = await receive();
        if (first === "b") throw new Error("b overtook a");
      }`);
    const r = cli(["explore", join(dir, "race.ts"), "--seed", "5", "--json", "--trace-dir", dir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).bug.message).toMatch(/b overtook a/);
  });

  it("bad input exits 2 with a clear message", () => {
    expect(cli(["explore"]).code).toBe(2);
    const missing = cli(["explore", "no/such/file.mjs"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such file/);
    const badStrategy = cli(["explore", "examples/lost-update.mjs", "--strategy", "nope"]);
    expect(badStrategy.code).toBe(2);
    expect(badStrategy.err).toMatch(/unknown strategy/);
    const badFlag = cli(["explore", "examples/lost-update.mjs", "--frobnicate"]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.err).toMatch(/unknown option --frobnicate/);
    expect(cli(["frobnicate"]).code).toBe(2);
  });

  it("a trace directory that cannot be written still prints the report and exits 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    writeFileSync(join(dir, "file"), "a regular file");
    const traceDir = join(dir, "file", "traces");
    const r = cli(["explore", "examples/lost-update.mjs", "--seed", "1", "--trace-dir", traceDir, "--workers", "1"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/lockstep found a bug \(exception\)/);
    expect(r.out).toContain(`warning: could not save the trace under ${traceDir}: ENOTDIR`);
    expect(r.out).toMatch(/Replay: no trace file was saved; run `npx lockstep explore examples\/lost-update.mjs --seed 1 --trace-dir <a writable directory>`/);
    const j = cli(["explore", "examples/lost-update.mjs", "--seed", "1", "--trace-dir", traceDir, "--workers", "2", "--json"]);
    expect(j.code).toBe(1);
    const bug = JSON.parse(j.out).bug;
    expect(bug.tracePath).toBeNull();
    expect(bug.traceSaveError).toMatch(/ENOTDIR/);
  });

  it("--help works for every command", () => {
    for (const c of ["explore", "replay", "shrink", "show"]) {
      const r = cli([c, "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`Usage: lockstep ${c}`));
    }
    expect(cli(["--help"]).out).toMatch(/lockstep explore <file>/);
  });
});

describe("lockstep replay / show", () => {
  it("replays a saved trace to the same failure (exit 1) and shows it", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    const r = cli(["explore", "examples/down-race.mjs", "--seed", "2", "--json", "--trace-dir", dir]);
    expect(r.code).toBe(1);
    const trace = JSON.parse(r.out).bug.tracePath;
    const rep = cli(["replay", trace]);
    expect(rep.code).toBe(1);
    expect(rep.out).toMatch(/went DOWN/);
    const show = cli(["show", trace]);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/iteration \d+, seed 2/);
  });

  it("a corrupt or foreign trace is a clear input error", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    writeFileSync(join(dir, "bad.json"), "{ not json");
    writeFileSync(join(dir, "foreign.json"), JSON.stringify({ hello: 1 }));
    const a = cli(["show", join(dir, "bad.json")]);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/not valid JSON/);
    const b = cli(["replay", join(dir, "foreign.json"), "examples/down-race.mjs"]);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/not a usable lockstep trace/);
    expect(readFileSync(join(dir, "bad.json"), "utf8")).toBe("{ not json"); // input untouched
  });
});

// A downloaded trace must not run code the user did not name: without a file argument,
// replay and shrink import the trace's own `file` only when it lies inside the current
// directory tree and exports the trace's scenario.
describe("lockstep replay / shrink safety", () => {
  /** A project dir with a scenario file that leaves a marker when imported, and a trace naming `file`. */
  function setup(file: (project: string, outside: string) => string, test = "evil") {
    const project = mkdtempSync(join(tmpdir(), "ls-proj-"));
    const outside = mkdtempSync(join(tmpdir(), "ls-outside-"));
    const marker = join(outside, "MARKER");
    const evil = `import { writeFileSync } from "node:fs";
      writeFileSync(${JSON.stringify(marker)}, "imported");
      export default async function evil() {}`;
    writeFileSync(join(outside, "evil.mjs"), evil);
    writeFileSync(join(project, "evil.mjs"), evil);
    const r = cli(["explore", "examples/down-race.mjs", "--seed", "2", "--json", "--trace-dir", outside]);
    const trace = JSON.parse(readFileSync(JSON.parse(r.out).bug.tracePath, "utf8"));
    const tracePath = join(outside, "downloaded.json");
    writeFileSync(tracePath, JSON.stringify({ ...trace, test, file: file(project, outside) }));
    return { project, outside, marker, tracePath };
  }

  it("refuses a trace whose file lies outside the project, and says how to run it explicitly", () => {
    const { project, outside, marker, tracePath } = setup((_p, o) => join(o, "evil.mjs"));
    for (const cmd of ["replay", "shrink"]) {
      const r = cli([cmd, tracePath], project);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain(join(outside, "evil.mjs"));
      expect(r.err).toMatch(/outside the current project/);
      expect(r.err).toContain(`lockstep ${cmd} ${tracePath} ${join(outside, "evil.mjs")}`);
      expect(existsSync(marker)).toBe(false);
    }
    // Named explicitly, it runs (the marker appears) — and diverges: it is another program.
    const named = cli(["replay", tracePath, join(outside, "evil.mjs")], project);
    expect(existsSync(marker)).toBe(true);
    expect(named.code).toBe(2);
    expect(named.err).toMatch(/replay diverged at step/);
  });

  it("refuses ../ escapes and symlinks that leave the project", () => {
    const a = setup((p, o) => join("..", o.split("/").pop()!, "evil.mjs"));
    const r = cli(["replay", a.tracePath], a.project);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/outside the current project/);
    expect(existsSync(a.marker)).toBe(false);
    const b = setup(() => "link/evil.mjs");
    symlinkSync(b.outside, join(b.project, "link"));
    const s = cli(["replay", b.tracePath], b.project);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/outside the current project/);
    expect(existsSync(b.marker)).toBe(false);
  });

  it("refuses a file inside the project that does not export the trace's scenario", () => {
    const { project, marker, tracePath } = setup(() => "evil.mjs", "down-race");
    const r = cli(["replay", tracePath], project);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/does not export the trace's scenario "down-race"/);
    expect(r.err).toContain(`lockstep replay ${tracePath} evil.mjs`);
    expect(existsSync(marker)).toBe(false);
    // Under node_modules, even a matching export is not run implicitly.
    const nm = setup(() => "node_modules/pkg/evil.mjs");
    mkdirSync(join(nm.project, "node_modules", "pkg"), { recursive: true });
    writeFileSync(join(nm.project, "node_modules", "pkg", "evil.mjs"), readFileSync(join(nm.project, "evil.mjs")));
    const n = cli(["replay", nm.tracePath], nm.project);
    expect(n.code).toBe(2);
    expect(n.err).toMatch(/node_modules/);
    expect(existsSync(nm.marker)).toBe(false);
  });

  it("a missing file, or a trace without one, is a clear error with the explicit command", () => {
    const { project, tracePath } = setup(() => "gone.mjs");
    const r = cli(["replay", tracePath], project);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/gone\.mjs.*does not exist/);
    expect(r.err).toContain(`lockstep replay ${tracePath} <file>`);
    const none = join(project, "no-file.json");
    const { file: _f, ...rest } = JSON.parse(readFileSync(tracePath, "utf8"));
    writeFileSync(none, JSON.stringify(rest));
    const n = cli(["shrink", none], project);
    expect(n.code).toBe(2);
    expect(n.err).toMatch(/does not record its scenario file/);
    expect(n.err).toContain(`lockstep shrink ${none} <file>`);
  });

  it("replays the trace's own file when it is inside the project and exports the scenario", () => {
    const { project, marker, tracePath } = setup(() => "evil.mjs", "evil");
    const r = cli(["replay", tracePath], project);
    expect(existsSync(marker)).toBe(true); // it was imported: inside the project, scenario exported
    expect(r.code).toBe(2); // and the other program diverges from the down-race trace
  });
});

// Exit codes are the CLI's verdict: 1 for any bug, 0 for a replay that no longer
// fails, 2 for a replay the program no longer follows.
describe("exit codes", () => {
  it("explore exits 1 when the first scenario fails and the second passes", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    writeFileSync(join(dir, "two.mjs"), `import { spawn, send, receive, self } from "${root}dist/index.js";
      export async function broken() { const me = self(); await spawn(async () => send(me, 1)); await receive(); throw new Error("always broken"); }
      export async function fine() { const me = self(); await spawn(async () => send(me, 1)); await receive(); }`);
    for (const workers of ["1", "2"]) {
      const r = cli(["explore", join(dir, "two.mjs"), "--iterations", "20", "--seed", "1", "--workers", workers, "--trace-dir", dir]);
      expect(r.code, r.err).toBe(1);
      expect(r.out).toMatch(/lockstep found a bug \(exception\) in "two#broken"/);
      // A tiny space: the default strategy enumerates it (with two workers, in the first one's share).
      expect(r.out).toMatch(/two#fine: explored all \d+ interleavings: no bug/);
      const j = cli(["explore", join(dir, "two.mjs"), "--iterations", "20", "--seed", "1", "--workers", workers, "--trace-dir", dir, "--json"]);
      expect(j.code).toBe(1);
      expect(JSON.parse(j.out).map((x: { ok: boolean }) => x.ok)).toEqual([false, true]);
    }
  });

  /** A project whose scenario file can be rewritten between explore and replay. */
  function project(): { dir: string; write(src: string): void; trace(): string } {
    const dir = mkdtempSync(join(tmpdir(), "ls-proj-"));
    const write = (body: string) =>
      writeFileSync(join(dir, "race.mjs"), `import { spawn, send, receive, self, yieldNow } from "${root}dist/index.js";
        export default async function race() { ${body} }`);
    const trace = () => {
      const r = cli(["explore", "race.mjs", "--seed", "5", "--iterations", "200", "--json", "--trace-dir", "traces"], dir);
      expect(r.code).toBe(1);
      return JSON.parse(r.out).bug.tracePath as string;
    };
    return { dir, write, trace };
  }

  const RACY = `const me = self();
    await spawn(async () => send(me, "a"));
    await spawn(async () => send(me, "b"));
    const first = await receive();
    await receive();
    if (first === "b") throw new Error("b overtook a");`;

  it("replay exits 0 when the program was fixed (same schedule, no failure)", () => {
    const p = project();
    p.write(RACY);
    const trace = p.trace();
    expect(cli(["replay", trace], p.dir).code).toBe(1); // still broken: reproduces
    p.write(RACY.replace(`throw new Error("b overtook a")`, `return`));
    const r = cli(["replay", trace], p.dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/the failure did not reproduce \(the run passed\)/);
    const j = cli(["replay", trace, "--json"], p.dir);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.out)).toEqual({ ok: true });
  });

  it("replay exits 2 when the program diverges from the trace, or ends before it", () => {
    const p = project();
    p.write(RACY);
    const trace = p.trace();
    p.write(RACY.replace("const first = await receive();", "await yieldNow(); const first = await receive();"));
    const r = cli(["replay", trace], p.dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/replay diverged at step \d+: the trace expected/);
    p.write(`const me = self(); await spawn(async () => send(me, "a"));`);
    const early = cli(["replay", trace, "--json"], p.dir);
    expect(early.code).toBe(2);
    const j = JSON.parse(early.out);
    expect(j.ok).toBe(false);
    expect(j.divergence.actual).toMatch(/end there: the test body returned/);
  });
});

describe("parallel search", () => {
  it("workers and shards find the same bug (iteration and seed) as one worker", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    const one = JSON.parse(cli(["explore", "examples/deadlock.mjs", "--seed", "11", "--strategy", "random", "--iterations", "400", "--workers", "1", "--json", "--trace-dir", dir]).out);
    const two = JSON.parse(cli(["explore", "examples/deadlock.mjs", "--seed", "11", "--strategy", "random", "--iterations", "400", "--workers", "2", "--json", "--trace-dir", dir]).out);
    expect(one.ok).toBe(false);
    expect(one.bug.kind).toBe("deadlock");
    expect(two.bug.iteration).toBe(one.bug.iteration);
    expect(two.bug.seed).toBe(one.bug.seed);
    expect(two.bug.kind).toBe(one.bug.kind);
    // shards: the shard holding the first failing iteration reports exactly it
    const first = one.bug.iteration as number;
    const shard = ((first - 1) % 3) + 1;
    const s = JSON.parse(cli(["explore", "examples/deadlock.mjs", "--seed", "11", "--strategy", "random", "--iterations", "400", "--workers", "1", "--shard", `${shard}/3`, "--json", "--trace-dir", dir]).out);
    expect(s.bug.iteration).toBe(first);
  });
});

describe("distinct schedules over workers", () => {
  it("workers merge their distinct schedules: the count equals one worker's, not a sum", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    writeFileSync(join(dir, "ok.mjs"), `import { spawn, send, receive, self } from "${root}dist/index.js";
      export default async function fine() { const me = self(); await spawn(async () => send(me, 1)); await receive(); }`);
    const run = (workers: string) => JSON.parse(cli(["explore", join(dir, "ok.mjs"), "--iterations", "300", "--seed", "1", "--strategy", "random", "--workers", workers, "--json"]).out);
    const one = run("1");
    const three = run("3");
    expect(one.ok).toBe(true);
    expect(one.distinctSchedulesEstimated).toBe(false);
    expect(one.distinctSchedules).toBeGreaterThan(1);
    expect(one.distinctSchedules).toBeLessThan(50); // a small program: the workers' schedules overlap, so a sum would be larger
    expect(three.distinctSchedules).toBe(one.distinctSchedules);
    expect(three.distinctSchedulesEstimated).toBe(false);
  });
});

describe("lockstep shrink", () => {
  it("shrinks a saved trace and writes the shrunk trace beside it", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    const r = cli(["explore", "examples/deadlock.mjs", "--seed", "1", "--json", "--trace-dir", dir, "--workers", "1"]);
    const trace = JSON.parse(r.out).bug.tracePath as string;
    const s = cli(["shrink", trace, "--json"]);
    expect(s.code).toBe(1);
    const j = JSON.parse(s.out);
    expect(j.shrunkLength).toBeLessThanOrEqual(j.originalLength);
    expect(j.shrunkLength < j.originalLength || j.shrunkPreemptions < j.originalPreemptions).toBe(true);
    expect(existsSync(j.tracePath)).toBe(true);
    const rep = cli(["replay", j.tracePath]);
    expect(rep.code).toBe(1);
    expect(rep.out).toMatch(/Deadlock/);
  });
});

describe("optional peer dependencies", () => {
  it("a missing one is a clear error naming the package and the install command", async () => {
    const { optionalImport } = await import("../src/cli/optional.js");
    const e = await optionalImport("lockstep-no-such-package/sub", "loading the TypeScript scenario x.ts").then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toBe('loading the TypeScript scenario x.ts needs the package "lockstep-no-such-package", which is not installed: npm i -D lockstep-no-such-package');
    expect(await optionalImport<typeof import("node:path")>("node:path", "test").then((m) => typeof m.join)).toBe("function");
  });
});

describe("command line (util.parseArgs)", () => {
  const spec = { iterations: "int", seed: "int", quiet: "bool", help: "bool", strategy: "string" } as const;
  it("takes short flags, --flag=value and the last of a repeated flag", () => {
    expect(parseArgs(["f", "-n", "10", "-s", "3", "-q"], spec)).toEqual({ positionals: ["f"], flags: { iterations: 10, seed: 3, quiet: true } });
    expect(parseArgs(["-n5", "--seed=7", "--seed", "8", "f"], spec).flags).toEqual({ iterations: 5, seed: 8 });
    expect(parseArgs(["f", "--", "--not-a-flag"], spec).positionals).toEqual(["f", "--not-a-flag"]);
  });
  it("suggests the flag a typo meant, and only then", () => {
    expect(() => parseArgs(["--iteratons", "3"], spec)).toThrow("unknown option --iteratons (did you mean --iterations?)");
    expect(() => parseArgs(["--sed", "3"], spec)).toThrow("unknown option --sed (did you mean --seed?)");
    expect(() => parseArgs(["--frobnicate"], spec)).toThrow(/^unknown option --frobnicate$/);
    expect(() => parseArgs(["-x"], spec)).toThrow(/^unknown option -x$/);
    expect(suggest("strategey", ["strategy", "seed"])).toBe("strategy");
    expect(suggest("json", ["seed"])).toBeUndefined();
  });
  it("says which flag lacks a value, and which takes none", () => {
    expect(() => parseArgs(["-n"], spec)).toThrow("--iterations needs a value");
    expect(() => parseArgs(["--iterations", "--quiet"], spec)).toThrow("--iterations needs a value");
    expect(() => parseArgs(["--quiet=yes"], spec)).toThrow("--quiet takes no value");
    expect(() => parseArgs(["-n", "ten"], spec)).toThrow('--iterations must be a non-negative integer, got "ten"');
  });
  it("derives one shard seed from the file name and the shard count", () => {
    expect(shardSeed("a/b/race.mjs", 4)).toBe(shardSeed("race.mjs", 4));
    expect(shardSeed("race.mjs", 4)).not.toBe(shardSeed("race.mjs", 3));
    expect(shardSeed("race.mjs", 4)).not.toBe(shardSeed("other.mjs", 4));
    expect(Number.isSafeInteger(shardSeed("race.mjs", 4))).toBe(true);
  });
});

describe("lockstep explore: usage errors come before anything runs", () => {
  it("an unknown flag gets a did-you-mean and exit 2, with no header", () => {
    const r = cli(["explore", "examples/lost-update.mjs", "--iteratons", "3"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option --iteratons (did you mean --iterations?)");
    expect(r.err).not.toMatch(/exploring/);
    const cmd = cli(["explor", "x.mjs"]);
    expect(cmd.code).toBe(2);
    expect(cmd.err).toMatch(/unknown command "explor" \(did you mean explore\?\)/);
  });
  it("--iterations 0, a bad strategy or reporter: exit 2 before the header (and before the file is imported)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    const marker = join(dir, "IMPORTED");
    writeFileSync(join(dir, "s.mjs"), `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(marker)}, "x"); export default async function s() {}`);
    for (const [args, msg] of [
      [["-n", "0"], "--iterations must be at least 1, got 0"],
      [["--iterations=0"], "--iterations must be at least 1, got 0"],
      [["--strategy", "nope"], '--strategy: unknown strategy "nope"; choose one of portfolio'],
      [["--strategy", "rnadom"], '--strategy: unknown strategy "rnadom" (did you mean random?)'],
      [["--timers", "slow"], '--timers: unknown timer policy "slow"; choose one of quiescent, race'],
      [["--reporter", "xml"], "--reporter must be text, json or junit"],
      [["--output", "x.xml"], "--output FILE writes the --reporter json or junit result"],
      [["--shard", "3/2"], "need 1 <= i <= n"],
      [["--workers", "0"], "--workers must be at least 1"],
    ] as const) {
      const r = cli(["explore", join(dir, "s.mjs"), ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toContain(msg);
      expect(r.err).not.toMatch(/exploring/);
    }
    expect(existsSync(marker)).toBe(false);
  });
  it("the file's own bad options are a usage error before the header", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    writeFileSync(join(dir, "s.mjs"), `export const options = { iterations: 0 }; export default async function s() {}`);
    const r = cli(["explore", join(dir, "s.mjs")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/iterations must be an integer >= 1, got 0/);
    expect(r.err).not.toMatch(/exploring/);
  });
  it("a syntax error in a scenario shows file:line:column and the source line", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    writeFileSync(join(dir, "bad.mjs"), `export default async function x() {\n  const a = 1;\n  let = a;\n}\n`);
    const r = cli(["explore", join(dir, "bad.mjs")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(dir, "bad.mjs")}:3:3: SyntaxError:`);
    expect(r.err).toContain("3 |   let = a;");
    expect(r.err).toMatch(/\|\s{3}\^/);
    writeFileSync(join(dir, "bad.ts"), `export default async function x(): Promise<void> {\n  const a: number = ;\n}\n`);
    const t = cli(["explore", join(dir, "bad.ts")]);
    expect(t.code).toBe(2);
    expect(t.err).toContain(`${join(dir, "bad.ts")}:2:21:`);
    expect(t.err).toContain("2 |   const a: number = ;");
    expect(checkLocation("/x/y.mjs:12\n  foo bar\n      ^^^\n\nSyntaxError: no")).toEqual({ line: 12, column: 7, lineText: "  foo bar" });
  });
  it('says "1 iteration", not "1 iterations"', () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    writeFileSync(join(dir, "ok.mjs"), `export default async function ok() {}`);
    const r = spawnSync(process.execPath, [join(root, "bin/lockstep.mjs"), "explore", join(dir, "ok.mjs"), "-n", "1", "-s", "1"], { encoding: "utf8", env: { ...process.env, CI: "true" } });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/exploring ok: seed 1, strategy \S+, 1 iteration$/m);
    expect(r.stderr).toMatch(/ok: 1 iteration in /);
    expect(r.stdout).toMatch(/no bug in 1 iteration \(1 distinct schedule,/);
    expect(r.stdout + r.stderr).not.toMatch(/\b1 iterations\b|\b1 distinct schedules\b/);
  });
});

describe("progress output", () => {
  const p = { iterations: 1234, total: 100000, distinctSchedules: 567, steps: 0 };
  it("fits the terminal's width: no line longer than its columns", () => {
    for (const columns of [120, 80, 60, 40, 20]) {
      const line = new Progress("a-rather-long-scenario#name", 100000, { write: () => {} }).line(p, columns);
      expect(line.length, `${columns}: ${line}`).toBeLessThan(columns);
    }
    expect(new Progress("s", 100000, { write: () => {} }).line(p, 120)).toMatch(/\[#*-+\] 1234\/100000 iterations, \d+\/s, 567 distinct schedules/);
  });
  it("redraws in place on a terminal, fitted to it; writes plain lines elsewhere", () => {
    const tty: string[] = [];
    const t = new Progress("s", 100000, { isTTY: true, columns: 50, write: (s) => tty.push(s) }, true);
    t.update(p);
    expect(tty[0].startsWith("\r")).toBe(true);
    expect(tty[0].replace("\r", "").replace("\x1b[K", "").length).toBeLessThan(50);
    const plain: string[] = [];
    const n = new Progress("s", 100000, { isTTY: false, write: (s) => plain.push(s) }, false);
    n.update(p); // the first plain line waits a second: a short run prints only its summary
    expect(plain).toEqual([]);
    (n as unknown as { lastPlain: number }).lastPlain = -Infinity;
    n.update(p);
    expect(plain.length).toBe(1);
    expect(plain[0]).not.toMatch(/\r|\x1b/);
    expect(plain[0].endsWith("\n")).toBe(true);
  });
});

/** Runs the CLI asynchronously (for signals and pipes). */
function cliAsync(args: string[], onStderr?: (all: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [join(root, "bin/lockstep.mjs"), ...args], { cwd: root, env: { ...process.env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => {
    err += d;
    onStderr?.(err, child);
  });
  return { child, done: new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((res) => child.on("close", (code, signal) => res({ code, signal, out, err }))) };
}

describe("Ctrl-C and closed pipes", () => {
  function longScenario(): string {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    writeFileSync(join(dir, "long.mjs"), `import { spawn, send, receive, self } from "${root}dist/index.js";
      export default async function long() { const me = self(); for (let i = 0; i < 6; i++) await spawn(async () => send(me, i)); for (let i = 0; i < 6; i++) await receive(); }`);
    return join(dir, "long.mjs");
  }

  for (const workers of ["1", "2"]) {
    it(`SIGINT during explore (--workers ${workers}) prints what ran and exits 130`, async () => {
      let sent = false;
      const json = join(mkdtempSync(join(tmpdir(), "ls-cli-")), "result.json");
      const { child, done } = cliAsync(["explore", longScenario(), "-n", "100000000", "-s", "1", "--workers", workers, "--reporter", "json", "--output", json], (err, c) => {
        // After the first progress line: the search is running.
        if (!sent && / iterations, \d+\/s/.test(err)) {
          sent = true;
          c.kill("SIGINT");
        }
      });
      const guard = setTimeout(() => child.kill("SIGKILL"), 60000); // never leave a 10^8-iteration search behind
      const r = await done;
      clearTimeout(guard);
      expect(sent).toBe(true);
      expect(r.code, r.err).toBe(130);
      expect(r.err).toMatch(/interrupted: long ran \d+ of 100000000 iterations in \d+\.\d\ds, \d+ distinct schedules?, seed 1; no bug found so far/);
      const j = JSON.parse(readFileSync(json, "utf8"));
      expect(j).toMatchObject({ ok: true, interrupted: true, seed: 1 });
      expect(j.iterations).toBeGreaterThan(0);
      expect(j.iterations).toBeLessThan(100000000);
      expect(j.distinctSchedules).toBeGreaterThan(1); // with workers too: progress and results count distinct schedules
    });
  }

  it("a stdout closed early (`| head -1`) ends quietly with the verdict's exit code, no EPIPE crash", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    const { child, done } = cliAsync(["explore", "examples/lost-update.mjs", "-s", "1", "--trace-dir", dir]);
    child.stdout!.destroy(); // the reader is gone before anything is written
    const r = await done;
    expect(r.err).not.toMatch(/EPIPE|Unhandled 'error'/);
    expect(r.code).toBe(1);
    // And through a real shell pipe into head.
    const sh = spawnSync("sh", ["-c", `node bin/lockstep.mjs explore examples/lost-update.mjs -s 1 --trace-dir ${dir} | head -1`], { cwd: root, encoding: "utf8" });
    expect(sh.stdout).toBe('lockstep found a bug (exception) in "lost-update"\n');
    expect(sh.stderr).not.toMatch(/EPIPE|Error/);
  });
});

describe("shards, merge-reports and JUnit", () => {
  const run = (args: string[]) => cli(["explore", "examples/deadlock.mjs", "--strategy", "random", "-n", "400", "--workers", "1", ...args]);

  it("--shard without --seed derives one seed for all shards and prints it", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    const a = run(["--shard", "1/3", "--json", "--trace-dir", dir]);
    const b = run(["--shard", "3/3", "--json", "--trace-dir", dir]);
    const seed = shardSeed("deadlock.mjs", 3);
    for (const r of [a, b]) {
      expect(r.err).toContain(`shard`);
      expect(r.err).toContain(`no --seed given, so every shard uses seed ${seed}`);
      expect(JSON.parse(r.out).seed).toBe(seed);
    }
  });

  it("merges two shards of a bugged example into one verdict: the first bug by iteration, total iterations, exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    // Seed 4: one machine finds the deadlock at iteration 2, which lies in shard 2/2.
    const whole = JSON.parse(run(["-s", "4", "--json", "--trace-dir", dir]).out);
    expect(whole.bug.iteration).toBe(2);
    const files = ["1/2", "2/2"].map((sh, k) => {
      const r = run(["-s", "4", "--shard", sh, "--json", "--trace-dir", dir]);
      expect(r.code).toBe(1);
      const f = join(dir, `shard-${k + 1}.json`);
      writeFileSync(f, r.out);
      return { f, j: JSON.parse(r.out) };
    });
    expect(files[0].j.shard).toEqual({ index: 1, count: 2 });
    expect(files[0].j.bug.iteration).toBeGreaterThan(2); // shard 1 finds a later one
    const m = cli(["merge-reports", files[0].f, files[1].f]);
    expect(m.code, m.err).toBe(1);
    expect(m.out).toMatch(/lockstep found a bug \(deadlock\)/);
    expect(m.out).toMatch(new RegExp(`deadlock: first bug at iteration 2, in shard 2/2 \\(2 shards of 2, seed 4\\); ${files[0].j.iterations + files[1].j.iterations} iterations searched over all shards`));
    const j = JSON.parse(cli(["merge-reports", files[1].f, files[0].f, "--json"]).out);
    expect(j).toMatchObject({ ok: false, scenario: "deadlock", seed: 4, shards: [1, 2], shardCount: 2, missingShards: [], iterations: files[0].j.iterations + files[1].j.iterations });
    expect(j.bug).toMatchObject({ iteration: 2, shard: 2, kind: "deadlock" });
    expect(j.distinctSchedulesAtMost).toBe(files[0].j.distinctSchedules + files[1].j.distinctSchedules);
    // One shard alone: its bug, with a warning that the other's iterations were not searched.
    const one = cli(["merge-reports", files[0].f]);
    expect(one.code).toBe(1);
    expect(one.err).toMatch(/no result for shard 2\/2: its iterations were not searched/);
    // The same shard twice, or a file that is not a result: exit 2.
    expect(cli(["merge-reports", files[0].f, files[0].f]).err).toMatch(/shard 1\/2 appears twice/);
    writeFileSync(join(dir, "junk.json"), `{"hello": 1}`);
    expect(cli(["merge-reports", join(dir, "junk.json")]).code).toBe(2);
  });

  it("merges bug-free shards to exit 0", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    writeFileSync(join(dir, "ok.mjs"), `import { spawn, send, receive, self } from "${root}dist/index.js";
      export default async function fine() { const me = self(); await spawn(async () => send(me, 1)); await receive(); }`);
    const files = ["1/2", "2/2"].map((sh, k) => {
      const f = join(dir, `s${k}.json`);
      writeFileSync(f, cli(["explore", join(dir, "ok.mjs"), "-n", "50", "--shard", sh, "--json"]).out);
      return f;
    });
    const m = cli(["merge-reports", ...files]);
    expect(m.code, m.err).toBe(0);
    expect(m.out).toMatch(/ok: no bug in 50 iterations \(2 shards of 2, seed \d+; \d+( to \d+)? distinct schedules?\)/);
  });

  it("--reporter junit writes JUnit XML to stdout, or to --output beside the text report", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    const r = cli(["explore", "examples/lost-update.mjs", "-s", "1", "--reporter", "junit", "--trace-dir", dir]);
    expect(r.code).toBe(1);
    expect(r.out.startsWith(`<?xml version="1.0" encoding="UTF-8"?>`)).toBe(true);
    expect(r.out).toMatch(/<testsuites name="lockstep" tests="1" failures="1"/);
    expect(r.out).toMatch(/<testcase classname="examples\/lost-update.mjs" name="lost-update" time="[\d.]+">/);
    expect(r.out).toMatch(/<failure type="exception" message="The test body threw: Error: lost update: counter is 1, expected 2">/);
    expect(r.out).toContain("&lt;0.1.0&gt;");
    const xmlFile = join(dir, "junit.xml");
    const o = cli(["explore", "examples/lost-update.mjs", "-s", "1", "--reporter=junit", "--output", xmlFile, "--trace-dir", dir]);
    expect(o.code).toBe(1);
    expect(o.out).toMatch(/lockstep found a bug \(exception\)/);
    expect(readFileSync(xmlFile, "utf8")).toMatch(/<failure type="exception"/);
    expect(cli(["explore", "examples/lost-update.mjs", "--json", "--reporter", "junit"]).code).toBe(2);
  });
});

describe("warnings", () => {
  it("an exploration's warnings (controlled calls still pending when the body returned) go to stderr; the verdict stays 'no bug'", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-cli-"));
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules/lockstep"), "dir"); // as after npm i lockstep
    const file = join(dir, "pending.mjs");
    writeFileSync(file, `import { controlled } from "lockstep";\nconst slow = controlled(async () => 1);\nexport default async function pending() { void slow(); }\n`);
    const r = cli(["explore", file, "--iterations", "5", "--seed", "1"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/pending: explored its only interleaving: no bug/);
    expect(r.err).toMatch(/^warning: pending: .*pending/m);
  });
});
