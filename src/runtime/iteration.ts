// The controller of one iteration: its lifecycle and the hand-off between processes.
// One Iteration exists per run of the test body. What happens at a process's death
// lives in exits.ts, timers in timer-table.ts, monitors in monitor-table.ts,
// mailboxes in mailbox.ts, failure messages in failure.ts, concurrent calls in
// calls.ts, and every sync point enters through sync.ts.
//
// Hand-off, not a central loop: a process at a sync point performs its operation,
// asks the engine (one call) who runs next, resolves that process's wake-up promise
// and parks on its own. When the engine picks the caller again it simply continues.
import { Engine, PICK, FLAG_SYSTEM } from "../engine/engine.js";
import { OP, opName } from "../engine/ops.js";
import { Proc, Wait } from "./proc.js";
import { UsageError } from "./errors.js";
import type { Pid } from "../values/pid.js";
import { Ref } from "../values/ref.js";
import { show, errorText } from "../values/show.js";
import { TimerTable } from "./timer-table.js";
import { callSite, spawnSite } from "./call-site.js";
import { MonitorTable } from "./monitor-table.js";
import { processEnded } from "./exits.js";
import { wakeFromEventWait } from "./calls.js";
import type { ViaRegistry } from "./destinations.js";
import type { ClusterState } from "./cluster-state.js";
import type { IterationConfig, StepEvent } from "./config.js";
import { deadlockMessage, parkedWithResultsMessage, floatingCallMessage, lostWakeUpMessage, pendingCallsWarning, stepLimitMessage, uncontrolledAwaitMessage, type DivergenceInfo, type Failure, type FailureKind } from "./failure.js";

export type { Failure, FailureKind, DivergenceInfo } from "./failure.js";
export type { StepEvent, ReplayCheck, ReplayConfig, IterationConfig } from "./config.js";

/** Settled once: `.then` on it queues a plain microtask (see transfer()). */
const RESOLVED: Promise<void> = Promise.resolve();

/** A promise that never settles: what a sync point returns to a process that must not run again. */
export const NEVER: Promise<never> = new Promise<never>(() => {});

/** Steps at the start and at the end of a run whose operations record their line of the program (Iteration.site). */
const SITE_ROWS = 10_000;
/**
 * The process park() parks: its promise's executor (one function for all, not a
 * closure per hand-off) stores the resolvers in it.
 */
let parking: Proc | null = null;
const parkExecutor = (resolve: (v: any) => void, reject: (e: unknown) => void): void => {
  const p = parking!;
  parking = null;
  p.wake = resolve;
  p.wakeErr = reject;
};

/** The iteration currently running in this thread (sync points find it here). */
let current: Iteration | null = null;

/** The live iteration, or null outside an exploration. */
export function currentIteration(): Iteration | null {
  return current;
}

