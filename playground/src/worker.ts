// The playground's worker: imports the user's program as a module and runs explore,
// replay or shrink on it with the library bundle (the same build and engine as Node's),
// so a long search never freezes the page and Stop is `worker.terminate()`.
import { explore, replay, shrink, causalSlice, type Bug, type ExploreOptions, type TraceFile } from "lockstep";
import type { BugView, ErrorInfo, Reply, Request, Result, RunOptions } from "./protocol.js";
import { columnsToWire, cutReport } from "./protocol.js";
import { posInStack } from "./stack.js";
import { diagramData, eventText } from "../../src/cli/diagram-view.js";

declare const self: { postMessage(m: Reply, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<Request>) => void) | null };

interface Loaded {
  url: string;
  exports: Record<string, unknown>;
}

/** The program of the current request (its URL names it in stack traces). */
let loaded: Loaded | null = null;

/**
 * Imports the program afresh for every request (a new Blob URL is a new module
 * instance), so state kept at a module's top level starts over each time, as it does
 * for each `lockstep explore` run in Node.
 */
async function load(code: string): Promise<Loaded> {
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  try {
    const exports = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
    loaded = { url, exports };
    return loaded;
  } catch (e) {
    throw errorInfo(e, url, "load");
  } finally {
    URL.revokeObjectURL(url); // the module is loaded (or failed); its stack frames keep the name
  }
}

/** Scenario names as the CLI gives them: `default`, or each exported function. */
function scenarios(exports: Record<string, unknown>): string[] {
  return Object.keys(exports).filter((k) => k !== "options" && typeof exports[k] === "function");
}

function errorInfo(e: unknown, url: string, phase: "load" | "run"): ErrorInfo {
  if (e instanceof Error) {
    const info: ErrorInfo = { name: e.name, message: e.message, phase };
    const at = posInStack(e.stack, url);
    if (at) info.at = at;
    return info;
  }
  return { name: "Error", message: String(e), phase };
}

/** The shared clock of page and worker (real ms), for timing the way from a bug to its diagram. */
const clock = () => performance.timeOrigin + performance.now();

/** A call site in the program as its editor line ("line N"); the library's own call sites are dropped (""). */
function siteIn(url: string): (at: string) => string {
  return (at) => {
    const p = posInStack(at, url);
    return p ? `line ${p.line}` : "";
  };
}

/** The causal slice of `bug` as indices into its events. */
function sliceOf(bug: Bug): number[] {
  const index = new Map(bug.events.map((e, i) => [e, i]));
  return causalSlice(bug)
    .map((e) => index.get(e))
    .filter((i): i is number => i !== undefined);
}

/**
 * Runs with more events than this send their diagram first and the causal slice and
 * the report text after it (on a 100,000-step run those take the worker seconds, and
 * the diagram can be stepped meanwhile).
 */
const DETAILS_LATER_ABOVE = 5_000;

/** The slice and report text still owed to the page for the result just sent. */
let owed: { bug: Bug; view: BugView } | null = null;

function view(bug: Bug, url: string, foundAt: number): BugView {
  const later = bug.events.length > DETAILS_LATER_ABOVE;
  const slice = later ? [] : sliceOf(bug);
  const v: BugView = {
    kind: bug.kind,
    message: bug.message,
    iteration: bug.iteration,
    seed: bug.seed,
    strategy: bug.strategy,
    step: bug.step,
    diagram: diagramData(bug.events, { failing: bug.events.length - 1, slice, names: bug.laneNames, site: siteIn(url) }),
    traceText: JSON.stringify(bug.trace),
    decisions: bug.trace.decisions.length,
    format: later ? "" : cutReport(bug.format()), // copying megabytes to the page would cost the page's time
    detailsLater: later,
    laneNames: bug.laneNames,
    foundAt,
    prepMs: 0,
  };
  // A thrown error's stack names its line; a deadlock or step limit is nobody's throw.
  const thrown = bug.kind !== "deadlock" && bug.kind !== "step-limit";
  const at = thrown && bug.error instanceof Error ? posInStack(bug.error.stack, url) : undefined;
  if (at) v.errorAt = at;
  v.prepMs = clock() - foundAt;
  if (later) owed = { bug, view: v };
  return v;
}

