// A worker thread of the parallel search (see parallel.ts): explores its share of
// the iterations with its own engine instance.
import { parentPort, workerData } from "node:worker_threads";
import { exploreWith } from "../explore/explore.js";
import type { InternalOptions } from "../explore/options.js";
import type { StepEvent } from "../runtime/iteration.js";
import type { TraceFile } from "../explore/trace-file.js";
import type { BugKind } from "../explore/bug.js";
import { errorText } from "../values/show.js";
import { loadScenarios } from "./scenario.js";
import { DistinctCounter, type DistinctSnapshot } from "../explore/distinct.js";

export interface WorkerRequest {
  file: string;
  scenario: string;
  options: InternalOptions;
  /** Lowest failing iteration found by any worker (shared). */
  best: Int32Array;
  skip: boolean;
}

export interface WorkerReply {
  iterations: number;
  distinctSchedules: number;
  /** This worker's distinct schedules, merged by the parent (sums would count shared schedules twice). */
  distinct: DistinctSnapshot | null;
  steps: number;
  strategy: string;
  bug?: { kind: BugKind; error: string; message: string; step: number; trace: TraceFile; events: StepEvent[]; nondeterminism?: string };
}

/** Progress a worker posts: iterations run, and the schedule hashes seen since the last post. */
export interface WorkerProgress {
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
  override add(value: number): void {
    this.pending.push(value);
    super.add(value);
  }
  take(): Uint32Array {
    const a = Uint32Array.from(this.pending);
    this.pending = [];
    return a;
  }
}

async function run(req: WorkerRequest): Promise<WorkerReply> {
  if (req.skip) return { iterations: 0, distinctSchedules: 0, distinct: null, steps: 0, strategy: String(req.options.strategy ?? "portfolio") };
  const loaded = await loadScenarios(req.file);
  const s = loaded.scenarios.find((x) => x.name === req.scenario)!;
  let n = 0;
  const distinct = new ForwardingCounter();
  const post = (iterations: number) => {
    const hashes = distinct.take();
    parentPort!.postMessage({ progress: (n = iterations), hashes } satisfies WorkerProgress, [hashes.buffer as ArrayBuffer]);
  };
  const r = await exploreWith(s.body, {
    ...req.options,
    distinctCounter: distinct,
    file: req.file,
    shouldContinue: (i) => i < Atomics.load(req.best, 0),
    onProgress: (p) => {
      if (p.iterations - n >= 1000) post(p.iterations);
    },
  });
  if (r.stats.iterations !== n) post(r.stats.iterations);
  const base = { iterations: r.stats.iterations, distinctSchedules: r.stats.distinctSchedules, distinct: distinct.snapshot(), steps: r.stats.steps, strategy: r.stats.strategy };
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
  run(workerData as WorkerRequest).then((reply) => parentPort!.postMessage(reply));
}
