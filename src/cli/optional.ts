// Optional peer dependencies of the CLI (TypeScript scenario files need esbuild and
// tsx): loaded on demand, so a project that writes .mjs scenarios installs nothing.
import { OptionsError } from "../runtime/errors.js";

/** Imports `specifier` (a module of package `pkg`), or fails with what needs it and the command that installs it. */
export async function optionalImport<T>(specifier: string, purpose: string, pkg = packageOf(specifier)): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new OptionsError(`${purpose} needs the package "${pkg}", which is not installed: npm i -D ${pkg}`);
    }
    throw e;
  }
}

/** "tsx/esm/api" -> "tsx"; "@scope/name/sub" -> "@scope/name". */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return parts.slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
}
