// The browser build runs explore in a page and in a Web Worker, and the same seed
// gives the same trace there as in Node (DESIGN.md: determinism in any host).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import * as ls from "lockstep";
import type { Browser } from "playwright-core";
import { makeBody } from "./fixtures/browser-scenario.js";
import { serve, launch } from "./helpers/chromium";

const root = new URL("..", import.meta.url).pathname;
let browser: Browser;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  server = await serve(root);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function inNode(seed: number) {
  const r = await ls.explore(makeBody(ls), { iterations: 500, seed, strategy: "random", traceDir: false });
  return r.ok ? { ok: true } : { ok: false, kind: r.bug.kind, iteration: r.bug.iteration, decisions: r.bug.trace.decisions, events: r.bug.trace.events };
}

describe("browser build", () => {
  it("a page and a Web Worker find the same bug with the same trace as Node", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${server.url}/test/fixtures/browser-page.html`);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    for (const seed of [1, 2, 3]) {
      const node = await inNode(seed);
      expect(node.ok).toBe(false);
      expect(node.kind).toBe("exception");
      const inPage = await page.evaluate((s) => (window as unknown as { runInPage(s: number): Promise<unknown> }).runInPage(s), seed);
      const inWorker = await page.evaluate((s) => (window as unknown as { runInWorker(s: number): Promise<unknown> }).runInWorker(s), seed);
      expect(inPage).toEqual(node);
      expect(inWorker).toEqual(node);
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});
