// The diagram component (src/cli/diagram-view.ts) on a big trace, in headless
// Chromium: a livelock run to maxSteps 100,000, drawn by the CLI's HTML report and by
// the playground. Only the rows in view exist in the DOM, stepping moves and scrolls
// the selection, the report stays under 2 MB and carries its trace (`lockstep replay
// report.html`), and the playground's page answers while it draws. Timings are
// logged, not asserted (two cores are shared with other runs).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launch, serve } from "./helpers/chromium";
import { LIVELOCK, cli } from "./helpers/livelock";

const root = new URL("..", import.meta.url).pathname;
const artifacts = join(root, "test-artifacts");

let browser: Browser;
let server: { url: string; close(): Promise<void> };
const site = mkdtempSync(join(tmpdir(), "lockstep-viz-"));

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  execFileSync(process.execPath, [join(root, "node_modules/rollup/dist/bin/rollup"), "-c", "playground/rollup.config.mjs"], {
    cwd: root, stdio: "pipe", env: { ...process.env, PLAYGROUND_OUT: site },
  });
  server = await serve(root);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(site, { recursive: true, force: true });
});

const rowsInDom = (page: Page) => page.$$eval(".diagram g.row", (gs) => gs.length);
const current = (page: Page) => page.$eval(".diagram g.row.current", (g) => Number(g.getAttribute("data-index")));
/** Moves the slider to `row` as a person does; how long the page took to select it and draw the state panel (ms, in the page). */
const selectTimed = (page: Page, row: number) =>
  page.evaluate((r) => {
    const s = document.getElementById("slider") as HTMLInputElement;
    const t = performance.now();
    s.value = String(r);
    s.dispatchEvent(new Event("input"));
    return performance.now() - t;
  }, row);

