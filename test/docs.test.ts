// Every code block in README.md and docs/*.md runs (issue 15): a guide whose example
// no longer works is a bug. Blocks in js/ts are written to test/doc-blocks.tmp/ and
// imported (they import "lockstep" like a user's file would); a comment right before
// a block says what it is:
//   <!-- doc-test: file NAME, expect bug|ok -->  a scenario file, also written as NAME;
//                                                its default export is explored
//   <!-- doc-test: vitest, expect fail|pass -->  a vitest file, run by a child vitest
//   <!-- doc-test: body[, expect bug][, race][, virtualTimers] -->
//                                                the block is an exploration's body (its
//                                                imports hoisted, lockstep's names in
//                                                scope), explored 30 times
//   <!-- doc-test: run -->                       (the default) a module run top to bottom
// Blocks in other languages (sh, text, elixir) are not JavaScript; the README's
// shell commands run in test/package.test.ts against the packed package.
import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync, readdirSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import * as lockstep from "lockstep";
import { explore } from "lockstep";
import { asBody, blocksOf, type Block } from "./helpers/doc-blocks";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "test/doc-blocks.tmp");
const RUN = new Set(["js", "mjs", "ts"]);
const NOT_RUN = new Set(["sh", "text", "elixir", "erlang", "json", "html", ""]);

const docs = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const all = docs.flatMap((d) => blocksOf(d, readFileSync(join(root, d), "utf8")));

beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
});

function fileFor(b: Block, suffix = ""): string {
  const base = `${b.doc.replace(/[/.]/g, "_")}-L${b.line}${suffix}`;
  return join(out, `${base}.${b.lang === "ts" ? "ts" : "mjs"}`);
}

describe("documentation code blocks", () => {
  it("every block is in a known language", () => {
    const unknown = all.filter((b) => !RUN.has(b.lang) && !NOT_RUN.has(b.lang)).map((b) => `${b.doc}:${b.line} ${b.lang}`);
    expect(unknown).toEqual([]);
  });

  for (const b of all.filter((b) => RUN.has(b.lang))) {
    const where = `${b.doc}:${b.line}`;
    if (b.directive.kind === "vitest") {
      it(`${where} runs under vitest and ${b.directive.expect === "fail" ? "fails, showing the schedule" : "passes"}`, () => {
        const file = fileFor(b, ".test").replace(/\.mjs$/, ".js");
        writeFileSync(file, b.code);
        const r = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", file], { cwd: root, encoding: "utf8", env: { ...process.env, CI: "true" } });
        const output = r.stdout + r.stderr;
        if (b.directive.expect === "fail") {
          expect(r.status, output).toBe(1);
          expect(output).toMatch(/lockstep found a bug/);
          expect(output).toMatch(/step +process +operation/);
        } else {
          expect(r.status, output).toBe(0);
        }
      }, 120_000);
      continue;
    }
    if (b.directive.kind === "body") {
      it(`${where} runs as an exploration's body and ${b.directive.expect === "bug" ? "finds the bug" : "passes"}`, async () => {
        const file = fileFor(b);
        writeFileSync(file, asBody(b.code, Object.keys(lockstep)));
        const mod = (await import(/* @vite-ignore */ file)) as { default: () => unknown };
        const r = await explore(mod.default, { iterations: 30, seed: 1, ...b.directive.options, traceDir: false });
        expect(r.ok, r.ok ? "" : r.bug.format()).toBe(b.directive.expect !== "bug");
      }, 120_000);
      continue;
    }
    it(`${where} runs${b.directive.expect ? ` and its scenario ${b.directive.expect === "bug" ? "finds the bug" : "passes"}` : ""}`, async () => {
      const file = fileFor(b);
      writeFileSync(file, b.code);
      const mod = (await import(/* @vite-ignore */ file)) as { default?: unknown; options?: object };
      if (b.directive.kind === "file") {
        expect(typeof mod.default, `${where}: a scenario file default-exports its body`).toBe("function");
        const r = await explore(mod.default as () => unknown, { ...mod.options, traceDir: false });
        expect(r.ok, r.ok ? "" : r.bug.format()).toBe(b.directive.expect !== "bug");
      } else {
        expect(mod.default, `${where}: a block with a default export needs <!-- doc-test: file NAME, expect ... -->`).toBeUndefined();
      }
    }, 120_000);
  }
});
