#!/usr/bin/env node
// Mutation testing of one module at a time (see stryker.config.mjs):
//   npm run mutate -- src/otp/registry.ts [more files or globs] [-- stryker options]
// e.g. npm run mutate -- src/explore/shrink.ts -- --testFiles test/shrink.test.ts
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const args = process.argv.slice(2);
const split = args.indexOf("--");
const files = split < 0 ? args : args.slice(0, split);
const extra = split < 0 ? [] : args.slice(split + 1);
if (files.length === 0 || files.some((f) => f.startsWith("-"))) {
  console.error("usage: npm run mutate -- <src file or glob>... [-- <stryker options>]");
  process.exit(2);
}
for (const f of files) {
  if (!/[*?{]/.test(f) && !existsSync(f)) {
    console.error(`mutate: no such file: ${f}`);
    process.exit(2);
  }
}
if (!existsSync("build/engine.debug.wasm")) {
  console.error("mutate: build/engine.debug.wasm is missing; run `npm run asbuild` first");
  process.exit(2);
}
const r = spawnSync("npx", ["stryker", "run", "stryker.config.mjs", "--mutate", files.join(","), ...extra], { stdio: "inherit" });
process.exit(r.status ?? 1);
