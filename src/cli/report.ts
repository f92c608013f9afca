// A self-contained HTML report of a bug: summary (the message, the error's stack),
// the interleaving drawn by the playground's diagram component (src/cli/diagram-view.ts,
// embedded as source), a step slider, a legend, and the trace itself, so that the
// one file can be shared and replayed (`lockstep replay report.html`).
//
// Size: a livelock's 100,000 rows repeat a few texts, so the diagram's columns are
// sent gzipped (the page inflates them with DecompressionStream); the trace stays
// plain JSON, the form trace-file.ts reads back.
import { gzipSync } from "node:zlib";
import { isAbsolute, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bug } from "../explore/bug.js";
import type { ExploreStats, Sample } from "../explore/explore.js";
import type { TraceFile } from "../explore/trace-file.js";
import { causalSlice } from "../explore/slice.js";
import { REPORT_TRACE_ID } from "../explore/trace-text.js";
import { DIAGRAM_CSS, DIAGRAM_LEGEND, diagramData, mountDiagram, type DiagramData } from "./diagram-view.js";
import { stateModel } from "./diagram-state.js";
import { userFrame } from "../runtime/call-site.js";


function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** JSON safe inside a script element: no "<" at all (so no "</script>"), still the same JSON. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Differences of a growing list (steps grow by 0 or 1, a slice by small gaps): what gzip packs well. */
const deltas = (xs: number[]) => xs.map((x, i) => x - (i > 0 ? xs[i - 1] : 0));

/** The diagram's columns as gzipped base64, steps, slice and clock as differences. */
function packDiagram(d: DiagramData): string {
  return gzipSync(JSON.stringify({ ...d, step: deltas(d.step), slice: deltas(d.slice), time: deltas(d.time) }), { level: 9 }).toString("base64");
}

/** A path as the report shows it: relative to the working directory (where the replay command runs). */
const rel = (p: string) => relative(process.cwd(), p) || p;

/** A recorded call site (`file:line:col`, the file a path or a file: URL) as `path:line`, the path relative. */
export function siteText(at: string): string {
  const m = /^(.*):(\d+):(\d+)$/.exec(at);
  if (!m) return at;
  let file = m[1];
  if (file.startsWith("file://")) file = fileURLToPath(file);
  return `${isAbsolute(file) ? rel(file) : file}:${m[2]}`;
}

function sliceOf(bug: Bug): number[] {
  try {
    const index = new Map(bug.events.map((e, i) => [e, i]));
    return causalSlice(bug).map((e) => index.get(e)).filter((i): i is number => i !== undefined).sort((a, b) => a - b);
  } catch {
    return []; // slicing is optional
  }
}

export interface ReportOptions {
  /** Where the report is written: the replay command names it (it carries the trace), relative to the working directory. */
  file?: string;
}

export function renderReport(bug: Bug, opts: ReportOptions = {}): string {
  const data = diagramData(bug.events, { failing: bug.events.length - 1, slice: sliceOf(bug), names: bug.laneNames, site: siteText });
  const replay = opts.file ? `npx lockstep replay ${rel(opts.file)}` : bug.tracePath ? `npx lockstep replay ${rel(bug.tracePath)}` : bug.replayCommand();
  const raw = bug.error instanceof Error && bug.error.stack && bug.kind !== "deadlock" && bug.kind !== "step-limit" ? bug.error.stack : "";
  const cwd = process.cwd() + "/";
  const stack = raw.split("file://" + cwd).join("").split(cwd).join(""); // paths relative, as everywhere in the report
  const thrownAt = raw ? userFrame(raw) : "";
  const summary = `<h1>lockstep found a bug: ${esc(bug.kind)}</h1>
<section id="summary"><pre id="message">${esc(bug.message)}</pre>
${thrownAt ? `<p>thrown at <code id="thrown-at">${esc(siteText(thrownAt))}</code></p>` : ""}
${stack ? `<details open><summary>stack</summary><pre id="stack">${esc(stack)}</pre></details>` : ""}
<p>test <b>${esc(bug.trace.test)}</b>${bug.trace.file ? ` (${esc(bug.trace.file)})` : ""}, iteration ${bug.iteration}, seed ${bug.seed}, strategy ${esc(bug.strategy)}, ${bug.schedule.length} steps, ${bug.events.length} operations</p>
<p>Replay: <code id="replay">${esc(replay)}</code> (this file carries the trace)</p></section>`;
  return page(`lockstep: ${bug.kind} in ${bug.trace.test}`, summary, "Interleaving", bug.trace, data);
}

