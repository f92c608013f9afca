// The playground page: editor, controls, the worker that explores, and the result
// view (diagram, stepping, causal slice, shrink / replay, share, trace files).
import type { TraceFile } from "lockstep";
import type { BugView, ErrorInfo, Reply, Request, Result, RunOptions, SampleView, Stats } from "./protocol.js";
import { columnsFromWire, cutReport } from "./protocol.js";
import { createEditor } from "./editor.js";
import { prepare, locateSyntaxError, locateMissingExport, type Lang } from "./source.js";
import { DIAGRAM_CSS, diagramData, mountDiagram, type DiagramData, type DiagramHandle } from "../../src/cli/diagram-view.js";
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
  if (!settingCode) draftChanged();
});

// ---- the result being shown -----------------------------------------------------

interface Shown {
  /** The rows as the diagram's columns (failing row, causal slice, lane names included). */
  data: DiagramData;
  /** The trace file's JSON. */
  traceText: string;
  /** Seed and strategy of an exploration, for share links. */
  bug: BugView | null;
  /** True when exploring with the seed finds this again; a share link of anything else (a shrunk or loaded schedule) carries the schedule. */
  bySeed: boolean;
}

let shown: Shown | null = null;
/** The seed of the last exploration (what "random" turned out to be). */
let lastSeed: number | undefined;

/** The diagram component showing `shown` (it owns which rows are shown: slice, filter). */
let view: DiagramHandle | null = null;

const sliceOnly = () => (shown && ui.sliceOnly.checked && shown.data.slice.length > 0 ? shown.data.slice : null);

function render(s: Shown, title: string, message: string, meta: string, report: string): void {
  shown = s;
  ui.bug.hidden = false;
  delete ui.bug.dataset.sample;
  ui.bugTitle.textContent = title;
  ui.bugMessage.textContent = message;
  ui.bugMeta.textContent = meta;
  ui.report.textContent = cutReport(report);
  ui.sliceOnly.disabled = s.data.slice.length === 0;
  drawShown();
  if (s.bug?.errorAt) editor.markLine(s.bug.errorAt.line);
}

function drawShown(): void {
  if (!shown) return;
  const s = shown;
  const host = document.createElement("div");
  ui.diagramBox.replaceChildren(host);
  const data = s.data;
  steps = null;
  sliceDrawn = true;
  view = mountDiagram(host, data, {
    only: sliceOnly(),
    state: stateModel(data),
    onSelect(i, k, count) {
      // The step's line of the program (the worker made call sites "line N"), marked in the editor.
      const at = data.at[i] >= 0 ? /^line (\d+)$/.exec(data.strings[data.at[i]]) : null;
      editor.markStep(at ? Number(at[1]) : null);
      // The row's text is "pid  operation → result".
      ui.currentEvent.textContent = `step ${data.step[i]} · ${data.strings[data.text[i]].replace("  ", " · ")}`;
      ui.currentEvent.classList.toggle("failing", i === data.failing);
      if (view) syncSlider(k, count); // (the first selection comes while mounting: below)
    },
  });
  syncSlider(view.position(), view.count());
}

function syncSlider(k: number, count: number): void {
  const starts = stepStarts(count);
  const at = stepAt(starts, k);
  ui.slider.max = String(Math.max(0, starts.length - 1));
  ui.slider.value = String(at);
  ui.stepPos.textContent = `${fmt(at + 1)} / ${fmt(starts.length)}`;
}

/** Where each step starts among the shown rows (one step can log several rows): the slider moves by steps, not rows. */
let steps: { key: string; starts: number[] } | null = null;

function stepStarts(count: number): number[] {
  if (!view || !shown) return [0];
  const v = view;
  const key = `${count}:${v.indexAt(0)}:${v.indexAt(count - 1)}`; // the shown rows change with the slice and filter boxes
  if (steps?.key === key) return steps.starts;
  const step = shown.data.step;
  const at = count === step.length ? (k: number) => k : v.indexAt; // all rows shown: position k is row k
  const starts: number[] = [];
  for (let k = 0; k < count; k++) if (k === 0 || step[at(k)] !== step[at(k - 1)]) starts.push(k);
  steps = { key, starts: starts.length > 0 ? starts : [0] };
  return steps.starts;
}

/** The slider position of shown row `k`: the last step starting at or before it. */
function stepAt(starts: number[], k: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= k) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

/** Moves the highlight to position `k` of the shown rows (the component scrolls it into view). */
function select(k: number): void {
  view?.select(k);
}

