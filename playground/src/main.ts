// The playground page: editor, controls, the worker that explores, and the result
// view (diagram, stepping, causal slice, shrink / replay, share, trace files).
import type { StepEvent, TraceFile } from "lockstep";
import type { BugView, ErrorInfo, Reply, Request, Result, RunOptions, SampleView, Stats } from "./protocol.js";
import { cutReport } from "./protocol.js";
import { createEditor } from "./editor.js";
import { prepare, locateSyntaxError, locateMissingExport, type Lang } from "./source.js";
import { DIAGRAM_CSS, diagramData, eventText, mountDiagram, type DiagramHandle } from "../../src/cli/diagram-view.js";
import { stateModel } from "../../src/cli/diagram-state.js";
import { encodeShare, decodeShare, type Shared } from "./share.js";
import { parseTraceText, traceEvents, traceSlice } from "./trace-view.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  example: $<HTMLSelectElement>("example"),
  lang: $<HTMLSelectElement>("lang"),
  share: $<HTMLButtonElement>("share"),
  shareBox: $<HTMLDivElement>("share-box"),
  shareUrl: $<HTMLInputElement>("share-url"),
  loadTrace: $<HTMLInputElement>("load-trace"),
  strategy: $<HTMLSelectElement>("strategy"),
  iterations: $<HTMLInputElement>("iterations"),
  seed: $<HTMLInputElement>("seed"),
  maxSteps: $<HTMLInputElement>("max-steps"),
  timers: $<HTMLSelectElement>("timers"),
  scenarioBox: $<HTMLLabelElement>("scenario-box"),
  scenario: $<HTMLSelectElement>("scenario"),
  explore: $<HTMLButtonElement>("explore"),
  stop: $<HTMLButtonElement>("stop"),
  progress: $<HTMLProgressElement>("progress"),
  progressText: $<HTMLSpanElement>("progress-text"),
  status: $<HTMLDivElement>("status"),
  error: $<HTMLDivElement>("error"),
  bug: $<HTMLDivElement>("bug"),
  bugTitle: $<HTMLHeadingElement>("bug-title"),
  bugMessage: $<HTMLPreElement>("bug-message"),
  bugMeta: $<HTMLParagraphElement>("bug-meta"),
  shrink: $<HTMLButtonElement>("shrink"),
  replay: $<HTMLButtonElement>("replay"),
  download: $<HTMLButtonElement>("download"),
  sliceOnly: $<HTMLInputElement>("slice-only"),
  prev: $<HTMLButtonElement>("prev"),
  next: $<HTMLButtonElement>("next"),
  slider: $<HTMLInputElement>("slider"),
  stepPos: $<HTMLSpanElement>("step-pos"),
  currentEvent: $<HTMLDivElement>("current-event"),
  diagramBox: $<HTMLDivElement>("diagram-box"),
  report: $<HTMLPreElement>("report"),
};

/** The library bundle, as the worker imports it; user code's `from "lockstep"` points here. */
const BUNDLE_URL = new URL("./browser.js", import.meta.url).href;

document.head.append(Object.assign(document.createElement("style"), { textContent: DIAGRAM_CSS }));

const editor = createEditor($("editor"), () => {
  if (ui.error.dataset.line) hideError();
});

// ---- the result being shown -----------------------------------------------------

interface Shown {
  events: StepEvent[];
  failing: number;
  slice: number[];
  trace: TraceFile;
  /** Seed and strategy of an exploration, for share links. */
  bug: BugView | null;
  /** Lane names by pid (function, registered name), when the run recorded them. */
  names?: Record<string, string>;
}

let shown: Shown | null = null;
/** The seed of the last exploration (what "random" turned out to be). */
let lastSeed: number | undefined;

/** The diagram component showing `shown` (it owns which rows are shown: slice, filter). */
let view: DiagramHandle | null = null;

const sliceOnly = () => (shown && ui.sliceOnly.checked && shown.slice.length > 0 ? shown.slice : null);

