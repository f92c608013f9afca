// The interleaving as a sequence diagram, one component for the playground and the
// HTML report: one lane per process, a row per operation, arrows for messages and
// spawns, a mark shaped by the kind of operation, the failing step in red and the
// causal slice marked; search (next/previous match, or as a filter), process and
// operation menus, zoom, an overview strip of the whole run (minimap), keyboard
// stepping that scrolls the current row into view, and a state panel for the selected
// row (src/cli/diagram-state.ts folds the state; the program's line that performed it).
//
// Traces reach 100,000 rows (a livelock runs to maxSteps), so the diagram is
// virtualized: only the rows in view (plus a margin) exist in the DOM, and the data
// is held as columns of numbers over a table of distinct strings, which also keeps
// the report small (a livelock repeats the same few texts).
//
// `mountDiagram` uses nothing outside its own body: the report embeds its source
// text (`mountDiagram.toString()`) in the page, so both draw with the same code.
import type { StepEvent } from "../runtime/iteration.js";
import type { StateModel } from "./diagram-state.js";

/** A trace as columns: row r is step[r], from lane from[r] (to lane to[r] or -1), ops[op[r]], strings[text[r]]. */
export interface DiagramData {
  /** The pid of each lane, in order of first appearance. */
  lanes: string[];
  /** What each lane is called: the name the user gave it (function, registered name), or its pid. */
  labels: string[];
  step: number[];
  from: number[];
  to: number[];
  op: number[];
  /** The row's text ("pid  operation → result"), an index into `strings`. */
  text: number[];
  /** 1 when the operation blocked (a receive that waits). */
  waits: number[];
  /** The message a delivered send put in `to`'s mailbox or a receive took out of `from`'s (an index into `strings`), or -1; for the state panel. */
  msg: number[];
  /** The operation's detail and result (indices into `strings`), which the state panel reads (src/cli/diagram-state.ts). */
  det: number[];
  res: number[];
  /** The program's line that performed it ("file:line" or "line N", an index into `strings`), or -1. */
  at: number[];
  /** The virtual clock at the row, in ms since the run began (virtual timers start the clock at an epoch). */
  time: number[];
  ops: string[];
  strings: string[];
  /** Index of the failing row, or -1. */
  failing: number;
  /** Row indices of the causal slice. */
  slice: number[];
}

export function eventText(e: StepEvent): string {
  return `${e.op}${e.detail ? " " + e.detail : ""}${e.result ? " → " + e.result : ""}`;
}

/** Lanes in order of first appearance; a send's target or a spawn's child is the row's `to` lane. */
export function diagramModel(events: StepEvent[]) {
  const lanes: string[] = [];
  const at = new Map<string, number>();
  const lane = (p: string) => {
    let l = at.get(p);
    if (l === undefined) at.set(p, (l = lanes.push(p) - 1));
    return l;
  };
  const rows = events.map((e, i) => {
    const from = lane(e.pid);
    const m = /^(?:to )?(<0\.\d+\.0>)/.exec(e.detail);
    const to = e.op === "send" && m ? lane(m[1]) : e.op === "spawn" && /^<0\.\d+\.0>$/.test(e.result) ? lane(e.result) : -1;
    return { i, from, to, e };
  });
  return { lanes, rows };
}

export interface DataOptions {
  failing: number;
  slice?: number[];
  /** Lane names by pid text (src/runtime records them in detail runs). */
  names?: Record<string, string>;
  /** How a recorded call site (`file:line:col`) is shown: a path relative to the report, the editor's line; "" drops it. Default: as recorded. */
  site?: (at: string) => string;
}

