// The lockstep command, run as users run it (node bin/lockstep.mjs, after the build).
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
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
