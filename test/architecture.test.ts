// Architecture rules a reviewer would otherwise check by hand (issue "one way to write
// a sync point"): every sync point goes through sync() (src/runtime/sync.ts), and the
// layers import downward only.
import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const sources = files(SRC).map((p) => ({ path: relative(SRC, p).replace(/\\/g, "/"), text: readFileSync(p, "utf8") }));

/** The controller's own files: where the low-level entry and hand-off are defined. */
const CONTROLLER = new Set(["runtime/iteration.ts", "runtime/sync.ts", "runtime/calls.ts", "runtime/enter.ts"]);

describe("sync points", () => {
  it("no hand-written entry: only the controller takes a low-level step (enterStep)", () => {
    const offenders = sources.filter((f) => !CONTROLLER.has(f.path) && /\benterStep\(|\.enter\(/.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it("every hand-off is inside a sync(), syncIn() or resync() act, or a helper handed the process by one", () => {
    const offenders: string[] = [];
    for (const f of sources) {
      if (CONTROLLER.has(f.path)) continue;
      // Split into top-level declarations; each one that hands off must enter through the helper
      // or receive the process (`p: Proc`) from a caller that did.
      const decls = f.text.split(/\n(?=(?:export )?(?:async )?function |  (?:private |protected |static |async )*[a-zA-Z]+(?:<[^>]*>)?\([^)]*\)[^{;]*\{)/);
      for (const d of decls) {
        if (!/\.handoff\(/.test(d)) continue;
        if (/\b(sync|syncIn|resync)\(|this\.sync\(/.test(d) || /\bp: Proc\b/.test(d)) continue;
        offenders.push(`${f.path}: ${d.trim().split("\n")[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe("layers", () => {
  const LAYER: Record<string, number> = { engine: 0, values: 1, runtime: 2, otp: 3, shared: 3, explore: 4, cli: 5, vitest: 5 };
  it("values/ and engine/ import nothing above them; otp/ and shared/ do not import explore/ or the CLI", () => {
    const offenders: string[] = [];
    for (const f of sources) {
      const from = f.path.split("/")[0];
      if (!(from in LAYER)) continue;
      for (const m of f.text.matchAll(/from "\.\.\/([a-z]+)\//g)) {
        const to = m[1];
        if (to in LAYER && LAYER[to] > LAYER[from]) offenders.push(`${f.path} imports ${to}/`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe("modules", () => {
  it("have no import cycles (type-only imports aside)", () => {
    const byPath = new Map(sources.map((f) => [f.path, f.text]));
    const deps = (path: string): string[] => {
      const dir = path.split("/").slice(0, -1);
      const out: string[] = [];
      for (const m of byPath.get(path)!.matchAll(/^(?:import|export) (?!type )[^;]*? from "(\.[^"]+)\.js";/gm)) {
        const parts = [...dir];
        for (const seg of m[1].split("/")) {
          if (seg === "..") parts.pop();
          else if (seg !== ".") parts.push(seg);
        }
        const target = `${parts.join("/")}.ts`;
        if (byPath.has(target)) out.push(target);
      }
      return out;
    };
    const cycles: string[] = [];
    const state = new Map<string, 1 | 2>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 1);
      stack.push(f);
      for (const d of deps(f)) {
        if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].join(" -> "));
        else if (!state.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, 2);
    };
    for (const f of byPath.keys()) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
});

