// The controller of one iteration: sync points, hand-offs, deaths, exit signals,
// timers and failure detection. One Iteration exists per run of the test body.
//
// Hand-off, not a central loop: a process at a sync point performs its operation,
// asks the engine (one call) who runs next, resolves that process's wake-up promise
// and parks on its own. When the engine picks the caller again it simply continues.
// Invariant: at most one process runs between sync points; `running` is that
// process, or null between a hand-off and the chosen process's continuation.
import { Engine, PICK, FLAG_SYSTEM } from "../engine/engine.js";
import { OP, opName, resource, RES } from "../engine/ops.js";
import { Proc, Wait, type Matcher } from "./process.js";
import { Pid } from "./pid.js";
import { Ref } from "./ref.js";
import { show, errorText, trustShow } from "../values/show.js";
import { TIMEOUT } from "./timeout.js";

export type FailureKind =
  | "exception"
  | "crash"
  | "deadlock"
  | "step-limit"
  | "uncontrolled-await"
  | "missing-await"
  | "divergence";

export interface Failure {
  kind: FailureKind;
  /** The thrown value, or an Error describing the failure. */
  error: unknown;
  message: string;
  /** The process the failure is about, if any. */
  pid?: Pid;
  /** Number of scheduling decisions taken when it happened. */
  step: number;
}

/** One line of the interleaving, recorded only when `detail` is on (reports, replay). */
export interface StepEvent {
  step: number;
  pid: string;
  op: string;
  detail: string;
  result: string;
}

export interface IterationConfig {
  seed: number;
  iteration: number;
  /** Engine strategy code (src/engine/engine.ts STRATEGY_CODE). */
  strategy: number;
  /** Up to three integer strategy parameters (src/explore/strategies.ts). */
  params: number[];
  race: boolean;
  maxSteps: number;
  allowCrashes: boolean;
  /** Record readable events (for reports); off during the search for speed. */
  detail: boolean;
  /** Decisions to follow (strategy replay); `strict` reports impossible ones as divergence. */
  replay?: { decisions: number[]; strict: boolean; events?: number[][] };
}

/** Thrown into a replay when the program stops matching its trace. */
export interface DivergenceInfo {
  step: number;
  expected: string;
  actual: string;
}

/** Settled once: `.then` on it queues a plain microtask (see transfer()). */
const RESOLVED: Promise<void> = Promise.resolve();

const enum TimerKind {
  SEND_AFTER = 0,
  WAKE = 1,
  RECEIVE_TIMEOUT = 2,
  CALLBACK = 3,
}

interface TimerInfo {
  kind: TimerKind;
  owner: Proc;
  target: Proc | null;
  dest: unknown;
  msg: unknown;
  ref: Ref | null;
  callback: (() => void) | null;
}

/** Resolves a `via(registry, key)` name; implemented by src/otp/registry. */
export interface ViaRegistry {
  viaWhereis(key: unknown): Proc | undefined;
}

/** A promise that never settles: what a sync point returns to a process that must not run again. */
export const NEVER: Promise<never> = new Promise<never>(() => {});

/** The iteration currently running in this thread (sync points find it here). */
export let current: Iteration | null = null;

export class Iteration {
  readonly x: Engine["x"];
  readonly procs: (Proc | undefined)[] = [undefined];
  running: Proc | null = null;
  /** The process that handed off last: blamed for a sync point called in between. */
  private lastRunner: Proc | null = null;
  private handedTo: Proc | null = null;
  done = false;
  failure: Failure | null = null;
  readonly log: StepEvent[] = [];
  readonly names = new Map<unknown, Proc>();
  readonly registries = new Map<unknown, ViaRegistry>();
  private readonly timers: (TimerInfo | undefined)[] = [];
  private readonly timerOfRef = new Map<Ref, number>();
  private readonly monRefs: (Ref | undefined)[] = [];
  private readonly monInternal: boolean[] = [];
  private readonly monOfRef = new Map<Ref, number>();
  private refCounter = 0;
  private replayEvents: number[][] | undefined;
  private checkedEvents = 0;
  divergence: DivergenceInfo | null = null;
  private resolveFinished!: () => void;
  readonly finished: Promise<void>;
  readonly claim = (): void => {
    this.running = this.handedTo;
    this.handedTo = null;
  };