function render(s: Shown, title: string, message: string, meta: string, report: string): void {
  shown = s;
  ui.bug.hidden = false;
  delete ui.bug.dataset.sample;
  ui.bugTitle.textContent = title;
  ui.bugMessage.textContent = message;
  ui.bugMeta.textContent = meta;
  ui.report.textContent = cutReport(report);
  ui.sliceOnly.disabled = s.slice.length === 0;
  drawShown();
  if (s.bug?.errorAt) editor.markLine(s.bug.errorAt.line);
}

function drawShown(): void {
  if (!shown) return;
  const s = shown;
  const host = document.createElement("div");
  ui.diagramBox.replaceChildren(host);
  const data = diagramData(s.events, { failing: s.failing, slice: s.slice, names: s.names });
  view = mountDiagram(host, data, {
    only: sliceOnly(),
    state: stateModel(data),
    onSelect(i, k, count) {
      // The step's line of the program (the worker's "line N"), marked in the editor.
      editor.markStep(s.events[i].at ? Number(s.events[i].at!.slice(5)) : null);
      ui.slider.max = String(Math.max(0, count - 1));
      ui.slider.value = String(k);
      const e = s.events[i];
      ui.stepPos.textContent = `${k + 1} / ${count}`;
      ui.currentEvent.textContent = `step ${e.step} · ${e.pid} · ${eventText(e)}`;
      ui.currentEvent.classList.toggle("failing", i === s.failing);
    },
  });
}

/** Moves the highlight to position `k` of the shown rows (the component scrolls it into view). */
function select(k: number): void {
  view?.select(k);
}

const position = () => view?.position() ?? 0;

ui.slider.addEventListener("input", () => select(Number(ui.slider.value)));
ui.prev.addEventListener("click", () => select(position() - 1));
ui.next.addEventListener("click", () => select(position() + 1));
ui.sliceOnly.addEventListener("change", () => view?.setOnly(sliceOnly()));
document.addEventListener("keydown", (ev) => {
  const t = ev.target as HTMLElement;
  if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") {
    ev.preventDefault();
    if (!ui.explore.disabled) startExplore();
    return;
  }
  if (!shown || t.closest(".cm-editor") || t === ui.slider || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName)) return;
  const page = 20;
  const moves: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, PageDown: page, PageUp: -page };
  if (ev.key in moves) select(position() + moves[ev.key]);
  else if (ev.key === "Home") select(0);
  else if (ev.key === "End") select((view?.count() ?? 1) - 1);
  else return;
  ev.preventDefault();
});

function showBug(bug: BugView, title: string, extra = ""): void {
  const meta = `iteration ${bug.iteration} · seed ${bug.seed} · strategy ${bug.strategy} · ${bug.trace.decisions.length} decisions${extra ? " · " + extra : ""}`;
  const where = bug.errorAt ? `\n(${bug.kind === "exception" || bug.kind === "crash" ? "thrown" : "raised"} at line ${bug.errorAt.line})` : "";
  render({ events: bug.events, failing: bug.events.length - 1, slice: bug.slice, trace: bug.trace, bug, names: bug.laneNames }, title, bug.message + where, meta, bug.format);
  ui.shrink.disabled = ui.replay.disabled = ui.download.disabled = false;
}

/** A passing search: what it covered, and its last iteration's interleaving to look at (Replay runs it again; nothing to shrink). */
function showSample(sample: SampleView, s: Stats): void {
  const distinct = `${fmt(s.distinctSchedules)}${s.distinctSchedulesEstimated ? " (estimated)" : ""} distinct schedule${s.distinctSchedules === 1 ? "" : "s"}`;
  const covered = s.complete ? " · every interleaving explored (dpor)" : "";
  render(
    { events: sample.events, failing: -1, slice: [], trace: sample.trace, bug: null, names: sample.laneNames },
    "No bug found: a sample schedule",
    `${fmt(s.iterations)} iterations · ${distinct} · ${fmt(s.steps)} steps in all${covered}\nBelow: the last iteration's interleaving (iteration ${sample.iteration}, ${sample.trace.decisions.length} decisions).`,
    `iteration ${sample.iteration} · seed ${s.seed} · strategy ${s.strategy}`,
    sample.events.map((e) => `${e.step}  ${e.pid}  ${eventText(e)}`).join("\n"),
  );
  ui.bug.dataset.sample = "true";
  ui.replay.disabled = ui.download.disabled = false;
  ui.shrink.disabled = true;
}