export class Iteration {
  readonly x: Engine["x"];
  /** Processes by pid number; procs[0] is unused. */
  readonly procs: (Proc | undefined)[] = [undefined];
  /** Invariant: at most one process runs between sync points; this one, or null between a hand-off and the chosen process's first microtask. */
  running: Proc | null = null;
  /** The process that handed off last: the owner of code that runs before the next one claims the turn. */
  lastRunner: Proc | null = null;
  /** The process handed the turn, until its claim microtask makes it `running`. */
  private handedTo: Proc | null = null;
  /** The process picked again inside its own sync point, until its continuation can run (one microtask). */
  selfClaim: Proc | null = null;
  /** A blocked process whose decision waits for its synchronous code to end (handoff). */
  private deferred: Proc | null = null;
  private readonly deferredOp = [0, 0, 0];
  done = false;
  /** Ended early by dpor without a verdict: every runnable process was in the sleep set (the run would repeat explored traces). */
  pruned = false;
  failure: Failure | null = null;
  /** Set by a strict replay's check when the program stopped following the trace. */
  divergence: DivergenceInfo | null = null;
  /** The readable interleaving (detail mode only). */
  readonly log: StepEvent[] = [];
  /** The virtual clock of the last row of `log` that gave it (rows record it when it moved). */
  private loggedTime = 0;
  /** What the user called each process, by pid text: its function's name, then a registered name (detail mode only; reports label lanes with it). */
  laneNames: Record<string, string> | null = null;
  // The three maps below are made on first use: most iterations name nothing, and an
  // iteration of a small body allocates little else.
  private names_: Map<unknown, Proc> | null = null;
  private registries_: Map<unknown, ViaRegistry> | null = null;
  private nameIds_: Map<unknown, number> | null = null;
  /** Local names (register/whereis); a name is here exactly while its process is alive and holds it. */
  get names(): Map<unknown, Proc> {
    return (this.names_ ??= new Map());
  }
  /** Registries by handle and by name, for via() names (src/otp/registry.ts). */
  get registries(): Map<unknown, ViaRegistry> {
    return (this.registries_ ??= new Map());
  }
  /** Resource ids of local names, in first-use order (stable across replays). */
  get nameIds(): Map<unknown, number> {
    return (this.nameIds_ ??= new Map());
  }
  /** Processes waiting in settle() (src/runtime/calls.ts), each once: woken whenever a call resolves or is handed over. */
  readonly settlers: Proc[] = [];
  /** Controlled calls resolved so far (settle({ one: true }) waits for the next). */
  callsResolved = 0;
  /** Things worth telling that are not failures (distinct texts, in order), e.g. controlled calls still pending when the body returned. */
  warnings: string[] | null = null;
  /** The body drew generated inputs from the iteration's input seed (a Generator without its own seed): its runs differ by more than the schedule. */
  drewInputs = false;
  /** Record readable notes (config.detail): off during the search. */
  readonly detail: boolean;
  /** The engine wants each spawn's creation site (rff's feedback: assembly/strategies/rff.ts, process identities). */
  private readonly wantsSites: boolean;
  readonly timers: TimerTable;
  readonly monitors: MonitorTable;
  /** The simulated cluster, from the first Cluster call on (null: one node, no partitions, no hooks run). */
  cluster: ClusterState | null = null;
  private refCounter = 0;
  /** Decisions taken so far (the engine's steps(), counted in afterPick). */
  private decisions = 0;
  private resolveFinished!: () => void;
  readonly finished: Promise<void>;
  private readonly claim = (): void => {
    this.running = this.handedTo;
    this.handedTo = null;
  };
  /** What the self-claimed process resumes with (one at a time: see selfClaim). */
  private selfValue: unknown = undefined;
  private readonly claimSelf = (): unknown => {
    this.selfClaim = null;
    const v = this.selfValue;
    this.selfValue = undefined;
    return v;
  };
  private readonly claimSelfError = (): never => {
    this.selfClaim = null;
    const e = this.selfValue;
    this.selfValue = undefined;
    throw e;
  };

  constructor(
    readonly engine: Engine,
    readonly config: IterationConfig,
  ) {
    this.x = engine.x;
    this.detail = config.detail;
    this.timers = new TimerTable(this);
    this.monitors = new MonitorTable(this);
    this.finished = new Promise<void>((r) => (this.resolveFinished = r));
    const seed = config.seed;
    this.x.begin(seed >>> 0, Math.floor(seed / 4294967296) >>> 0, config.iteration, config.strategy, config.race ? 1 : 0, config.params[0] ?? 0, config.params[1] ?? 0, config.params[2] ?? 0, config.records ? 0 : 1);
    if (config.replay) {
      engine.writeScratch(config.replay.decisions);
      this.x.replayLoad(config.replay.decisions.length, config.replay.strict ? 1 : 0);
    }
    this.wantsSites = this.x.wantsSites() !== 0;
  }

  // ---- lifecycle ------------------------------------------------------------------

  /** Starts the body as process <0.1.0> and returns when the iteration has ended. */
  run(body: () => unknown): Promise<void> {
    if (current !== null && !current.done) throw new Error("lockstep: an iteration is already running");
    current = this;
    const root = this.spawnProcess(body, false, "body");
    if (this.detail && body.name) this.nameLane(root, body.name);
    const c = this.x.pick(0);
    const first = this.afterPick(c, 0);
    if (first) this.transfer(first);
    return this.finished;
  }