/** The columns for `events`. A failure no process is blamed for (pid "-") is drawn on the lane of the operation before it. */
export function diagramData(events: StepEvent[], opts: DataOptions): DiagramData {
  let lastPid = "<0.1.0>";
  const placed = events.map((e) => (e.pid === "-" ? { ...e, pid: lastPid } : ((lastPid = e.pid), e)));
  const { lanes, rows } = diagramModel(placed);
  const ops: string[] = [];
  const strings: string[] = [];
  const opAt = new Map<string, number>();
  const strAt = new Map<string, number>();
  const intern = (m: Map<string, number>, list: string[], s: string) => {
    let k = m.get(s);
    if (k === undefined) m.set(s, (k = list.push(s) - 1));
    return k;
  };
  const n = rows.length;
  // A call site repeats (a loop's line, thousands of times): each distinct one is mapped once.
  const sites = new Map<string, string>();
  const mapSite = opts.site ?? ((at: string) => at);
  const site = (at: string) => {
    let s = sites.get(at);
    if (s === undefined) sites.set(at, (s = mapSite(at)));
    return s;
  };
  let now = 0;
  const clockStart = events[0]?.time ?? 0;
  const d: DiagramData = {
    lanes,
    labels: lanes.map((p) => opts.names?.[p] ?? p),
    step: new Array(n), from: new Array(n), to: new Array(n), op: new Array(n), text: new Array(n), waits: new Array(n), msg: new Array(n),
    det: new Array(n), res: new Array(n), at: new Array(n), time: new Array(n),
    ops, strings, failing: opts.failing, slice: opts.slice ?? [],
  };
  for (let r = 0; r < n; r++) {
    const { e, from, to } = rows[r];
    d.step[r] = e.step;
    d.from[r] = from;
    d.to[r] = to;
    d.op[r] = intern(opAt, ops, e.op);
    d.text[r] = intern(strAt, strings, `${events[r].pid}  ${eventText(e)}`);
    d.waits[r] = e.result === "waits" ? 1 : 0;
    // A send's result is empty when delivered ("dropped (dead)" etc. otherwise); a receive's is the message.
    const sent = e.op === "send" && to >= 0 && e.result === "" ? /^to <0\.\d+\.0>: ([\s\S]*)$/.exec(e.detail) : null;
    const took = e.op === "receive" && e.result !== "" && e.result !== "waits" && !e.result.startsWith("throws");
    d.msg[r] = sent ? intern(strAt, strings, sent[1]) : took ? intern(strAt, strings, e.result) : -1;
    d.det[r] = intern(strAt, strings, e.detail);
    d.res[r] = intern(strAt, strings, e.result);
    const at = e.at === undefined ? "" : site(e.at);
    d.at[r] = at === "" ? -1 : intern(strAt, strings, at);
    if (e.time !== undefined) now = e.time - clockStart;
    d.time[r] = now;
  }
  return d;
}

export interface MountOptions {
  /** Only these row indices are shown (the causal-slice view); all when absent. */
  only?: number[] | null;
  /** Where arrow keys, Home/End and PageUp/PageDown step the selection; none when absent. */
  keys?: EventTarget;
  /** Called after the selection moves: the row index, its position among the shown rows, how many are shown. */
  onSelect?: (index: number, position: number, count: number) => void;
  /** The state at each row (src/cli/diagram-state.ts), for the state panel under the diagram; no panel when absent. */
  state?: StateModel;
}

export interface DiagramHandle {
  /** Selects the row at `position` among the shown rows (clamped) and scrolls it into view. */
  select(position: number): void;
  position(): number;
  count(): number;
  /** The row index shown at `position`. */
  indexAt(position: number): number;
  /** Shows only these row indices (null: all), keeping the filter box. */
  setOnly(only: number[] | null): void;
}