// ---- status, errors, progress ---------------------------------------------------

function setStatus(state: string, text: string, data: Record<string, string | number> = {}): void {
  ui.status.dataset.state = state;
  for (const k of Object.keys(ui.status.dataset)) if (k !== "state") delete ui.status.dataset[k];
  for (const [k, v] of Object.entries(data)) ui.status.dataset[k] = String(v);
  ui.status.textContent = text;
}

function showError(info: ErrorInfo): void {
  const where = info.at ? ` at line ${info.at.line}${info.at.col > 0 ? `, column ${info.at.col}` : ""}` : "";
  const what = info.phase === "load" ? "The program could not be loaded" : "The run failed";
  ui.error.hidden = false;
  ui.error.textContent = `${what}: ${info.name}${where}: ${info.message}`;
  if (info.at) ui.error.dataset.line = String(info.at.line);
  else delete ui.error.dataset.line;
  editor.markLine(info.at ? info.at.line : null);
  setStatus("error", info.phase === "load" ? "Fix the program and press Explore again." : "The run stopped with an error.");
}

function hideError(): void {
  ui.error.hidden = true;
  delete ui.error.dataset.line;
  editor.markLine(null);
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function showProgress(iterations: number, total: number, distinct: number, elapsedMs: number): void {
  ui.progress.max = Math.max(1, total);
  ui.progress.value = iterations;
  const rate = elapsedMs > 0 ? (iterations * 1000) / elapsedMs : 0;
  const speed = elapsedMs >= 100 ? ` · ${fmt(rate)} it/s` : "";
  ui.progressText.textContent = `${fmt(iterations)} / ${fmt(total)} iterations${speed} · ${fmt(distinct)} distinct schedules`;
}

// ---- the worker -----------------------------------------------------------------

let worker: Worker | null = null;
let nextId = 1;
let running: { id: number; action: Request["action"]; code: string; started: number } | null = null;

function ensureWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  w.onmessage = (e: MessageEvent<Reply>) => onReply(e.data);
  w.onerror = (e) => {
    e.preventDefault();
    finish();
    showError({ name: "Error", message: e.message || "the worker could not start (is browser.js beside the page?)", phase: "run" });
    w.terminate();
    if (worker === w) worker = null;
  };
  worker = w;
  return w;
}

function busy(on: boolean): void {
  for (const b of [ui.explore, ui.shrink, ui.replay]) b.disabled = on;
  if (!on && !shown) ui.shrink.disabled = ui.replay.disabled = true;
  ui.stop.disabled = !on;
}

function finish(): void {
  running = null;
  busy(false);
}

/** Strips types, points imports at the bundle and sends the request; false on a syntax error. */
type Submit = { action: "explore"; options: RunOptions } | { action: "replay" | "shrink"; trace: TraceFile };

function submit(req: Submit, label: string): boolean {
  hideError();
  let code: string;
  try {
    code = prepare(editor.getCode(), ui.lang.value as Lang, BUNDLE_URL);
  } catch (e) {
    showError(e as ErrorInfo);
    return false;
  }
  const id = nextId++;
  running = { id, action: req.action, code, started: performance.now() };
  busy(true);
  setStatus("running", label);
  ensureWorker().postMessage({ ...req, id, code, scenario: ui.scenario.value || undefined } as Request);
  return true;
}

function readOptions(): RunOptions {
  const int = (el: HTMLInputElement) => (el.value.trim() === "" ? undefined : Number(el.value));
  const o: RunOptions = {};
  if (ui.strategy.value) o.strategy = ui.strategy.value;
  if (int(ui.iterations) !== undefined) o.iterations = int(ui.iterations);
  if (int(ui.seed) !== undefined) o.seed = int(ui.seed);
  if (int(ui.maxSteps) !== undefined) o.maxSteps = int(ui.maxSteps);
  if (ui.timers.value) o.timers = ui.timers.value as RunOptions["timers"];
  return o;
}

function writeOptions(o: RunOptions): void {
  ui.strategy.value = o.strategy ?? "";
  ui.iterations.value = o.iterations === undefined ? "" : String(o.iterations);
  ui.seed.value = o.seed === undefined ? "" : String(o.seed);
  ui.maxSteps.value = o.maxSteps === undefined ? "" : String(o.maxSteps);
  ui.timers.value = o.timers ?? "";
}