  /** Ends the iteration (first outcome wins). */
  finish(failure: Failure | null): void {
    if (this.done) return;
    const replay = this.config.replay;
    // A strict replay that ends before using up its trace did not follow it.
    if (replay?.strict && replay.check && failure?.kind !== "divergence") {
      failure = replay.check.ended(this, failure) ?? failure;
      if (this.done) return; // a late operation mismatched: the check already ended the run
    }
    this.done = true;
    this.failure = failure;
    this.running = null;
    if (current === this) current = null;
    this.resolveFinished();
  }

  fail(kind: FailureKind, error: unknown, message: string, proc?: Proc): void {
    if (this.config.detail && !this.done) {
      const first = message.split("\n")[0];
      this.log.push({ step: this.x.steps(), pid: proc ? String(proc.pid) : "-", op: `FAILS: ${kind}`, detail: "", result: first.length > 70 ? first.slice(0, 69) + "…" : first });
    }
    this.finish({ kind, error, message, pid: proc?.pid, step: this.x.steps() });
  }

  // ---- processes ------------------------------------------------------------------

  /**
   * Creates a process running `fn`; it starts when the engine first picks it.
   * System processes (a registry's cleanup) never count as deadlocked.
   */
  spawnProcess(fn: () => unknown, system: boolean, label: string | (() => string)): Proc {
    const id = this.x.spawn(system ? FLAG_SYSTEM : 0);
    // Not the body (pid 1): it is one process, and lockstep's frames above it vary.
    if (this.wantsSites && !system && id !== 1) this.x.spawnSite(id, spawnSite());
    const p = new Proc(id, fn, system, label);
    this.procs[id] = p;
    // A library's own process (a registry's cleaner, a timer callback's runner) is named by its label.
    if (this.detail && label !== "" && id !== 1) this.nameLane(p, typeof label === "string" ? label : label());
    this.launch(p);
    return p;
  }

  /** The process object of a Pid from this iteration, or undefined. */
  proc(pid: Pid): Proc | undefined {
    const p = this.procs[pid.id];
    return p !== undefined && p.pid === pid ? p : undefined;
  }

  private async launch(p: Proc): Promise<void> {
    parking = p;
    const started = new Promise(parkExecutor);
    p.wakeErr = null; // a process is started with a value, never an error
    await started;
    let crashed = false;
    let reason: unknown = "normal";
    try {
      if (this.detail) this.note(p, OP.START, () => ["", ""]);
      await p.fn!();
    } catch (e) {
      crashed = true;
      reason = e;
    }
    this.returned(p, crashed, reason);
  }

  /** A process function returned or threw. */
  private returned(p: Proc, crashed: boolean, reason: unknown): void {
    if (this.done || !p.alive) return;
    if (this.deferToOwnTurn(p, () => this.returned(p, crashed, reason))) return;
    const floating = p.calls !== null ? p.calls.syncInFlight : 0;
    // A process that threw in its turn while other flows' calls were in flight
    // (`Promise.all` rejects at the first error, leaving the others running): its
    // error is the bug, and the floating calls only follow from it.
    const threwFirst = crashed && this.running === p && p.wake === null;
    if (this.running !== p || p.wake !== null || (floating > 0 && !threwFirst)) {
      this.fail("missing-await", new Error("missing await"), floatingCallMessage(p, floating), p);
      return;
    }
    if (p.id === 1) {
      if (crashed) this.fail("exception", reason, `The test body threw: ${errorText(reason)}`, p);
      else {
        const pending = this.pendingCalls();
        if (pending > 0) this.warn(pendingCallsWarning(pending));
        this.finish(null);
      }
      return;
    }
    processEnded(this, p, crashed, reason);
  }

  /**
   * p's code reached its end outside p's turn: a timer callback run in another
   * process's turn settled what p's idle code awaited (it waited on the event loop or
   * on its calls, and may since have been woken), and p's code went on there
   * (src/runtime/virtual-timers.ts). Then `end` runs in p's own turn: when p is next
   * picked, or, if p was just handed the turn, once it has claimed it. False when p
   * holds its turn (or its code was not idle, which is a missing await).
   */
  deferToOwnTurn(p: Proc, end: () => void): boolean {
    if (this.running === p) return false;
    if (this.running === null && this.handedTo === p) {
      // Its claim is already queued: a job queued now runs after it, in p's turn.
      RESOLVED.then(end);
      return true;
    }
    if (!p.eventWait && !p.idle) return false;
    p.ending = end;
    wakeFromEventWait(this, p);
    return true;
  }

