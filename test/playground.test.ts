// The browser playground, end to end in headless Chromium, served by its own server
// (playground/serve.mjs, compressing): each bundled example is explored in the page's
// worker and finds its bug with the same schedule as Node; the diagram has one lane per
// process and the failing step marked; stepping moves the highlight; a share link
// reproduces the exploration (a shrunk schedule included); errors in the program show
// with their line; Stop, shrink, replay, drafts and trace files (a report's too) work;
// the layout holds at 1280 px with 7 lanes and at 390 px. Timings are logged, never
// asserted. Screenshots go to test-artifacts/ (gitignored; CI keeps them).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ls from "lockstep";
import type { Browser, Page } from "playwright-core";
import { serve, launch } from "./helpers/chromium";
import { LIVELOCK, cli } from "./helpers/livelock";
import { traceTextOf } from "../src/explore/trace-text";

const root = new URL("..", import.meta.url).pathname;
/** The built playground: the same build as `npm run playground:build`, in a folder of this run's own. */
const site = mkdtempSync(join(tmpdir(), "lockstep-playground-"));
const artifacts = join(root, "test-artifacts");
let browser: Browser;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  // The playground's own build (the library bundle comes from `npm test`'s build).
  execFileSync(process.execPath, [join(root, "node_modules/rollup/dist/bin/rollup"), "-c", "playground/rollup.config.mjs"], {
    cwd: root, stdio: "pipe", env: { ...process.env, PLAYGROUND_OUT: site },
  });
  mkdirSync(artifacts, { recursive: true });
  server = await serveMjs(site);
  browser = await launch();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(site, { recursive: true, force: true });
});

/** `node playground/serve.mjs` on a free port, serving `dir`. */
async function serveMjs(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [join(root, "playground/serve.mjs")], { env: { ...process.env, PLAYGROUND_OUT: dir, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.once("exit", (code) => reject(new Error(`serve.mjs exited (${code}): ${out}`)));
  });
  return { url, close: () => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once("exit", () => r()), child.kill()))) };
}

interface Opened {
  page: Page;
  errors: string[];
}

/** Opens the page; confirm dialogs (discarding edits) are accepted unless `answer` says otherwise. */
async function open(hash = "", answer: (message: string) => boolean = () => true, viewport = { width: 1440, height: 900 }): Promise<Opened> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => void (answer(d.message()) ? d.accept() : d.dismiss()));
  await page.goto(`${server.url}/index.html${hash}`); // (the helper serves "/" without a content type)
  await page.waitForSelector("body[data-ready=true]");
  return { page, errors };
}

/** Waits until the page is done with the request it is running; returns the status state. */
async function settled(page: Page, timeout = 30_000): Promise<string> {
  await page.waitForFunction(() => !["running", "idle"].includes(document.getElementById("status")!.dataset.state!), null, { timeout });
  return (await page.getAttribute("#status", "data-state"))!;
}

async function pick(page: Page, name: string): Promise<void> {
  const loads = Number((await page.getAttribute("body", "data-loads")) ?? 0);
  if ((await page.inputValue("#example")) === name) await page.selectOption("#example", ""); // so that picking it again reloads it
  await page.selectOption("#example", name);
  await page.waitForFunction((n) => Number(document.body.dataset.loads) > n, loads);
}

/** Loads lost-update, sets seed 1 and explores it to its bug (the starting point of many tests). */
async function lostUpdateBug(page: Page): Promise<void> {
  await pick(page, "lost-update");
  await page.fill("#seed", "1");
  expect(await explore(page)).toBe("bug");
}

async function explore(page: Page): Promise<string> {
  await page.click("#explore");
  return settled(page);
}

/** The trace of the shown result, through the Download button (as a person gets it). */
async function downloadTrace(page: Page): Promise<ls.TraceFile> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  return JSON.parse(readFileSync((await download.path())!, "utf8")) as ls.TraceFile;
}

const currentIndex = (page: Page) => page.$eval(".diagram g.row.current", (g) => Number(g.getAttribute("data-index")));

/** Where each step starts among rows (a step can log several rows): what the slider moves by. */
function stepStartsOf(events: { step: number }[]): number[] {
  return events.flatMap((e, k) => (k === 0 || e.step !== events[k - 1].step ? [k] : []));
}
/** The slider position of row k. */
const stepAtOf = (starts: number[], k: number) => starts.filter((s) => s <= k).length - 1;
const rowCount = (page: Page) => page.$$eval(".diagram g.row", (gs) => gs.length);

const PING_PONG = [
  'import { spawn, send, receive, self } from "lockstep";',
  "export default async function pingPong() {",
  "  const me = self();",
  '  const p = await spawn(async () => { const m = await receive(); await send(m.from, "pong"); });',
  "  await send(p, { from: me });",
  "  await receive();",
  "}",
].join("\n");