function startExplore(): void {
  ui.progress.value = 0;
  ui.progressText.textContent = "";
  submit({ action: "explore", options: readOptions() }, "Exploring…");
}

async function onReply(m: Reply): Promise<void> {
  if (!running || m.id !== running.id) return; // a reply to a request that was stopped
  if (m.type === "loaded") {
    ui.scenario.replaceChildren(...m.scenarios.map((s) => new Option(s, s, false, s === m.scenario)));
    ui.scenarioBox.hidden = m.scenarios.length < 2;
    return;
  }
  if (m.type === "progress") {
    showProgress(m.iterations, m.total, m.distinctSchedules, m.elapsedMs);
    return;
  }
  const code = running.code;
  finish();
  if (m.type === "failed") {
    let info = m.error;
    if (info.phase === "load" && info.name === "SyntaxError" && !info.at) {
      info = locateMissingExport(editor.getCode(), info.message) ?? (await locateSyntaxError(code)) ?? info;
    }
    showError(info);
    return;
  }
  showResult(m.result);
}

function showResult(r: Result): void {
  if (r.action === "explore") {
    const s = r.stats;
    lastSeed = s.seed;
    showProgress(s.iterations, r.ok ? s.iterations : Math.max(s.iterations, Number(ui.progress.max)), s.distinctSchedules, s.elapsedMs);
    const rate = s.elapsedMs > 0 ? (s.iterations * 1000) / s.elapsedMs : 0;
    const data = { iterations: s.iterations, elapsedMs: s.elapsedMs.toFixed(1), seed: s.seed, rate: rate.toFixed(1) };
    const speed = s.elapsedMs >= 100 ? ` (${fmt(rate)} it/s)` : "";
    const took = `${fmt(s.iterations)} iteration${s.iterations === 1 ? "" : "s"} in ${(s.elapsedMs / 1000).toFixed(2)} s${speed}, seed ${s.seed}, strategy ${s.strategy}`;
    if (r.ok) {
      setStatus("ok", `No bug found: ${took}.`, data);
      shown = null;
      ui.bug.hidden = true;
      busy(false);
      if (r.sample) showSample(r.sample, s);
      return;
    }
    setStatus("bug", `Found a bug after ${took}.`, data);
    showBug(r.bug, `Bug found: ${r.bug.kind}`);
    return;
  }
  if (r.action === "replay") {
    if (r.ok) {
      setStatus("ok", "Replayed: the schedule runs to the end without failing against this program.");
      return;
    }
    setStatus("bug", "Replayed: the failure reproduces.");
    showBug(r.bug, `Replayed: ${r.bug.kind}`);
    return;
  }
  setStatus("bug", `Shrunk the schedule from ${r.originalLength} to ${r.shrunkLength} decisions (preemptions ${r.originalPreemptions} → ${r.shrunkPreemptions}).`, {
    originalLength: r.originalLength,
    shrunkLength: r.shrunkLength,
  });
  showBug(r.bug, `Shrunk: ${r.bug.kind}`, `shrunk from ${r.originalLength} decisions`);
}

ui.explore.addEventListener("click", startExplore);
ui.stop.addEventListener("click", () => {
  if (!running) return;
  // A search may sit in a long iteration: ending the worker is the only sure stop.
  worker?.terminate();
  worker = null;
  const iterations = ui.progress.value;
  finish();
  setStatus("stopped", `Stopped after ${fmt(iterations)} iterations.`, { iterations });
});
ui.shrink.addEventListener("click", () => {
  if (shown) submit({ action: "shrink", trace: shown.trace }, "Shrinking the schedule…");
});
ui.replay.addEventListener("click", () => {
  if (shown) submit({ action: "replay", trace: shown.trace }, "Replaying the trace against the program…");
});

// ---- trace files ----------------------------------------------------------------