  /** Controlled calls started and not yet handed to their callers, over all live processes. */
  pendingCalls(): number {
    let n = 0;
    for (const q of this.procs) if (q !== undefined && q.alive && q.calls !== null) n += q.calls.inFlight - q.calls.syncInFlight;
    return n;
  }

  /** Records a warning (once per distinct text). */
  warn(text: string): void {
    const w = (this.warnings ??= []);
    if (!w.includes(text)) w.push(text);
  }

  makeRef(): Ref {
    return new Ref(++this.refCounter);
  }

  // ---- the hand-off ---------------------------------------------------------------

  /**
   * The process whose code is running: the running one, or, between a hand-off and
   * the next process's first microtask, the one that just handed off (only its other
   * async chains can run then).
   */
  caller(): Proc | null {
    return this.running ?? (this.handedTo !== null ? this.lastRunner : null);
  }

  /**
   * The hand-off after `p` performed `op`: resolves to `value` when `p` runs again.
   * A process that blocked (disabled itself) resumes with its resumeValue instead.
   */
  handoff<T>(p: Proc, op: number, res: number, aux: number, value: T): Promise<T> {
    // Set before deciding: when p just blocked, a timer fired inside decide() may wake
    // it (receive timeout, sleep end, a sendAfter message) and overwrite this with what
    // p must resume with; p may then be picked at once.
    p.resumeValue = value;
    if (p.waiting !== Wait.NONE && this.x.runnableCount() === 0) {
      // p blocked and nobody else can run: the decision would fire a timer or report a
      // deadlock. Take it once p's synchronous code has run, so the calls it starts
      // beside this one (`Promise.all([receive(...), spawn(...)])`) are runnable tasks
      // by then and a quiescent timeout cannot fire before they had their turn.
      const parked = this.park<T>(p);
      this.deferred = p;
      this.deferredOp[0] = op;
      this.deferredOp[1] = res;
      this.deferredOp[2] = aux;
      RESOLVED.then(this.decideDeferred);
      return parked;
    }
    const next = this.decide(p, op, res, aux);
    if (next === null) return NEVER;
    if (next === p) return this.resumeNow<T>(p);
    const parked = this.park<T>(p);
    this.transfer(next);
    return parked;
  }

  private park<T>(p: Proc): Promise<T> {
    parking = p;
    return new Promise<T>(parkExecutor);
  }

  private readonly decideDeferred = (): void => {
    const p = this.deferred!;
    this.deferred = null;
    if (this.done) return;
    const next = this.decide(p, this.deferredOp[0], this.deferredOp[1], this.deferredOp[2]);
    if (next !== null) this.transfer(next);
  };

  /** p was picked again inside its own sync point: settle with its resume value or error. */
  private resumeNow<T>(p: Proc): Promise<T> {
    if (this.detail && p.waitNote) this.noteWoken(p);
    // Until its continuation runs, a lockstep call p makes comes from another of its
    // async chains (Promise.all) and runs concurrently (src/runtime/calls.ts).
    // The promise p awaits settles in that same microtask, so the claim costs no extra one.
    if (this.engine.debug && this.selfClaim !== null) throw new Error(`lockstep internal error: ${p} resumed while ${this.selfClaim} had not claimed its turn`);
    this.selfClaim = p;
    p.idle = false;
    if (p.calls !== null) p.calls.resumed();
    this.selfValue = p.resumeValue;
    p.resumeValue = undefined;
    let claimed: Promise<T>;
    if (p.hasResumeError) {
      this.selfValue = p.resumeError;
      p.hasResumeError = false;
      p.resumeError = undefined;
      claimed = RESOLVED.then(this.claimSelfError) as Promise<T>;
    } else claimed = RESOLVED.then(this.claimSelf) as Promise<T>;
    // After the self-claim, so handed callbacks run as p's own code, not as a concurrent call.
    if (p.due !== null || p.ending !== null) this.runDue(p);
    return claimed;
  }

