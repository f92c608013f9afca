// dist/ for Node and browsers: ESM bundles with type declarations, and the release
// engine (engine.wasm) copied beside them, where src/engine/load.ts looks for it.
import typescript from "@rollup/plugin-typescript";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";

const external = (id) => id.startsWith("node:") || ["vitest", "tsx/esm/api", "esbuild", "lockstep"].includes(id);

function copyEngine() {
  return {
    name: "copy-engine",
    writeBundle() {
      mkdirSync("dist", { recursive: true });
      copyFileSync("build/engine.wasm", "dist/engine.wasm");
      copyFileSync("build/engine.debug.wasm", "dist/engine.debug.wasm");
    },
  };
}

// The Node bundle carries the release engine as base64 (src/engine/host.ts,
// INLINE_ENGINE): a first explore() reads no file. engine.wasm is still copied beside
// it for setEngineBytes() users and the browser build.
function inlineEngine() {
  const marker = "const INLINE_ENGINE = null;";
  return {
    name: "inline-engine",
    transform(code, id) {
      if (!/src[\\/]engine[\\/]host\.ts$/.test(id)) return null;
      if (!code.includes(marker)) this.error(`inline-engine: ${marker} not found in ${id}`);
      const b64 = readFileSync("build/engine.wasm").toString("base64");
      // Same line, same length of everything around it: the source map stays right (map: null).
      return { code: code.replace(marker, `const INLINE_ENGINE = ${JSON.stringify(b64)};`), map: null };
    },
  };
}

// The browser bundle gets the browser host (src/engine/host.browser.ts): no `node:`
// imports, and the one wasm file referenced by a literal URL bundlers can follow.
function browserHost() {
  return {
    name: "browser-host",
    async resolveId(source, importer, options) {
      if (!/\/host\.js$/.test(source) || importer === undefined) return null;
      const r = await this.resolve(source, importer, { ...options, skipSelf: true });
      return r && /src[\\/]engine[\\/]host\.ts$/.test(r.id) ? r.id.replace(/host\.ts$/, "host.browser.ts") : null;
    },
  };
}

export default [
  {
    input: { index: "src/index.ts", cli: "src/cli/main.ts", vitest: "src/vitest/index.ts", worker: "src/cli/worker.ts" },
    output: { dir: "dist", format: "es", sourcemap: true, chunkFileNames: "[name]-[hash].js" },
    external,
    plugins: [typescript({ tsconfig: "./tsconfig.json", declaration: true, declarationDir: "dist", outDir: "dist" }), inlineEngine(), copyEngine()],
  },
  {
    // The browser build: one self-contained file (the playground and Web Workers load it).
    input: "src/index.ts",
    output: { file: "dist/browser.js", format: "es", sourcemap: true, inlineDynamicImports: true },
    external,
    plugins: [browserHost(), typescript({ tsconfig: "./tsconfig.json", declaration: false, declarationDir: undefined, outDir: "dist" })],
  },
];