/** The styles of the diagram (the report inlines them; the playground adds them to its page). */
export const DIAGRAM_CSS = `
.dv { --dv-accent: #2563eb; --dv-fail: #dc2626; --dv-registry: #7c3aed; --dv-watch: #d97706; --dv-timer: #0d9488; --dv-current: #fde68a;
  display: flex; flex-direction: column; background: #fff; border: 1px solid #d9dde3; border-radius: 6px; outline: none; }
.dv:focus-within { border-color: var(--dv-accent); }
.dv-bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 4px 6px; border-bottom: 1px solid #d9dde3; font: 12px system-ui, sans-serif; color: #667085; }
.dv-bar input, .dv-bar select, .dv-bar button { font: 12px system-ui, sans-serif; padding: 2px 4px; }
.dv-bar button { min-width: 24px; }
.dv-bar label { display: inline-flex; align-items: center; gap: 3px; }
.dv-search { flex: 1; min-width: 120px; max-width: 280px; }
.dv-main { display: flex; min-height: 0; }
.dv-scroll { flex: 1; overflow: auto; height: var(--dv-height, 62vh); min-width: 0; }
.dv-spacer { position: relative; }
.dv-spacer > svg { position: absolute; left: 0; }
.dv-map { flex: 0 0 14px; width: 14px; cursor: pointer; border-left: 1px solid #d9dde3; }
.diagram-head { position: sticky; top: 0; display: block; background: #fff; border-bottom: 1px solid #d9dde3; z-index: 1; }
.diagram { display: block; }
.diagram-head .head-step { font: 11px system-ui, sans-serif; fill: #667085; }
.diagram text, .diagram-head text { font: 11.5px ui-monospace, "SF Mono", Menlo, Consolas, monospace; fill: #374151; }
.diagram .lane-line { stroke: #cbd5e1; stroke-dasharray: 4 3; }
.diagram-head .lane-head { fill: #f1f5f9; stroke: #cbd5e1; }
.diagram-head .lane-label { font-weight: 600; fill: #111827; }
.diagram .bg { fill: transparent; }
.diagram .bg.in-slice { fill: #f8fafc; }
.diagram .bg.match { fill: #e0f2fe; }
.diagram .bg.current { fill: var(--dv-current); }
.diagram .bg.failing { fill: #fee2e2; }
.diagram .bg.failing.current { fill: #fecaca; }
.diagram .row { cursor: pointer; }
.diagram .step-no { fill: #9ca3af; }
.diagram .step-no.same { fill: #e5e7eb; }
.diagram .slice-bar { fill: var(--dv-accent); opacity: 0.5; }
.diagram .arrow { stroke-width: 1.5; }
.diagram .arrow.send { stroke: var(--dv-accent); }
.diagram .arrow.spawn { stroke: #64748b; stroke-dasharray: 5 3; }
.diagram .head { fill: var(--dv-accent); }
.diagram .head.spawn { fill: #64748b; }
.diagram .mark { fill: #64748b; stroke: none; }
.diagram .mark.send { fill: var(--dv-accent); }
.diagram .mark.receive { fill: #334155; }
.diagram .mark.receive.waits { fill: #fff; stroke: #334155; stroke-width: 1.5; }
.diagram .mark.registry { fill: var(--dv-registry); }
.diagram .mark.watch { fill: var(--dv-watch); }
.diagram .mark.timer { fill: var(--dv-timer); }
.diagram .mark.shared { fill: #be185d; }
.diagram .mark.exit { stroke: #475569; stroke-width: 2; fill: none; }
.diagram .mark.start { fill: #94a3b8; }
.diagram .mark.fail { fill: var(--dv-fail); }
.diagram .row.failing text.label { fill: var(--dv-fail); font-weight: 600; }
.diagram .row.current text.label { fill: #000; font-weight: 600; }
.dv-panel { font: 12px system-ui, sans-serif; padding: 4px 6px 6px; border-top: 1px solid #d9dde3; }
.dv-panel:empty { display: none; }
.dv-where { color: #667085; margin: 2px 0 4px; }
.dv-where code { color: #1d4ed8; }
.dv-state { border-collapse: collapse; margin: 0 0 4px; font: 12px system-ui, sans-serif; }
.dv-state th { text-align: left; color: #667085; font-weight: 500; padding: 2px 10px 2px 0; }
.dv-state td { padding: 2px 10px 2px 0; border-top: 1px solid #eef0f3; vertical-align: top; }
.dv-state tr.changed td { background: #fffbeb; }
.dv-state tr.actor td:first-child { font-weight: 600; }
.dv-state code, .dv-globals code { font: 11.5px ui-monospace, monospace; background: #f1f5f9; padding: 0 3px; border-radius: 3px; }
.dv-was { color: #92400e; font-size: 11px; display: block; }
.dv-globals { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0; }
.dv-globals > div { min-width: 160px; }
.dv-globals h4 { margin: 4px 0 2px; font-size: 12px; color: #667085; font-weight: 500; }
.dv-globals ul { margin: 0; padding-left: 16px; }
.dv-globals li.changed { background: #fffbeb; }
.dv-legend { font: 12px system-ui, sans-serif; color: #667085; display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0; }
.dv-legend .send { color: var(--dv-accent, #2563eb); } .dv-legend .registry { color: #7c3aed; } .dv-legend .watch { color: #d97706; } .dv-legend .timer { color: #0d9488; }
.dv-legend .shared { color: #be185d; } .dv-legend .slice { color: #2563eb; opacity: 0.7; } .dv-legend .fail { color: #dc2626; }
`;

/** The legend of the marks, as HTML. */
export const DIAGRAM_LEGEND = `<p class="dv-legend">
<span class="send">→ message</span> <span>⇢ spawn</span> <span class="registry">◆ registry</span>
<span class="watch">■ monitor / link / exit signal</span> <span class="timer">▼ timer</span> <span class="shared">▲ shared object</span>
<span>● receive (○ waits)</span> <span>✕ exit</span> <span class="slice">▌ causal slice</span> <span class="fail">● failing step</span></p>`;

/**
 * Draws `data` into `host` and returns a handle to move the selection. Rows
 * (`g.row`) and their backgrounds (`rect.bg`) carry `data-index`; lanes carry
 * `data-lane` (the pid) and a tooltip with the pid. Self-contained (see the top of
 * this file): no reference to anything outside this function.
 */