  /** Asks the engine for the next process, firing timers as it decides; null on failure. */
  decide(p: Proc, op: number, res: number, aux: number): Proc | null {
    // An effect of this sync point may have ended the iteration (the body was killed):
    // then nobody may run again.
    if (this.done) return null;
    if (this.engine.debug) this.checkCaches(p);
    const c = this.x.step(p.id, op, res, aux);
    const next = this.afterPick(c, p.id);
    if (next !== null && this.engine.debug) this.checkCaches(next);
    return next;
  }

  /** Debug builds: the TS caches of engine facts about q (Proc.alive, Proc.waiting) agree with the engine. */
  private checkCaches(q: Proc): void {
    const x = this.x;
    if (q.alive !== (x.isAlive(q.id) !== 0)) throw new Error(`lockstep internal error: ${q}.alive is ${q.alive} but the engine disagrees`);
    if (q.alive && q.waiting !== Wait.NONE && x.isEnabled(q.id)) throw new Error(`lockstep internal error: ${q} waits (${q.waiting}) but the engine has it enabled`);
  }

  private afterPick(c: number, actor: number): Proc | null {
    const check = this.config.replay?.check;
    for (;;) {
      // Every answer >= 0 (a pid, or TIMER) is a decision the engine recorded: counted
      // here, so the step limit costs no engine call per step.
      if (c >= 0) this.decisions++;
      if (this.engine.debug && this.decisions !== this.x.steps()) throw new Error(`lockstep internal error: ${this.decisions} decisions counted, the engine has ${this.x.steps()}`);
      if (check !== undefined && !check.matches(this)) return null;
      if (c > 0) {
        if (this.decisions > this.config.maxSteps) {
          this.fail("step-limit", new Error("step limit"), stepLimitMessage(this.config.maxSteps, this.config.race ? 0 : this.timers.pending()));
          return null;
        }
        return this.procs[c]!;
      }
      if (c === PICK.TIMER) {
        this.timers.fire(this.x.firedTimer());
        if (this.done) return null;
        c = this.x.pick(actor);
        continue;
      }
      if (c === PICK.PRUNED) {
        this.pruned = true;
        this.finish(null);
        return null;
      }
      if (c === PICK.NOTHING) {
        // A process parked in a lockstep call holds results of its other flows' calls
        // that only its resumption hands over: plain JavaScript would run those flows on
        // (and they might wake it), so this is lockstep's limit, not the program's deadlock.
        const stuck = this.procs.find((q) => q !== undefined && q.alive && q.wake !== null && q.calls !== null && q.calls.settled.length > 0);
        if (stuck !== undefined) {
          const message = parkedWithResultsMessage(stuck, this.procs);
          this.fail("exception", new UsageError(message), message, stuck);
        } else this.fail("deadlock", new Error("deadlock"), deadlockMessage(this.procs), this.procs[1]);
        return null;
      }
      // PICK.DIVERGED: a strict replay's trace is impossible, or dpor replaying its
      // prefix found the body behaving differently than in an earlier run.
      if (check !== undefined) check.impossible(this, actor);
      else {
        this.divergence = { step: this.x.steps(), expected: "the choices of an earlier run with the same prefix", actual: "something else: the body is not deterministic from run to run (it depends on the run's number, state kept across runs, Math.random, real time or I/O)" };
        this.fail("divergence", new Error("dpor: nondeterministic body"), `dpor diverged at step ${this.x.steps()}: ${this.divergence.actual}`);
      }
      return null;
    }
  }

