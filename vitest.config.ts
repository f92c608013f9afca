import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

// Tests import "lockstep" and run against the sources with the bounds-checked debug
// engine (build/engine.debug.wasm); `npm test` builds both engines and dist/ first
// (the CLI and browser tests run the built package).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^lockstep\/vitest$/, replacement: src("vitest/index.ts") },
      { find: /^lockstep$/, replacement: src("index.ts") },
    ],
  },
  test: {
    // Fixtures and the README's generated vitest blocks (test/docs.test.ts) run only in
    // the child vitest processes that expect them to fail.
    include: [process.env.LOCKSTEP_FIXTURES ? "test/fixtures/**/*.fixture.ts" : process.env.LOCKSTEP_DOC_BLOCKS ? "test/doc-blocks.tmp/**/*.test.{ts,js}" : "test/**/*.test.ts"],
    exclude: process.env.LOCKSTEP_DOC_BLOCKS ? [] : ["test/doc-blocks.tmp/**", "**/node_modules/**"],
    env: { LOCKSTEP_ENGINE: "debug" },
    testTimeout: 120000,
    hookTimeout: 60000,
  },
});