/** Six senders to one receiver: a space too large to enumerate, so a long run keeps sampling. */
const SENDERS = [
  'import { spawn, send, receive, self } from "lockstep";',
  "export default async function senders() {",
  "  const me = self();",
  "  for (let i = 0; i < 6; i++) await spawn(async () => send(me, i));",
  "  for (let i = 0; i < 6; i++) await receive();",
  "}",
].join("\n");


/** The bug Node finds in a scenario file. */
async function nodeBug(file: string, options: ls.ExploreOptions) {
  const mod = (await import(file)) as { default: () => unknown };
  const r = await ls.explore(mod.default, { ...options, traceDir: false });
  if (r.ok) throw new Error(`${file} found no bug in Node`);
  return r.bug;
}

/** A share link as the page makes it: base64url JSON in the fragment. */
function shareHash(code: string, options: Record<string, unknown>, lang: "js" | "ts" = "js"): string {
  return "#s=" + Buffer.from(JSON.stringify({ v: 1, code, lang, options })).toString("base64url");
}

/** The processes of a run: every pid that did something, was spawned, or was sent to. */
function processesOf(events: ls.StepEvent[]): string[] {
  const ps = new Set<string>();
  for (const e of events) {
    if (/^<0\.\d+\.0>$/.test(e.pid)) ps.add(e.pid);
    if (e.op === "spawn" && /^<0\.\d+\.0>$/.test(e.result)) ps.add(e.result);
    const to = /^to (<0\.\d+\.0>)/.exec(e.detail);
    if (e.op === "send" && to) ps.add(to[1]);
  }
  return [...ps].sort();
}

async function nodeExplore(name: string, seed: number) {
  const mod = (await import(`../examples/${name}.mjs`)) as { default: () => unknown; options?: ls.ExploreOptions };
  const r = await ls.explore(mod.default, { ...mod.options, seed, traceDir: false });
  if (r.ok) throw new Error(`${name} found no bug in Node with seed ${seed}`);
  return r.bug;
}

