// The package as a user gets it (issue 15): `npm pack`, installed from the tarball into
// a fresh project with nothing else, must
// - depend on nothing at run time (`npm ls --omit=dev --all` lists only lockstep);
// - run the README's quick start verbatim: its race.mjs, then its `npx lockstep` line;
// - fail a vitest `ctest` showing the user's assertion and the schedule;
// - type-check every TypeScript block of README.md and docs/ under `tsc --strict`.
// (Browser bundling of the same package: test/browser.bundlers.test.ts.)
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blocksOf } from "./helpers/doc-blocks";

const repo = new URL("..", import.meta.url).pathname;
const readme = readFileSync(join(repo, "README.md"), "utf8");
let app: string;

function run(cmd: string, args: string[], cwd = app): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false", FORCE_COLOR: "0" } });
}

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), "lockstep-consumer-"));
  const pack = run("npm", ["pack", "--pack-destination", app, "--json"], repo);
  expect(pack.status, pack.stderr).toBe(0);
  const tarball = join(app, (JSON.parse(pack.stdout) as { filename: string }[])[0].filename);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const install = run("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball]);
  expect(install.status, install.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(app, { recursive: true, force: true }));

describe("the packed package in a fresh project", () => {
  it("has no runtime dependencies", () => {
    const ls = run("npm", ["ls", "--omit=dev", "--all", "--json"]);
    const deps = (JSON.parse(ls.stdout) as { dependencies: Record<string, { dependencies?: object }> }).dependencies;
    expect(Object.keys(deps)).toEqual(["lockstep"]);
    // Its optional peers (esbuild and tsx for .ts scenario files, vitest for lockstep/vitest)
    // are listed unmet, as empty entries, and nothing else is installed.
    for (const [name, dep] of Object.entries(deps.lockstep.dependencies ?? {})) expect([name, dep]).toEqual([name, {}]);
    expect(readdirSync(join(app, "node_modules")).filter((f) => !f.startsWith("."))).toEqual(["lockstep"]);
  });

  it("carries the release engine inlined, byte for byte the engine.wasm beside it", () => {
    const dist = join(app, "node_modules", "lockstep", "dist");
    const inlined = readdirSync(dist)
      .filter((f) => f.endsWith(".js"))
      .map((f) => /const INLINE_ENGINE = "([A-Za-z0-9+/=]+)";/.exec(readFileSync(join(dist, f), "utf8")))
      .filter((m) => m !== null);
    expect(inlined).toHaveLength(1);
    expect(Buffer.from(inlined[0]![1], "base64").equals(readFileSync(join(dist, "engine.wasm")))).toBe(true);
  });

  it("runs the README's quick start verbatim and finds the bug", () => {
    const blocks = blocksOf("README.md", readme);
    const file = blocks.find((b) => b.directive.file === "race.mjs");
    expect(file).toBeDefined();
    writeFileSync(join(app, "race.mjs"), file!.code);
    const command = blocks.filter((b) => b.lang === "sh").map((b) => b.code.trim()).find((c) => c.startsWith("npx lockstep explore race.mjs"));
    expect(command).toBeDefined();
    const r = run("sh", ["-c", command!]);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/lockstep found a bug \(exception\) in "race"/);
    expect(r.stdout).toMatch(/lost update: counter is 1, expected 2/);
    expect(r.stdout).toMatch(/Replay: npx lockstep replay \.lockstep\/race-i\d+-s1\.json/);
  }, 60_000);

  it("fails a vitest ctest with the user's assertion first, then the schedule", () => {
    symlinkSync(join(repo, "node_modules/vitest"), join(app, "node_modules/vitest"), "dir");
    const test = blocksOf("README.md", readme).find((b) => b.directive.kind === "vitest");
    expect(test).toBeDefined();
    mkdirSync(join(app, "test"));
    writeFileSync(join(app, "test/counter.test.ts"), test!.code);
    const r = run(process.execPath, [join(app, "node_modules/vitest/vitest.mjs"), "run"]);
    const out = r.stdout + r.stderr;
    expect(r.status, out).toBe(1);
    const assertion = out.search(/expected 1 to be 2/);
    const schedule = out.search(/step +process +operation/);
    expect(assertion, out).toBeGreaterThan(-1);
    expect(schedule, out).toBeGreaterThan(assertion);
  }, 120_000);

  it("type-checks every TypeScript block of README.md and docs/ under tsc --strict", () => {
    const docs = ["README.md", ...readdirSync(join(repo, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
    const files: string[] = [];
    mkdirSync(join(app, "typed"), { recursive: true });
    for (const doc of docs) {
      // Whole programs only: `body` snippets run inside an exploration with lockstep's
      // names in scope (test/docs.test.ts), which is not a module tsc can check alone.
      for (const b of blocksOf(doc, readFileSync(join(repo, doc), "utf8")).filter((b) => b.lang === "ts" && b.directive.kind !== "body")) {
        const name = `typed/${doc.replace(/[/.]/g, "_")}-L${b.line}.ts`;
        writeFileSync(join(app, name), b.code + "\nexport {};\n");
        files.push(name);
        // The libraries a guide's example uses (fast-check, p-memoize, ...) are this repo's
        // devDependencies: linked in, as a user's project would have them installed.
        for (const [, spec] of b.code.matchAll(/from "([^".][^"]*)"/g)) {
          const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
          if (pkg === "lockstep" || pkg.startsWith("node:") || existsSync(join(app, "node_modules", pkg))) continue;
          mkdirSync(join(app, "node_modules", pkg, ".."), { recursive: true });
          symlinkSync(join(repo, "node_modules", pkg), join(app, "node_modules", pkg), "dir");
        }
      }
    }
    expect(files.length).toBeGreaterThan(2);
    // Node's own types, as any Node project has them (lru-cache's declarations use NodeJS.*).
    mkdirSync(join(app, "node_modules/@types"), { recursive: true });
    if (!existsSync(join(app, "node_modules/@types/node"))) symlinkSync(join(repo, "node_modules/@types/node"), join(app, "node_modules/@types/node"), "dir");
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", lib: ["es2022", "dom"], skipLibCheck: false, types: ["node"] }, files }),
    );
    const r = run(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 120_000);
});