ui.download.addEventListener("click", () => {
  if (!shown) return;
  const t = shown.trace;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([JSON.stringify(t, null, 1) + "\n"], { type: "application/json" }));
  a.download = `${(t.test || "body").replace(/[^A-Za-z0-9_.-]+/g, "_")}-i${t.iteration}-s${t.seed}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

ui.loadTrace.addEventListener("change", async () => {
  const file = ui.loadTrace.files?.[0];
  ui.loadTrace.value = "";
  if (!file) return;
  let trace: TraceFile;
  try {
    trace = parseTraceText(await file.text());
  } catch (e) {
    showError({ name: "Error", message: `${file.name}: ${(e as Error).message}`, phase: "run" });
    return;
  }
  hideError();
  const events = traceEvents(trace);
  const f = trace.failure;
  render(
    { events, failing: f ? events.length - 1 : -1, slice: traceSlice(trace), trace, bug: null },
    `Trace file ${file.name}${f ? `: ${f.kind}` : ""}`,
    f ? f.message : "(the trace records no failure)",
    `test ${trace.test} · iteration ${trace.iteration} · seed ${trace.seed} · strategy ${trace.strategy} · ${trace.decisions.length} decisions · press Replay to run it against the program in the editor and see its messages`,
    JSON.stringify(trace, null, 1),
  );
  ui.replay.disabled = ui.download.disabled = false;
  ui.shrink.disabled = !f;
  setStatus("trace", `Loaded ${file.name}.`);
});

// ---- examples and share links ---------------------------------------------------

interface Example {
  name: string;
  file: string;
  title: string;
}

async function loadExample(name: string): Promise<void> {
  const ex = examples.find((e) => e.name === name);
  if (!ex) return;
  const res = await fetch(new URL(ex.file, import.meta.url));
  editor.setCode(await res.text());
  ui.lang.value = "js";
  editor.setLang("js");
  ui.example.value = name;
  ui.scenario.replaceChildren();
  ui.scenarioBox.hidden = true;
  hideError();
  document.body.dataset.loads = String(Number(document.body.dataset.loads ?? 0) + 1); // (tests wait for it)
}

ui.example.addEventListener("change", () => {
  if (ui.example.value) void loadExample(ui.example.value);
});
ui.lang.addEventListener("change", () => editor.setLang(ui.lang.value as Lang));

ui.share.addEventListener("click", async () => {
  const options = readOptions();
  if (options.seed === undefined && lastSeed !== undefined) options.seed = lastSeed;
  const s: Shared = { v: 1, code: editor.getCode(), lang: ui.lang.value as Lang, options };
  if (ui.example.value) s.example = ui.example.value;
  if (ui.scenario.value) s.scenario = ui.scenario.value;
  const url = `${location.href.split("#")[0]}#${encodeShare(s)}`;
  history.replaceState(null, "", url);
  ui.shareBox.hidden = false;
  ui.shareUrl.value = url;
  ui.shareUrl.select();
  try {
    await navigator.clipboard.writeText(url);
    ui.share.textContent = "Link copied";
  } catch {
    ui.share.textContent = "Share link";
  }
});

let examples: Example[] = [];

async function init(): Promise<void> {
  try {
    examples = (await (await fetch(new URL("./examples/index.json", import.meta.url))).json()) as Example[];
  } catch {
    examples = [];
  }
  for (const ex of examples) {
    const o = new Option(ex.name.replace(/-/g, " "), ex.name);
    o.title = ex.title;
    ui.example.append(o);
  }
  busy(false);
  ui.shrink.disabled = ui.replay.disabled = ui.download.disabled = true;
  let shared: Shared | undefined;
  try {
    shared = decodeShare(location.hash);
  } catch (e) {
    showError({ name: "Error", message: (e as Error).message, phase: "load" });
  }
  if (shared) {
    editor.setCode(shared.code);
    ui.lang.value = shared.lang;
    editor.setLang(shared.lang);
    ui.example.value = shared.example && examples.some((e) => e.name === shared.example) ? shared.example : "";
    writeOptions(shared.options);
    if (shared.scenario) ui.scenario.replaceChildren(new Option(shared.scenario, shared.scenario, true, true));
    startExplore(); // a link reopens the same exploration
  } else if (examples.length > 0) {
    await loadExample(examples.some((e) => e.name === "lost-update") ? "lost-update" : examples[0].name);
  }
  document.body.dataset.ready = "true";
}

void init();
