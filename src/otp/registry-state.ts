// The Registry's per-iteration state: registry handles, the key interner, the value
// and meta handle tables, owner monitors and the cleanup processes. The key tables
// themselves live in the engine (assembly/registry.ts); this file holds what the
// engine cannot (JS values) and what the runtime needs (processes, monitors).
import { resource, RES } from "../engine/ops.js";
import { ArgumentError } from "../runtime/errors.js";
import type { Iteration } from "../runtime/iteration.js";
import { resolveDest, type ViaRegistry } from "../runtime/destinations.js";
import { deliver } from "../runtime/mailbox.js";
import type { Proc } from "../runtime/proc.js";
import type { Ref } from "../values/ref.js";
import type { Pid } from "../values/pid.js";
import { Interner } from "../values/intern.js";
import { show, trustShow } from "../values/show.js";

/** One registration as `lookup` / `dispatch` / `match` report it. */
export type Entry<V = any> = [pid: Pid, value: V];

/** Engine registry kinds (assembly/registry.ts). */
export const KIND_CODE = { unique: 0, duplicate: 1 } as const;
export type Keys = keyof typeof KIND_CODE;
/** Engine kind of a duplicate registry partitioned by key (assembly/registry.ts DUPLICATE_BY_KEY). */
export const DUPLICATE_BY_KEY_CODE = 2;
/** How a duplicate registry spreads entries over its partitions (Elixir's `{:duplicate, :pid | :key}`). */
export type PartitionBy = "pid" | "key";

/** The per-key lock of `Registry.lock` (Elixir's Registry.Partition lock queue). */
export class KeyLock {
  /** The holding process (a home process), or null. */
  holder: Proc | null = null;
  /** The internal monitor the key's partition process holds on the holder (released on its DOWN). */
  ref: Ref | null = null;
  /** Parked lockers; all woken at a release, each retries when scheduled. */
  readonly waiters: Proc[] = [];
}

/**
 * A started registry, as `Registry.start` resolves it. Pass it (or the registry's
 * `name`, if it was given one) to every `Registry` function and to `via(reg, key)`.
 * A handle belongs to the iteration that started the registry.
 */
