// The published types, checked as a user's project sees them: tsc --strict over
// test/types/*.ts against the built dist/*.d.ts (`npm run build` first). The files
// hold `@ts-expect-error` lines, so this fails both when a misuse compiles and when
// correct code does not.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

describe("public types", () => {
  it("accept correct code and reject misuse (tsc --strict against dist/*.d.ts)", () => {
    expect(existsSync(join(root, "dist/index.d.ts")), "run npm run build first").toBe(true);
    const r = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "test/types/tsconfig.json"], { cwd: root, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 120000);
});