describe("playground", () => {
  it("lists the bundled examples", async () => {
    const { page, errors } = await open();
    const names = await page.$$eval("#example option", (os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    for (const n of ["lost-update", "down-race", "deadlock", "genserver-cache", "supervisor-restart", "registry-race"]) expect(names).toContain(n);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("explores each example: finds its bug with Node's schedule, draws one lane per process, marks the failing step, steps", async () => {
    const { page, errors } = await open();
    const names = (JSON.parse(readFileSync(join(site, "examples", "index.json"), "utf8")) as { name: string }[]).map((e) => e.name);
    const labelled: Record<string, string[]> = {};
    for (const name of names) {
      await pick(page, name);
      await page.fill("#seed", "1");
      expect(await explore(page), `${name}: ${await page.textContent("#error")}`).toBe("bug");
      const node = await nodeExplore(name, 1);
      const trace = await downloadTrace(page);
      // Same seed, same schedule: the page's worker (release engine) and Node agree.
      expect(trace.decisions, name).toEqual(node.trace.decisions);
      expect(trace.iteration, name).toBe(node.iteration);
      expect(await page.textContent("#bug-title")).toContain(node.kind);

      const lanes = await page.$$eval(".diagram-head [data-lane]", (ns) => ns.map((n) => n.getAttribute("data-lane")!));
      expect(new Set(lanes).size, name).toBe(lanes.length);
      // Lanes named as in Node's run (function, behaviour, registered name); the pid in the tooltip.
      const titles = await page.$$eval(".diagram-head .lane title", (ns) => ns.map((n) => n.textContent!));
      expect(titles, name).toEqual(lanes.map((p) => (node.laneNames?.[p] ? `${node.laneNames[p]} ${p}` : p)));
      labelled[name] = Object.values(node.laneNames ?? {});
      // Every lane fits in the panel (at 1440 px, the text column scrolls if it must).
      const panel = (await page.locator(".dv-scroll").boundingBox())!;
      const lastLane = (await page.locator(".diagram-head .lane-head").last().boundingBox())!;
      expect(lastLane.x + lastLane.width, name).toBeLessThanOrEqual(panel.x + panel.width);
      expect([...lanes].sort(), name).toEqual(processesOf(node.events));
      expect(lanes.length).toBeGreaterThanOrEqual(2);

      const rows = await rowCount(page);
      expect(rows).toBe(node.events.length);
      const failing = await page.$$eval(".diagram g.row.failing", (gs) => gs.map((g) => [Number(g.getAttribute("data-index")), g.getAttribute("data-op")] as const));
      expect(failing).toEqual([[rows - 1, `FAILS: ${node.kind}`]]);
      expect(await currentIndex(page)).toBe(rows - 1);
      await page.screenshot({ path: join(artifacts, `playground-${name}.png`) });

      // Keyboard stepping (focus on the diagram, not the editor) and the slider, which counts steps.
      const starts = stepStartsOf(node.events);
      expect(await page.getAttribute("#slider", "max")).toBe(String(starts.length - 1));
      expect(await page.inputValue("#slider")).toBe(String(starts.length - 1));
      await page.focus("#diagram-box");
      await page.keyboard.press("ArrowLeft");
      await page.keyboard.press("ArrowLeft");
      expect(await currentIndex(page)).toBe(rows - 3);
      expect(await page.inputValue("#slider")).toBe(String(stepAtOf(starts, rows - 3)));
      await page.keyboard.press("ArrowRight");
      expect(await currentIndex(page)).toBe(rows - 2);
      await page.keyboard.press("Home");
      expect(await currentIndex(page)).toBe(0);
      await page.$eval("#slider", (s) => {
        (s as HTMLInputElement).value = "3";
        s.dispatchEvent(new Event("input"));
      });
      expect(await currentIndex(page)).toBe(starts[3]);
      expect(await page.textContent("#current-event")).toContain(`step ${node.events[starts[3]].step} · ${node.events[starts[3]].pid}`);
      // Clicking the blank part of a row (left of its step number) selects it.
      const bg = (await page.locator('.diagram rect.bg[data-index="2"]').boundingBox())!;
      await page.mouse.click(bg.x + 12, bg.y + bg.height / 2);
      expect(await currentIndex(page)).toBe(2);
      await page.keyboard.press("End");
      expect(await currentIndex(page)).toBe(rows - 1);
    }
    // What the examples call their processes (spot checks of the names above).
    expect(labelled["lost-update"]).toEqual(expect.arrayContaining(["lostUpdate", "store", "increment"]));
    expect(labelled["deadlock"]).toEqual(expect.arrayContaining(["lockServer", "client"]));
    expect(labelled["genserver-cache"]).toContain("cache");
    expect(labelled["supervisor-restart"]).toEqual(expect.arrayContaining(["Agent", "Supervisor", "counter"]));
    expect(labelled["registry-race"]).toContain("lobby");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("lost-update: the state panel shows mailbox and wait reason at a chosen step, and the step's source line highlights in the editor", async () => {
    const { page, errors } = await open();
    await lostUpdateBug(page);
    const node = await nodeExplore("lost-update", 1);
    const source = readFileSync(join(root, "examples", "lost-update.mjs"), "utf8").split("\n");
    // Selects row i by clicking it (the slider moves by steps, and one step can log several rows).
    const chooseRow = async (i: number) => {
      const row = page.locator(`.diagram rect.bg[data-index="${i}"]`);
      await row.scrollIntoViewIfNeeded();
      const box = (await row.boundingBox())!;
      await page.mouse.click(box.x + 40, box.y + box.height / 2); // (the row's right end may be past the panel, under the overview strip)
      expect(await currentIndex(page)).toBe(i);
    };
    // After the first send to the store, its message is in the store's mailbox.
    const first = node.events.findIndex((e) => e.op === "send" && e.detail.startsWith("to <0.2.0>: "));
    await chooseRow(first);
    expect(await page.textContent('.dv-state tr[data-lane="<0.2.0>"] .dv-mailbox')).toContain(node.events[first].detail.slice("to <0.2.0>: ".length));
    expect(await page.textContent(".cm-step-line")).toBe(source.find((l) => l.includes('await send(storePid, { op: "get", from: me })')));
    // A client's receive that waits: its status says so and why.
    const waits = node.events.findIndex((e) => e.op === "receive" && e.result === "waits" && e.pid === "<0.3.0>");
    await chooseRow(waits);
    expect(await page.textContent('.dv-state tr[data-lane="<0.3.0>"] .dv-status')).toMatch(/^waiting in receive: (its mailbox is empty|none of its \d+ messages? matches)/);
    expect(await page.textContent(".cm-step-line")).toContain("await receive((m) => \"value\" in m)");
    // The put: another line; the editor follows the selection, and clicking a row moves it.
    const put = node.events.findIndex((e) => e.op === "send" && e.detail.includes('op: "put"'));
    await chooseRow(put);
    expect(await page.textContent(".cm-step-line")).toContain('await send(storePid, { op: "put", value: value + 1 })');
    expect(await page.$$eval(".cm-step-line", (ns) => ns.length)).toBe(1);
    await page.screenshot({ path: join(artifacts, "playground-state-panel.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a share link reopens the same exploration and finds the same schedule", async () => {
    const first = await open();
    await pick(first.page, "genserver-cache");
    await first.page.selectOption("#strategy", "pct");
    expect(await explore(first.page)).toBe("bug"); // seed left blank: a random one, put in the link
    const seed = Number(await first.page.getAttribute("#status", "data-seed"));
    const trace = await downloadTrace(first.page);
    await first.page.click("#share");
    const url = await first.page.inputValue("#share-url");
    expect(url).toMatch(/#s=[A-Za-z0-9_-]+$/);
    const code = await first.page.$eval(".cm-content", (n) => n.textContent);

    const second = await browser.newPage({ acceptDownloads: true });
    await second.goto(url);
    expect(await settled(second)).toBe("bug");
    expect(await second.$eval(".cm-content", (n) => n.textContent)).toBe(code);
    expect(await second.inputValue("#seed")).toBe(String(seed));
    expect(await second.inputValue("#strategy")).toBe("pct");
    expect((await downloadTrace(second)).decisions).toEqual(trace.decisions);
    await second.screenshot({ path: join(artifacts, "playground-shared.png") });
    expect(first.errors).toEqual([]);
    await first.page.close();
    await second.close();
  });

  it("shows syntax errors and top-level throws with their line, and marks the line", async () => {
    const { page, errors } = await open();
    await pick(page, "lost-update");
    const base = readFileSync(join(root, "examples", "lost-update.mjs"), "utf8").split("\n").length; // the editor's line count
    const cases: [string, RegExp][] = [
      ["let x = ;", /SyntaxError at line (\d+)/], // found by the page's parser
      ["const o = { a: 1,, };", /SyntaxError at line (\d+)/], // only the browser's parser rejects this
      ["null.x;", /TypeError at line (\d+)/], // a throw while the module loads
    ];
    for (const [bad, want] of cases) {
      await page.click(".cm-content");
      await page.keyboard.press("Control+End");
      await page.keyboard.type(`\n${bad}`);
      expect(await explore(page)).toBe("error");
      const text = (await page.textContent("#error"))!;
      expect(text, text).toMatch(want);
      expect(Number(want.exec(text)![1]), text).toBe(base + 1);
      expect(await page.$$eval(".cm-error-line", (ns) => ns.length)).toBe(1);
      await page.screenshot({ path: join(artifacts, `playground-error-${cases.findIndex((c) => c[0] === bad)}.png`) });
      await pick(page, "lost-update"); // back to the example for the next case
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it("strips TypeScript types, keeping lines: the bug's throw points at its line", async () => {
    const code = [
      'import { spawn, send, receive, self, type Pid } from "lockstep";',
      "interface Msg { op: string; from?: Pid; value?: number }",
      "async function store(): Promise<void> {",
      "  let value: number = 0;",
      "  for (;;) {",
      "    const msg = (await receive()) as Msg;",
      '    if (msg.op === "get") await send(msg.from!, { value });',
      '    else if (msg.op === "put") value = msg.value!;',
      '    else if (msg.op === "read") await send(msg.from!, { final: value });',
      "  }",
      "}",
      "async function inc(s: Pid, parent: Pid): Promise<void> {",
      '  await send(s, { op: "get", from: self() });',
      '  const { value } = await receive<{ value: number }>((m: any) => "value" in m);',
      '  await send(s, { op: "put", value: value + 1 });',
      '  await send(parent, "done");',
      "}",
      "export default async function typed(): Promise<void> {",
      "  const me: Pid = self();",
      "  const s = await spawn(store);",
      "  await spawn(() => inc(s, me));",
      "  await spawn(() => inc(s, me));",
      '  await receive((m: unknown) => m === "done");',
      '  await receive((m: unknown) => m === "done");',
      '  await send(s, { op: "read", from: me });',
      '  const { final } = await receive<{ final: number }>((m: any) => "final" in m);',
      '  if (final !== 2) throw new Error(`lost: ${final}`);',
      "}",
    ].join("\n");
    const { page, errors } = await open(shareHash(code, { strategy: "random", iterations: 500, seed: 3 }, "ts"));
    expect(await settled(page), (await page.textContent("#error")) ?? "").toBe("bug");
    expect(await page.textContent("#bug-message")).toContain("thrown at line 27");
    expect(await page.$$eval(".cm-error-line", (ns) => ns.length)).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("Stop ends a long search; the next Explore runs in a fresh worker", async () => {
    const { page, errors } = await open(shareHash(PING_PONG, { strategy: "random", iterations: 10_000_000, seed: 1 }));
    await page.waitForFunction(() => (document.getElementById("progress") as HTMLProgressElement).value > 0);
    expect(await page.getAttribute("#status", "data-state")).toBe("running");
    await page.click("#stop");
    expect(await page.getAttribute("#status", "data-state")).toBe("stopped");
    expect(await page.isDisabled("#stop")).toBe(true);
    await page.fill("#iterations", "200");
    expect(await explore(page)).toBe("ok");
    expect(await page.getAttribute("#status", "data-iterations")).toBe("200");
    // A passing run shows what it covered and its last iteration's schedule, which replays (no bug: nothing to shrink).
    expect(await page.getAttribute("#bug", "data-sample")).toBe("true");
    expect(await page.textContent("#bug-message")).toMatch(/^200 iterations · \d+ distinct schedules? · [\d,]+ steps in all\nBelow: the last iteration's interleaving \(iteration 200, \d+ decisions\)\.$/);
    expect(await rowCount(page)).toBeGreaterThan(4);
    expect(await page.isDisabled("#shrink")).toBe(true);
    await page.click("#replay");
    expect(await settled(page)).toBe("ok");
    expect(await page.textContent("#status")).toContain("runs to the end without failing");
    // The default strategy enumerates this small space: the verdict is a proof, not a sample.
    await page.selectOption("#strategy", "portfolio");
    expect(await explore(page)).toBe("ok");
    expect(await page.textContent("#status")).toMatch(/^No bug in any interleaving: all 12 explored, \d+ iterations in/);
    expect(await page.textContent("#bug-message")).toContain("every interleaving explored (12)");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shrinks and replays a bug, and loads a trace file from Node", async () => {
    const { page, errors } = await open();
    await lostUpdateBug(page);
    const original = await downloadTrace(page);

    await page.click("#shrink");
    expect(await settled(page)).toBe("bug");
    expect(await page.textContent("#status")).toMatch(/^Shrunk the schedule from \d+ to \d+ decisions/);
    const shrunk = await downloadTrace(page);
    expect(shrunk.decisions.length).toBeLessThanOrEqual(original.decisions.length);
    expect(Number(await page.getAttribute("#status", "data-shrunk-length"))).toBe(shrunk.decisions.length);

    await page.click("#replay");
    expect(await settled(page)).toBe("bug");
    expect(await page.textContent("#status")).toContain("the failure reproduces");
    expect((await downloadTrace(page)).decisions).toEqual(shrunk.decisions);

    // A trace saved by Node: shown from its records, then replayed against the editor's program.
    const node = await nodeExplore("lost-update", 5);
    const file = join(artifacts, "playground-node-trace.json");
    writeFileSync(file, JSON.stringify(node.trace));
    await page.setInputFiles("#load-trace", file);
    await page.waitForFunction(() => document.getElementById("status")!.dataset.state === "trace");
    expect(await rowCount(page)).toBe(node.trace.events.length + 1);
    expect(await page.$$eval(".diagram g.row.failing", (gs) => gs.length)).toBe(1);
    const lanes = await page.$$eval(".diagram-head [data-lane]", (ns) => ns.map((n) => n.getAttribute("data-lane")!));
    expect([...lanes].sort()).toEqual(processesOf(node.events));
    await page.screenshot({ path: join(artifacts, "playground-trace-file.png") });
    await page.click("#replay");
    expect(await settled(page)).toBe("bug");
    expect(await rowCount(page)).toBe(node.events.length);
    expect((await downloadTrace(page)).decisions).toEqual(node.trace.decisions);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("prints the worker's throughput next to Node's on the same program", async () => {
    // A correct counter (one atomic increment per client), so every iteration runs.
    const program = [
      'import { spawn, send, receive, self } from "lockstep";',
      "async function store() {",
      "  let value = 0;",
      "  for (;;) {",
      "    const m = await receive();",
      '    if (m.op === "inc") { value++; await send(m.from, "ok"); }',
      '    else await send(m.from, { final: value });',
      "  }",
      "}",
      "export default async function counter() {",
      "  const me = self();",
      "  const s = await spawn(store);",
      "  for (let i = 0; i < 3; i++) await spawn(async () => { await send(s, { op: \"inc\", from: self() }); await receive(); await send(me, \"done\"); });",
      "  for (let i = 0; i < 3; i++) await receive((m) => m === \"done\");",
      '  await send(s, { op: "read", from: me });',
      '  const { final } = await receive((m) => typeof m === "object");',
      '  if (final !== 3) throw new Error("lost an increment");',
      "}",
    ].join("\n");
    const options = { strategy: "random", iterations: 20_000, seed: 1 }; // enough to get past both JITs' warm-up
    const { page, errors } = await open(shareHash(program, options));
    expect(await settled(page, 60_000)).toBe("ok");
    const worker = { iterations: Number(await page.getAttribute("#status", "data-iterations")), rate: Number(await page.getAttribute("#status", "data-rate")) };
    expect(worker.iterations).toBe(20_000);

    // Node on the built package (release engine), as `lockstep explore` runs it.
    const file = join(artifacts, "playground-throughput.mjs");
    writeFileSync(file, program);
    const script = `const { explore } = await import("lockstep"); const body = (await import(${JSON.stringify(file)})).default;
      const r = await explore(body, { ...${JSON.stringify(options)}, traceDir: false });
      console.log(JSON.stringify({ ok: r.ok, iterations: r.stats.iterations, rate: r.stats.iterations * 1000 / r.stats.elapsedMs }));`;
    const env = { ...process.env };
    delete env.LOCKSTEP_ENGINE;
    const node = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, env, encoding: "utf8" })) as { ok: boolean; iterations: number; rate: number };
    expect(node).toMatchObject({ ok: true, iterations: 20_000 });
    console.log(`throughput on the same program (20,000 iterations, random, seed 1): playground worker ${worker.rate.toFixed(0)} it/s, Node ${node.rate.toFixed(0)} it/s (worker/Node = ${(worker.rate / node.rate).toFixed(2)})`);
    expect(errors).toEqual([]);
    await page.close();
  });


  it("clears old results on a new run, an error and Stop; Shrink and Replay act only on a current result; the progress total is the run's", async () => {
    const { page, errors } = await open();
    const gone = async (why: string) => {
      expect(await page.isVisible("#bug"), why).toBe(false);
      expect(await rowCount(page), why).toBe(0);
      for (const b of ["#shrink", "#replay", "#download"]) expect(await page.isDisabled(b), `${why}: ${b}`).toBe(true);
    };
    await lostUpdateBug(page);
    expect(await page.isVisible("#bug")).toBe(true);

    // A syntax error: the old result goes.
    await page.click(".cm-content");
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\nlet x = ;");
    expect(await explore(page)).toBe("error");
    await gone("under a syntax error");

    // A stopped run: the result goes as the run starts, and stays gone.
    await pick(page, "lost-update");
    expect(await explore(page)).toBe("bug");
    await page.click(".cm-content");
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(SENDERS);
    await page.fill("#iterations", "10000000");
    await page.click("#explore");
    await page.waitForFunction(() => (document.getElementById("progress") as HTMLProgressElement).value > 0);
    await gone("while running");
    expect(await page.textContent("#progress-text")).toContain(" / 10,000,000 iterations");
    await page.click("#stop");
    expect(await page.getAttribute("#status", "data-state")).toBe("stopped");
    await gone("after Stop");

    // The next run's total is its own (lost-update's file says 1,000), not the stopped run's.
    await pick(page, "lost-update");
    await page.fill("#iterations", "");
    expect(await explore(page)).toBe("bug");
    expect(await page.$eval("#progress", (p) => (p as HTMLProgressElement).max)).toBe(1000);
    expect(await page.textContent("#progress-text")).toMatch(/^\d+ \/ 1,000 iterations/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("autosaves drafts per example, restores them on reload, and asks before discarding edits", async () => {
    const asked: string[] = [];
    const answers: boolean[] = [];
    const { page, errors } = await open("", (m) => (asked.push(m), answers.shift() ?? true));
    await pick(page, "lost-update");
    await page.click(".cm-content");
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\n// my draft");
    await page.waitForFunction(() => (localStorage.getItem("lockstep-playground:draft:lost-update") ?? "").includes("// my draft"));

    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.inputValue("#example")).toBe("lost-update");
    expect(await page.textContent(".cm-content")).toContain("// my draft");
    expect(await page.getAttribute("#status", "data-draft")).toBe("restored");

    // Switching examples asks; Cancel keeps the program and its edits.
    answers.push(false);
    await page.selectOption("#example", "deadlock");
    expect(asked).toEqual([expect.stringMatching(/Discard your edits to lost-update/)]);
    expect(await page.inputValue("#example")).toBe("lost-update");
    expect(await page.textContent(".cm-content")).toContain("// my draft");
    // OK discards them: the draft is gone, and the new example opens as shipped.
    answers.push(true);
    const loads = Number(await page.getAttribute("body", "data-loads"));
    await page.selectOption("#example", "deadlock");
    await page.waitForFunction((n) => Number(document.body.dataset.loads) > n, loads);
    expect(asked.length).toBe(2);
    expect(await page.textContent(".cm-content")).not.toContain("// my draft");
    expect(await page.evaluate(() => localStorage.getItem("lockstep-playground:draft:lost-update"))).toBeNull();

    // Reloading opens the example open last; an unedited one switches without asking.
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.inputValue("#example")).toBe("deadlock");
    expect(await page.getAttribute("#status", "data-draft")).toBeNull();
    await pick(page, "lost-update");
    expect(asked.length).toBe(2);
    expect(await page.textContent(".cm-content")).not.toContain("// my draft");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a share link made after Shrink reopens the shrunk schedule", async () => {
    const first = await open();
    await pick(first.page, "lost-update");
    await first.page.fill("#seed", "1");
    expect(await explore(first.page)).toBe("bug");
    const original = await downloadTrace(first.page);
    await first.page.click("#shrink");
    expect(await settled(first.page)).toBe("bug");
    const shrunk = await downloadTrace(first.page);
    expect(shrunk.decisions.length).toBeLessThan(original.decisions.length); // (else the test could not tell them apart)
    await first.page.click("#share");
    expect(await first.page.getAttribute("#share-box", "data-schedule")).toBe("yes");
    const url = await first.page.inputValue("#share-url");

    const second = await browser.newPage({ acceptDownloads: true });
    await second.goto(url);
    expect(await settled(second)).toBe("bug");
    expect(await second.textContent("#status")).toContain("the failure reproduces");
    expect((await downloadTrace(second)).decisions).toEqual(shrunk.decisions);
    expect(first.errors).toEqual([]);
    await first.page.close();
    await second.close();
  });

  it("a 100,000-step livelock: Stop works while it is drawn; then it is drawn, steps, and the slider counts steps without clipping 6 digits", async () => {
    const livelock = join(artifacts, "playground-livelock.mjs"); // inside the package, so `from "lockstep"` resolves
    writeFileSync(livelock, LIVELOCK);
    const node = await nodeBug(livelock, { maxSteps: 100_000, iterations: 1, seed: 1 });
    const starts = stepStartsOf(node.events);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    // Press Stop the moment the page starts drawing (deterministic, unlike racing a click).
    await page.addInitScript(() => {
      const w = window as unknown as { stoppedWhileDrawing?: boolean };
      const watch = new MutationObserver(() => {
        if (document.getElementById("status")?.dataset.phase !== "drawing") return;
        watch.disconnect();
        document.getElementById("stop")!.click();
        w.stoppedWhileDrawing = true;
      });
      watch.observe(document, { subtree: true, attributes: true, attributeFilter: ["data-phase"] });
    });
    await page.goto(`${server.url}/index.html${shareHash(LIVELOCK, { maxSteps: 100_000, iterations: 1, seed: 1 })}`);
    expect(await settled(page, 60_000)).toBe("stopped");
    expect(await page.evaluate(() => (window as unknown as { stoppedWhileDrawing?: boolean }).stoppedWhileDrawing)).toBe(true);
    expect(await page.isVisible("#bug")).toBe(false);
    expect(await rowCount(page)).toBe(0);

    // Again, to the end: the bug, virtualized rows, the failing row selected.
    await page.click("#explore");
    expect(await settled(page, 60_000)).toBe("bug");
    await page.waitForSelector("#bug[data-interactive-ms]");
    const t = await page.$eval("#bug", (b) => ({ ...(b as HTMLElement).dataset }));
    console.log(`playground, livelock (${node.events.length} rows): bug to interactive diagram ${t.interactiveMs} ms (worker ${t.prepMs} ms, to the page ${t.transferMs} ms, drawing ${t.drawMs} ms); aim < 1000 ms`);
    expect(await rowCount(page)).toBeLessThan(200);
    expect(await currentIndex(page)).toBe(node.events.length - 1);
    expect(await page.getAttribute("#slider", "max")).toBe(String(starts.length - 1));
    const steps = starts.length.toLocaleString("en-US");
    expect(await page.textContent("#step-pos")).toBe(`${steps} / ${steps}`);
    const clipped = () => page.$eval("#step-pos", (n) => n.scrollWidth > n.clientWidth || n.getBoundingClientRect().right > innerWidth);
    expect(await clipped()).toBe(false);
    await page.screenshot({ path: join(artifacts, "playground-1280x800-livelock.png") });

    // Step actions, timed in the page (key press to the next painted frame).
    const actions = await page.evaluate(async () => {
      const box = document.getElementById("diagram-box")!;
      const times: Record<string, number[]> = {};
      for (const key of ["ArrowLeft", "ArrowLeft", "PageUp", "Home", "ArrowRight", "PageDown", "End", "ArrowUp"]) {
        const t0 = performance.now();
        box.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        (times[key] ??= []).push(Math.round(performance.now() - t0));
      }
      return times;
    });
    console.log(`playground, livelock: step actions (ms, key to next frame) ${JSON.stringify(actions)}; aim < 100 ms each`);
    expect(await currentIndex(page)).toBe(node.events.length - 2); // End, then ArrowUp
    const mid = Math.floor(starts.length / 2);
    await page.$eval("#slider", (s, v) => {
      (s as HTMLInputElement).value = String(v);
      s.dispatchEvent(new Event("input"));
    }, mid);
    expect(await currentIndex(page)).toBe(starts[mid]);
    expect(await page.textContent("#current-event")).toContain(`step ${node.events[starts[mid]].step} · `);
    // The causal slice follows the diagram (seconds of the worker's time on 100,000 steps), then "causal slice only" works.
    await page.waitForSelector("#bug[data-details-ms]", { timeout: 60_000 });
    console.log(`playground, livelock: causal slice and report text ${await page.getAttribute("#bug", "data-details-ms")} ms after the bug`);
    expect(await page.isDisabled("#slice-only")).toBe(false);
    await page.check("#slice-only");
    expect(await rowCount(page)).toBeLessThan(200);
    await page.uncheck("#slice-only");

    // At phone size: stacked, nothing clipped.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.keyboard.press("End");
    expect(await clipped()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(artifacts, "playground-390x844-livelock.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("layout: 7 lanes leave the operation column on screen at 1280 px; at 390x844 the editor and diagram stack and Share and Load trace are reachable", async () => {
    const wide = await open("", () => true, { width: 1280, height: 800 });
    await pick(wide.page, "supervisor-restart");
    await wide.page.fill("#seed", "1");
    expect(await explore(wide.page)).toBe("bug");
    const lanes = await wide.page.$$eval(".diagram-head [data-lane]", (ns) => ns.length);
    expect(lanes).toBeGreaterThanOrEqual(5);
    const room = await wide.page.evaluate(() => {
      const area = document.querySelector(".dv-scroll")!.getBoundingClientRect();
      const label = document.querySelector(".diagram g.row text.label")!.getBoundingClientRect();
      return area.right - label.left;
    });
    console.log(`layout at 1280 px with ${lanes} lanes: ${Math.round(room)} px of the operation column in view`);
    expect(room).toBeGreaterThanOrEqual(240);
    expect(await wide.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    await wide.page.close();

    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      const { page, errors } = await open("", () => true, viewport);
      await lostUpdateBug(page);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      for (const id of ["#share", 'label[for="load-trace"]', "#explore", "#shrink", "#replay", "#download"]) {
        const b = (await page.locator(id).boundingBox())!;
        expect(b.x, id).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width, id).toBeLessThanOrEqual(viewport.width);
      }
      const editor = (await page.locator("#editor").boundingBox())!;
      const diagram = (await page.locator("#diagram-box").boundingBox())!;
      if (viewport.width < 760) expect(editor.y + editor.height).toBeLessThanOrEqual(diagram.y); // stacked
      else {
        expect(editor.x + editor.width).toBeLessThanOrEqual(diagram.x); // side by side
        // the selected (failing) row is on screen, not below the fold
        const row = (await page.locator(".diagram g.row.current").boundingBox())!;
        expect(row.y + row.height).toBeLessThanOrEqual(viewport.height);
      }
      await page.screenshot({ path: join(artifacts, `playground-${viewport.width}x${viewport.height}-lost-update.png`), fullPage: viewport.width < 760 });
      await page.click("#share");
      expect(await page.isVisible("#share-url")).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it("a report from `lockstep explore --report` opens in the playground and replays to the same failure", async () => {
    const report = join(artifacts, "playground-lost-update-report.html");
    const cliRun = cli("explore", "examples/lost-update.mjs", "--seed", "1", "--report", report, "--trace-dir", join(artifacts, "playground-traces"), "--quiet");
    expect(cliRun.status, cliRun.stderr).toBe(1);
    const carried = JSON.parse(traceTextOf(readFileSync(report, "utf8"))) as ls.TraceFile;
    expect(carried.failure).not.toBeNull();

    const { page, errors } = await open();
    await pick(page, "lost-update");
    await page.setInputFiles("#load-trace", report);
    await page.waitForFunction(() => document.getElementById("status")!.dataset.state === "trace");
    expect(await page.$$eval(".diagram g.row.failing", (gs) => gs.length)).toBe(1);
    await page.click("#replay");
    expect(await settled(page)).toBe("bug");
    expect(await page.textContent("#status")).toContain("the failure reproduces");
    expect(await page.textContent("#bug-title")).toBe(`Replayed: ${carried.failure!.kind}`);
    expect(await page.textContent("#bug-message")).toContain(carried.failure!.message);
    const replayed = await downloadTrace(page);
    expect(replayed.decisions).toEqual(carried.decisions);
    expect(replayed.failure).toEqual(carried.failure);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("logs how soon the livelock's report file is interactive", async () => {
    const scenario = join(artifacts, "playground-livelock-report.mjs");
    writeFileSync(scenario, LIVELOCK + "\nexport const options = { maxSteps: 100000, iterations: 1 };\n");
    const report = join(artifacts, "playground-livelock-report.html");
    const cliRun = cli("explore", scenario, "--seed", "1", "--report", report, "--trace-dir", join(artifacts, "playground-traces"), "--quiet");
    expect(cliRun.status, cliRun.stderr).toBe(1);
    const files = await serve(artifacts);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      const t0 = Date.now();
      await page.goto(`${files.url}/playground-livelock-report.html`);
      await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      const ready = Date.now() - t0;
      // Interactive: a step action answers.
      await page.keyboard.press("Home");
      await page.waitForSelector('.diagram g.row.current[data-index="0"]');
      console.log(`livelock report (${(statSync(report).size / 1e6).toFixed(2)} MB): ready ${ready} ms, first step action answered ${Date.now() - t0} ms after navigation; aim < 2000 ms`);
    } finally {
      await page.close();
      await files.close();
    }
  });

  it("serves minified bundles compressed, and loads sucrase only for TypeScript", async () => {
    const encodings = new Map<string, string>();
    const { page, errors } = await open();
    page.on("response", (r) => encodings.set(new URL(r.url()).pathname, r.headers()["content-encoding"] ?? "identity"));
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    await lostUpdateBug(page);
    const chunk = readdirSync(site).find((f) => /^strip-types-.*\.js$/.test(f));
    expect(chunk).toBeDefined();
    expect([...encodings.keys()].some((p) => p.includes("strip-types"))).toBe(false); // JavaScript needs no sucrase
    for (const f of ["/main.js", "/worker.js", "/browser.js", "/engine.wasm", "/style.css"]) expect(encodings.get(f), f).toBe("br");

    await page.selectOption("#lang", "ts");
    expect(await explore(page)).toBe("bug");
    expect(encodings.get(`/${chunk}`)).toBe("br");

    const sizes = ["main.js", chunk!, "worker.js", "browser.js", "engine.wasm"].map((f) => {
      const raw = readFileSync(join(site, f));
      return `${f} ${raw.length} B (gzip ${gzipSync(raw).length}, br ${brotliCompressSync(raw).length})`;
    });
    console.log(`playground bundles: ${sizes.join("; ")}`);
    expect(readFileSync(join(site, "main.js"), "utf8").split("\n").length).toBeLessThan(100); // minified
    expect(errors).toEqual([]);
    await page.close();
  });
});
