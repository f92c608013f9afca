// Parallel search in worker threads. Iterations are dealt out by index (worker w of W
// runs iterations first + (w + jW)·stride), and the reported bug is the one with the
// lowest iteration number: every worker keeps searching below the best bug found so
// far, so for non-feedback strategies the result equals a one-worker run's.
import { hostNow } from "../runtime/virtual-timers.js";
import { Worker } from "node:worker_threads";
import type { InternalOptions } from "../explore/options.js";
import type { ExploreResult, ExploreStats } from "../explore/explore.js";
import { Bug } from "../explore/bug.js";
import { DistinctCounter } from "../explore/distinct.js";
import type { WorkerRequest, WorkerReply, WorkerProgress } from "./worker.js";

export async function exploreParallel(
  file: string,
  scenario: string,
  opts: InternalOptions,
  shard: { index: number; count: number },
  workers: number,
  stop?: AbortSignal,
): Promise<ExploreResult> {
  const total = opts.iterations ?? 100;
  const best = new Int32Array(new SharedArrayBuffer(4));
  best[0] = 0x7fffffff;
  // Ctrl-C: every worker stops before its next iteration, as if a bug had been found at iteration 0.
  const interrupt = () => Atomics.store(best, 0, 0);
  if (stop?.aborted) interrupt();
  stop?.addEventListener("abort", interrupt);
  const live = new DistinctCounter();
  const started = hostNow();
  const { onProgress, shouldContinue: _ignored, ...plain } = opts;
  const done: number[] = new Array(workers).fill(0);
  const replies = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const first = shard.index + w * shard.count;
      const stride = shard.count * workers;
      const iterations = first > total ? 0 : Math.floor((total - first) / stride) + 1;
      const req: WorkerRequest = { file, scenario, options: { ...plain, traceDir: false, firstIteration: first, stride, iterations: Math.max(iterations, 1) }, best, skip: iterations === 0 };
      return new Promise<WorkerReply>((resolve, reject) => {
        const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: req });
        worker.on("message", (m: WorkerReply | WorkerProgress) => {
          if ("progress" in m) {
            done[w] = m.progress;
            for (const h of m.hashes) live.add(h);
            onProgress?.({ iterations: done.reduce((a, b) => a + b, 0), total, distinctSchedules: live.count, distinctSchedulesEstimated: live.estimated, steps: 0 });
          } else resolve(m);
        });
        worker.on("error", reject);
        worker.on("exit", (code) => code !== 0 && reject(new Error(`lockstep worker ${w} exited with code ${code}`)));
      });
    }),
  );
  stop?.removeEventListener("abort", interrupt);
  const distinct = new DistinctCounter();
  for (const r of replies) if (r.distinct) distinct.merge(r.distinct);
  const stats: ExploreStats = {
    iterations: replies.reduce((a, r) => a + r.iterations, 0),
    distinctSchedules: distinct.count,
    distinctSchedulesEstimated: distinct.estimated,
    steps: replies.reduce((a, r) => a + r.steps, 0),
    elapsedMs: hostNow() - started,
    seed: opts.seed!,
    strategy: replies[0]?.strategy ?? String(opts.strategy),
  };
  const failing = replies.filter((r) => r.bug).sort((a, b) => a.bug!.trace.iteration - b.bug!.trace.iteration)[0];
  if (!failing) return { ok: true, iterations: stats.iterations, stats };
  const b = failing.bug!;
  const bug = new Bug({ kind: b.kind, error: new Error(b.error), message: b.message, step: b.step }, b.trace, b.events, b.nondeterminism);
  if (opts.traceDir !== false) await bug.saveTo(opts.traceDir ?? ".lockstep");
  return { ok: false, bug, stats };
}