const position = () => view?.position() ?? 0;

ui.slider.addEventListener("input", () => select(stepStarts(view?.count() ?? 1)[Number(ui.slider.value)] ?? 0));
ui.prev.addEventListener("click", () => select(position() - 1));
ui.next.addEventListener("click", () => select(position() + 1));
ui.sliceOnly.addEventListener("change", () => {
  if (!sliceDrawn) redraw(); // the slice came after the diagram: draw it in now
  else view?.setOnly(sliceOnly());
});
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

function showBug(bug: BugView, title: string, bySeed: boolean, extra = ""): void {
  const meta = `iteration ${bug.iteration} · seed ${bug.seed} · strategy ${bug.strategy} · ${bug.decisions} decisions${extra ? " · " + extra : ""}`;
  const where = bug.errorAt ? `\n(${bug.kind === "exception" || bug.kind === "crash" ? "thrown" : "raised"} at line ${bug.errorAt.line})` : "";
  const drawStart = clock();
  render({ data: columnsFromWire(bug.diagram), traceText: bug.traceText, bug, bySeed }, title, bug.message + where, meta, bug.format);
  ui.shrink.disabled = ui.replay.disabled = ui.download.disabled = false;
  // Timings for the e2e test's log: the worker's preparation, the crossing to the page,
  // the drawing, and the way from the bug to a page that answers (the next task).
  const drawn = clock();
  setTimeout(() => {
    const t = ui.bug.dataset;
    t.prepMs = bug.prepMs.toFixed(0);
    t.transferMs = (drawStart - bug.foundAt - bug.prepMs).toFixed(0);
    t.drawMs = (drawn - drawStart).toFixed(0);
    t.interactiveMs = (clock() - bug.foundAt).toFixed(0);
  }, 0);
}

/** Takes the shown result off the page: a new run, an error or Stop never leaves an old one on screen (nor Shrink / Replay acting on it). */
function clearResult(): void {
  shown = null;
  view = null;
  steps = null;
  ui.bug.hidden = true;
  for (const k of Object.keys(ui.bug.dataset)) delete ui.bug.dataset[k];
  ui.diagramBox.replaceChildren();
  ui.report.textContent = "";
  ui.shrink.disabled = ui.replay.disabled = ui.download.disabled = true;
}

