// The fenced code blocks of README.md and docs/*.md, and the doc-test directive
// before each (test/docs.test.ts runs them; test/package.test.ts runs the README's
// quick start and type-checks the TypeScript blocks against the packed package).
export interface Block {
  doc: string;
  line: number;
  lang: string;
  code: string;
  directive: { kind: "run" | "file" | "vitest"; file?: string; expect?: string };
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
        else if (k === "expect") directive.expect = v;
        else if (k !== "run") throw new Error(`${doc}:${start}: unknown doc-test directive ${JSON.stringify(part)}`);
      }
    }
    blocks.push({ doc, line: start + 1, lang: open[1], code: lines.slice(start + 1, end).join("\n") + "\n", directive });
    i = end;
  }
  return blocks;
}