describe("diagram on a 100,000-step livelock", () => {
  it("the HTML report is under 2 MB, virtualized, steps and scrolls, and replays from the report file", async () => {
    const scenario = join(artifacts, "viz-livelock.mjs"); // inside the package, so `from "lockstep"` resolves
    writeFileSync(scenario, LIVELOCK + "\nexport const options = { maxSteps: 100000, iterations: 1 };\n");
    const report = join(artifacts, "viz-livelock.html");
    const explored = cli("explore", scenario, "--seed", "1", "--report", report, "--trace-dir", join(artifacts, "viz-traces"), "--quiet");
    expect(explored.status, explored.stderr).toBe(1);
    const size = statSync(report).size;
    console.log(`livelock report: ${(size / 1e6).toFixed(2)} MB`);
    expect(size).toBeLessThan(2_000_000);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const t0 = Date.now();
    await page.goto(`${server.url}/test-artifacts/viz-livelock.html`);
    await page.waitForSelector("body[data-ready=true]");
    const ready = Date.now() - t0;
    const nav = await page.evaluate(() => JSON.stringify(performance.getEntriesByType("navigation").map((e) => ({ dcl: Math.round((e as PerformanceNavigationTiming).domContentLoadedEventEnd) }))));
    console.log(`livelock report interactive after ${ready} ms (navigation ${nav})`);

    // Virtualized: a window of rows, not 100,000; the failing row (the last) starts selected and in view.
    const rows = Number(await page.$eval(".dv-count", (n) => n.textContent!.replace(/\D/g, "")));
    expect(rows).toBeGreaterThan(100_000);
    expect(await rowsInDom(page)).toBeLessThan(200);
    expect(await current(page)).toBe(rows - 1);
    expect(await page.$$eval(".diagram g.row.failing", (gs) => gs.length)).toBe(1);

    const t1 = Date.now();
    await page.keyboard.press("ArrowLeft");
    expect(await current(page)).toBe(rows - 2);
    await page.keyboard.press("Home");
    expect(await current(page)).toBe(0);
    expect(await page.$eval(".dv-scroll", (s) => s.scrollTop)).toBe(0);
    await page.keyboard.press("ArrowRight");
    expect(await current(page)).toBe(1);
    await page.locator("#slider").fill("50000");
    expect(await current(page)).toBe(50_000);
    // the selected row is drawn, in view
    const inView = await page.evaluate(() => {
      const box = document.querySelector(".dv-scroll")!.getBoundingClientRect();
      const r = document.querySelector(".diagram g.row.current")!.getBoundingClientRect();
      return r.top >= box.top && r.bottom <= box.bottom;
    });
    expect(inView).toBe(true);
    expect(await rowsInDom(page)).toBeLessThan(200);
    console.log(`livelock report: 4 step actions in ${Date.now() - t1} ms`);
    expect(await page.textContent("#current")).toMatch(/^step \d+ · <0\.1\.0>/);

    // The state panel answers a jump anywhere: after a send the message waits in the mailbox, after the receive it is gone.
    // The program's line is recorded for the first and last 10,000 steps.
    const took: number[] = [];
    for (const row of [99_000, 3, 50_001, 77_777, 12_345, 4, 99_001]) {
      took.push(await selectTimed(page, row));
      expect(await current(page)).toBe(row);
      const op = await page.$eval(".diagram g.row.current", (g) => g.getAttribute("data-op"));
      const mailbox = await page.textContent('.dv-state tr[data-lane="<0.1.0>"] .dv-mailbox');
      if (op === "send") expect(mailbox, `row ${row}`).toMatch(/^1: 1(was: empty)?$/);
      else expect([row, op, mailbox]).toEqual([row, "receive", expect.stringMatching(/^empty(was: 1: 1)?$/)]);
      const at = await page.$$eval(".dv-at", (ns) => ns.map((n) => n.textContent));
      expect(at, `row ${row}`).toEqual(row < 10_000 || row > 91_000 ? ["test-artifacts/viz-livelock.mjs:3"] : []);
    }
    console.log(`livelock report: a selection with its state panel took ${took.map((t) => t.toFixed(1)).join(", ")} ms (rows 99,000, 3, 50,001, 77,777, 12,345, 4, 99,001)`);

    // The filter box: only the receives.
    await page.fill(".dv-search", "receive");
    await page.waitForFunction(() => /of/.test(document.querySelector(".dv-count")!.textContent!));
    expect(await page.$$eval(".diagram g.row", (gs) => gs.every((g) => g.getAttribute("data-op") === "receive"))).toBe(true);
    await page.screenshot({ path: join(artifacts, "viz-livelock-report.png") });
    expect(errors).toEqual([]);
    await page.close();

    // The report carries the trace: replay it.
    const replayed = cli("replay", report);
    expect(replayed.status, replayed.stderr).toBe(1);
    expect(replayed.stdout).toMatch(/step-limit/);
  });

  it("the playground draws it while its page stays responsive", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const hash = "#s=" + Buffer.from(JSON.stringify({ v: 1, code: LIVELOCK, lang: "js", options: { maxSteps: 100000, iterations: 1, seed: 1 } })).toString("base64url");
    const siteServer = await serve(site);
    try {
      await page.goto(`${siteServer.url}/index.html${hash}`);
      // Poll the page while it explores and draws: each evaluate needs the main thread.
      const gaps: number[] = [];
      for (;;) {
        const t = Date.now();
        const state = await page.evaluate(() => document.getElementById("status")!.dataset.state);
        gaps.push(Date.now() - t);
        if (state !== "running" && state !== "idle") {
          expect(state, (await page.textContent("#error")) ?? "").toBe("bug");
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(`playground, livelock: longest main-thread wait while exploring and drawing ${Math.max(...gaps)} ms over ${gaps.length} polls`);
      expect(await page.textContent("#bug-title")).toContain("step-limit");
      expect(await rowsInDom(page)).toBeLessThan(200);
      const last = await current(page);
      expect(last).toBeGreaterThan(100_000);
      const t = Date.now();
      await page.focus("#diagram-box");
      await page.keyboard.press("ArrowLeft");
      expect(await current(page)).toBe(last - 1);
      await page.keyboard.press("Home");
      expect(await current(page)).toBe(0);
      console.log(`playground, livelock: 2 step actions in ${Date.now() - t} ms`);
      const took: number[] = [];
      // The playground's slider moves by steps (a step can log several rows): position k is the k+1-th step.
      for (const pos of [50_001, 77_777, 3, 99_000]) {
        took.push(await selectTimed(page, pos));
        expect(await page.textContent("#step-pos")).toMatch(new RegExp(`^${(pos + 1).toLocaleString("en-US")} / `));
        expect(await current(page)).toBeGreaterThanOrEqual(pos);
        expect(await page.textContent('.dv-state tr[data-lane="<0.1.0>"] .dv-status')).toBe("runnable");
      }
      console.log(`playground, livelock: a selection with its state panel took ${took.map((x) => x.toFixed(1)).join(", ")} ms (steps 50,001, 77,777, 3, 99,000)`);
      // the program's line of a step near the end, marked in the editor
      expect(await page.textContent(".cm-step-line")).toBe("  for (;;) { await send(self(), 1); await receive(); }");
      // causal slice only: the whole run is in the slice here; it stays virtualized
      await page.check("#slice-only");
      expect(await rowsInDom(page)).toBeLessThan(200);
      await page.screenshot({ path: join(artifacts, "viz-livelock-playground.png") });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await siteServer.close();
    }
  });

  it("the playground loads a report's trace and replays it to the same failure", async () => {
    const report = join(artifacts, "viz-lost-update.html");
    const explored = cli("explore", "examples/lost-update.mjs", "--seed", "1", "--report", report, "--trace-dir", join(artifacts, "viz-traces"), "--quiet");
    expect(explored.status, explored.stderr).toBe(1);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const siteServer = await serve(site);
    try {
      await page.goto(`${siteServer.url}/index.html`);
      await page.waitForSelector("body[data-ready=true]"); // lost-update is the example it opens with
      await page.setInputFiles("#load-trace", report);
      await page.waitForFunction(() => document.getElementById("status")!.dataset.state === "trace");
      expect(await page.$$eval(".diagram g.row.failing", (gs) => gs.length)).toBe(1);
      await page.click("#replay");
      await page.waitForFunction(() => !["running", "trace"].includes(document.getElementById("status")!.dataset.state!));
      expect(await page.textContent("#status")).toContain("the failure reproduces");
      // lanes named by the program's functions; the pid in the tooltip
      expect(await page.$$eval(".diagram-head .lane-label", (ns) => ns.map((n) => n.textContent))).toEqual(expect.arrayContaining(["lostUpdate", "store"]));
      await page.screenshot({ path: join(artifacts, "viz-playground-report-replayed.png") });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await siteServer.close();
    }
  });
});