  /** Gives the turn to q: q's continuation runs after this process parks. */
  transfer(q: Proc): void {
    const wake = q.wake!;
    const wakeErr = q.wakeErr;
    q.idle = false;
    q.wake = null;
    q.wakeErr = null;
    this.lastRunner = this.running;
    this.running = null;
    this.handedTo = q;
    if (this.detail && q.waitNote) this.noteWoken(q);
    // Claim before q's continuation: a sync point called synchronously in between comes
    // from the process that just handed off. (A reaction to a resolved promise is the
    // same FIFO microtask as queueMicrotask, at a fraction of its cost.)
    RESOLVED.then(this.claim);
    // Results of its concurrent calls first: their reactions run in q's turn, before
    // the continuation of the call q was parked in.
    if (q.calls !== null) q.calls.resumed();
    // Timer callbacks handed to q (src/runtime/virtual-timers.ts) run once q holds the turn.
    if (q.due !== null || q.ending !== null) this.runDue(q);
    if (q.hasResumeError) {
      q.hasResumeError = false;
      const e = q.resumeError;
      q.resumeError = undefined;
      wakeErr!(e);
    } else {
      const v = q.resumeValue;
      q.resumeValue = undefined;
      wake(v);
    }
  }

  /**
   * Runs the callbacks handed to q, in order, in q's turn: queued after the claim (or
   * self-claim) microtask, so q is the running process when they run.
   */
  private runDue(q: Proc): void {
    const list = q.due;
    const end = q.ending;
    q.due = q.ending = null;
    RESOLVED.then(() => {
      if (list !== null) {
        for (const f of list) {
          if (this.done || !q.alive) return;
          f();
        }
      }
      if (end !== null && !this.done && q.alive) end();
    });
  }

  /**
   * Called by the explorer's probe: the microtask queue drained mid-iteration while a
   * real resource (of the given Node types, when known) was pending.
   */
  stalled(resources?: string[]): void {
    if (this.done) return;
    const p = this.running ?? this.handedTo ?? this.lastRunner;
    this.fail("uncontrolled-await", new Error("uncontrolled await"), uncontrolledAwaitMessage(p, resources), p ?? undefined);
  }

  /** Called by the explorer's probe: the queue drained and nothing at all is pending (a promise that never settles). */
  lostWakeUp(): void {
    if (this.done) return;
    const p = this.running ?? this.handedTo ?? this.lastRunner;
    this.fail("deadlock", new Error("deadlock"), lostWakeUpMessage(p, this.procs), p ?? undefined);
  }

  // ---- readable log (detail mode) -------------------------------------------------

  /**
   * Records a line of the readable interleaving at the current step. `text` returns
   * [detail, result] and is called only when a report is being built (detail mode),
   * so no string is formatted during the search.
   */
  note(p: Proc, op: number, text: () => [detail: string, result: string]): void {
    if (!this.detail) return; // callers also guard with it.detail, so no closure is made during the search
    const [detail, result] = text();
    // A timer fires inside whichever operation let time pass: that line is not the timer's.
    this.push(p, op, detail, result, op === OP.TIMER_FIRE ? "" : this.site());
  }

  /**
   * The program's line of the operation being recorded, for the first and the last
   * SITE_ROWS steps of the run (a stack costs ~10 µs: 100,000 of them would add a
   * second to a livelock's report); "" in between.
   */
  site(): string {
    const step = this.x.steps();
    const total = this.config.replay?.decisions.length ?? Infinity;
    return step <= SITE_ROWS || step >= total - SITE_ROWS ? callSite() : "";
  }

  private push(p: Proc, op: number, detail: string, result: string, at: string): void {
    const e: StepEvent = { step: this.x.steps(), pid: String(p.pid), op: opName(op), detail, result };
    if (at !== "") e.at = at;
    const now = this.x.now();
    if (now !== this.loggedTime) e.time = this.loggedTime = now;
    this.log.push(e);
  }

  /** Names `p`'s lane in reports (detail mode); a later name (a registered one) replaces the function's. */
  nameLane(p: Proc, name: string): void {
    (this.laneNames ??= {})[String(p.pid)] = name;
  }

  /** A blocked receive resumes: what it got (detail mode). */
  private noteWoken(q: Proc): void {
    const label = q.waitNote;
    q.waitNote = "";
    // The line is the receive's, recorded when it blocked.
    if (this.detail) this.push(q, OP.RECEIVE, label, q.hasResumeError ? `throws ${errorText(q.resumeError)}` : show(q.resumeValue), q.waitSite);
  }
}
