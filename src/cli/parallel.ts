// Parallel search in worker threads. Iterations are dealt out by index (worker w of W
// runs iterations first + (w + jW)·stride), and the reported bug is the one with the
// lowest iteration number: every worker keeps searching below the best bug found so
// far, so for non-feedback strategies the result equals a one-worker run's.
//
// The workers are a pool that lives for one CLI run: started as soon as the command
// line says there will be several (while the main thread imports the scenario file),
// each imports the file once, and every scenario of the run is a job for all of them.
// The main thread explores the first share itself, so W workers take W - 1 threads.
// Starting a thread and warming its JIT costs a few tenths of a second of CPU; paying
// it once per run, and for one thread fewer, is what makes short runs worth splitting.
import { hostNow } from "../runtime/virtual-timers.js";
import { Worker } from "node:worker_threads";
import type { InternalOptions } from "../explore/options.js";
import type { ExploreResult, ExploreStats } from "../explore/explore.js";
import { Bug } from "../explore/bug.js";
import { DistinctCounter } from "../explore/distinct.js";
import { runShare, type WorkerRequest, type WorkerReply, type WorkerProgress, type WorkerSetup } from "./worker.js";
import type { ScenarioFile } from "./scenario.js";

/** A job's listeners: its replies and progress, by job number. */
interface JobSink {
  reply(w: number, m: WorkerReply): void;
  progress(w: number, m: WorkerProgress): void;
  fail(e: Error): void;
}

/** The main thread and size - 1 worker threads that each imported `file`, reused for every exploration of a CLI run. */
export class WorkerPool {
  /** workers[w] for w >= 1; share 0 is the main thread's. */
  private readonly workers: Worker[] = [];
  private readonly jobs = new Map<number, JobSink>();
  private nextJob = 0;
  /** Set once a worker died: every later job fails with it. */
  private dead: Error | null = null;
  private closing = false;

  constructor(
    readonly file: string,
    readonly size: number,
  ) {
    for (let w = 1; w < size; w++) {
      const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: { file } satisfies WorkerSetup });
      worker.on("message", (m: WorkerReply | WorkerProgress) => {
        const sink = this.jobs.get(m.job);
        if (sink === undefined) return;
        if ("progress" in m) sink.progress(w, m);
        else sink.reply(w, m);
      });
      const die = (e: Error) => {
        this.dead ??= e;
        for (const sink of this.jobs.values()) sink.fail(e);
      };
      worker.on("error", die);
      worker.on("exit", (code) => {
        if (code !== 0 && !this.closing) die(new Error(`lockstep worker ${w} exited with code ${code}`));
      });
      this.workers[w] = worker;
    }
  }

  /** Ends the threads (the run is over, or the pool is not needed after all). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Explores `scenario` of `loaded` (the pool's file, as this thread loaded it) with its iterations dealt out over the workers. */
  async explore(loaded: ScenarioFile, scenario: string, opts: InternalOptions, shard: { index: number; count: number }, stop?: AbortSignal): Promise<ExploreResult> {
    const workers = this.size;
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
    const job = this.nextJob++;
    const replies: WorkerReply[] = new Array(workers);
    try {
      await new Promise<void>((resolve, reject) => {
        if (this.dead) return reject(this.dead);
        let pending = workers;
        this.jobs.set(job, {
          reply: (w, m) => {
            if (m.failure !== undefined) return reject(new Error(`lockstep worker ${w}: ${m.failure}`));
            replies[w] = m;
            if (--pending === 0) resolve();
          },
          progress: (w, m) => {
            done[w] = m.progress;
            for (const h of m.hashes) live.add(h);
            onProgress?.({ iterations: done.reduce((a, b) => a + b, 0), total, distinctSchedules: live.count, distinctSchedulesEstimated: live.estimated, steps: 0 });
          },
          fail: reject,
        });
        const sink = this.jobs.get(job)!;
        for (let w = workers - 1; w >= 0; w--) {
          const first = shard.index + w * shard.count;
          const stride = shard.count * workers;
          const iterations = first > total ? 0 : Math.floor((total - first) / stride) + 1;
          const req: WorkerRequest = {
            job, scenario, best, skip: iterations === 0, live: onProgress !== undefined,
            // The first share of an unsharded search may prove a small space (and then stops the others).
            options: { ...plain, traceDir: false, firstIteration: first, stride, iterations: Math.max(iterations, 1), enumerates: w === 0 && shard.count === 1 },
          };
          if (w > 0) this.workers[w].postMessage(req);
          // Last, once every worker has its job: this thread's own share.
          else runShare(req, loaded, (m) => sink.progress(0, m)).then((m) => sink.reply(0, m), reject);
        }
      });
    } finally {
      this.jobs.delete(job);
      stop?.removeEventListener("abort", interrupt);
    }
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
    const proof = replies.find((r) => r.complete);
    if (!failing && proof) Object.assign(stats, { complete: true, traces: proof.traces });
    if (!failing) return { ok: true, iterations: stats.iterations, stats };
    const b = failing.bug!;
    const bug = new Bug({ kind: b.kind, error: new Error(b.error), message: b.message, step: b.step }, b.trace, b.events, b.nondeterminism);
    if (opts.traceDir !== false) await bug.saveTo(opts.traceDir ?? ".lockstep");
    return { ok: false, bug, stats };
  }
}