/** Sends what view() left for later: the slice and the report text. */
function payOwed(id: number): void {
  if (!owed) return;
  const { bug, view: v } = owed;
  owed = null;
  const slice = sliceOf(bug);
  self.postMessage({ id, type: "details", slice, format: cutReport(bug.format()), sinceFoundMs: clock() - v.foundAt });
}

/** Progress at most this often (real ms): enough for a smooth bar, few messages. */
const PROGRESS_MS = 50;

async function run(req: Request): Promise<Result> {
  const m = await load(req.code);
  const names = scenarios(m.exports);
  if (names.length === 0) {
    throw { name: "Error", message: "the program exports no scenario: default-export an async function (the test body), or export named ones", phase: "load" } satisfies ErrorInfo;
  }
  const scenario = req.scenario !== undefined && names.includes(req.scenario) ? req.scenario : names.includes("default") ? "default" : names[0];
  self.postMessage({ id: req.id, type: "loaded", scenarios: names, scenario });
  const body = m.exports[scenario] as () => unknown;
  try {
    if (req.action === "explore") return await exploreIn(req.id, body, m, req.options);
    const trace = JSON.parse(req.traceText) as TraceFile; // the page's own copy of a trace it was sent or loaded (checked there)
    if (req.action === "replay") {
      const r = await replay(body, trace);
      return r.ok ? { action: "replay", ok: true } : { action: "replay", ok: false, bug: view(r.bug, m.url, clock()) };
    }
    const s = await shrink(body, trace, { save: false });
    return {
      action: "shrink", bug: view(s.bug, m.url, clock()), originalLength: s.originalLength, shrunkLength: s.shrunkLength,
      originalPreemptions: s.originalPreemptions, shrunkPreemptions: s.shrunkPreemptions,
    };
  } catch (e) {
    throw errorInfo(e, m.url, "run");
  }
}

async function exploreIn(id: number, body: () => unknown, m: Loaded, o: RunOptions): Promise<Result> {
  const fileOptions = (m.exports.options ?? {}) as ExploreOptions;
  // `sample` (an option of lockstep's own tools): a passing search gives its last iteration's interleaving to show.
  const options: ExploreOptions = { ...fileOptions, traceDir: false, sample: true } as ExploreOptions;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (options as Record<string, unknown>)[k] = v;
  const started = performance.now();
  let last = -Infinity;
  let total = options.iterations;
  options.onProgress = (p) => {
    total = p.total;
    const t = performance.now();
    if (t - last < PROGRESS_MS && p.iterations < p.total) return;
    last = t;
    self.postMessage({ id, type: "progress", ...p, elapsedMs: t - started });
  };
  const r = await explore(body, options);
  const found = clock();
  const stats = { ...r.stats };
  const explored = { stats, total: total ?? stats.iterations };
  if (!r.ok) return { action: "explore", ok: false, bug: view(r.bug, m.url, found), ...explored };
  const s = r.sample;
  const sample = s && {
    iteration: s.iteration,
    diagram: diagramData(s.events, { failing: -1, names: s.laneNames, site: siteIn(m.url) }),
    traceText: JSON.stringify(s.trace),
    decisions: s.trace.decisions.length,
    format: cutReport(s.events.map((e) => `${e.step}  ${e.pid}  ${eventText(e)}`).join("\n")),
  };
  return { action: "explore", ok: true, sample, ...explored };
}

self.onmessage = (e) => {
  const req = e.data;
  owed = null;
  run(req).then(
    (result) => {
      // A bug's diagram columns move to the page rather than being copied.
      const wire = "bug" in result ? columnsToWire(result.bug.diagram) : null;
      if (wire && "bug" in result) result.bug.diagram = wire.data;
      self.postMessage({ id: req.id, type: "done", result }, wire?.transfer ?? []);
      payOwed(req.id);
    },
    (err) => {
      const error: ErrorInfo = err && typeof err === "object" && "phase" in err ? (err as ErrorInfo) : errorInfo(err, loaded?.url ?? "", "run");
      self.postMessage({ id: req.id, type: "failed", error });
    },
  );
};