export class RegistryHandle {
  /** @internal */
  readonly state: RegState;
  constructor(state: RegState) {
    this.state = state;
    Object.defineProperty(this, "state", { enumerable: false });
  }
  /** `"unique"` or `"duplicate"`. */
  get keys(): Keys {
    return this.state.kind;
  }
  /** The name given to `Registry.start`, if any. */
  get name(): string | symbol | undefined {
    return this.state.name;
  }
  get partitions(): number {
    return this.state.partitions;
  }
  /** How entries are spread over partitions: `"pid"` or `"key"` for a duplicate registry; undefined for a unique one. */
  get partitionBy(): PartitionBy | undefined {
    return this.state.kind === "duplicate" ? this.state.partitionBy : undefined;
  }
  toString(): string {
    const n = this.state.name;
    const label = n === undefined ? String(this.state.id + 1) : typeof n === "string" ? n : show(n);
    return `#Registry<${label} ${this.state.kind}>`;
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** One registry of one iteration. */
trustShow(RegistryHandle);

export class RegState implements ViaRegistry {
  readonly handle: RegistryHandle;
  /** Cleanup process per partition; pid p is watched by cleaners[p % partitions]. */
  readonly cleaners: Proc[] = [];
  /** By pid id: the internal monitor its cleaner holds on it (one per live registrant); pid ids are dense. */
  readonly monitored: (Ref | undefined)[] = [];
  /** Resource of whole-registry operations (count, scans, cleanup). */
  readonly wholeRes: number;
  /** Registry.lock: key id -> its lock, while held or waited for. */
  readonly locks = new Map<number, KeyLock>();
  /** Registry.lock: the monitor a partition process holds on a lock holder -> the key id. */
  readonly lockRefs = new Map<Ref, number>();

  constructor(
    readonly it: Iteration,
    readonly s: IterState,
    /** The engine's registry handle. */
    readonly id: number,
    readonly kind: Keys,
    readonly partitions: number,
    readonly name: string | symbol | undefined,
    readonly listeners: readonly unknown[],
    readonly partitionBy: PartitionBy = "pid",
  ) {
    this.handle = new RegistryHandle(this);
    this.wholeRes = resource(RES.REGISTRY, 0xfffff0 + (id & 15));
  }

  /** Short name for report lines: the registry's name, or #N in start order. */
  get label(): string {
    const n = this.name;
    return n === undefined ? `#${this.id + 1}` : typeof n === "string" ? n : show(n);
  }

  /** Resource of a key: registry writes and reads of one key race exactly on it. */
  keyRes(k: number): number {
    return resource(RES.REGISTRY, (1 + k * 16 + (this.id & 15)) % 0xfffff0);
  }

  metaRes(k: number): number {
    return resource(RES.REGISTRY, (1 + k * 16 + (this.id & 15)) % 0xfffff0 ^ 0x800000);
  }

  /** The partition process of lock key k (Elixir: the key's partition serves its lock). */
  lockServer(k: number): Proc {
    return this.cleaners[k % this.partitions];
  }

  /** The cleanup process responsible for p (the `owner` `register` reports). */
  cleanerOf(p: Proc): Proc {
    return this.cleaners[p.id % this.partitions];
  }

  /** Makes sure p's cleaner watches p (one internal monitor per registrant). */
  watch(p: Proc): void {
    if (this.monitored[p.id] === undefined) this.monitored[p.id] = this.it.monitors.add(this.cleanerOf(p), p, true);
  }

  /** p has no entries left: its cleaner stops watching it (Elixir unlinks). */
  unwatchIfEmpty(p: Proc): void {
    if (this.it.x.regHasPid(this.id, p.id)) return;
    const ref = this.monitored[p.id];
    if (ref === undefined) return;
    this.monitored[p.id] = undefined;
    this.it.monitors.remove(ref, this.cleanerOf(p));
  }

  /** `via(reg, key)` resolution: the key's owner, dead or alive (whereis filters dead ones). */
  viaWhereis(key: unknown): Proc | undefined {
    if (this.kind !== "unique") throw new ArgumentError(`via names need a unique registry; ${this.handle} has duplicate keys`);
    const k = interner.find(key);
    if (k < 0) return undefined;
    const e = this.it.x.regFind(this.id, k);
    return e < 0 ? undefined : this.s.owner(e);
  }

  /** Sends a listener event to every listener that is a live process. */
  notify(msg: unknown): void {
    for (const l of this.listeners) {
      const q = resolveDest(this.it, l);
      if (q !== undefined) deliver(this.it, q, msg);
    }
  }
}

/** Everything the registries of one iteration own. */
export class IterState {
  /**
   * Per engine entry id e (entry ids double as value handles): ent[2e] is the owner's
   * Proc, ent[2e + 1] the registered value. Written at registration, the only time an
   * entry id is (re)assigned; side by side so reading an entry is one cache miss.
   * (Answers build a fresh `[pid, value]` per entry: caching one frozen tuple per entry
   * was measured slower, as V8 destructures frozen arrays on a slow path.)
   */
  readonly ent: unknown[] = [];
  /** Meta value handles -> values, with a free list. */
  readonly meta: unknown[] = [];
  private readonly metaFree: number[] = [];
  constructor(readonly it: Iteration) {}

  /** Entry e now belongs to `owner` with `value`. */
  setEntry(e: number, owner: Proc, value: unknown): void {
    const ent = this.ent;
    ent[2 * e] = owner;
    ent[2 * e + 1] = value;
  }

  owner(e: number): Proc {
    return this.ent[2 * e] as Proc;
  }

  value(e: number): unknown {
    return this.ent[2 * e + 1];
  }

  setValue(e: number, value: unknown): void {
    this.ent[2 * e + 1] = value;
  }

  /** Entry e as a fresh `[pid, value]`. */
  entry(e: number): Entry {
    return [(this.ent[2 * e] as Proc).pid, this.ent[2 * e + 1]];
  }

  metaAlloc(v: unknown): number {
    const h = this.metaFree.length > 0 ? this.metaFree.pop()! : this.meta.length;
    this.meta[h] = v;
    return h;
  }
  metaRelease(h: number): void {
    if (h < 0) return;
    this.meta[h] = undefined;
    this.metaFree.push(h);
  }
}

/**
 * Keys of every registry of the current iteration, interned to engine ids. One
 * interner is reused across iterations (its reset keeps the work of re-interning
 * the same keys cheap, see values/intern.ts) and reset when a new iteration first
 * touches a registry, so ids are a function of the iteration alone.
 */
export const interner = new Interner();

let lastIt: Iteration | null = null;
let lastState: IterState | null = null;
const states = new WeakMap<Iteration, IterState>();

/** The registries' state for `it`, created (and the interner reset) on first use. */
export function stateOf(it: Iteration): IterState {
  if (it === lastIt) return lastState!;
  let s = states.get(it);
  if (s === undefined) {
    s = new IterState(it);
    states.set(it, s);
    interner.reset();
  }
  lastIt = it;
  lastState = s;
  return s;
}
