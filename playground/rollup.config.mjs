// The playground's static folder (playground/dist/): the page and its worker, bundled
// and minified from playground/src with CodeMirror (sucrase in a chunk of its own, which
// the page imports only for TypeScript), beside the library's own browser
// build (dist/browser.js, copied as is: the same bundle and the same engine.wasm that
// `npm run build` ships) and the bundled examples.
//
// `npm run playground:build` runs the library build first; the e2e test runs this
// config alone, after `npm test`'s build.
import { nodeResolve } from "@rollup/plugin-node-resolve";
import commonjs from "@rollup/plugin-commonjs";
import { transform } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
// PLAYGROUND_OUT moves the folder (the e2e test builds into a temporary one, so that
// concurrent test runs never serve each other's half-written files).
const out = process.env.PLAYGROUND_OUT ?? join(here, "dist");

/** Strips TypeScript types (type checking is `tsc -p playground`'s job, not the bundler's). */
function stripTypes() {
  return {
    name: "strip-types",
    async transform(code, id) {
      if (!id.endsWith(".ts")) return null;
      const r = await transform(code, { loader: "ts", format: "esm", target: "es2022", sourcemap: true, sourcefile: id });
      return { code: r.code, map: r.map };
    },
  };
}

/** Minifies each output chunk (esbuild; rollup chains the source maps). */
function minify() {
  return {
    name: "minify",
    async renderChunk(code, chunk) {
      const r = await transform(code, { minify: true, format: "esm", target: "es2022", sourcemap: true, sourcefile: chunk.fileName });
      return { code: r.code, map: r.map };
    },
  };
}

/** The first comment line of an example, as its title in the list. */
function titleOf(source, name) {
  const m = /^\/\/\s*(.+)$/m.exec(source);
  return m ? m[1].replace(/[.:]\s*$/, "") : name;
}

/** Copies the library bundle, the engine, the static files and the examples. */
function staticFiles() {
  return {
    name: "playground-static",
    buildStart() {
      for (const f of ["dist/browser.js", "dist/engine.wasm"]) {
        if (!existsSync(join(root, f))) this.error(`playground: ${f} is missing; run \`npm run build\` first (or \`npm run playground:build\`, which does)`);
      }
    },
    writeBundle() {
      mkdirSync(join(out, "examples"), { recursive: true });
      for (const f of ["browser.js", "browser.js.map", "engine.wasm"]) {
        if (existsSync(join(root, "dist", f))) copyFileSync(join(root, "dist", f), join(out, f));
      }
      for (const f of ["index.html", "style.css"]) copyFileSync(join(here, f), join(out, f));
      // Examples keep their `from "lockstep"`: the page rewrites it to the bundle's
      // address when it runs a program, the same way for an example and for user code.
      const list = [];
      for (const f of readdirSync(join(root, "examples")).filter((f) => f.endsWith(".mjs")).sort()) {
        const source = readFileSync(join(root, "examples", f), "utf8");
        const name = basename(f, ".mjs");
        copyFileSync(join(root, "examples", f), join(out, "examples", f));
        list.push({ name, file: `examples/${f}`, title: titleOf(source, name) });
      }
      writeFileSync(join(out, "examples", "index.json"), JSON.stringify(list, null, 2) + "\n");
    },
  };
}

// commonjs: sucrase's option checker and source-map helpers are CommonJS packages.
const plugins = () => [nodeResolve({ browser: true, extensions: [".ts", ".mjs", ".js"] }), commonjs(), stripTypes(), minify()];

/** Rollup's notes on third-party code (circular imports inside sucrase, `this` in UMD wrappers) are not ours to fix. */
function onwarn(w, warn) {
  if ((w.code === "CIRCULAR_DEPENDENCY" || w.code === "THIS_IS_UNDEFINED") && /node_modules/.test(w.message + (w.id ?? ""))) return;
  warn(w);
}

export default [
  {
    input: { main: join(here, "src/main.ts") },
    // main.js, and sucrase's chunk beside it (src/strip-types.ts is imported lazily).
    output: { dir: out, format: "es", sourcemap: true, entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js" },
    plugins: [...plugins(), staticFiles()],
    onwarn,
  },
  {
    // The worker imports the library bundle beside it at run time (never bundled in),
    // so the user's module, whose `from "lockstep"` points at the same address, shares
    // its runtime.
    input: join(here, "src/worker.ts"),
    output: { file: join(out, "worker.js"), format: "es", sourcemap: true, paths: { lockstep: "./browser.js" } },
    external: ["lockstep"],
    plugins: plugins(),
    onwarn,
  },
];
