// The TypeScript side of the engine boundary (assembly/index.ts is the other side).
// Only integers and f64 virtual times cross; list answers are read from the scratch
// region through a cached Int32Array over the wasm memory, rebuilt after memory.grow.

/**
 * The part of WebAssembly.Memory the engine reads. Declared here, not taken from the
 * DOM lib, so the published .d.ts files compile in a project without "DOM" in lib.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The raw exports of build/engine.wasm. */
export interface EngineExports {
  memory: WasmMemory;
  /** `lean` 1: keep decisions only, no operation records (assembly/trace.ts); 0 or omitted: record everything. */
  begin(seedLo: number, seedHi: number, iteration: number, strategy: number, race: number, p1: number, p2: number, p3: number, lean?: number): void;
  replayLoad(n: number, strict: number): void;
  spawn(flags: number): number;
  /** 1 when this run's reads-from feedback wants each spawn's creation site: pass it to spawnSite (src/runtime/call-site.ts). */
  wantsSites(): number;
  /** Process p was spawned from creation site `site` (an interned id: the same for every spawn from one source location). */
  spawnSite(p: number, site: number): void;
  kill(p: number): void;
  /** kill + monWatcherDown in one call; 0 when nothing watches p and p has no links (done), 1 when monTargetDown and linkTakeAll must follow. */
  exit(p: number): number;
  enable(p: number): void;
  disable(p: number): void;
  isAlive(p: number): number;
  isEnabled(p: number): number;
  flags(p: number): number;
  setFlags(p: number, f: number): void;
  processCount(): number;
  runnableCount(): number;
  record(pid: number, op: number, res: number, aux: number): void;
  step(actor: number, op: number, res: number, aux: number): number;
  pick(actor: number): number;
  firedTimer(): number;
  steps(): number;
  events(): number;
  strategyKind(): number;
  now(): number;
  addTimer(pid: number, delay: number): number;
  cancelTimer(t: number): number;
  timerIsPending(t: number): number;
  timerLeft(t: number): number;
  nextTimer(): number;
  popTimer(): number;
  scratchPtr(): number;
  scratchReserve(n: number): number;
  scratchCap(): number;
  monAdd(watcher: number, target: number): number;
  monRemove(m: number): number;
  monLive(m: number): number;
  monWatcher(m: number): number;
  monTarget(m: number): number;
  monTargetDown(t: number): number;
  monWatcherDown(w: number): number;
  linkAdd(a: number, b: number): number;
  linkRemove(a: number, b: number): number;
  linked(a: number, b: number): number;
  linkTakeAll(p: number): number;
  linkCount(p: number): number;
  eventsPtr(): number;
  decisionsPtr(): number;
  eventField(i: number, f: number): number;
  scheduleHash(): number;
  choicePoints(): number;
  /** The product of the candidates at the last run's choice points: Knuth's estimate of the schedules in the space. */
  pathSpan(): number;
  preemptions(): number;
  preemptionsPtr(): number;
  /** Reads-from coverage pairs the last run showed first (rff runs, and runs begun with STRATEGY_FEEDBACK). */
  coverageFresh(): number;
  // registry key tables (assembly/registry.ts)
  regNew(kind: number, partitions: number): number;
  regKindOf(r: number): number;
  regRegister(r: number, key: number, pid: number): number;
  regEntriesOf(r: number, key: number, pid: number): number;
  regUnregister(r: number, key: number, pid: number): number;
  regRemove(e: number): number;
  regPidDown(r: number, pid: number): number;
  regFind(r: number, key: number): number;
  regEntryPid(e: number): number;
  regEntryKey(e: number): number;
  regEntryLive(e: number): number;
  regHasPid(r: number, pid: number): number;
  regLookup(r: number, key: number): number;
  regKeys(r: number, pid: number): number;
  regCount(r: number): number;
  regScan(r: number): number;
  regMetaPut(r: number, key: number, h: number): number;
  regMetaGet(r: number, key: number): number;
  regMetaDelete(r: number, key: number): number;
  regEntries(): number;
  // dpor (assembly/strategies/dpor.ts)
  touch(res: number, write: number): void;
  dporNext(ended: number): number;
  dporTraces(): number;
  dporComplete(): number;
  dporPruned(): number;
  [more: string]: unknown;
}

/** Width of one trace record: [step, pid, op, resource, aux]. */
export const RECORD_WIDTH = 5;

/** Engine answers from step() / pick(). */
export const PICK = { TIMER: 0, NOTHING: -1, DIVERGED: -2, PRUNED: -3 } as const;

/** Engine strategy codes (assembly/strategy.ts). */
export const STRATEGY_CODE = { random: 0, replay: 1, pct: 2, pos: 3, rff: 4, dpor: 5 } as const;

/** Added to a strategy code: the run also records reads-from coverage for rff (assembly/strategy.ts FEEDBACK). */
export const STRATEGY_FEEDBACK = 256;

/** Process flag bits (assembly/procs.ts). */
export const FLAG_SYSTEM = 1;

export class Engine {
  readonly x: EngineExports;
  private buffer: ArrayBuffer | null = null;
  private i32: Int32Array = new Int32Array(0);

  constructor(
    instance: { readonly exports: object },
    /** The bounds-checked debug build: the runtime also asserts its caches of engine facts. */
    readonly debug = false,
  ) {
    this.x = instance.exports as unknown as EngineExports;
  }

  /** A view over the whole wasm memory (valid until the next memory.grow). */
  mem(): Int32Array {
    const b = this.x.memory.buffer;
    if (b !== this.buffer) {
      this.buffer = b;
      this.i32 = new Int32Array(b);
    }
    return this.i32;
  }

  /** Integer i of the scratch region. */
  scratchAt(i: number): number {
    return this.mem()[(this.x.scratchPtr() >>> 2) + i];
  }

  /** Copies `n` integers out of the scratch region. */
  readScratch(n: number): number[] {
    const m = this.mem();
    const base = this.x.scratchPtr() >>> 2;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = m[base + i];
    return out;
  }

  /** Writes integers into the scratch region (growing it first). */
  writeScratch(values: ArrayLike<number>): void {
    const base = this.x.scratchReserve(values.length) >>> 2;
    const m = this.mem();
    for (let i = 0; i < values.length; i++) m[base + i] = values[i];
  }

  /** The decisions taken so far this iteration. */
  decisions(): number[] {
    const n = this.x.steps();
    const m = this.mem();
    const base = this.x.decisionsPtr() >>> 2;
    return Array.from(m.subarray(base, base + n));
  }

  /** The decision numbers of this iteration's preemptions (switches away from a process that could continue). */
  preemptionSteps(): number[] {
    const n = this.x.preemptions();
    const base = this.x.preemptionsPtr() >>> 2;
    return Array.from(this.mem().subarray(base, base + n));
  }

  /** The operation records so far this iteration, as [step, pid, op, res, aux] tuples. */
  events(): number[][] {
    const n = this.x.events();
    const m = this.mem();
    const base = this.x.eventsPtr() >>> 2;
    const out: number[][] = new Array(n);
    for (let i = 0; i < n; i++) {
      const o = base + i * RECORD_WIDTH;
      out[i] = [m[o], m[o + 1], m[o + 2], m[o + 3], m[o + 4]];
    }
    return out;
  }
}
