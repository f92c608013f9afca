// The fenced code blocks of README.md and docs/*.md, and the doc-test directive
// before each (test/docs.test.ts runs them; test/package.test.ts runs the README's
// quick start and type-checks the TypeScript blocks against the packed package).
export interface Block {
  doc: string;
  line: number;
  lang: string;
  code: string;
  directive: { kind: "run" | "file" | "vitest" | "body"; file?: string; expect?: string; options?: Record<string, unknown> };
}

/** The fenced blocks of a markdown text, with the doc-test directive before each. */
export function blocksOf(doc: string, text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    const prev = lines.slice(0, start).reverse().find((l) => l.trim() !== "") ?? "";
    const d = /^<!--\s*doc-test:\s*(.*?)\s*-->$/.exec(prev.trim());
    const directive: Block["directive"] = { kind: "run" };
    if (d) {
      for (const part of d[1].split(",").map((s) => s.trim())) {
        const [k, v] = part.split(/\s+/);
        if (k === "file") Object.assign(directive, { kind: "file", file: v });
        else if (k === "vitest") directive.kind = "vitest";
        else if (k === "body") directive.kind = "body";
        else if (k === "race") directive.options = { ...directive.options, timers: "race" };
        else if (k === "virtualTimers") directive.options = { ...directive.options, virtualTimers: true };
        else if (k === "expect") directive.expect = v;
        else if (k !== "run") throw new Error(`${doc}:${start}: unknown doc-test directive ${JSON.stringify(part)}`);
      }
    }
    blocks.push({ doc, line: start + 1, lang: open[1], code: lines.slice(start + 1, end).join("\n") + "\n", directive });
    i = end;
  }
  return blocks;
}

/**
 * A `body` block as a scenario module: its imports stay at the top, every other line
 * becomes the body of an exploration, and the lockstep names it does not import are
 * in scope (so a side-by-side snippet can be short and still run for real).
 */
export function asBody(code: string, lockstepNames: readonly string[]): string {
  const imports: string[] = [];
  const body: string[] = [];
  const lines = code.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^import\s/.test(lines[i])) {
      body.push(lines[i]);
      continue;
    }
    let j = i;
    while (!/;\s*$/.test(lines[j]) && j + 1 < lines.length) j++;
    imports.push(...lines.slice(i, j + 1));
    i = j;
  }
  const imported = new Set(imports.join("\n").match(/[A-Za-z_$][\w$]*/g) ?? []);
  const inject = lockstepNames.filter((n) => !imported.has(n) && n !== "default");
  return [`import * as lockstep$ from "lockstep";`, ...imports, `const { ${inject.join(", ")} } = lockstep$;`, "export default async function body() {", ...body, "}", ""].join("\n");
}
