// The HTML report, opened in headless Chromium: what is drawn (the playground's
// diagram component, src/cli/diagram-view.ts), the step slider, lane names, and the
// trace it carries.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { explore } from "lockstep";
import type { Browser } from "playwright-core";
import { renderReport, renderPassReport } from "../src/cli/report";
import { exploreWith } from "../src/explore/explore";
import { eventText } from "../src/cli/diagram-view";
import lockOrder from "../examples/deadlock.mjs";
import lostUpdate from "../examples/lost-update.mjs";
import * as genserverCache from "../examples/genserver-cache.mjs";
import { parseTrace } from "../src/explore/trace-file";
import { traceTextOf } from "../src/explore/trace-text";
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
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.locator("svg .lane").count()).toBe(processes.size);
    expect(await page.locator("svg .lane").evaluateAll((ls) => ls.map((l) => l.getAttribute("data-lane")))).toEqual(expect.arrayContaining([...processes]));
    expect(await page.locator("svg line.arrow.send").count()).toBe(r.bug.events.filter((e) => e.op === "send").length);
    expect(await page.locator("svg g.failing").count()).toBe(1);
    expect(await page.locator("svg g.failing text.label").textContent()).toMatch(/deadlock/);
    expect(await page.locator("#summary").textContent()).toMatch(/seed 1/);
    expect(await page.locator(".dv-legend").textContent()).toMatch(/message.*registry/s);
    // the slider sits on its own line above the diagram
    const slider = (await page.locator("#slider").boundingBox())!;
    const diagram = (await page.locator("#diagram").boundingBox())!;
    expect(slider.y + slider.height).toBeLessThanOrEqual(diagram.y);

    // the slider starts at the failing step; stepping back moves the highlight
    const last = r.bug.events.length - 1;
    expect(await page.locator("svg g.current").getAttribute("data-index")).toBe(String(last));
    await page.keyboard.press("ArrowLeft");
    expect(await page.locator("svg g.current").getAttribute("data-index")).toBe(String(last - 1));
    await page.locator("#slider").fill("0");
    expect(await page.locator("svg g.current").getAttribute("data-index")).toBe("0");
    expect(await page.locator("#current").textContent()).toContain(r.bug.events[0].pid);
    // clicking the blank part of a row selects it
    const row2 = (await page.locator('svg rect.bg[data-index="2"]').boundingBox())!;
    await page.mouse.click(row2.x + row2.width - 20, row2.y + row2.height / 2);
    expect(await page.locator("svg g.current").getAttribute("data-index")).toBe("2");
    await page.screenshot({ path: `${root}test-artifacts/report.png`, fullPage: true });
    await page.close();
  });

  it("names lanes by what the program called its processes, shows the stack, and carries its trace", async () => {
    const r = await explore(lostUpdate, { iterations: 1000, seed: 1, strategy: "random", traceDir: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const html = renderReport(r.bug, { file: `${root}test-artifacts/report-lost-update.html` });
    writeFileSync(`${root}test-artifacts/report-lost-update.html`, html);
    // the embedded trace is the bug's, readable by the CLI's trace loader; the replay path is relative
    expect(parseTrace(traceTextOf(html)).decisions).toEqual(r.bug.trace.decisions);
    expect(html).toContain("npx lockstep replay test-artifacts/report-lost-update.html");

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/test-artifacts/report-lost-update.html`);
    await page.waitForSelector("body[data-ready=true]");
    const labels = await page.locator("svg .lane-label").allTextContents();
    expect(labels).toEqual(expect.arrayContaining(["lostUpdate", "store"]));
    // the pid stays in the tooltip
    expect(await page.locator("svg .lane title").allTextContents()).toEqual(expect.arrayContaining(["store <0.2.0>"]));
    expect(await page.locator("#stack").textContent()).toMatch(/lost update[\s\S]*at /);
    // the state panel: at the end the store waits in receive; right after the first send to it, the message is in its mailbox
    expect(await page.locator('.dv-state tr[data-lane="<0.2.0>"] .dv-status').textContent()).toMatch(/waiting in receive/);
    const first = r.bug.events.findIndex((e) => e.op === "send" && e.detail.startsWith("to <0.2.0>: "));
    await page.locator("#slider").fill(String(first));
    expect(await page.locator('.dv-state tr[data-lane="<0.2.0>"] .dv-mailbox').textContent()).toContain(r.bug.events[first].detail.slice("to <0.2.0>: ".length));
    // the source link: the selected step's line of the program, and the failure's
    const lines = readFileSync(`${root}examples/lost-update.mjs`, "utf8").split("\n");
    const siteLine = async () => Number(/^examples\/lost-update\.mjs:(\d+)$/.exec((await page.locator(".dv-at").textContent())!)![1]);
    expect(lines[(await siteLine()) - 1]).toContain("await send(storePid, { op: \"get\", from: me })");
    const put = r.bug.events.findIndex((e) => e.op === "send" && e.detail.includes('op: "put"'));
    await page.locator("#slider").fill(String(put));
    expect(lines[(await siteLine()) - 1]).toContain('await send(storePid, { op: "put", value: value + 1 })');
    const waits = r.bug.events.findIndex((e) => e.op === "receive" && e.result === "waits" && e.pid !== "<0.2.0>");
    await page.locator("#slider").fill(String(waits));
    expect(lines[(await siteLine()) - 1]).toMatch(/await receive\(/);
    // ... and its state: the process waits in receive, on what its mailbox holds
    expect(await page.locator(`.dv-state tr[data-lane="${r.bug.events[waits].pid}"] .dv-status`).textContent()).toMatch(/^waiting in receive: (its mailbox is empty|none of its)/);
    expect(await page.locator("#thrown-at").textContent()).toBe(`examples/lost-update.mjs:${lines.findIndex((l) => l.includes("throw new Error(`lost update")) + 1}`);
    expect(await page.locator("#stack").textContent()).not.toContain(root);
    // search without filtering: Enter and the ▼/▲ buttons go from match to match
    await page.uncheck(".dv-only-matches");
    await page.fill(".dv-search", 'op: "put"');
    await page.press(".dv-search", "Enter");
    const puts = r.bug.events.map((e, i) => [e, i] as const).filter(([e]) => `${e.pid}  ${eventText(e)}`.includes('op: "put"')).map(([, i]) => i);
    expect(puts.length).toBeGreaterThan(1);
    const at = Number(await page.locator("svg g.row.current").getAttribute("data-index"));
    expect(puts).toContain(at);
    await page.click(".dv-next-match");
    expect(Number(await page.locator("svg g.row.current").getAttribute("data-index"))).toBe(puts[(puts.indexOf(at) + 1) % puts.length]);
    await page.click(".dv-prev-match");
    expect(Number(await page.locator("svg g.row.current").getAttribute("data-index"))).toBe(at);
    expect(await page.locator("svg g.row").count()).toBe(r.bug.events.length);
    expect(await page.locator("svg rect.bg.match").count()).toBe(puts.length);
    await page.fill(".dv-search", "");
    // zoom: taller rows, wider lanes
    // The diagram redraws after each control: measure an element of the settled drawing
    // (boundingBox is null for one replaced mid-measure, as seen on a loaded CI machine).
    const box = async (selector: string) => {
      for (let tries = 0; tries < 100; tries++) {
        const b = await page.locator(selector).first().boundingBox();
        if (b !== null) return b;
        await page.waitForTimeout(10);
      }
      throw new Error(`${selector} is never drawn`);
    };
    const rowH = async () => (await box("svg rect.bg")).height;
    const laneW = async () => (await box("svg .lane-head")).width;
    const [h0, w0] = [await rowH(), await laneW()];
    await page.click(".dv-zoom-in");
    expect(await rowH()).toBeGreaterThan(h0);
    expect(await laneW()).toBeGreaterThan(w0);
    await page.click(".dv-zoom-out");
    await page.click(".dv-zoom-out");
    expect(await rowH()).toBeLessThan(h0);
    // filter by operation: only receives
    await page.selectOption(".dv-op", { label: "receive" });
    expect(await page.locator("svg g.row").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-op")))).toEqual(r.bug.events.filter((e) => e.op === "receive").map(() => "receive"));
    await page.selectOption(".dv-op", { label: "all operations" });
    // filter by process: only rows of the store (or sent to it)
    await page.selectOption(".dv-lane", { label: "store <0.2.0>" });
    const pids = await page.locator("svg g.row").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-pid")));
    expect(pids.length).toBeLessThan(r.bug.events.length);
    await page.screenshot({ path: `${root}test-artifacts/report-lost-update.png`, fullPage: true });
    await page.close();
  });

  it("a passing run's report shows what was covered and a sample schedule, with its trace", async () => {
    const { spawn, send, receive, self } = await import("lockstep");
    const r = await exploreWith(async function pingPong() {
      const me = self();
      const p = await spawn(async function ponger() {
        const m = await receive();
        await send(m.from, "pong");
      });
      await send(p, { from: me });
      await receive();
    }, { iterations: 50, seed: 3, strategy: "random", traceDir: false, sample: true });
    expect(r.ok).toBe(true);
    if (!r.ok || !r.sample) throw new Error("expected a passing run with a sample");
    expect(r.sample.iteration).toBe(50);
    const html = renderPassReport(r.stats, r.sample, { file: `${root}test-artifacts/report-pass.html` });
    writeFileSync(`${root}test-artifacts/report-pass.html`, html);
    expect(parseTrace(traceTextOf(html)).decisions).toEqual(r.sample.trace.decisions);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/test-artifacts/report-pass.html`);
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.textContent("#coverage")).toContain(`50 iterations, ${r.stats.distinctSchedules} distinct schedules`);
    expect(await page.locator("svg g.row").count()).toBe(r.sample.events.length);
    expect(await page.locator("svg g.failing").count()).toBe(0);
    expect(await page.locator("svg .lane-label").allTextContents()).toEqual(["pingPong", "ponger"]);
    expect(await page.textContent("#replay")).toBe("npx lockstep replay test-artifacts/report-pass.html");
    await page.screenshot({ path: `${root}test-artifacts/report-pass.png`, fullPage: true });
    await page.close();
  });

  it("`lockstep explore --report` on a passing run writes the report of a sample schedule, which `lockstep replay` runs", () => {
    const file = `${root}test-artifacts/report-pass-cli.mjs`;
    writeFileSync(file, [
      'import { spawn, send, receive, self } from "lockstep";',
      "export default async function pingPong() {",
      "  const me = self();",
      "  const p = await spawn(async function ponger() { const m = await receive(); await send(m.from, \"pong\"); });",
      "  await send(p, { from: me });",
      "  await receive();",
      "}",
    ].join("\n"));
    const report = `${root}test-artifacts/report-pass-cli.html`;
    const env = { ...process.env };
    delete env.LOCKSTEP_ENGINE;
    const run = (...args: string[]) => spawnSync(process.execPath, [`${root}bin/lockstep.mjs`, ...args], { cwd: root, encoding: "utf8", env });
    const explored = run("explore", file, "-n", "30", "--seed", "2", "--report", report);
    expect(explored.status, explored.stderr).toBe(0);
    expect(explored.stderr).toContain(`report written to ${report}`);
    const html = readFileSync(report, "utf8");
    expect(html).toContain("lockstep found no bug");
    expect(html).toMatch(/<b>30<\/b> iterations, <b>\d+<\/b> distinct schedules/);
    expect(parseTrace(traceTextOf(html)).iteration).toBe(1);
    const replayed = run("replay", report);
    expect(replayed.status, replayed.stderr + replayed.stdout).toBe(0);
  });

  it("names lanes after the user's functions, never a library's own wrapper (a GenServer's lane is not 'body')", async () => {
    const r = await explore(genserverCache.default, { ...genserverCache.options, seed: 1, traceDir: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const names = r.bug.laneNames ?? {};
    expect(names["<0.1.0>"]).toBe(genserverCache.default.name);
    expect(Object.values(names)).not.toContain("body");
  });
});