export function mountDiagram(host: HTMLElement, data: DiagramData, opts: MountOptions = {}): DiagramHandle {
  const HEAD_H = 34;
  const STEP_W = 56; // room for 6-digit step numbers
  const TEXT_W = 560;
  const MAX_TEXT = 96;
  /** Below this many shown rows every row is drawn (small diagrams never re-render while scrolling). */
  const ALL_BELOW = 800;
  const OVERSCAN = 12;
  /** Zoom levels: row height and lane width. */
  const ZOOM = [
    [14, 44],
    [18, 64],
    [22, 88],
    [28, 120],
  ];
  let zoom = 2;
  let ROW_H = 22;
  let laneW = 88;
  let textX = 0;
  let width = 0;
  const n = data.step.length;
  const laneX = (l: number) => STEP_W + l * laneW + laneW / 2;
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));
  const category = (op: string) => {
    if (op.startsWith("FAILS")) return "fail";
    if (op.startsWith("reg-") || op === "register" || op === "unregister" || op === "whereis" || op.startsWith("global-")) return "registry";
    if (["monitor", "demonitor", "link", "unlink", "exit-signal", "trap-exit", "is-alive"].includes(op)) return "watch";
    if (["send-after", "cancel-timer", "sleep", "timer-fire", "timer-callback"].includes(op)) return "timer";
    if (op.startsWith("shared-")) return "shared";
    if (op === "receive" || op === "block") return "receive";
    if (op === "exit") return "exit";
    if (op === "start") return "start";
    return "other";
  };
  const cats = data.ops.map(category);
  const inSlice = new Uint8Array(n);
  for (const i of data.slice) if (i >= 0 && i < n) inSlice[i] = 1;
  const lower = data.strings.map((s) => s.toLowerCase());
  const who = (l: number) => (data.labels[l] === data.lanes[l] ? data.lanes[l] : `${data.labels[l]} ${data.lanes[l]}`);

  const laneOptions = data.lanes.map((_, l) => `<option value="${l}">${esc(who(l))}</option>`).join("");
  const opOptions = data.ops.map((o, k) => `<option value="${k}">${esc(o)}</option>`).join("");
  host.classList.add("dv");
  host.innerHTML =
    `<div class="dv-bar"><input class="dv-search" type="search" placeholder="search: text of a process or operation" aria-label="search rows">` +
    `<button class="dv-prev-match" title="previous match (Shift+Enter)" aria-label="previous match">▲</button><button class="dv-next-match" title="next match (Enter)" aria-label="next match">▼</button>` +
    `<label title="show only the rows that match the search"><input type="checkbox" class="dv-only-matches" checked> only matches</label>` +
    `<select class="dv-lane" aria-label="process"><option value="-1">all processes</option>${laneOptions}</select>` +
    `<select class="dv-op" aria-label="operation"><option value="-1">all operations</option>${opOptions}</select>` +
    `<button class="dv-zoom-out" title="zoom out" aria-label="zoom out">−</button><button class="dv-zoom-in" title="zoom in" aria-label="zoom in">+</button>` +
    `<span class="dv-count"></span></div>` +
    `<div class="dv-main"><div class="dv-scroll" tabindex="-1">` +
    `<svg class="diagram-head" xmlns="http://www.w3.org/2000/svg"></svg>` +
    `<div class="dv-spacer"><svg class="diagram" role="img" aria-label="sequence diagram of the interleaving" xmlns="http://www.w3.org/2000/svg"></svg></div></div>` +
    `<canvas class="dv-map" width="14" height="100" aria-label="overview of the whole run"></canvas></div>` +
    `<div class="dv-panel" aria-label="state at the selected step"></div>`;
  const q = <T extends Element>(s: string) => host.querySelector(s) as T;
  const scroll = q<HTMLDivElement>(".dv-scroll");
  const spacer = q<HTMLDivElement>(".dv-spacer");
  const headSvg = q<SVGSVGElement>("svg.diagram-head");
  const body = q<SVGSVGElement>("svg.diagram");
  const map = q<HTMLCanvasElement>(".dv-map");
  const search = q<HTMLInputElement>(".dv-search");
  const onlyMatches = q<HTMLInputElement>(".dv-only-matches");
  const laneSel = q<HTMLSelectElement>(".dv-lane");
  const opSel = q<HTMLSelectElement>(".dv-op");
  const countEl = q<HTMLSpanElement>(".dv-count");
  const panel = q<HTMLDivElement>(".dv-panel");

  /** Lays out the lanes for the zoom level: lane width, where the text column starts, the header. */
  function layout(): void {
    [ROW_H, laneW] = ZOOM[zoom];
    if (zoom === 2 && scroll.clientWidth > 0) {
      // At the default zoom the lanes share what the panel leaves beside ~380 px of text,
      // never narrower than their labels up to 64 px (~7 characters; a longer label is cut
      // with an ellipsis, its tooltip has it all): with many lanes the operation column
      // stays on screen. Zoom in for wider lanes, out for narrower.
      const room = scroll.clientWidth - STEP_W - 12 - 380;
      const label = Math.min(64, 14 + 7.2 * Math.max(...data.labels.map((l) => l.length)));
      laneW = Math.max(label, Math.min(laneW, Math.floor(room / data.lanes.length)));
    }
    textX = STEP_W + data.lanes.length * laneW + 12;
    width = textX + TEXT_W;
    const chars = Math.max(3, Math.floor((laneW - 8) / 7.2));
    const heads = data.lanes
      .map((p, l) => {
        const label = data.labels[l];
        const short = label.length > chars ? label.slice(0, chars - 1) + "…" : label;
        return `<g class="lane" data-lane="${esc(p)}"><title>${esc(who(l))}</title><rect class="lane-head" x="${laneX(l) - laneW / 2 + 3}" y="7" width="${laneW - 6}" height="20" rx="4"/><text class="lane-label" x="${laneX(l)}" y="21" text-anchor="middle">${esc(short)}</text></g>`;
      })
      .join("");
    headSvg.setAttribute("width", String(width));
    headSvg.setAttribute("height", String(HEAD_H));
    headSvg.setAttribute("viewBox", `0 0 ${width} ${HEAD_H}`);
    headSvg.innerHTML = `<text class="head-step" x="${STEP_W - 8}" y="21" text-anchor="end">step</text><text class="head-step" x="${textX}" y="21">process  operation → result</text>${heads}`;
    sizeRows();
    winA = winB = -1;
  }

  /** The scrolled height for the shown rows: a short run takes the room it needs, a long one up to --dv-height. */
  function sizeRows(): void {
    spacer.style.height = `${shown.length * ROW_H + 8}px`;
    scroll.style.height = `min(var(--dv-height, 62vh), ${HEAD_H + shown.length * ROW_H + 26}px)`;
  }

  const sorted = (o: number[] | null | undefined) => (o ? [...o].sort((a, b) => a - b) : null);
  let only = sorted(opts.only);
  /** The shown row indices, in order: `only` (or all rows) through the process and operation menus, and the search when it filters. */
  let shown: number[] = [];
  /** 1 for rows that match the search text. */
  let matches = new Uint8Array(n);
  let query = "";
  let cur = -1;
  let winA = -1;
  let winB = -1;
  let mapImage: HTMLCanvasElement | null = null;
  /** False until the first selection has been shown (its state panel comes a moment later). */
  let painted = false;

  function refilter(): void {
    query = search.value.trim().toLowerCase();
    const lane = Number(laneSel.value);
    const op = Number(opSel.value);
    const filterText = onlyMatches.checked && query !== "";
    matches = new Uint8Array(n);
    const keep = (i: number) => {
      if ((lane >= 0 && data.from[i] !== lane && data.to[i] !== lane) || (op >= 0 && data.op[i] !== op)) return false;
      const hit = query !== "" && lower[data.text[i]].includes(query);
      if (hit) matches[i] = 1;
      return !filterText || hit;
    };
    const out: number[] = [];
    if (only) for (const i of only) keep(i) && out.push(i);
    else for (let i = 0; i < n; i++) keep(i) && out.push(i);
    const was = cur >= 0 && cur < shown.length ? shown[cur] : -1;
    shown = out;
    sizeRows();
    let hits = 0;
    if (query !== "" && !filterText) for (const i of shown) hits += matches[i];
    const fmt = (x: number) => x.toLocaleString("en-US");
    countEl.textContent = (shown.length === n ? `${fmt(n)} rows` : `${fmt(shown.length)} of ${fmt(n)} rows`) + (query !== "" && !filterText ? ` · ${fmt(hits)} matches` : "");
    mapImage = null;
    winA = winB = -1;
    // Keep the selected row when it is still shown, else the nearest one after it.
    let k = shown.length - 1;
    if (was >= 0) k = Math.min(firstAtOrAfter(was), shown.length - 1);
    cur = -1;
    select(k);
  }

  /** The position of the first shown row with index >= i. */
  function firstAtOrAfter(i: number): number {
    let lo = 0;
    let hi = shown.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (shown[mid] < i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Moves to the next (dir 1) or previous (-1) shown row matching the search, wrapping around. */
  function findMatch(dir: 1 | -1): void {
    if (query === "" || shown.length === 0) return;
    for (let step = 1; step <= shown.length; step++) {
      const k = (((cur + dir * step) % shown.length) + shown.length) % shown.length;
      if (matches[shown[k]]) return select(k);
    }
  }

  function markShape(cat: string, x: number, y: number, waits: boolean): string {
    const cls = `mark ${cat}${waits ? " waits" : ""}`;
    const r = Math.min(6, ROW_H / 3.4);
    switch (cat) {
      case "registry": return `<path class="${cls}" d="M${x},${y - r} L${x + r},${y} L${x},${y + r} L${x - r},${y} Z"/>`;
      case "watch": return `<rect class="${cls}" x="${x - r + 1}" y="${y - r + 1}" width="${2 * r - 2}" height="${2 * r - 2}"/>`;
      case "timer": return `<path class="${cls}" d="M${x - r},${y - r + 1} L${x + r},${y - r + 1} L${x},${y + r} Z"/>`;
      case "shared": return `<path class="${cls}" d="M${x - r},${y + r - 1} L${x + r},${y + r - 1} L${x},${y - r} Z"/>`;
      case "exit": return `<path class="${cls}" d="M${x - r + 1},${y - r + 1} L${x + r - 1},${y + r - 1} M${x + r - 1},${y - r + 1} L${x - r + 1},${y + r - 1}"/>`;
      case "fail": return `<circle class="${cls}" cx="${x}" cy="${y}" r="${r + 1}"/>`;
      case "start": return `<circle class="${cls}" cx="${x}" cy="${y}" r="3"/>`;
      default: return `<circle class="${cls}" cx="${x}" cy="${y}" r="${r - 1}"/>`;
    }
  }

  /** Draws the rows of the window around the scroll position (all of them when few). */
  function render(): void {
    const total = shown.length;
    let a = 0;
    let b = total;
    if (total > ALL_BELOW) {
      const top = Math.max(0, scroll.scrollTop - HEAD_H);
      a = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
      b = Math.min(total, Math.ceil((top + scroll.clientHeight) / ROW_H) + OVERSCAN);
    }
    if (a !== winA || b !== winB) {
      winA = a;
      winB = b;
      const h = (b - a) * ROW_H + 8;
      const backs: string[] = [];
      const rows: string[] = [];
      const fontY = Math.min(4, ROW_H / 5);
      for (let k = a; k < b; k++) {
        const i = shown[k];
        const y = (k - a) * ROW_H + ROW_H / 2 + 4;
        const cls = `${i === data.failing ? " failing" : ""}${inSlice[i] ? " in-slice" : ""}${matches[i] ? " match" : ""}${k === cur ? " current" : ""}`;
        const op = data.ops[data.op[i]];
        const cat = cats[data.op[i]];
        backs.push(`<rect class="bg${cls}" data-index="${i}" x="0" y="${y - ROW_H / 2}" width="${width}" height="${ROW_H}"/>`);
        const same = k > 0 && data.step[shown[k - 1]] === data.step[i];
        let g = `<g class="row${cls}" data-index="${i}" data-pid="${esc(data.lanes[data.from[i]])}" data-op="${esc(op)}" data-step="${data.step[i]}">`;
        if (inSlice[i]) g += `<rect class="slice-bar" x="0" y="${y - ROW_H / 2 + 2}" width="3" height="${ROW_H - 4}"/>`;
        g += `<text class="step-no${same ? " same" : ""}" x="${STEP_W - 8}" y="${y + fontY}" text-anchor="end">${data.step[i]}</text>`;
        const from = data.from[i];
        const to = data.to[i];
        if (to >= 0 && to !== from) {
          const x1 = laneX(from);
          const x2 = laneX(to) + (to > from ? -4 : 4);
          const kind = op === "send" ? "send" : "spawn";
          g += `<line class="arrow ${kind}" x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" marker-end="url(#dv-${kind})"/><circle class="mark ${kind}" cx="${x1}" cy="${y}" r="3"/>`;
        } else {
          g += markShape(cat, laneX(from), y, data.waits[i] === 1);
        }
        const full = data.strings[data.text[i]];
        const at = data.at[i] >= 0 ? `\n${data.strings[data.at[i]]}` : "";
        g += `<text class="label" x="${textX}" y="${y + fontY}">${esc(full.length > MAX_TEXT ? full.slice(0, MAX_TEXT - 1) + "…" : full)}</text><title>${esc(full + at)}</title></g>`;
        rows.push(g);
      }
      const lines = data.lanes.map((_, l) => `<line class="lane-line" x1="${laneX(l)}" y1="0" x2="${laneX(l)}" y2="${h}"/>`).join("");
      body.setAttribute("width", String(width));
      body.setAttribute("height", String(h));
      body.setAttribute("viewBox", `0 0 ${width} ${h}`);
      body.style.top = `${a * ROW_H}px`;
      body.innerHTML =
        `<defs><marker id="dv-send" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path class="head" d="M0,0 L8,4 L0,8 z"/></marker>` +
        `<marker id="dv-spawn" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path class="head spawn" d="M0,0 L8,4 L0,8 z"/></marker></defs>` +
        `<g class="backs">${backs.join("")}</g><g class="lane-lines">${lines}</g><g class="rows">${rows.join("")}</g>`;
    }
    drawMap();
  }

  /** The overview strip: one pixel row per slice of the run, coloured by its most telling operation; the view and the selection on top. */
  function drawMap(): void {
    const h = Math.max(20, scroll.clientHeight);
    if (map.height !== h) {
      map.height = h;
      mapImage = null;
    }
    const total = shown.length;
    const ctx = map.getContext("2d");
    if (!ctx) return;
    if (!mapImage) {
      mapImage = document.createElement("canvas");
      mapImage.width = 14;
      mapImage.height = h;
      const c = mapImage.getContext("2d")!;
      c.fillStyle = "#fff";
      c.fillRect(0, 0, 14, h);
      const rank: Record<string, number> = { fail: 5, registry: 4, watch: 4, timer: 4, exit: 4, shared: 3, send: 2, receive: 1, start: 1, other: 1 };
      const colour: Record<string, string> = { fail: "#dc2626", registry: "#7c3aed", watch: "#d97706", timer: "#0d9488", exit: "#475569", shared: "#be185d", send: "#93b4f5", receive: "#cbd5e1", start: "#cbd5e1", other: "#cbd5e1" };
      for (let y = 0; y < h && total > 0; y++) {
        const lo = Math.floor((y * total) / h);
        const hi = Math.max(lo + 1, Math.floor(((y + 1) * total) / h));
        let best = "";
        let slice = false;
        let hit = false;
        for (let k = lo; k < hi && k < total; k++) {
          const i = shown[k];
          const cat = i === data.failing ? "fail" : data.to[i] >= 0 && data.ops[data.op[i]] === "send" ? "send" : cats[data.op[i]];
          if (best === "" || rank[cat] > rank[best]) best = cat;
          if (inSlice[i]) slice = true;
          if (matches[i]) hit = true;
        }
        c.fillStyle = colour[best] ?? "#cbd5e1";
        c.fillRect(4, y, 10, 1);
        if (slice || hit) {
          c.fillStyle = hit ? "#0284c7" : "#2563eb";
          c.fillRect(0, y, 3, 1);
        }
      }
    }
    ctx.drawImage(mapImage, 0, 0);
    const full = Math.max(1, total * ROW_H);
    const vy = (scroll.scrollTop / full) * h;
    const vh = Math.max(3, (scroll.clientHeight / full) * h);
    ctx.strokeStyle = "rgba(17,24,39,0.6)";
    ctx.strokeRect(0.5, vy + 0.5, 13, Math.min(vh, h - vy) - 1);
    if (cur >= 0 && total > 0) {
      ctx.fillStyle = "#111827";
      ctx.fillRect(0, Math.min(h - 2, (cur / total) * h), 14, 2);
    }
  }

  /**
   * The state panel: where the selected operation is in the program, then each
   * process's status, mailbox, monitors and links after it, with what it changed
   * (the state before it under "was"); then timers, names and shared values.
   */
  function drawState(i: number): void {
    const model = opts.state;
    const at = i >= 0 && data.at[i] >= 0 ? data.strings[data.at[i]] : "";
    const where = `<p class="dv-where">step ${i >= 0 ? data.step[i] : "-"}${at ? ` · performed at <code class="dv-at">${esc(at)}</code>` : ""}</p>`;
    if (!model || i < 0) {
      panel.innerHTML = where;
      return;
    }
    const before = model.at(i - 1);
    const after = model.at(i);
    const cut = (s: string) => (s.length > 80 ? s.slice(0, 79) + "…" : s);
    const box = (ms: number[]) =>
      ms.length === 0 ? "empty" : `${ms.length}: ${ms.slice(0, 5).map((m) => `<code>${esc(cut(data.strings[m]))}</code>`).join(" ")}${ms.length > 5 ? ` … and ${ms.length - 5} more` : ""}`;
    const watch = (p: (typeof after.procs)[number]) =>
      [...p.monitors.map((m) => `monitors ${esc(m)}`), ...p.links.map((l) => `linked to ${esc(who(l))}`), ...(p.traps ? ["traps exits"] : [])].join("<br>") || "-";
    let html = `${where}<table class="dv-state"><tr><th>process</th><th>status after this step</th><th>mailbox</th><th>monitors / links</th></tr>`;
    for (let l = 0; l < data.lanes.length; l++) {
      const a = after.procs[l];
      const b = before.procs[l];
      const st = a.status === b.status ? "" : `<span class="dv-was">was: ${esc(b.status)}</span>`;
      const mb = box(a.mailbox);
      const mbWas = box(b.mailbox);
      const wa = watch(a);
      const waWas = watch(b);
      const changed = st !== "" || mb !== mbWas || wa !== waWas;
      html +=
        `<tr data-lane="${esc(data.lanes[l])}" class="${changed ? "changed" : ""}${data.from[i] === l ? " actor" : ""}"><td title="${esc(data.lanes[l])}">${esc(data.labels[l])}</td>` +
        `<td class="dv-status">${esc(a.status)}${st}</td><td class="dv-mailbox">${mb}${mb !== mbWas ? `<span class="dv-was">was: ${mbWas}</span>` : ""}</td>` +
        `<td class="dv-watch">${wa}${wa !== waWas ? `<span class="dv-was">was: ${waWas}</span>` : ""}</td></tr>`;
    }
    html += `</table>`;
    const list = (title: string, cls: string, m: Map<string, string>, was: Map<string, string>, sep: string) => {
      const items: string[] = [];
      const pair = (k: string, v: string) => `<code>${esc(cut(k))}</code>${v === "" ? "" : `${sep}<code>${esc(cut(v))}</code>`}`;
      for (const [k, v] of m) {
        const old = was.get(k);
        items.push(`<li class="${old === v ? "" : "changed"}">${pair(k, v)}${old !== undefined && old !== v ? ` <span class="dv-was">was: ${esc(cut(old))}</span>` : ""}</li>`);
      }
      for (const [k, v] of was) if (!m.has(k)) items.push(`<li class="changed"><s>${pair(k, v)}</s> (gone)</li>`);
      return items.length === 0 ? "" : `<div class="${cls}"><h4>${title}</h4><ul>${items.join("")}</ul></div>`;
    };
    // A timer is shown by what it does and when; its key (a ref) says nothing more.
    const timers: Map<string, string> = new Map([...after.timers.values()].map((v) => [v, ""]));
    const timersWas: Map<string, string> = new Map([...before.timers.values()].map((v) => [v, ""]));
    const globals =
      `<div class="dv-clock"><h4>virtual time</h4>${after.now} ms${after.now !== before.now ? ` <span class="dv-was">was: ${before.now} ms</span>` : ""}</div>` +
      list("pending timers", "dv-timers", timers, timersWas, "") +
      list("names and registry keys", "dv-names", after.names, before.names, " → ") +
      list("shared objects", "dv-cells", after.cells, before.cells, " = ");
    panel.innerHTML = html + `<div class="dv-globals">${globals}</div>`;
  }

  function select(k: number): void {
    if (shown.length === 0) {
      cur = -1;
      render();
      drawState(-1);
      return;
    }
    k = Math.max(0, Math.min(shown.length - 1, Math.round(k)));
    cur = k;
    // Scroll the row into view below the sticky lane header.
    const rowTop = HEAD_H + k * ROW_H;
    if (rowTop < scroll.scrollTop + HEAD_H) scroll.scrollTop = k * ROW_H;
    else if (rowTop + ROW_H > scroll.scrollTop + scroll.clientHeight) scroll.scrollTop = rowTop + ROW_H - scroll.clientHeight + 4;
    body.querySelectorAll(".current").forEach((node) => node.classList.remove("current"));
    render();
    body.querySelectorAll(`[data-index="${shown[k]}"]`).forEach((node) => node.classList.add("current"));
    if (painted) drawState(shown[k]);
    else {
      // The first state folds the whole run (a tenth of a second for 100,000 rows): after the diagram's first paint.
      painted = true;
      const i = shown[k];
      setTimeout(() => cur >= 0 && shown[cur] === i && drawState(i), 0);
    }
    opts.onSelect?.(shown[k], k, shown.length);
  }

  function setZoom(z: number): void {
    zoom = Math.max(0, Math.min(ZOOM.length - 1, z));
    layout();
    select(cur);
  }

  /** The shown position under a point of the diagram (clicks on the blank part of a row count). */
  function positionAt(clientY: number): number {
    const r = body.getBoundingClientRect();
    return winA + Math.floor((clientY - r.top - 4) / ROW_H);
  }

  body.addEventListener("click", (ev) => {
    const k = positionAt(ev.clientY);
    if (k >= winA && k < winB) select(k);
  });
  let frame = 0;
  scroll.addEventListener("scroll", () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  });
  const jump = (ev: PointerEvent) => {
    const r = map.getBoundingClientRect();
    const k = Math.floor(((ev.clientY - r.top) / r.height) * shown.length);
    scroll.scrollTop = Math.max(0, k * ROW_H - scroll.clientHeight / 2);
    select(k);
  };
  map.addEventListener("pointerdown", (ev) => {
    jump(ev);
    map.setPointerCapture(ev.pointerId);
  });
  map.addEventListener("pointermove", (ev) => {
    if (map.hasPointerCapture(ev.pointerId)) jump(ev);
  });
  let typing = 0;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = window.setTimeout(refilter, n > 20000 ? 150 : 0);
  });
  search.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    ev.preventDefault();
    clearTimeout(typing);
    if (search.value.trim().toLowerCase() !== query) refilter();
    findMatch(ev.shiftKey ? -1 : 1);
  });
  q<HTMLButtonElement>(".dv-next-match").addEventListener("click", () => findMatch(1));
  q<HTMLButtonElement>(".dv-prev-match").addEventListener("click", () => findMatch(-1));
  onlyMatches.addEventListener("change", refilter);
  laneSel.addEventListener("change", refilter);
  opSel.addEventListener("change", refilter);
  q<HTMLButtonElement>(".dv-zoom-in").addEventListener("click", () => setZoom(zoom + 1));
  q<HTMLButtonElement>(".dv-zoom-out").addEventListener("click", () => setZoom(zoom - 1));
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(() => ((winA = -1), render())).observe(scroll);
  if (opts.keys) {
    opts.keys.addEventListener("keydown", (e) => {
      const ev = e as KeyboardEvent;
      const t = ev.target as HTMLElement | null;
      if (ev.defaultPrevented || (t && (t.closest?.(".cm-editor") || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName)))) return;
      const page = Math.max(1, Math.floor((scroll.clientHeight - HEAD_H) / ROW_H) - 1);
      const moves: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, PageDown: page, PageUp: -page };
      if (ev.key in moves) select(cur + moves[ev.key]);
      else if (ev.key === "Home") select(0);
      else if (ev.key === "End") select(shown.length - 1);
      else if (ev.key === "+" || ev.key === "=") setZoom(zoom + 1);
      else if (ev.key === "-") setZoom(zoom - 1);
      else return;
      ev.preventDefault();
    });
  }
  layout();
  refilter();
  return {
    select,
    position: () => cur,
    count: () => shown.length,
    indexAt: (k: number) => shown[k],
    setOnly(o: number[] | null) {
      only = sorted(o);
      cur = -1;
      refilter();
    },
  };
}
