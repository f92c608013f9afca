// Turning the editor's text into a module the worker can import: TypeScript types are
// stripped by sucrase (./strip-types.ts, loaded only for TypeScript), which keeps every
// line where it was (so line numbers in errors and stacks are the editor's), and
// `from "lockstep"` is pointed at the library bundle the worker itself imports, so the
// program and the explorer share one runtime. JavaScript goes to the browser's own
// parser as it is; locateSyntaxError finds the line of a syntax error it reports.
import type { ErrorInfo } from "./protocol.js";

export type Lang = "js" | "ts";

/** `import ... from "lockstep"`, `import "lockstep"` and `import("lockstep")`. */
const LOCKSTEP_IMPORT = /(\bfrom\s*|\bimport\s*\(?\s*)(["'])lockstep\2/g;

export function rewriteImports(code: string, bundleUrl: string): string {
  return code.replace(LOCKSTEP_IMPORT, (_m, head: string, q: string) => `${head}${q}${bundleUrl}${q}`);
}

/**
 * The program as a module for the worker: TypeScript's types stripped (rejects with an
 * ErrorInfo for a syntax error sucrase's parser finds), imports of lockstep pointed at
 * the bundle.
 */
export async function prepare(code: string, lang: Lang, bundleUrl: string): Promise<string> {
  const js = lang === "ts" ? (await import("./strip-types.js")).stripTypes(code) : code;
  return rewriteImports(js, bundleUrl);
}

/**
 * Finds the line of a syntax error that the browser found but sucrase's parser let
 * through (it is not a validator): the module is loaded as a page script that throws
 * before anything in it runs (`throw null;` on its first line), and the page's error
 * event carries the line. Resolves to undefined when no position is reported.
 */
export function locateSyntaxError(js: string): Promise<ErrorInfo | undefined> {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(new Blob([`throw null;${js}`], { type: "text/javascript" }));
    const script = document.createElement("script");
    const done = (v: ErrorInfo | undefined) => {
      window.removeEventListener("error", onError);
      script.remove();
      URL.revokeObjectURL(url);
      resolve(v);
    };
    const onError = (e: ErrorEvent) => {
      if (e.filename !== url) return;
      e.preventDefault();
      done({ name: "SyntaxError", message: e.message.replace(/^Uncaught SyntaxError:\s*/, ""), at: { line: e.lineno, col: e.lineno === 1 ? e.colno - 11 : e.colno }, phase: "load" });
    };
    window.addEventListener("error", onError);
    script.type = "module";
    script.src = url;
    script.onload = () => done(undefined);
    script.onerror = () => done(undefined);
    document.head.append(script);
  });
}

/** The line of an import naming a missing export ("does not provide an export named 'x'"). */
export function locateMissingExport(code: string, message: string): ErrorInfo | undefined {
  const m = /export named '([^']+)'/.exec(message);
  if (!m) return undefined;
  const name = new RegExp(`\\b${m[1].replace(/[$]/g, "\\$")}\\b`);
  const lines = code.split("\n");
  let inImport = false;
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*import\b/.test(lines[i])) inImport = true;
    if (inImport && name.test(lines[i])) return { name: "SyntaxError", message, at: { line: i + 1, col: lines[i].search(name) + 1 }, phase: "load" };
    if (/\bfrom\s*["']|^\s*import\s*["']/.test(lines[i])) inImport = false;
  }
  return undefined;
}
