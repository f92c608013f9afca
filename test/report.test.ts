// The HTML report, opened in headless Chromium: what is drawn, and the step slider.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { explore } from "lockstep";
import type { Browser } from "playwright-core";
import { renderReport } from "../src/cli/report";
import lockOrder from "../examples/deadlock.mjs";
import { launch, serve } from "./helpers/chromium";

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

describe("HTML report", () => {
  it("draws one lane per process, message arrows, the failing step, and a working slider", async () => {
    const r = await explore(lockOrder, { iterations: 200, seed: 1, strategy: "random", traceDir: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("deadlock");
    mkdirSync(`${root}test-artifacts`, { recursive: true });
    writeFileSync(`${root}test-artifacts/report.html`, renderReport(r.bug));
    const processes = new Set(r.bug.events.map((e) => e.pid).filter((p) => p.startsWith("<")));

    const page = await browser.newPage();
    await page.goto(`${server.url}/test-artifacts/report.html`);
    expect(await page.locator("svg .lane").count()).toBe(processes.size);
    expect(await page.locator("svg .lane-label").allTextContents()).toEqual(expect.arrayContaining([...processes]));
    expect(await page.locator("svg line.arrow.send").count()).toBe(r.bug.events.filter((e) => e.op === "send").length);
    expect(await page.locator("svg g.failing").count()).toBe(1);
    expect(await page.locator("svg g.failing text").textContent()).toMatch(/deadlock/);
    expect(await page.locator("#summary").textContent()).toMatch(/seed 1/);

    // the slider starts at the failing step; stepping back moves the highlight
    const last = r.bug.events.length - 1;
    expect(await page.locator("svg g.current").getAttribute("data-index")).toBe(String(last));
    await page.keyboard.press("ArrowLeft");
    expect(await page.locator("svg g.current").getAttribute("data-index")).toBe(String(last - 1));
    await page.locator("#slider").fill("0");
    expect(await page.locator("svg g.current").getAttribute("data-index")).toBe("0");
    expect(await page.locator("tr.current").getAttribute("data-index")).toBe("0");
    await page.screenshot({ path: `${root}test-artifacts/report.png`, fullPage: true });
    await page.close();
  });
});
