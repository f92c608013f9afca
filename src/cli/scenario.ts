// Loading scenario files: a module that default-exports a body, or exports several
// named bodies, and may export `options`. TypeScript files load through tsx, so they
// run without a separate build step.
import { pathToFileURL } from "node:url";
import { resolve, basename, extname, dirname, join, relative, isAbsolute, sep } from "node:path";
import { existsSync, realpathSync } from "node:fs";
import type { ExploreOptions } from "../explore/options.js";
import type { TraceFile } from "../explore/trace-file.js";
import { OptionsError } from "../runtime/errors.js";
import { optionalImport } from "./optional.js";
import { UsageFailure } from "./args.js";
import { describeLoadError } from "./load-error.js";

export interface Scenario {
  name: string;
  body: () => unknown;
}

export interface ScenarioFile {
  file: string;
  scenarios: Scenario[];
  options: ExploreOptions;
}

/**
 * Imports a TypeScript scenario as an ES module: esbuild strips the types into a
 * temporary .mjs file beside it (so relative imports and "lockstep" resolve exactly
 * as for the original, and the scenario shares this process's lockstep instance),
 * with tsx's loader registered for any .ts files it imports in turn.
 */
async function importTypeScript(abs: string): Promise<Record<string, unknown>> {
  const what = `loading the TypeScript scenario ${basename(abs)}`;
  const [{ transform }, { register }, fs] = await Promise.all([
    optionalImport<typeof import("esbuild")>("esbuild", what),
    optionalImport<typeof import("tsx/esm/api")>("tsx/esm/api", what),
    import("node:fs/promises"),
  ]);
  register();
  const source = await fs.readFile(abs, "utf8");
  const { code } = await transform(source, { loader: extname(abs) === ".tsx" ? "tsx" : "ts", format: "esm", sourcemap: "inline", sourcefile: abs, target: "es2022" });
  const tmp = join(dirname(abs), `.${basename(abs)}.${process.pid}.lockstep.mjs`);
  await fs.writeFile(tmp, code);
  try {
    return (await import(pathToFileURL(tmp).href)) as Record<string, unknown>;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

export async function loadScenarios(file: string, only?: string): Promise<ScenarioFile> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new OptionsError(`no such file: ${file}`);
  let mod: Record<string, unknown>;
  try {
    mod = [".ts", ".mts", ".cts", ".tsx"].includes(extname(abs)) ? await importTypeScript(abs) : ((await import(pathToFileURL(abs).href)) as Record<string, unknown>);
  } catch (e) {
    throw new OptionsError(describeLoadError(e, abs, file));
  }
  // A TypeScript file outside an ESM package loads as CommonJS: its exports sit on `default`.
  const inner = mod.default as Record<string, unknown> | undefined;
  if (inner !== null && typeof inner === "object" && Object.values(inner).some((v) => typeof v === "function")) mod = inner;
  const stem = basename(abs, extname(abs));
  const scenarios: Scenario[] = [];
  for (const [k, v] of Object.entries(mod)) {
    if (k === "options" || typeof v !== "function") continue;
    scenarios.push({ name: k === "default" ? stem : `${stem}#${k}`, body: v as () => unknown });
  }
  const options = (mod.options ?? {}) as ExploreOptions;
  if (typeof options !== "object") throw new OptionsError(`${file}: the "options" export must be an object`);
  if (scenarios.length === 0) throw new OptionsError(`${file} exports no scenario: default-export an async function (the test body), or export named ones`);
  if (only !== undefined) {
    const hit = scenarios.filter((s) => s.name === only || s.name.endsWith(`#${only}`) || (only === "default" && s.name === stem));
    if (hit.length === 0) throw new OptionsError(`${file} has no scenario ${JSON.stringify(only)} (it has: ${scenarios.map((s) => s.name).join(", ")})`);
    return { file, scenarios: hit, options };
  }
  return { file, scenarios, options };
}

/** The scenario names `file` defines, read statically by esbuild's parser: nothing in it runs. */
async function staticScenarioNames(abs: string): Promise<string[]> {
  const { build } = await optionalImport<typeof import("esbuild")>("esbuild", "reading a trace's scenario file without running it");
  const r = await build({ entryPoints: [abs], bundle: false, write: false, metafile: true, format: "esm", outdir: join(dirname(abs), ".lockstep-exports"), logLevel: "silent", platform: "node" });
  const stem = basename(abs, extname(abs));
  const exported = Object.values(r.metafile.outputs).flatMap((o) => o.exports);
  return exported.filter((k) => k !== "options").map((k) => (k === "default" ? stem : `${stem}#${k}`));
}

/** Quotes a path for a shell command line when it needs it. */
function shellArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The scenario file `lockstep replay|shrink TRACE` may run when the user names none.
 * A trace is data that may come from anywhere (a bug report, a CI artifact), and
 * replaying imports a module, so the trace's own `file` is used only when it resolves
 * (symlinks followed) inside the current directory tree, not under node_modules, and
 * statically exports the trace's scenario. Anything else is a UsageFailure (exit 2)
 * that shows the path and the command that runs it explicitly.
 */
export async function traceScenarioFile(trace: TraceFile, tracePath: string, cmd: "replay" | "shrink", cwd = process.cwd()): Promise<string> {
  const explicit = (file: string | null) => `  lockstep ${cmd} ${shellArg(tracePath)} ${file === null ? "<file>" : shellArg(file)}`;
  if (!trace.file) throw new UsageFailure(`${tracePath} does not record its scenario file; name it:\n${explicit(null)}`);
  const named = resolve(cwd, trace.file);
  const what = `the trace ${tracePath} names its scenario file ${JSON.stringify(trace.file)}`;
  if (!existsSync(named)) throw new UsageFailure(`${what}, which does not exist (resolved from ${cwd} to ${named}); name the scenario file explicitly:\n${explicit(null)}`);
  const root = realpathSync(cwd);
  const real = realpathSync(named);
  const rel = relative(root, real);
  const inside = rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  const refuse = (why: string, shown: string) =>
    new UsageFailure(`${what}, ${why}. A trace may come from anywhere, so lockstep runs the trace's own file only when it lies inside the current project (${root}), outside node_modules, and exports the trace's scenario. If you trust that file, run it explicitly:\n${explicit(shown)}`);
  if (!inside) throw refuse(`which resolves to ${real}, outside the current project`, named);
  if (rel.split(sep).includes("node_modules")) throw refuse(`which lies under node_modules (${rel})`, rel);
  let names: string[];
  try {
    names = await staticScenarioNames(real);
  } catch (e) {
    throw refuse(`whose exports cannot be read (${(e as Error).message.split("\n")[0]})`, rel);
  }
  if (!names.includes(trace.test)) throw refuse(`which does not export the trace's scenario ${JSON.stringify(trace.test)} (it defines: ${names.join(", ") || "nothing"})`, rel);
  return real;
}
