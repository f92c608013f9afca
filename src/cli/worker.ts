// A worker thread of the parallel search (see parallel.ts). It lives for the whole CLI
// run: it imports the scenario file once when started (while the main thread loads it
// too), then explores its share of the iterations of every job the pool sends, one
// job at a time, with its own engine instance, so its JIT warm-up is paid once.
// `runShare` is also how the main thread explores the first share itself.
import { parentPort, workerData } from "node:worker_threads";
import { exploreWith } from "../explore/explore.js";
import type { InternalOptions } from "../explore/options.js";
import type { StepEvent } from "../runtime/iteration.js";
import type { TraceFile } from "../explore/trace-file.js";
import type { BugKind } from "../explore/bug.js";
import { errorText } from "../values/show.js";
import { loadScenarios, type ScenarioFile } from "./scenario.js";
import { DistinctCounter, type DistinctSnapshot } from "../explore/distinct.js";

/** What a pool's worker is started with. */
export interface WorkerSetup {
  file: string;
}

/** One exploration's share, sent to a worker. */
export interface WorkerRequest {
  /** The pool's job number, echoed in every message about it. */
  job: number;
  scenario: string;
  options: InternalOptions;
  /** Lowest failing iteration found by any worker (shared). */
  best: Int32Array;
  skip: boolean;
  /** Post progress (iterations run, schedule hashes) while running: someone shows it. */
  live: boolean;
}

export interface WorkerReply {
  job: number;
  iterations: number;
  distinctSchedules: number;
  /** This worker's distinct schedules, merged by the parent (sums would count shared schedules twice). */
  distinct: DistinctSnapshot | null;
  steps: number;
  strategy: string;
  /** This share's search covered every interleaving (the default strategy's pass over a small space): the verdict of the whole job. */
  complete?: boolean;
  traces?: number;
  bug?: { kind: BugKind; error: string; message: string; step: number; trace: TraceFile; events: StepEvent[]; nondeterminism?: string };
  /** The job could not run (the scenario file failed to load in the worker). */
  failure?: string;
}

/** Progress a worker posts: iterations run, and the schedule hashes seen since the last post. */
export interface WorkerProgress {
  job: number;
  progress: number;
  hashes: Uint32Array;
}

/**
 * A counter that also keeps the hashes added since the last post, so the parent can
 * count distinct schedules over all workers while they run (4 bytes an iteration;
 * a sum of the workers' counts would count shared schedules twice).
 */
class ForwardingCounter extends DistinctCounter {
  pending: number[] = [];
  constructor(private readonly forward: boolean) {
    super();
  }
  override add(value: number): void {
    if (this.forward) this.pending.push(value);
    super.add(value);
  }
  take(): Uint32Array {
    const a = Uint32Array.from(this.pending);
    this.pending = [];
    return a;
  }
}

/** Explores one share of a job (in a worker, or in the main thread); `progress` gets what a worker posts. */
export async function runShare(req: WorkerRequest, loaded: ScenarioFile, progress: (m: WorkerProgress) => void): Promise<WorkerReply> {
  if (req.skip) return { job: req.job, iterations: 0, distinctSchedules: 0, distinct: null, steps: 0, strategy: String(req.options.strategy ?? "portfolio") };
  const s = loaded.scenarios.find((x) => x.name === req.scenario);
  if (s === undefined) throw new Error(`scenario ${req.scenario} not found in ${loaded.file}`);
  let n = 0;
  const distinct = new ForwardingCounter(req.live);
  const post = (iterations: number) => progress({ job: req.job, progress: (n = iterations), hashes: distinct.take() });
  const r = await exploreWith(s.body, {
    ...req.options,
    distinctCounter: distinct,
    file: loaded.file,
    shouldContinue: (i) => i < Atomics.load(req.best, 0),
    onProgress: req.live
      ? (p) => {
          if (p.iterations - n >= 1000) post(p.iterations);
        }
      : undefined,
  });
  if (req.live && r.stats.iterations !== n) post(r.stats.iterations);
  const base = { job: req.job, iterations: r.stats.iterations, distinctSchedules: r.stats.distinctSchedules, distinct: distinct.snapshot(), steps: r.stats.steps, strategy: r.stats.strategy };
  if (r.ok && r.stats.complete) {
    // Every interleaving passed: the other shares have nothing left to find, stop them.
    Atomics.store(req.best, 0, 0);
    return { ...base, complete: true, traces: r.stats.traces };
  }
  if (r.ok) return base;
  const i = r.bug.iteration;
  for (;;) {
    const cur = Atomics.load(req.best, 0);
    if (i >= cur || Atomics.compareExchange(req.best, 0, cur, i) === cur) break;
  }
  const b = r.bug;
  return { ...base, bug: { kind: b.kind, error: errorText(b.error), message: b.message, step: b.step, trace: b.trace, events: b.events, nondeterminism: b.nondeterminism } };
}

if (parentPort && workerData) {
  const port = parentPort;
  // Imported at once, so the import overlaps the main thread's; a failure is kept and
  // answered per job (the main thread reports a bad file itself, before any job).
  const loaded: Promise<ScenarioFile | Error> = loadScenarios((workerData as WorkerSetup).file).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  // Jobs come one at a time: the pool sends the next only after every reply to this one.
  port.on("message", (req: WorkerRequest) => {
    void loaded
      .then((l) => {
        if (l instanceof Error) throw l;
        return runShare(req, l, (m) => port.postMessage(m, [m.hashes.buffer as ArrayBuffer]));
      })
      .then(
        (reply) => port.postMessage(reply),
        (e: unknown) => port.postMessage({ job: req.job, iterations: 0, distinctSchedules: 0, distinct: null, steps: 0, strategy: "", failure: errorText(e) } satisfies WorkerReply),
      );
  });
}
