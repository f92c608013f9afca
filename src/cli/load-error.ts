// Why a scenario file failed to load, said the way compilers say it: file:line:column,
// the message, the source line and a caret. Node's `import()` of an ES module with a
// syntax error throws a SyntaxError that carries no location (Node keeps it in a
// private "arrow message" it prints only for uncaught errors), so for those the file
// is checked again with `node --check`, which prints the location and the line.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface SourceLocation {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  lineText: string;
}

/** The location block: "file:line:column: message", then the line with a caret under the column. */
export function formatLocated(shown: string, loc: SourceLocation, message: string): string {
  const gutter = String(loc.line);
  return [
    `${shown}:${loc.line}:${loc.column}: ${message}`,
    "",
    `  ${gutter} | ${loc.lineText}`,
    `  ${" ".repeat(gutter.length)} | ${" ".repeat(Math.max(0, loc.column - 1))}^`,
  ].join("\n");
}

/** esbuild's transform errors (TypeScript scenarios) carry their location. */
function esbuildLocation(e: unknown): { loc: SourceLocation; text: string } | undefined {
  const first = (e as { errors?: { text?: string; location?: { line: number; column: number; lineText: string } | null }[] })?.errors?.[0];
  if (!first?.location) return undefined;
  const { line, column, lineText } = first.location;
  return { loc: { line, column: column + 1, lineText }, text: first.text ?? String(e) };
}

/** `node --check` prints "path:LINE\n<source line>\n<spaces>^^^\n\nSyntaxError: ..." for the first syntax error. */
export function checkLocation(stderr: string): SourceLocation | undefined {
  const m = /^.*:(\d+)\r?\n(.*)\r?\n( *)\^/m.exec(stderr);
  if (!m) return undefined;
  return { line: Number(m[1]), column: m[3].length + 1, lineText: m[2] };
}

function nodeCheck(abs: string): SourceLocation | undefined {
  const r = spawnSync(process.execPath, ["--check", abs], { encoding: "utf8", timeout: 10000 });
  return r.status === 0 ? undefined : checkLocation(r.stderr ?? "");
}

/** A CommonJS syntax error's stack starts with "path:LINE\n<source line>\n<caret>". */
function stackLocation(e: Error, abs: string): SourceLocation | undefined {
  const stack = e.stack ?? "";
  if (!stack.startsWith(abs)) return undefined;
  return checkLocation(stack);
}

/** The message for a scenario file `shown` (resolved: `abs`) whose import threw `e`. */
export function describeLoadError(e: unknown, abs: string, shown: string): string {
  const es = esbuildLocation(e);
  if (es) return formatLocated(shown, es.loc, es.text);
  if (e instanceof SyntaxError) {
    const loc = stackLocation(e, abs) ?? nodeCheck(abs);
    if (loc) {
      // Keep the line from the file itself: --check may print it trimmed.
      const lines = safeLines(abs);
      const lineText = lines?.[loc.line - 1] ?? loc.lineText;
      return formatLocated(shown, { ...loc, lineText }, `SyntaxError: ${e.message}`);
    }
    // The error is in a module the scenario imports: Node does not say where.
    return `${shown}: SyntaxError: ${e.message} (in ${shown} or a module it imports; \`node --check <file>\` shows where)`;
  }
  return `cannot load ${shown}: ${userStack(e)}`;
}

// lockstep's own directory (dist/ when built): its frames say how the file was loaded, not why it threw.
const ownDir = new URL(".", import.meta.url);

/**
 * The error a scenario file threw at import, with the frames of the user's code only:
 * the loader's (lockstep's and Node's internals) are noise to someone fixing their file.
 */
export function userStack(e: unknown): string {
  const stack = (e as Error)?.stack;
  if (typeof stack !== "string") return String(e);
  const lines = stack.split("\n");
  const own = (l: string) => /^\s+at /.test(l) && (l.includes("node:internal") || l.includes(ownDir.href) || l.includes(ownDir.pathname));
  return lines.filter((l) => !own(l)).join("\n");
}

function safeLines(abs: string): string[] | undefined {
  try {
    return readFileSync(abs, "utf8").split(/\r?\n/);
  } catch {
    return undefined;
  }
}