  constructor(
    readonly engine: Engine,
    readonly config: IterationConfig,
  ) {
    this.x = engine.x;
    this.finished = new Promise<void>((r) => (this.resolveFinished = r));
    const seed = config.seed;
    this.x.begin(seed >>> 0, Math.floor(seed / 4294967296) >>> 0, config.iteration, config.strategy, config.race ? 1 : 0, config.params[0] ?? 0, config.params[1] ?? 0, config.params[2] ?? 0);
    if (config.replay) {
      engine.writeScratch(config.replay.decisions);
      this.x.replayLoad(config.replay.decisions.length, config.replay.strict ? 1 : 0);
      this.replayEvents = config.replay.events;
    }
  }

  // ---- lifecycle ------------------------------------------------------------------

  /** Starts the body as process <0.1.0> and returns when the iteration has ended. */
  run(body: () => unknown): Promise<void> {
    if (current !== null && !current.done) throw new Error("lockstep: an iteration is already running");
    current = this;
    this.spawnProcess(body, false, "body");
    const c = this.x.pick(0);
    const first = this.afterPick(c, 0);
    if (first) this.transfer(first);
    return this.finished;
  }

  /** Ends the iteration (first outcome wins). */
  finish(failure: Failure | null): void {
    if (this.done) return;
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
  spawnProcess(fn: () => unknown, system: boolean, label: string): Proc {
    const id = this.x.spawn(system ? FLAG_SYSTEM : 0);
    const p = new Proc(this, id, fn, system, label);
    this.procs[id] = p;
    this.launch(p);
    return p;
  }

  /** The process object of a Pid from this iteration, or undefined. */
  proc(pid: Pid): Proc | undefined {
    const p = this.procs[pid.id];
    return p !== undefined && p.pid === pid ? p : undefined;
  }

  private async launch(p: Proc): Promise<void> {
    await new Promise((resolve) => {
      p.wake = resolve;
    });
    let crashed = false;
    let reason: unknown = "normal";
    try {
      this.note(p, OP.START, "", "");
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
    if (this.running !== p || p.wake !== null) {
      this.fail(
        "missing-await",
        new Error("missing await"),
        `${p} finished while one of its lockstep calls (${opName(p.lastOp)}) had not settled: a missing \`await\`?`,
        p,
      );
      return;
    }
    if (p.id === 1) {
      if (crashed) this.fail("exception", reason, `The test body threw: ${errorText(reason)}`, p);
      else this.finish(null);
      return;
    }
    this.note(p, OP.EXIT, crashed ? "(crashed)" : "", crashed ? errorText(reason) : "normal");
    if (crashed && !this.config.allowCrashes && !this.crashHandled(p)) {
      this.fail(
        "crash",
        reason,
        `Process ${p} crashed: ${errorText(reason)}\n(no process linked to it traps exits and no monitor watches it; pass allowCrashes: true if crashes are expected)`,
        p,
      );
      return;
    }
    this.die(p, reason);
    this.continueAfterDeath(p, OP.EXIT);
  }

  /** A crash is handled when a trapping linked process or a user monitor watches it. */
  private crashHandled(p: Proc): boolean {
    for (const q of this.procs) {
      if (q && q.alive && q.trap && q !== p && this.x.linked(p.id, q.id)) return true;
    }
    for (let m = 0; m < this.monRefs.length; m++) {
      if (this.monRefs[m] && !this.monInternal[m] && this.x.monLive(m) && this.x.monTarget(m) === p.id) return true;
    }
    return false;
  }

  /**
   * Kills p with `reason`: frees its names, cancels timers aimed at it, releases its
   * monitors, puts DOWN messages in watchers' mailboxes and sends exit signals to
   * linked processes, all at once (as Erlang does at process exit).
   */
  die(p: Proc, reason: unknown): void {
    const work: [Proc, unknown][] = [[p, reason]];
    while (work.length > 0) {
      const [q, why] = work.pop()!;
      if (!q.alive) continue;
      q.alive = false;
      q.reason = why;
      q.wake = null;
      q.wakeErr = null;
      this.x.kill(q.id);
      if (q.names) {
        for (const n of q.names) this.names.delete(n);
        q.names = null;
      }
      if (q.waitTimer >= 0) this.dropTimer(q.waitTimer);
      if (q.timersTo > 0) this.cancelTimersTo(q);
      this.x.monWatcherDown(q.id);
      const downs = this.x.monTargetDown(q.id);
      if (downs > 0) {
        const pairs = this.engine.readScratch(downs * 2);
        for (let i = 0; i < pairs.length; i += 2) {
          const m = pairs[i];
          const ref = this.monRefs[m]!;
          this.monRefs[m] = undefined;
          this.monOfRef.delete(ref);
          this.deliver(this.procs[pairs[i + 1]]!, { type: "DOWN", ref, pid: q.pid, reason: why });
        }
      }
      const n = this.x.linkTakeAll(q.id);
      if (n > 0) {
        for (const other of this.engine.readScratch(n)) {
          const l = this.procs[other]!;
          const killedBy = this.exitSignal(q, l, why);
          if (killedBy !== undefined) work.push([l, killedBy]);
        }
      }
    }
    // Fix: the body killed by another process's signal (a link, exit/2) used to leave
    // the iteration running without its body, ending in a bogus deadlock.
    const body = this.procs[1];
    if (body !== undefined && !body.alive) this.bodyKilled(body);
  }

  /** The body died by an exit signal: the iteration fails with kind "crash" (DESIGN.md). */
  private bodyKilled(body: Proc): void {
    this.fail("crash", body.reason, `The test body (${body.pid}) was killed by an exit signal: ${show(body.reason)}`, body);
  }

  /**
   * Delivers an exit signal from `from` to `to` as a linked process or through
   * exit/2. Returns the reason `to` must die with, or undefined if it survives.
   * OTP rules: "kill" (only through exit/2) cannot be trapped and kills with
   * "killed"; a trapping process gets { type: "EXIT", from, reason } instead;
   * "normal" never kills another process.
   */
  exitSignal(from: Proc, to: Proc, reason: unknown, untrappableKill = false): unknown {
    if (!to.alive) return undefined;
    if (untrappableKill && reason === "kill") return "killed";
    if (to.trap) {
      this.deliver(to, { type: "EXIT", from: from.pid, reason });
      return undefined;
    }
    if (reason === "normal") return undefined;
    return reason;
  }

  /** After the running process died in its own sync point: choose who runs next. */
  continueAfterDeath(p: Proc, op: number): void {
    if (p.id === 1) {
      this.bodyKilled(p);
      return;
    }
    const next = this.decide(p, op, resource(RES.PROC, p.id), 0);
    if (next) this.transfer(next);
  }

  // ---- sync points ----------------------------------------------------------------

  /**
   * Entry of every sync point: returns the calling process, or null when the call must
   * not proceed (iteration over, or a missing await, which this reports).
   */
  enter(op: number): Proc | null {
    if (this.done) return null;
    const p = this.running;
    if (p === null || p.wake !== null) {
      const who = p ?? this.lastRunner;
      this.fail(
        "missing-await",
        new Error("missing await"),
        `${who ?? "a process"} called ${opName(op)} while its previous lockstep call (${opName(who?.lastOp ?? 0)}) had not settled: a missing \`await\`?`,
        who ?? undefined,
      );
      return null;
    }
    p.lastOp = op;
    return p;
  }

  /**
   * The hand-off after `p` performed `op`: resolves to `value` when `p` runs again.
   * A process that blocked (disabled itself) resumes with its resumeValue instead.
   */
  handoff<T>(p: Proc, op: number, res: number, aux: number, value: T): Promise<T> {
    // Set before deciding: when p just blocked, a timer fired inside decide() may wake
    // it (receive timeout, sleep end, a sendAfter message) and overwrite this with what
    // p must resume with; p may then be picked at once (fix: the waker's value was lost).
    p.resumeValue = value;
    const next = this.decide(p, op, res, aux);
    if (next === null) return NEVER;
    if (next === p) return this.resumeNow<T>(p);
    const parked = new Promise<T>((resolve, reject) => {
      p.wake = resolve as (v: unknown) => void;
      p.wakeErr = reject;
    });
    this.transfer(next);
    return parked;
  }

  /** p was picked again inside its own sync point: settle with its resume value or error. */
  private resumeNow<T>(p: Proc): Promise<T> {
    if (this.config.detail && p.waitNote) {
      this.note(p, OP.RECEIVE, p.waitNote, p.hasResumeError ? `throws ${errorText(p.resumeError)}` : show(p.resumeValue));
      p.waitNote = "";
    }
    const v = p.resumeValue as T;
    p.resumeValue = undefined;
    if (p.hasResumeError) {
      const e = p.resumeError;
      p.hasResumeError = false;
      p.resumeError = undefined;
      return Promise.reject(e);
    }
    return Promise.resolve(v);
  }

  /** Asks the engine for the next process, firing timers as it decides; null on failure. */
  decide(p: Proc, op: number, res: number, aux: number): Proc | null {
    // An effect of this sync point may have ended the iteration (the body was killed):
    // then nobody may run again.
    if (this.done) return null;
    const c = this.x.step(p.id, op, res, aux);
    return this.afterPick(c, p.id);
  }

  private afterPick(c: number, actor: number): Proc | null {
    for (;;) {
      if (this.replayEvents !== undefined && !this.checkReplay()) return null;
      if (c > 0) {
        if (this.x.steps() > this.config.maxSteps) {
          this.fail(
            "step-limit",
            new Error("step limit"),
            `Step limit: ${this.config.maxSteps} scheduling decisions without the test finishing (a livelock, or raise maxSteps)`,
          );
          return null;
        }
        return this.procs[c]!;
      }
      if (c === PICK.TIMER) {
        this.fireTimer(this.x.firedTimer());
        if (this.done) return null;
        c = this.x.pick(actor);
        continue;
      }
      if (c === PICK.NOTHING) {
        this.reportDeadlock();
        return null;
      }
      // PICK.DIVERGED
      const step = this.x.steps();
      const want = this.config.replay!.decisions[step];
      this.divergence = {
        step,
        expected: want === 0 ? "the next timer to fire" : `<0.${want}.0> to run`,
        actual: want === 0 ? "no timer was pending" : `<0.${want}.0> could not run`,
      };
      this.fail("divergence", new Error("replay diverged"), `Replay diverged at step ${step}: expected ${this.divergence.expected}, but ${this.divergence.actual}`);
      return null;
    }
  }

  /** Replay: the operations recorded so far must match the trace's. */
  private checkReplay(): boolean {
    const want = this.replayEvents!;
    const n = this.x.events();
    for (let i = this.checkedEvents; i < n && i < want.length; i++) {
      const w = want[i];
      const pid = this.x.eventField(i, 1);
      const op = this.x.eventField(i, 2);
      const res = this.x.eventField(i, 3);
      if (pid !== w[1] || op !== w[2] || res !== w[3]) {
        const step = this.x.eventField(i, 0);
        this.divergence = {
          step,
          expected: `<0.${w[1]}.0> ${opName(w[2])} on ${w[3]}`,
          actual: `<0.${pid}.0> ${opName(op)} on ${res}`,
        };
        this.fail("divergence", new Error("replay diverged"), `Replay diverged at step ${step}: expected ${this.divergence.expected}, got ${this.divergence.actual}`);
        return false;
      }
    }
    this.checkedEvents = n;
    return true;
  }

  /** Gives the turn to q: q's continuation runs after this process parks. */
  transfer(q: Proc): void {
    const wake = q.wake!;
    const wakeErr = q.wakeErr;
    q.wake = null;
    q.wakeErr = null;
    this.lastRunner = this.running;
    this.running = null;
    this.handedTo = q;
    if (this.config.detail && q.waitNote) {
      this.note(q, OP.RECEIVE, q.waitNote, q.hasResumeError ? `throws ${errorText(q.resumeError)}` : show(q.resumeValue));
      q.waitNote = "";
    }
    // Claim before q's continuation: a sync point called synchronously in between can
    // only come from a process that did not await its last lockstep call. (A reaction to
    // a resolved promise is the same FIFO microtask as queueMicrotask, at a fraction of
    // its cost in Chromium and Node.)
    RESOLVED.then(this.claim);
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

  // ---- messages -------------------------------------------------------------------

  /** Puts msg in q's mailbox and wakes q if it is blocked on a receive that matches. */
  deliver(q: Proc, msg: unknown): void {
    if (!q.alive) return;
    if (q.waiting === Wait.RECEIVE) {
      const m = q.match;
      let ok = true;
      if (m !== undefined) {
        try {
          ok = !!m(msg);
        } catch (e) {
          // The predicate belongs to q: its error surfaces in q's receive.
          q.mailbox.push(msg);
          q.resumeError = e;
          q.hasResumeError = true;
          this.unblock(q);
          return;
        }
      }
      if (ok) {
        q.resumeValue = msg;
        this.unblock(q);
        return;
      }
    }
    q.mailbox.push(msg);
  }

  /** Index of the first message matching m, or -1. Runs the predicate in the caller. */
  static scan(q: Proc, m: Matcher | undefined): number {
    const box = q.mailbox;
    if (m === undefined) return box.length > 0 ? 0 : -1;
    for (let i = 0; i < box.length; i++) if (m(box[i])) return i;
    return -1;
  }

  /** Blocks the calling process in receive / sleep / a library wait. */
  block(p: Proc, why: Wait, m: Matcher | undefined, timeout: number, label = ""): void {
    if (this.config.detail && why === Wait.RECEIVE) p.waitNote = "(woken)";
    p.waiting = why;
    p.match = m;
    p.waitLabel = label;
    this.x.disable(p.id);
    if (timeout !== Infinity) p.waitTimer = this.addTimer(why === Wait.SLEEP ? TimerKind.WAKE : TimerKind.RECEIVE_TIMEOUT, p, p, timeout);
  }

  /** Makes a blocked process runnable again (its resumeValue is set by the caller). */
  unblock(q: Proc): void {
    q.waiting = Wait.NONE;
    q.match = undefined;
    q.waitLabel = "";
    if (q.waitTimer >= 0) {
      this.dropTimer(q.waitTimer);
      q.waitTimer = -1;
    }
    this.x.enable(q.id);
  }

  // ---- timers ---------------------------------------------------------------------

  private addTimer(kind: TimerKind, owner: Proc, target: Proc | null, ms: number): number {
    const t = this.x.addTimer(owner.id, ms);
    this.timers[t] = { kind, owner, target, dest: undefined, msg: undefined, ref: null, callback: null };
    if (target && kind === TimerKind.SEND_AFTER) target.timersTo++;
    return t;
  }

  /** Timer for sendAfter: returns its ref. */
  sendAfterTimer(owner: Proc, dest: unknown, target: Proc | null, msg: unknown, ms: number): Ref {
    const t = this.addTimer(TimerKind.SEND_AFTER, owner, target, ms);
    const info = this.timers[t]!;
    info.dest = dest;
    info.msg = msg;
    info.ref = this.makeRef();
    this.timerOfRef.set(info.ref, t);
    return info.ref;
  }

  /** A timer that runs `callback` inside the scheduler when it fires (library use). */
  callbackTimer(owner: Proc, ms: number, callback: () => void): number {
    const t = this.addTimer(TimerKind.CALLBACK, owner, null, ms);
    this.timers[t]!.callback = callback;
    return t;
  }

  /** Cancels a sendAfter timer by ref: the ms that were left, or false. */
  cancelTimerRef(ref: Ref): number | false {
    const t = this.timerOfRef.get(ref);
    if (t === undefined || !this.x.timerIsPending(t)) return false;
    const left = this.x.timerLeft(t);
    this.dropTimer(t);
    return left;
  }

  dropTimer(t: number): void {
    const info = this.timers[t];
    if (info === undefined) return;
    this.x.cancelTimer(t);
    this.forget(t, info);
  }

  private forget(t: number, info: TimerInfo): void {
    this.timers[t] = undefined;
    if (info.ref) this.timerOfRef.delete(info.ref);
    if (info.target && info.kind === TimerKind.SEND_AFTER) info.target.timersTo--;
  }

  private cancelTimersTo(q: Proc): void {
    for (let t = 0; t < this.timers.length && q.timersTo > 0; t++) {
      const info = this.timers[t];
      if (info && info.kind === TimerKind.SEND_AFTER && info.target === q) this.dropTimer(t);
    }
  }

  private fireTimer(t: number): void {
    const info = this.timers[t]!;
    this.forget(t, info);
    const owner = info.owner;
    switch (info.kind) {
      case TimerKind.SEND_AFTER: {
        const target = info.target ?? this.resolve(info.dest);
        this.note(owner, OP.TIMER_FIRE, `sendAfter to ${show(info.dest)}: ${show(info.msg)}`, target ? "delivered" : "dropped (no such process)");
        if (target) this.deliver(target, info.msg);
        return;
      }
      case TimerKind.WAKE:
        owner.waitTimer = -1;
        this.note(owner, OP.TIMER_FIRE, "sleep ends", "");
        owner.resumeValue = undefined;
        this.unblock(owner);
        return;
      case TimerKind.RECEIVE_TIMEOUT:
        owner.waitTimer = -1;
        this.note(owner, OP.TIMER_FIRE, "receive timeout", "TIMEOUT");
        owner.resumeValue = TIMEOUT;
        this.unblock(owner);
        return;
      case TimerKind.CALLBACK:
        info.callback!();
        return;
    }
  }

  // ---- refs, monitors, names ------------------------------------------------------

  private readonly nameIds = new Map<unknown, number>();

  /** A per-iteration resource id for a local name, so strategies see races on it. */
  nameRes(name: unknown): number {
    let id = this.nameIds.get(name);
    if (id === undefined) this.nameIds.set(name, (id = this.nameIds.size + 1));
    return resource(RES.NAME, id);
  }

  makeRef(): Ref {
    return new Ref(++this.refCounter);
  }

  /** Adds a monitor from watcher to target (alive); `internal` monitors do not count as handling crashes. */
  addMonitor(watcher: Proc, target: Proc, internal: boolean): Ref {
    const ref = this.makeRef();
    const m = this.x.monAdd(watcher.id, target.id);
    this.monRefs[m] = ref;
    this.monInternal[m] = internal;
    this.monOfRef.set(ref, m);
    return ref;
  }

  /** Removes a monitor; false when it was not active (already fired or removed). */
  removeMonitor(ref: Ref, watcher: Proc): boolean {
    const m = this.monOfRef.get(ref);
    if (m === undefined || this.x.monWatcher(m) !== watcher.id) return false;
    this.monOfRef.delete(ref);
    this.monRefs[m] = undefined;
    return !!this.x.monRemove(m);
  }

  /** Resolves a destination (Pid, local name, via name) to a live or dead process, or undefined. */
  resolve(dest: unknown): Proc | undefined {
    if (dest instanceof Pid) return this.proc(dest);
    if (typeof dest === "string" || typeof dest === "symbol") return this.names.get(dest);
    if (dest instanceof Via) {
      const reg = this.registries.get(dest.registry);
      return reg ? reg.viaWhereis(dest.key) : undefined;
    }
    return undefined;
  }

  // ---- failures -------------------------------------------------------------------

  private reportDeadlock(): void {
    const lines: string[] = [];
    for (const q of this.procs) {
      if (!q || !q.alive || q.system) continue;
      lines.push(`  ${q} ${this.describeWait(q)}`);
    }
    this.fail(
      "deadlock",
      new Error("deadlock"),
      `Deadlock: every live process is blocked and no timer is pending.\n${lines.join("\n")}`,
      this.procs[1],
    );
  }

  describeWait(q: Proc): string {
    switch (q.waiting) {
      case Wait.RECEIVE:
        return `waits in receive${q.match ? " (selective)" : ""} with ${q.mailbox.length} unmatched message(s) in its mailbox`;
      case Wait.SLEEP:
        return "sleeps";
      case Wait.OTHER:
        return `waits for ${q.waitLabel}`;
      default:
        return "is runnable";
    }
  }

  /** Called by the explorer (src/explore/stall.ts): the microtask queue drained mid-iteration. */
  stalled(): void {
    if (this.done) return;
    const p = this.running ?? this.handedTo ?? this.lastRunner;
    this.fail(
      "uncontrolled-await",
      new Error("uncontrolled await"),
      `${p ?? "A process"} awaited something lockstep does not control (a real timer, I/O, or a promise that never settles)` +
        (p ? (p.lastOp ? ` after its ${opName(p.lastOp)}` : " before making any lockstep call") : "") +
        `. Use lockstep's sleep/sendAfter/receive, or wrap the async function with controlled().`,
      p ?? undefined,
    );
  }

  // ---- readable log (detail mode) -------------------------------------------------

  note(p: Proc, op: number, detail: string, result: string): void {
    if (!this.config.detail) return;
    this.log.push({ step: this.x.steps(), pid: String(p.pid), op: opName(op), detail, result });
  }
}

/** A `via(registry, key)` name: resolved through the registry wherever a destination is accepted. */
export class Via {
  constructor(
    readonly registry: unknown,
    readonly key: unknown,
  ) {}
  toString(): string {
    return `via(${show(this.registry)}, ${show(this.key)})`;
  }
}

trustShow(Via);

/** Set by the explorer; sync points called outside an exploration fail with a clear error. */
export function currentIteration(): Iteration | null {
  return current;
}
