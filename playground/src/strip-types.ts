// TypeScript to JavaScript for the playground: sucrase strips the types and keeps
// every line where it was (so line numbers in errors and stacks are the editor's).
// Its own chunk, imported only when the Language is TypeScript: sucrase is most of
// the page's code, and JavaScript needs none of it.
import { transform } from "sucrase";
import type { ErrorInfo } from "./protocol.js";

/** `code` without its types; throws an ErrorInfo (with the position) for a syntax error. */
export function stripTypes(code: string): string {
  try {
    return transform(code, { transforms: ["typescript"], disableESTransforms: true, keepUnusedImports: true }).code;
  } catch (e) {
    const err = e as Error & { loc?: { line: number; column: number } };
    const info: ErrorInfo = { name: "SyntaxError", message: err.message.replace(/\s*\(\d+:\d+\)$/, ""), phase: "load" };
    if (err.loc) info.at = { line: err.loc.line, col: err.loc.column };
    throw info;
  }
}
