// Mutation testing (StrykerJS with its vitest runner). Not part of `npm test`: run it
// one module at a time with `npm run mutate -- src/otp/registry.ts` (scripts/mutate.mjs
// passes --mutate). Tests run against src/ with the debug engine from build/, as in
// `npm test`, so build the engine first (`npm run asbuild`).
import { readdirSync } from "node:fs";

// Tests that exercise the built package (dist/), a browser or the whole SCTBench suite
// cannot see a mutant in src/ or take minutes per run: left out of mutation runs.
const SLOW_OR_BUILT = new Set(["cli.test.ts", "browser.test.ts", "playground.test.ts", "report.test.ts", "bugs.test.ts", "vitest-adapter.test.ts"]);

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.config.ts", related: false },
  testFiles: readdirSync("test")
    .filter((f) => f.endsWith(".test.ts") && !SLOW_OR_BUILT.has(f))
    .map((f) => `test/${f}`),
  coverageAnalysis: "perTest",
  // Mutants only executed while a module loads would force a full reload per mutant.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10000,
  timeoutFactor: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  ignorePatterns: ["dist", "playground", "bench", "reports", ".lockstep", "test-artifacts"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