/**
 * The report of a passing search: what it covered, and one schedule it ran (a sample
 * iteration's interleaving, explore's internal `sample` option) drawn like a bug's.
 */
export function renderPassReport(stats: ExploreStats, sample: Sample, opts: ReportOptions = {}): string {
  const data = diagramData(sample.events, { failing: -1, names: sample.laneNames, site: siteText });
  const t = sample.trace;
  const replay = opts.file ? `npx lockstep replay ${rel(opts.file)}` : "";
  const n = (x: number) => x.toLocaleString("en-US");
  const summary = `<h1>lockstep found no bug</h1>
<section id="summary"><p id="coverage"><b>${n(stats.iterations)}</b> iterations, <b>${n(stats.distinctSchedules)}</b>${stats.distinctSchedulesEstimated ? " (estimated)" : ""} distinct schedules, ${n(stats.steps)} steps in all, in ${(stats.elapsedMs / 1000).toFixed(2)} s${stats.complete ? `; every interleaving explored (${n(stats.traces ?? 0)}): no bug in any` : ""}</p>
<p>test <b>${esc(t.test)}</b>${t.file ? ` (${esc(t.file)})` : ""}, seed ${stats.seed}, strategy ${esc(stats.strategy)}</p>
<p>Below: one schedule it ran, iteration ${sample.iteration} (${t.decisions.length} decisions, ${sample.events.length} operations).${replay ? ` Replay it: <code id="replay">${esc(replay)}</code>` : ""}</p></section>`;
  return page(`lockstep: no bug in ${t.test}`, summary, "A sample schedule", t, data);
}

/** The page around a summary: the diagram of `data` with its slider, legend and state panel, and the trace it carries. */
function page(title: string, summary: string, heading: string, trace: TraceFile, data: DiagramData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
pre { background: #f6f6f6; padding: 8px; white-space: pre-wrap; margin: 6px 0; }
code { background: #f6f6f6; padding: 1px 4px; }
#stepper { display: flex; align-items: center; gap: 8px; margin: 6px 0; }
#slider { flex: 1; }
#pos { font: 12px ui-monospace, monospace; color: #667085; min-width: 180px; text-align: right; }
#current { font: 12.5px ui-monospace, monospace; padding: 4px 8px; background: #fffbeb; border: 1px solid #fde68a; border-radius: 5px; margin-bottom: 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#current.failing { background: #fef2f2; border-color: #fca5a5; color: #991b1b; }
${DIAGRAM_CSS}
</style></head><body>
${summary}
<h2>${esc(heading)}</h2>
${DIAGRAM_LEGEND}
<div id="stepper"><button id="prev" title="previous step (←)">◀</button><input id="slider" type="range" min="0" max="0" value="0" aria-label="step"><button id="next" title="next step (→)">▶</button><span id="pos"></span></div>
<div id="current"></div>
<div id="diagram" tabindex="0"></div>
<script type="application/json" id="${REPORT_TRACE_ID}">${scriptJson(trace)}</script>
<script type="text/plain" id="lockstep-diagram">${packDiagram(data)}</script>
<script>
const mountDiagram = ${mountDiagram.toString()};
const stateModel = ${stateModel.toString()};
async function unpack() {
  const b64 = document.getElementById("lockstep-diagram").textContent.trim();
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
  const d = JSON.parse(text);
  for (const xs of [d.step, d.slice, d.time]) for (let i = 1; i < xs.length; i++) xs[i] += xs[i - 1];
  return d;
}
unpack().then((d) => {
  const slider = document.getElementById("slider");
  const pos = document.getElementById("pos");
  const current = document.getElementById("current");
  const view = mountDiagram(document.getElementById("diagram"), d, {
    keys: document,
    state: stateModel(d),
    onSelect(i, k, count) {
      slider.max = String(Math.max(0, count - 1));
      slider.value = String(k);
      pos.textContent = "step " + d.step[i] + " · row " + (k + 1).toLocaleString("en-US") + " / " + count.toLocaleString("en-US");
      current.textContent = "step " + d.step[i] + " · " + d.strings[d.text[i]] + (d.at[i] >= 0 ? "  (" + d.strings[d.at[i]] + ")" : "");
      current.classList.toggle("failing", i === d.failing);
    },
  });
  slider.addEventListener("input", () => view.select(Number(slider.value)));
  document.getElementById("prev").addEventListener("click", () => view.select(view.position() - 1));
  document.getElementById("next").addEventListener("click", () => view.select(view.position() + 1));
  document.body.dataset.ready = "true";
});
</script>
</body></html>
`;
}
