// The playground's worker: imports the user's program as a module and runs explore,
// replay or shrink on it with the library bundle (the same build and engine as Node's),
// so a long search never freezes the page and Stop is `worker.terminate()`.
import { explore, replay, shrink, causalSlice, type Bug, type ExploreOptions, type StepEvent } from "lockstep";
import type { BugView, ErrorInfo, Reply, Request, Result, RunOptions } from "./protocol.js";
import { cutReport } from "./protocol.js";
import { posInStack } from "./stack.js";

declare const self: { postMessage(m: Reply): void; onmessage: ((e: MessageEvent<Request>) => void) | null };

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

/** Events for the page: a call site in the program becomes its editor line ("line N"); others (the library's) are dropped. */
function programEvents(events: StepEvent[], url: string): StepEvent[] {
  return events.map((e) => {
    const at = e.at === undefined ? undefined : posInStack(e.at, url);
    return { ...e, at: at ? `line ${at.line}` : undefined };
  });
}

function view(bug: Bug, url: string): BugView {
  const index = new Map(bug.events.map((e, i) => [e, i]));
  const slice = causalSlice(bug)
    .map((e) => index.get(e))
    .filter((i): i is number => i !== undefined);
  const v: BugView = {
    kind: bug.kind,
    message: bug.message,
    iteration: bug.iteration,
    seed: bug.seed,
    strategy: bug.strategy,
    step: bug.step,
    events: programEvents(bug.events, url),
    trace: bug.trace,
    format: cutReport(bug.format()), // copying megabytes to the page would cost the page's time
    slice,
    laneNames: bug.laneNames,
  };
  // A thrown error's stack names its line; a deadlock or step limit is nobody's throw.
  const thrown = bug.kind !== "deadlock" && bug.kind !== "step-limit";
  const at = thrown && bug.error instanceof Error ? posInStack(bug.error.stack, url) : undefined;
  if (at) v.errorAt = at;
  return v;
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
    if (req.action === "replay") {
      const r = await replay(body, req.trace);
      return r.ok ? { action: "replay", ok: true } : { action: "replay", ok: false, bug: view(r.bug, m.url) };
    }
    const s = await shrink(body, req.trace, { save: false });
    return {
      action: "shrink", bug: view(s.bug, m.url), originalLength: s.originalLength, shrunkLength: s.shrunkLength,
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
  options.onProgress = (p) => {
    const t = performance.now();
    if (t - last < PROGRESS_MS && p.iterations < p.total) return;
    last = t;
    self.postMessage({ id, type: "progress", ...p, elapsedMs: t - started });
  };
  const r = await explore(body, options);
  const stats = { ...r.stats };
  if (!r.ok) return { action: "explore", ok: false, bug: view(r.bug, m.url), stats };
  const s = r.sample;
  return { action: "explore", ok: true, stats, sample: s && { iteration: s.iteration, events: programEvents(s.events, m.url), trace: s.trace, laneNames: s.laneNames } };
}

self.onmessage = (e) => {
  const req = e.data;
  run(req).then(
    (result) => self.postMessage({ id: req.id, type: "done", result }),
    (err) => {
      const error: ErrorInfo = err && typeof err === "object" && "phase" in err ? (err as ErrorInfo) : errorInfo(err, loaded?.url ?? "", "run");
      self.postMessage({ id: req.id, type: "failed", error });
    },
  );
};
