// The lockstep command, run as users run it (node bin/lockstep.mjs, after the build).
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, parseDuration, parseShard, UsageFailure } from "../src/cli/args";

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
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, iterations: 50 });
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
      expect(r.out).toMatch(/two#fine: no bug in 20 iterations/);
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
