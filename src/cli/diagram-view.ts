// The interleaving as a sequence diagram, one component for the playground and the
// HTML report: one lane per process, a row per operation, arrows for messages and
// spawns, a mark shaped by the kind of operation, the failing step in red and the
// causal slice marked; a filter box, an overview strip of the whole run (minimap),
// and keyboard stepping that scrolls the current row into view.
//
// Traces reach 100,000 rows (a livelock runs to maxSteps), so the diagram is
// virtualized: only the rows in view (plus a margin) exist in the DOM, and the data
// is held as columns of numbers over a table of distinct strings, which also keeps
// the report small (a livelock repeats the same few texts).
//
// `mountDiagram` uses nothing outside its own body: the report embeds its source
// text (`mountDiagram.toString()`) in the page, so both draw with the same code.
import type { StepEvent } from "../runtime/iteration.js";

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
  const site = opts.site ?? ((at: string) => at);
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
.dv-bar input, .dv-bar select { font: 12px system-ui, sans-serif; padding: 2px 4px; }
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
.diagram .mark.exit { stroke: #475569; stroke-width: 2; fill: none; }
.diagram .mark.start { fill: #94a3b8; }
.diagram .mark.fail { fill: var(--dv-fail); }
.diagram .row.failing text.label { fill: var(--dv-fail); font-weight: 600; }
.diagram .row.current text.label { fill: #000; font-weight: 600; }
.dv-state { border-collapse: collapse; margin: 4px 6px 6px; font: 12px system-ui, sans-serif; }
.dv-state th { text-align: left; color: #667085; font-weight: 500; padding: 2px 10px 2px 0; }
.dv-state td { padding: 2px 10px 2px 0; border-top: 1px solid #eef0f3; vertical-align: top; }
.dv-state code { font: 11.5px ui-monospace, monospace; background: #f1f5f9; padding: 0 3px; border-radius: 3px; }
.dv-legend { font: 12px system-ui, sans-serif; color: #667085; display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0; }
.dv-legend .send { color: var(--dv-accent, #2563eb); } .dv-legend .registry { color: #7c3aed; } .dv-legend .watch { color: #d97706; } .dv-legend .timer { color: #0d9488; }
.dv-legend .slice { color: #2563eb; opacity: 0.7; } .dv-legend .fail { color: #dc2626; }
`;

/** The legend of the marks, as HTML. */
export const DIAGRAM_LEGEND = `<p class="dv-legend">
<span class="send">→ message</span> <span>⇢ spawn</span> <span class="registry">◆ registry</span>
<span class="watch">■ monitor / link / exit signal</span> <span class="timer">▼ timer</span>
<span>● receive (○ waits)</span> <span>✕ exit</span> <span class="slice">▌ causal slice</span> <span class="fail">● failing step</span></p>`;

/**
 * Draws `data` into `host` and returns a handle to move the selection. Rows
 * (`g.row`) and their backgrounds (`rect.bg`) carry `data-index`; lanes carry
 * `data-lane` (the pid) and a tooltip with the pid. Self-contained (see the top of
 * this file): no reference to anything outside this function.
 */
export function mountDiagram(host: HTMLElement, data: DiagramData, opts: MountOptions = {}): DiagramHandle {
  const ROW_H = 22;
  const HEAD_H = 34;
  const STEP_W = 56; // room for 6-digit step numbers
  const TEXT_W = 560;
  const MAX_TEXT = 96;
  /** Below this many shown rows every row is drawn (small diagrams never re-render while scrolling). */
  const ALL_BELOW = 800;
  const OVERSCAN = 12;
  const n = data.step.length;
  const laneW = data.lanes.length > 5 ? 72 : 88;
  const textX = STEP_W + data.lanes.length * laneW + 12;
  const width = textX + TEXT_W;
  const laneX = (l: number) => STEP_W + l * laneW + laneW / 2;
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));
  const category = (op: string) => {
    if (op.startsWith("FAILS")) return "fail";
    if (op.startsWith("reg-") || op === "register" || op === "unregister" || op === "whereis") return "registry";
    if (["monitor", "demonitor", "link", "unlink", "exit-signal", "trap-exit", "is-alive"].includes(op)) return "watch";
    if (["send-after", "cancel-timer", "sleep", "timer-fire"].includes(op)) return "timer";
    if (op === "receive" || op === "block") return "receive";
    if (op === "exit") return "exit";
    if (op === "start") return "start";
    return "other";
  };
  const cats = data.ops.map(category);
  const inSlice = new Uint8Array(n);
  for (const i of data.slice) if (i >= 0 && i < n) inSlice[i] = 1;
  const lower = data.strings.map((s) => s.toLowerCase());

  const laneOptions = data.lanes.map((p, l) => `<option value="${l}">${esc(data.labels[l] === p ? p : `${data.labels[l]} ${p}`)}</option>`).join("");
  const heads = data.lanes
    .map((p, l) => {
      const label = data.labels[l];
      const short = label.length > laneW / 7.5 ? label.slice(0, Math.floor(laneW / 7.5) - 1) + "…" : label;
      return `<g class="lane" data-lane="${esc(p)}"><title>${esc(label === p ? p : `${label} ${p}`)}</title><rect class="lane-head" x="${laneX(l) - laneW / 2 + 5}" y="7" width="${laneW - 10}" height="20" rx="4"/><text class="lane-label" x="${laneX(l)}" y="21" text-anchor="middle">${esc(short)}</text></g>`;
    })
    .join("");
  host.classList.add("dv");
  host.innerHTML =
    `<div class="dv-bar"><input class="dv-search" type="search" placeholder="filter rows: text of a process or operation" aria-label="filter rows">` +
    `<select class="dv-lane" aria-label="process"><option value="-1">all processes</option>${laneOptions}</select><span class="dv-count"></span></div>` +
    `<div class="dv-main"><div class="dv-scroll" tabindex="-1">` +
    `<svg class="diagram-head" width="${width}" height="${HEAD_H}" viewBox="0 0 ${width} ${HEAD_H}" xmlns="http://www.w3.org/2000/svg">` +
    `<text class="head-step" x="${STEP_W - 8}" y="21" text-anchor="end">step</text><text class="head-step" x="${textX}" y="21">process  operation → result</text>${heads}</svg>` +
    `<div class="dv-spacer"><svg class="diagram" role="img" aria-label="sequence diagram of the interleaving" xmlns="http://www.w3.org/2000/svg"></svg></div></div>` +
    `<canvas class="dv-map" width="14" height="100" aria-label="overview of the whole run"></canvas></div>` +
    `<table class="dv-state" aria-label="state after the selected step"></table>`;
  const q = <T extends Element>(s: string) => host.querySelector(s) as T;
  const scroll = q<HTMLDivElement>(".dv-scroll");
  const spacer = q<HTMLDivElement>(".dv-spacer");
  const body = q<SVGSVGElement>("svg.diagram");
  const map = q<HTMLCanvasElement>(".dv-map");
  const search = q<HTMLInputElement>(".dv-search");
  const laneSel = q<HTMLSelectElement>(".dv-lane");
  const countEl = q<HTMLSpanElement>(".dv-count");
  const stateEl = q<HTMLTableElement>(".dv-state");

  const sorted = (o: number[] | null | undefined) => (o ? [...o].sort((a, b) => a - b) : null);
  let only = sorted(opts.only);
  /** The shown row indices, in order: `only` (or all rows) through the filter box and the process menu. */
  let shown: number[] = [];
  let cur = -1;
  let winA = -1;
  let winB = -1;
  let mapImage: HTMLCanvasElement | null = null;

  function refilter(): void {
    const text = search.value.trim().toLowerCase();
    const lane = Number(laneSel.value);
    const keep = (i: number) => (lane < 0 || data.from[i] === lane || data.to[i] === lane) && (text === "" || lower[data.text[i]].includes(text));
    const base = only;
    const out: number[] = [];
    if (base) for (const i of base) keep(i) && out.push(i);
    else for (let i = 0; i < n; i++) keep(i) && out.push(i);
    const was = cur >= 0 && cur < shown.length ? shown[cur] : -1;
    shown = out;
    spacer.style.height = `${shown.length * ROW_H + 8}px`;
    countEl.textContent = shown.length === n ? `${n.toLocaleString("en-US")} rows` : `${shown.length.toLocaleString("en-US")} of ${n.toLocaleString("en-US")} rows`;
    mapImage = null;
    winA = winB = -1;
    // Keep the selected row when it is still shown, else the nearest one after it.
    let k = shown.length - 1;
    if (was >= 0) {
      let lo = 0;
      let hi = shown.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (shown[mid] < was) lo = mid + 1;
        else hi = mid;
      }
      k = Math.min(lo, shown.length - 1);
    }
    cur = -1;
    select(k);
  }

  function markShape(cat: string, x: number, y: number, waits: boolean): string {
    const cls = `mark ${cat}${waits ? " waits" : ""}`;
    switch (cat) {
      case "registry": return `<path class="${cls}" d="M${x},${y - 6} L${x + 6},${y} L${x},${y + 6} L${x - 6},${y} Z"/>`;
      case "watch": return `<rect class="${cls}" x="${x - 5}" y="${y - 5}" width="10" height="10"/>`;
      case "timer": return `<path class="${cls}" d="M${x - 6},${y - 5} L${x + 6},${y - 5} L${x},${y + 6} Z"/>`;
      case "exit": return `<path class="${cls}" d="M${x - 5},${y - 5} L${x + 5},${y + 5} M${x + 5},${y - 5} L${x - 5},${y + 5}"/>`;
      case "fail": return `<circle class="${cls}" cx="${x}" cy="${y}" r="7"/>`;
      case "start": return `<circle class="${cls}" cx="${x}" cy="${y}" r="3"/>`;
      default: return `<circle class="${cls}" cx="${x}" cy="${y}" r="5"/>`;
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
      for (let k = a; k < b; k++) {
        const i = shown[k];
        const y = (k - a) * ROW_H + ROW_H / 2 + 4;
        const cls = `${i === data.failing ? " failing" : ""}${inSlice[i] ? " in-slice" : ""}${k === cur ? " current" : ""}`;
        const op = data.ops[data.op[i]];
        const cat = cats[data.op[i]];
        backs.push(`<rect class="bg${cls}" data-index="${i}" x="0" y="${y - ROW_H / 2}" width="${width}" height="${ROW_H}"/>`);
        const same = k > 0 && data.step[shown[k - 1]] === data.step[i];
        let g = `<g class="row${cls}" data-index="${i}" data-pid="${esc(data.lanes[data.from[i]])}" data-op="${esc(op)}" data-step="${data.step[i]}">`;
        if (inSlice[i]) g += `<rect class="slice-bar" x="0" y="${y - ROW_H / 2 + 2}" width="3" height="${ROW_H - 4}"/>`;
        g += `<text class="step-no${same ? " same" : ""}" x="${STEP_W - 8}" y="${y + 4}" text-anchor="end">${data.step[i]}</text>`;
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
        g += `<text class="label" x="${textX}" y="${y + 4}">${esc(full.length > MAX_TEXT ? full.slice(0, MAX_TEXT - 1) + "…" : full)}</text><title>${esc(full)}</title></g>`;
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
      const rank: Record<string, number> = { fail: 5, registry: 4, watch: 4, timer: 4, exit: 4, send: 2, receive: 1, start: 1, other: 1 };
      const colour: Record<string, string> = { fail: "#dc2626", registry: "#7c3aed", watch: "#d97706", timer: "#0d9488", exit: "#475569", send: "#93b4f5", receive: "#cbd5e1", start: "#cbd5e1", other: "#cbd5e1" };
      for (let y = 0; y < h && total > 0; y++) {
        const lo = Math.floor((y * total) / h);
        const hi = Math.max(lo + 1, Math.floor(((y + 1) * total) / h));
        let best = "";
        let slice = false;
        for (let k = lo; k < hi && k < total; k++) {
          const i = shown[k];
          const cat = i === data.failing ? "fail" : data.to[i] >= 0 && data.ops[data.op[i]] === "send" ? "send" : cats[data.op[i]];
          if (best === "" || rank[cat] > rank[best]) best = cat;
          if (inSlice[i]) slice = true;
        }
        c.fillStyle = colour[best] ?? "#cbd5e1";
        c.fillRect(4, y, 10, 1);
        if (slice) {
          c.fillStyle = "#2563eb";
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
   * Each process's status and mailbox after row `i`, replayed from the rows before it
   * (sends add their message to the target's mailbox, receives take the first equal
   * one out): one pass over the rows, a few milliseconds for 100,000.
   */
  function drawState(i: number): void {
    const L = data.lanes.length;
    const box: number[][] = data.lanes.map(() => []);
    const status: string[] = data.lanes.map(() => "not spawned yet");
    for (let r = 0; r <= i && r < n; r++) {
      const f = data.from[r];
      const op = data.ops[data.op[r]];
      const m = data.msg[r];
      if (op === "send" && m >= 0) box[data.to[r]].push(m);
      else if (op === "receive" && m >= 0) {
        const at = box[f].indexOf(m);
        if (at >= 0) box[f].splice(at, 1);
      }
      if (op === "spawn" && data.to[r] >= 0 && status[data.to[r]] === "not spawned yet") status[data.to[r]] = "spawned, not run yet";
      const text = data.strings[data.text[r]];
      status[f] = data.waits[r] ? "waiting in receive: no message in its mailbox matches" : op === "exit" ? "exited" + text.slice(text.indexOf(" exit") + 5) : op.startsWith("FAILS") ? "failed" : "running";
    }
    const cut = (s: string) => (s.length > 80 ? s.slice(0, 79) + "…" : s);
    let html = `<tr><th>process</th><th>after step ${i >= 0 && i < n ? data.step[i] : "-"}</th><th>mailbox</th></tr>`;
    for (let l = 0; l < L; l++) {
      const msgs = box[l].slice(0, 5).map((m) => `<code>${esc(cut(data.strings[m]))}</code>`).join(" ");
      const more = box[l].length > 5 ? ` … and ${box[l].length - 5} more` : "";
      html += `<tr data-lane="${esc(data.lanes[l])}"><td title="${esc(data.lanes[l])}">${esc(data.labels[l])}</td><td class="dv-status">${esc(status[l])}</td><td class="dv-mailbox">${box[l].length === 0 ? "empty" : `${box[l].length}: ${msgs}${more}`}</td></tr>`;
    }
    stateEl.innerHTML = html;
  }

  function select(k: number): void {
    if (shown.length === 0) {
      cur = -1;
      render();
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
    drawState(shown[k]);
    opts.onSelect?.(shown[k], k, shown.length);
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
  laneSel.addEventListener("change", refilter);
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
      else return;
      ev.preventDefault();
    });
  }
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