/** A passing search: what it covered, and its last iteration's interleaving to look at (Replay runs it again; nothing to shrink). */
function showSample(sample: SampleView, s: Stats): void {
  const distinct = `${fmt(s.distinctSchedules)}${s.distinctSchedulesEstimated ? " (estimated)" : ""} distinct schedule${s.distinctSchedules === 1 ? "" : "s"}`;
  const covered = (s.readsFrom ? ` · ${fmt(s.readsFrom)} reads-from pair${s.readsFrom === 1 ? "" : "s"} covered` : "") + (s.complete ? ` · every interleaving explored (${fmt(s.traces ?? 0)})` : "");
  render(
    { data: columnsFromWire(sample.diagram), traceText: sample.traceText, bug: null, bySeed: false },
    s.complete ? "No bug in any interleaving: one of them" : "No bug found: a sample schedule",
    `${fmt(s.iterations)} iterations · ${distinct} · ${fmt(s.steps)} steps in all${covered}\nBelow: the last iteration's interleaving (iteration ${sample.iteration}, ${sample.decisions} decisions).`,
    `iteration ${sample.iteration} · seed ${s.seed} · strategy ${s.strategy}`,
    sample.format,
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

/** 12,345: by hand, since the first toLocaleString call loads locale data (a quarter second on a busy machine). */
const fmt = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

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

/** Real time on the clock the worker shares (performance.timeOrigin + now). */
const clock = () => performance.timeOrigin + performance.now();

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
type Submit = { action: "explore"; options: RunOptions } | { action: "replay" | "shrink"; traceText: string };

async function submit(req: Submit, label: string): Promise<boolean> {
  hideError();
  clearResult();
  if (detailsOwed) {
    // The worker is still working out the last long run's slice: a fresh one starts at once.
    worker?.terminate();
    worker = null;
    detailsOwed = false;
  }
  const id = nextId++;
  running = { id, action: req.action, code: "", started: performance.now() };
  busy(true);
  setStatus("running", label);
  let code: string;
  try {
    code = await prepare(editor.getCode(), ui.lang.value as Lang, BUNDLE_URL); // (TypeScript loads sucrase the first time)
  } catch (e) {
    if (running?.id !== id) return false;
    finish();
    showError(e && typeof e === "object" && "phase" in e ? (e as ErrorInfo) : { name: "Error", message: `the TypeScript compiler could not be loaded: ${String(e)}`, phase: "load" });
    return false;
  }
  if (running?.id !== id) return false; // stopped meanwhile
  running.code = code;
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
  ui.progress.max = 1; // this run's total arrives with its first progress report
  ui.progress.value = 0;
  ui.progressText.textContent = "";
  void submit({ action: "explore", options: readOptions() }, "Exploring…");
}

async function onReply(m: Reply): Promise<void> {
  if (m.type === "details") return onDetails(m);
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
  if (m.type === "done" && "bug" in m.result) {
    detailsOwed = m.result.bug.detailsLater;
    // Drawing a long run takes the page a moment: Stop stays live until the diagram is up.
    const id = running.id;
    setStatus("running", "Drawing the interleaving…", { phase: "drawing" });
    await new Promise((r) => setTimeout(r, 0));
    if (running?.id !== id) return; // stopped meanwhile
  }
  finish();
  resultId = m.id;
  if (m.type === "failed") {
    let info = m.error;
    if (info.phase === "load" && info.name === "SyntaxError" && !info.at) {
      info = locateMissingExport(editor.getCode(), info.message) ?? (await locateSyntaxError(code)) ?? info;
    }
    showError(info);
    return;
  }
  showResult(m.result);
  if (matchMedia("(max-width: 760px)").matches) ui.status.scrollIntoView({ block: "start" }); // stacked layout: the result is below the editor
}

/** The request whose result is shown (a "details" reply completes it). */
let resultId = 0;
/** True while the worker owes the shown result's details (it is busy until they come). */
let detailsOwed = false;

/**
 * The causal slice and report text of a long run, sent after its diagram. The slice
 * is drawn in when "causal slice only" is ticked (drawing 100,000 rows' marks again
 * now would stall the page under the user's first steps).
 */
function onDetails(m: Extract<Reply, { type: "details" }>): void {
  if (m.id === resultId) detailsOwed = false;
  if (!shown?.bug?.detailsLater || m.id !== resultId) return;
  shown.data.slice = m.slice;
  sliceDrawn = false;
  ui.report.textContent = m.format;
  ui.sliceOnly.disabled = m.slice.length === 0;
  ui.bug.dataset.detailsMs = m.sinceFoundMs.toFixed(0);
}

/** False when the shown diagram was drawn before its causal slice arrived. */
let sliceDrawn = true;

/** Draws the shown result again, keeping the selected row. */
function redraw(): void {
  const at = view ? view.indexAt(view.position()) : -1;
  drawShown();
  if (!view || at < 0) return;
  const v = view;
  let k = 0;
  while (k < v.count() - 1 && v.indexAt(k) < at) k++;
  select(k);
}

function showResult(r: Result): void {
  if (r.action === "explore") {
    const s = r.stats;
    lastSeed = s.seed;
    showProgress(s.iterations, r.total, s.distinctSchedules, s.elapsedMs);
    const rate = s.elapsedMs > 0 ? (s.iterations * 1000) / s.elapsedMs : 0;
    const data = { iterations: s.iterations, elapsedMs: s.elapsedMs.toFixed(1), seed: s.seed, rate: rate.toFixed(1) };
    const speed = s.elapsedMs >= 100 ? ` (${fmt(rate)} it/s)` : "";
    const took = `${fmt(s.iterations)} iteration${s.iterations === 1 ? "" : "s"} in ${(s.elapsedMs / 1000).toFixed(2)} s${speed}, seed ${s.seed}, strategy ${s.strategy}`;
    if (r.ok) {
      // A complete search (dpor, or the default strategy's pass over a small space) is a proof, not a sample.
      setStatus("ok", s.complete ? `No bug in any interleaving: all ${fmt(s.traces ?? 0)} explored, ${took}.` : `No bug found: ${took}.`, data);
      if (r.sample) showSample(r.sample, s);
      return;
    }
    setStatus("bug", `Found a bug after ${took}.`, data);
    showBug(r.bug, `Bug found: ${r.bug.kind}`, true);
    return;
  }
  if (r.action === "replay") {
    if (r.ok) {
      setStatus("ok", "Replayed: the schedule runs to the end without failing against this program.");
      return;
    }
    setStatus("bug", "Replayed: the failure reproduces.");
    showBug(r.bug, `Replayed: ${r.bug.kind}`, false);
    return;
  }
  setStatus("bug", `Shrunk the schedule from ${r.originalLength} to ${r.shrunkLength} decisions (preemptions ${r.originalPreemptions} → ${r.shrunkPreemptions}).`, {
    originalLength: r.originalLength,
    shrunkLength: r.shrunkLength,
  });
  showBug(r.bug, `Shrunk: ${r.bug.kind}`, false, `shrunk from ${r.originalLength} decisions`);
}

ui.explore.addEventListener("click", startExplore);
ui.stop.addEventListener("click", () => {
  if (!running) return;
  // A search may sit in a long iteration: ending the worker is the only sure stop.
  worker?.terminate();
  worker = null;
  const iterations = ui.progress.value;
  finish();
  clearResult();
  setStatus("stopped", `Stopped after ${fmt(iterations)} iterations.`, { iterations });
});
ui.shrink.addEventListener("click", () => {
  if (shown) void submit({ action: "shrink", traceText: shown.traceText }, "Shrinking the schedule…");
});
ui.replay.addEventListener("click", () => {
  if (shown) void submit({ action: "replay", traceText: shown.traceText }, "Replaying the trace against the program…");
});

// ---- trace files ----------------------------------------------------------------

ui.download.addEventListener("click", () => {
  if (!shown) return;
  const t = JSON.parse(shown.traceText) as TraceFile;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([shown.traceText + "\n"], { type: "application/json" }));
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
  clearResult();
  const events = traceEvents(trace);
  const f = trace.failure;
  render(
    { data: diagramData(events, { failing: f ? events.length - 1 : -1, slice: traceSlice(trace) }), traceText: JSON.stringify(trace), bug: null, bySeed: false },
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

/** Opens example `name`: your saved edits to it when there are some, else the example as shipped. */
async function loadExample(name: string): Promise<void> {
  const ex = examples.find((e) => e.name === name);
  if (!ex) return;
  const res = await fetch(new URL(ex.file, import.meta.url));
  const original = await res.text();
  const draft = readDraft(name);
  const restored = draft !== null && (draft.code !== original || draft.lang !== "js");
  setProgram(restored ? draft.code : original, restored ? draft.lang : "js", { code: original, lang: "js" });
  ui.example.value = name;
  openExample = name;
  rememberOpen();
  ui.scenario.replaceChildren();
  ui.scenarioBox.hidden = true;
  hideError();
  if (restored) setStatus("idle", `Your edits to ${name} were restored (drafts are kept in this browser). Pick the example again to start over from it.`, { draft: "restored" });
  document.body.dataset.loads = String(Number(document.body.dataset.loads ?? 0) + 1); // (tests wait for it)
}

ui.example.addEventListener("change", () => {
  const to = ui.example.value;
  const from = openExample;
  if (to === "") {
    // Picking "(your program)" keeps the editor's text, now as a draft of its own.
    flushDraft();
    removeDraft(from);
    openExample = "";
    saveDraft(true);
    return;
  }
  if (edited() && !confirm(`Discard your edits to ${from === "" ? "your program" : from} and open ${to}?`)) {
    ui.example.value = from;
    return;
  }
  clearTimeout(draftTimer);
  removeDraft(from);
  if (to === from) removeDraft(to); // picking the open example again starts over from it
  void loadExample(to);
});
ui.lang.addEventListener("change", () => {
  editor.setLang(ui.lang.value as Lang);
  draftChanged();
});

// ---- drafts ---------------------------------------------------------------------
// The program is saved as it is typed (localStorage, one draft per example, "" for
// your own program), so a reload or a closed tab loses nothing; switching examples
// asks before throwing edits away.

const DRAFT_KEY = "lockstep-playground:draft:";
const OPEN_KEY = "lockstep-playground:open";
/** Quiet time after the last keystroke before the draft is written (real ms). */
const DRAFT_MS = 300;

interface Draft {
  code: string;
  lang: Lang;
}

/** What the editor was given (an example as shipped, a shared program): edits are changes to it. */
let pristine: Draft = { code: "", lang: "js" };
/** The example the editor's program belongs to ("" for your own). */
let openExample = "";
/** True while the page itself sets the editor's text (not an edit to save). */
let settingCode = false;
let draftTimer = 0;

function setProgram(code: string, lang: Lang, from: Draft = { code, lang }): void {
  clearTimeout(draftTimer);
  settingCode = true;
  try {
    editor.setCode(code);
  } finally {
    settingCode = false;
  }
  ui.lang.value = lang;
  editor.setLang(lang);
  pristine = from;
}

const edited = () => editor.getCode() !== pristine.code || ui.lang.value !== pristine.lang;

/** localStorage, or null where the browser refuses it (then drafts are simply not kept). */
function store(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function readDraft(example: string): Draft | null {
  try {
    const d = JSON.parse(store()?.getItem(DRAFT_KEY + example) ?? "null") as Partial<Draft> | null;
    return d && typeof d.code === "string" && (d.lang === "js" || d.lang === "ts") ? { code: d.code, lang: d.lang } : null;
  } catch {
    return null;
  }
}

function removeDraft(example: string): void {
  try {
    store()?.removeItem(DRAFT_KEY + example);
  } catch {
    /* storage refused: nothing was kept */
  }
}

/** Writes the editor's program as the open example's draft (none when it is the example unchanged; your own program always). */
function saveDraft(always = false): void {
  try {
    const s = store();
    if (!s) return;
    if (always || openExample === "" || edited()) s.setItem(DRAFT_KEY + openExample, JSON.stringify({ code: editor.getCode(), lang: ui.lang.value }));
    else s.removeItem(DRAFT_KEY + openExample);
  } catch {
    /* storage full or refused: drafts are a convenience */
  }
  rememberOpen();
}

/** Notes which example is open, for the next visit. */
function rememberOpen(): void {
  try {
    store()?.setItem(OPEN_KEY, openExample);
  } catch {
    /* as above */
  }
}

function draftChanged(): void {
  clearTimeout(draftTimer);
  draftTimer = window.setTimeout(() => {
    draftTimer = 0;
    saveDraft();
  }, DRAFT_MS);
}

/** Writes a pending draft now (before the page goes away or the example changes). */
function flushDraft(): void {
  if (!draftTimer) return;
  clearTimeout(draftTimer);
  draftTimer = 0;
  saveDraft();
}

addEventListener("pagehide", flushDraft);

ui.share.addEventListener("click", async () => {
  const options = readOptions();
  if (options.seed === undefined && lastSeed !== undefined) options.seed = lastSeed;
  const s: Shared = { v: 1, code: editor.getCode(), lang: ui.lang.value as Lang, options };
  if (ui.example.value) s.example = ui.example.value;
  if (ui.scenario.value) s.scenario = ui.scenario.value;
  // A shrunk, replayed or loaded schedule is not what exploring with the seed finds: the link carries it.
  let note = "";
  if (shown && !shown.bySeed) {
    if (shown.traceText.length <= MAX_SHARED_TRACE) s.trace = JSON.parse(shown.traceText) as TraceFile;
    else note = "the schedule is too long for a link: it reopens the exploration with the seed; download the trace to share the schedule";
  }
  const url = `${location.href.split("#")[0]}#${encodeShare(s)}`;
  ui.shareBox.title = note;
  ui.shareBox.dataset.schedule = s.trace ? "yes" : "no";
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

/** Longest trace JSON a share link carries (a livelock's runs to megabytes; a shrunk schedule is small). */
const MAX_SHARED_TRACE = 100_000;

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
    setProgram(shared.code, shared.lang);
    ui.example.value = openExample = shared.example && examples.some((e) => e.name === shared.example) ? shared.example : "";
    writeOptions(shared.options);
    if (shared.scenario) ui.scenario.replaceChildren(new Option(shared.scenario, shared.scenario, true, true));
    // A link reopens the same exploration, or the schedule it carries.
    if (shared.trace) void submit({ action: "replay", traceText: JSON.stringify(shared.trace) }, "Replaying the shared schedule…");
    else startExplore();
  } else if (examples.length > 0) {
    // The example open last time (with its draft), else lost-update.
    const last = store()?.getItem(OPEN_KEY) ?? null;
    const own = last === "" ? readDraft("") : null;
    if (own) {
      setProgram(own.code, own.lang, { code: "", lang: "js" });
      ui.example.value = openExample = "";
      setStatus("idle", "Your program was restored (drafts are kept in this browser).", { draft: "restored" });
    } else {
      await loadExample(last && examples.some((e) => e.name === last) ? last : examples.some((e) => e.name === "lost-update") ? "lost-update" : examples[0].name);
    }
  }
  document.body.dataset.ready = "true";
}

void init();
