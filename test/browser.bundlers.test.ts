// The browser entry is bundler-clean (issue 15): a user's tiny app that imports
// "lockstep" bundles with esbuild (--platform=browser) and with Vite, and the result
// finds the lost update in Chromium. Vite must copy exactly one file of ours, the
// release engine, referenced as `new URL("./engine.wasm", import.meta.url)`.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, copyFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { serve, launch } from "./helpers/chromium";

const repo = new URL("..", import.meta.url).pathname;
let browser: Browser;
let app: string;

beforeAll(async () => {
  browser = await launch();
  // A fresh project whose node_modules/lockstep is this package (as after `npm i`).
  app = mkdtempSync(join(tmpdir(), "lockstep-app-"));
  cpSync(join(repo, "test/fixtures/bundler-app"), app, { recursive: true });
  mkdirSync(join(app, "node_modules"));
  symlinkSync(repo, join(app, "node_modules/lockstep"), "dir");
});
afterAll(async () => {
  await browser?.close();
  rmSync(app, { recursive: true, force: true });
});

/** Serves `dir`, opens index.html and returns the page's verdict (its title). */
async function runIn(dir: string): Promise<{ title: string; errors: string[] }> {
  const server = await serve(dir);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  try {
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => (window as unknown as { done?: boolean }).done === true, undefined, { timeout: 30_000 });
    return { title: await page.title(), errors };
  } finally {
    await page.close();
    await server.close();
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

describe("bundling the browser entry", () => {
  it("esbuild --platform=browser bundles it (no node: imports) and the app finds the bug", async () => {
    const esbuild = await import("esbuild");
    const out = join(app, "out-esbuild");
    const r = await esbuild.build({ entryPoints: [join(app, "main.js")], bundle: true, format: "esm", platform: "browser", outdir: out, absWorkingDir: app, logLevel: "silent" });
    expect(r.errors).toEqual([]);
    expect(readFileSync(join(out, "main.js"), "utf8")).not.toMatch(/from\s*["']node:|import\(["']node:/);
    // esbuild leaves `new URL("./engine.wasm", import.meta.url)` as is: the one file to copy beside the bundle.
    copyFileSync(join(repo, "dist/engine.wasm"), join(out, "engine.wasm"));
    copyFileSync(join(app, "index.html"), join(out, "index.html"));
    expect(await runIn(out)).toEqual({ title: "bug:exception", errors: [] });
  }, 60_000);

  it("Vite builds it, copying exactly one asset of ours (the release engine)", async () => {
    const { build } = await import("vite");
    const out = join(app, "out-vite");
    await build({ root: app, logLevel: "silent", configFile: false, build: { outDir: out, emptyOutDir: true } });
    const files = filesUnder(out);
    const assets = files.filter((f) => f !== "index.html" && !/^assets\/index-[\w-]+\.js$/.test(f));
    expect(assets).toHaveLength(1);
    expect(assets[0]).toMatch(/^assets\/engine-[\w-]+\.wasm$/);
    expect(readFileSync(join(out, assets[0])).equals(readFileSync(join(repo, "dist/engine.wasm")))).toBe(true);
    expect(await runIn(out)).toEqual({ title: "bug:exception", errors: [] });
  }, 60_000);
});
