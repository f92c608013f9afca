/**
 * Registry: Elixir's `Registry` (lib/elixir/lib/registry.ex) under lockstep's
 * scheduler — a process registry keyed by any term, unique or duplicate, so code
 * that finds processes by key can be explored for races.
 *
 * Every function is a sync point performed by the calling process directly against
 * the key tables (as Elixir's callers write the ETS tables themselves). Only the
 * cleanup after an owner's death goes through the registry's own processes: each
 * registrant is monitored by its partition's cleanup process, which removes the dead
 * owner's entries when it next runs — a separately scheduled event. Until then
 * `lookup`, `dispatch`, `count`, `keys`, `select` and friends still see the dead
 * owner (Elixir: "certain operations may return processes that are already dead");
 * `whereis(via(...))` never returns a dead pid, and a unique key whose owner is dead
 * is taken over by the next registrant.
 *
 * Keys compare as Erlang terms (values/term.ts) and are snapshotted when first seen;
 * values are stored by reference. Results come in registration order.
 *
 * @example
 * const reg = await Registry.start({ keys: "unique" });
 * await Registry.register(reg, ["room", 1], { topic: "lobby" });   // { ok: true, owner }
 * await Registry.lookup(reg, ["room", 1]);                          // [[self(), { topic: "lobby" }]]
 */
import { OP, resource, RES } from "../engine/ops.js";
import { sync } from "../runtime/sync.js";
import { ArgumentError, OptionsError, UsageError } from "../runtime/errors.js";
import { block, unblock } from "../runtime/blocking.js";
import { resync } from "../runtime/sync.js";
import { Wait } from "../runtime/proc.js";
import type { Ref } from "../values/ref.js";
import { currentIteration, type Iteration } from "../runtime/iteration.js";
import { Via } from "../runtime/destinations.js";
import { receive, send } from "../runtime/messages.js";
import { demonitor, makeRef, self, spawnMonitorInternal } from "../runtime/processes.js";
import { Pid } from "../values/pid.js";
import type { Proc } from "../runtime/proc.js";
import { isPlainObject } from "../values/term.js";
import { show } from "../values/show.js";
import { CallExit, StartError } from "./errors.js";
import { compileMatchSpec, compileValueMatch, NO_MATCH, type CompiledMatchSpec, type MatchSpecEntry } from "./matchspec.js";
import { DUPLICATE_BY_KEY_CODE, type Entry, interner, KeyLock, KIND_CODE, RegistryHandle, RegState, stateOf, type Keys, type PartitionBy } from "./registry-state.js";

export { RegistryHandle };

/** A registry: its handle, or the name it was started with. */
export type RegistryRef = RegistryHandle | string | symbol;

/** What `register` resolves to. `owner` is the registry process that watches the caller. */
export type RegisterResult = { ok: true; owner: Pid } | { ok: false; error: "already_registered"; pid: Pid };

export type { Entry };

/** A `dispatch` callback: a function, or `[module, fnName, extraArgs]` called as `module[fnName](entries, ...extraArgs)`. */
export type Dispatcher<V = any> = ((entries: Entry<V>[]) => unknown) | readonly [module: object, fnName: string, extraArgs: readonly unknown[]];

/** Messages listeners receive. `registry` is the handle; `key` the stored snapshot. */
export type ListenerEvent =
  | { type: "register"; registry: RegistryHandle; key: unknown; pid: Pid; value: unknown }
  | { type: "unregister"; registry: RegistryHandle; key: unknown; pid: Pid };

export interface RegistryOptions {
  /** `"unique"`: a key has at most one owner; `"duplicate"`: any number of entries. */
  keys: Keys;
  /** A name usable in place of the handle (in every Registry call and in `via`). */
  name?: string | symbol;
  /** Number of partitions (default 1): entries are spread over them; answers are the same. */
  partitions?: number;
  /**
   * Duplicate registries only: spread entries over partitions by `"pid"` (default) or
   * by `"key"` (Elixir's `keys: {:duplicate, :pid | :key}`). Every answer is the same.
   */
  partitionBy?: PartitionBy;
  /** Processes (names or pids) that receive `register` / `unregister` events. */
  listeners?: readonly (string | symbol | Pid)[];
  /** Initial metadata: a plain object, a Map, or `[key, value]` pairs. */
  meta?: Record<string, unknown> | Map<unknown, unknown> | readonly (readonly [unknown, unknown])[];
}

const MAX_PARTITIONS = 1024;
const START_KEYS = new Set(["keys", "name", "partitions", "partitionBy", "listeners", "meta"]);

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

function regOf(it: Iteration, reg: unknown, what: string): RegState {
  if (reg instanceof RegistryHandle) {
    if (reg.state.it === it) return reg.state;
    throw new ArgumentError(`${what}: ${reg} was started in another iteration; registries live for one iteration`);
  }
  if (typeof reg === "string" || typeof reg === "symbol") {
    const r = it.registries.get(reg);
    if (r !== undefined) return r as RegState;
  }
  throw new ArgumentError(`${what}: unknown registry ${show(reg)} (pass the handle Registry.start resolved to, or its name)`);
}

function keyId(key: unknown, what: string): number {
  try {
    return interner.intern(key);
  } catch (e) {
    throw new TypeError(`${what}: the key ${show(key)} cannot be a registry key: ${(e as Error).message}`);
  }
}

function checkPid(pid: unknown, what: string): asserts pid is Pid {
  if (!(pid instanceof Pid)) throw new TypeError(`${what} expects a pid, got ${show(pid)}`);
}

/** The entries under key k, in registration order. */
function entriesOf(r: RegState, k: number): Entry[] {
  const it = r.it;
  const s = r.s;
  if (r.kind === "unique") {
    const e = it.x.regFind(r.id, k);
    return e < 0 ? [] : [s.entry(e)];
  }
  const n = it.x.regLookup(r.id, k);
  if (n === 0) return [];
  const m = it.engine.mem();
  const base = it.x.scratchPtr() >>> 2;
  const out: Entry[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = s.entry(m[base + i]);
  return out;
}

/** Entry ids of pid's entries under key k, in registration order. */
function entryIdsOf(r: RegState, k: number, pid: number): number[] {
  return r.it.engine.readScratch(r.it.x.regEntriesOf(r.id, k, pid));
}

/**
 * Runs `run` over every entry as [key, pid, value], in registration order. The triple
 * is one array refilled per entry: a compiled match spec never keeps its input (`"$_"`
 * and whole-entry patterns copy it), so a full scan allocates nothing per entry.
 */
function scanWith(r: RegState, run: (entry: MatchSpecEntry) => void): void {
  const it = r.it;
  const n = it.x.regScan(r.id);
  const m = it.engine.mem();
  const base = it.x.scratchPtr() >>> 2;
  const s = r.s;
  const entry: [unknown, Pid | undefined, unknown] = [undefined, undefined, undefined];
  for (let i = 0, o = base; i < n; i++, o += 2) {
    const e = m[o + 1];
    entry[0] = interner.key(m[o]);
    entry[1] = s.owner(e).pid;
    entry[2] = s.value(e);
    run(entry);
  }
}

/** A report line's detail: `lookup(rooms, "lobby")` (the op column already says reg-read / reg-write). */
function call(what: string, r: RegState, args: string): string {
  const verb = what.startsWith("Registry.") ? what.slice(9) : what;
  return args ? `${verb}(${r.label}, ${args})` : `${verb}(${r.label})`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A read of one key as a sync point `(reg, key) => answer`: the common body of lookup,
 * match, countMatch, values and dispatch. Made once per operation (lookup's at module
 * load), so a call allocates no closure.
 */
function keyReader<T>(what: string, answer: (r: RegState, k: number, p: Proc) => T, text?: (v: T) => string): (reg: unknown, key: unknown) => Promise<T> {
  const act = (p: Proc, it: Iteration, reg: unknown, key: unknown): Promise<T> => {
    const r = regOf(it, reg, what);
    const k = keyId(key, what);
    const v = answer(r, k, p.home);
    if (it.detail) it.note(p, OP.REG_READ, () => [call(what, r, show(key)), text ? text(v) : show(v)]);
    return it.handoff(p, OP.REG_READ, r.keyRes(k), r.id, v);
  };
  return (reg, key) => sync(OP.REG_READ, act, reg, key);
}

/** keyReader for an answer that depends on the call (a compiled pattern, a pid). */
function readKey<T>(reg: unknown, key: unknown, what: string, answer: (r: RegState, k: number, p: Proc) => T, text?: (v: T) => string): Promise<T> {
  return keyReader(what, answer, text)(reg, key);
}

/**
 * A read of the whole registry as a sync point `(reg, arg) => answer`: count, select,
 * countSelect, keys. `args` formats the call's argument for a report (only then).
 */
function wholeReader<T, A>(what: string, args: (a: A) => string, answer: (r: RegState, a: A) => T): (reg: unknown, a: A) => Promise<T> {
  const act = (p: Proc, it: Iteration, reg: unknown, a: A): Promise<T> => {
    const r = regOf(it, reg, what);
    const v = answer(r, a);
    if (it.detail) it.note(p, OP.REG_READ, () => [call(what, r, args(a)), show(v)]);
    return it.handoff(p, OP.REG_READ, r.wholeRes, r.id, v);
  };
  return (reg, a) => sync(OP.REG_READ, act, reg, a);
}

function checkDispatcher(cb: unknown): (entries: Entry[]) => unknown {
  if (typeof cb === "function") return cb as (entries: Entry[]) => unknown;
  if (Array.isArray(cb) && cb.length === 3) {
    const [mod, fn, extra] = cb as [unknown, unknown, unknown];
    if ((typeof mod === "object" || typeof mod === "function") && mod !== null && typeof fn === "string" && Array.isArray(extra)) {
      const f = (mod as Record<string, unknown>)[fn];
      if (typeof f !== "function") throw new TypeError(`Registry.dispatch: ${show(mod)} has no function ${show(fn)}`);
      return (entries) => (f as (...a: unknown[]) => unknown).call(mod, entries, ...extra);
    }
  }
  throw new TypeError(`Registry.dispatch expects a function or a [module, fnName, extraArgs] triple, got ${show(cb)}`);
}

function metaEntries(meta: unknown): [unknown, unknown][] {
  if (meta === undefined) return [];
  if (meta instanceof Map) return [...meta.entries()];
  if (Array.isArray(meta)) {
    for (const pr of meta) {
      if (!Array.isArray(pr) || pr.length !== 2) throw new OptionsError(`Registry.start: meta must be a plain object, a Map or [key, value] pairs; got the element ${show(pr)}`);
    }
    return meta.map((pr) => [pr[0], pr[1]]);
  }
  if (isPlainObject(meta)) return Object.entries(meta);
  throw new OptionsError(`Registry.start: meta must be a plain object, a Map or [key, value] pairs, got ${show(meta)}`);
}

interface StartConfig {
  kind: Keys;
  name: string | symbol | undefined;
  partitions: number;
  partitionBy: PartitionBy;
  listeners: unknown[];
  meta: [unknown, unknown][];
}

function checkStartOptions(opts: unknown): StartConfig {
  if (!isPlainObject(opts)) throw new OptionsError(`Registry.start expects options { keys: "unique" | "duplicate", name?, partitions?, listeners?, meta? }, got ${show(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!START_KEYS.has(k)) throw new OptionsError(`Registry.start: unknown option ${show(k)} (known: ${[...START_KEYS].join(", ")})`);
  }
  const o = opts as Partial<RegistryOptions>;
  if (o.keys !== "unique" && o.keys !== "duplicate") throw new OptionsError(`Registry.start: keys must be "unique" or "duplicate", got ${show(o.keys)}`);
  if (o.name !== undefined && typeof o.name !== "string" && typeof o.name !== "symbol") {
    throw new OptionsError(`Registry.start: name must be a string or a symbol, got ${show(o.name)}`);
  }
  const partitions = o.partitions ?? 1;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new OptionsError(`Registry.start: partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${show(o.partitions)}`);
  }
  if (o.partitionBy !== undefined) {
    if (o.keys !== "duplicate") throw new OptionsError(`Registry.start: partitionBy is only for keys: "duplicate" registries, got it with keys: ${show(o.keys)}`);
    if (o.partitionBy !== "pid" && o.partitionBy !== "key") throw new OptionsError(`Registry.start: partitionBy must be "pid" or "key", got ${show(o.partitionBy)}`);
  }
  const listeners = o.listeners ?? [];
  if (!Array.isArray(listeners) || !listeners.every((l) => typeof l === "string" || typeof l === "symbol" || l instanceof Pid)) {
    throw new OptionsError(`Registry.start: listeners must be an array of process names or pids, got ${show(o.listeners)}`);
  }
  return { kind: o.keys, name: o.name, partitions, partitionBy: o.partitionBy ?? "pid", listeners: [...listeners], meta: metaEntries(o.meta) };
}

/** The body of a cleanup process: removes a dead registrant's entries, one DOWN at a time. */
async function cleaner(r: RegState): Promise<void> {
  for (;;) {
    const msg = (await receive()) as { type?: unknown; pid?: unknown; ref?: unknown } | undefined;
    if (msg?.type !== "DOWN" || !(msg.pid instanceof Pid)) continue;
    const k = r.lockRefs.get(msg.ref as Ref);
    if (k !== undefined) await lockDown(r, msg.ref as Ref, k, msg.pid);
    else await cleanup(r, msg.pid);
  }
}

function cleanup(r: RegState, pid: Pid): Promise<void> {
  return sync(OP.REG_WRITE, (p, it) => {
    r.monitored[pid.id] = undefined;
    const n = it.x.regPidDown(r.id, pid.id);
    if (it.detail) it.note(p, OP.REG_WRITE, () => [`cleanup(${r.label}) after ${pid} died`, `${plural(n, "entry", "entries")} removed`]);
    return it.handoff(p, OP.REG_WRITE, r.wholeRes, pid.id, undefined);
  });
}

// ---------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------

/**
 * Starts a registry; resolves to its handle. Each partition gets a cleanup process
 * (a system process: it appears in reports, never counts as deadlocked). A `name`
 * already used by a registry of this iteration rejects with a StartError whose
 * reason is `"already_started"` (its `pid` is the existing handle).
 *
 * @example
 * const reg = await Registry.start({ keys: "duplicate", name: "topics", partitions: 4 });
 */
export function start(opts: RegistryOptions): Promise<RegistryHandle> {
  return sync(OP.SPAWN, (p, it) => {
    const o = checkStartOptions(opts);
    const s = stateOf(it);
    if (o.name !== undefined && it.registries.has(o.name)) {
      throw new StartError("already_started", (it.registries.get(o.name) as RegState).handle);
    }
    const code = o.kind === "duplicate" && o.partitionBy === "key" ? DUPLICATE_BY_KEY_CODE : KIND_CODE[o.kind];
    const id = it.x.regNew(code, o.partitions);
    const r = new RegState(it, s, id, o.kind, o.partitions, o.name, o.listeners, o.partitionBy);
    const label = `registry ${o.name === undefined ? id + 1 : show(o.name)}`;
    for (let i = 0; i < o.partitions; i++) {
      r.cleaners.push(it.spawnProcess(() => cleaner(r), true, o.partitions > 1 ? `${label} partition ${i}` : label));
    }
    for (const [mk, mv] of o.meta) it.x.regMetaPut(id, keyId(mk, "Registry.start meta"), s.metaAlloc(mv));
    // The iteration's one table of registries by handle and by name (via() resolves through it).
    it.registries.set(r.handle, r);
    if (o.name !== undefined) it.registries.set(o.name, r);
    if (it.detail) it.note(p, OP.SPAWN, () => [`Registry.start(${show(opts)})`, String(r.handle)]);
    return it.handoff(p, OP.SPAWN, resource(RES.PROC, r.cleaners[0].id), 0, r.handle);
  });
}

/**
 * Registers the calling process under `key` with `value`. In a unique registry a key
 * held by a live process gives `{ ok: false, error: "already_registered", pid }`
 * (also when that process is the caller); a key whose owner died is taken over. A
 * duplicate registry always accepts, also the same key again from the same process.
 * Listeners receive `{ type: "register", registry, key, pid, value }`.
 *
 * @example
 * const r = await Registry.register(reg, "lobby", null);
 * if (!r.ok) console.log("taken by", r.pid);
 */
export function register(reg: RegistryRef, key: unknown, value: unknown): Promise<RegisterResult> {
  return sync(OP.REG_WRITE, (p, it) => {
    const r = regOf(it, reg, "Registry.register");
    const k = keyId(key, "Registry.register");
    const e = it.x.regRegister(r.id, k, p.home.id);
    let result: RegisterResult;
    if (e >= 0) {
      r.s.setEntry(e, p.home, value);
      r.watch(p.home);
      result = { ok: true, owner: r.cleanerOf(p.home).pid };
      if (r.listeners.length > 0) r.notify({ type: "register", registry: r.handle, key: interner.key(k), pid: p.home.pid, value });
    } else {
      result = { ok: false, error: "already_registered", pid: it.procs[-e]!.pid };
    }
    if (it.detail) {
      it.note(p, OP.REG_WRITE, () => [call("register", r, `${show(key)}, ${show(value)}`), result.ok ? "ok" : `already_registered by ${result.pid}`]);
      // A unique key names its holder (a via name); a duplicate registry's key is a topic many join.
      if (result.ok && r.kind === "unique") it.nameLane(p.home, typeof key === "string" ? key : show(key));
    }
    return it.handoff(p, OP.REG_WRITE, r.keyRes(k), r.id, result);
  });
}

/**
 * Removes all of the caller's entries under `key`; resolves when done (a no-op when
 * there are none). Another process's entries cannot be removed. As in Elixir's
 * `unregister/2`, listeners receive `{ type: "unregister", registry, key, pid }`
 * every time, even when nothing was registered.
 */
export function unregister(reg: RegistryRef, key: unknown): Promise<void> {
  return sync(OP.REG_WRITE, (p, it) => {
    const r = regOf(it, reg, "Registry.unregister");
    const k = keyId(key, "Registry.unregister");
    const n = it.x.regUnregister(r.id, k, p.home.id);
    if (n > 0) r.unwatchIfEmpty(p.home);
    if (r.listeners.length > 0) r.notify({ type: "unregister", registry: r.handle, key: interner.key(k), pid: p.home.pid });
    if (it.detail) it.note(p, OP.REG_WRITE, () => [call("unregister", r, show(key)), `${plural(n, "entry", "entries")} removed`]);
    return it.handoff(p, OP.REG_WRITE, r.keyRes(k), r.id, undefined);
  });
}

/**
 * Removes the caller's entries under `key` whose value matches `pattern` and
 * `guards` (the match-spec encoding, matched against the value; see `match`).
 * Listeners get `unregister` when no entry of the caller is left under the key.
 */
export function unregisterMatch(reg: RegistryRef, key: unknown, pattern: unknown, guards: unknown[] = []): Promise<void> {
  return sync(OP.REG_WRITE, (p, it) => {
    const matches = compileValueMatch(pattern, guards);
    const r = regOf(it, reg, "Registry.unregisterMatch");
    const k = keyId(key, "Registry.unregisterMatch");
    const ids = entryIdsOf(r, k, p.home.id);
    let removed = 0;
    for (const e of ids) {
      if (matches(r.s.value(e))) {
        it.x.regRemove(e);
        removed++;
      }
    }
    if (removed > 0) r.unwatchIfEmpty(p.home);
    // Elixir's unregister_match/4 notifies when every entry under the key went.
    if (removed === ids.length && r.listeners.length > 0) r.notify({ type: "unregister", registry: r.handle, key: interner.key(k), pid: p.home.pid });
    if (it.detail) it.note(p, OP.REG_WRITE, () => [call("unregisterMatch", r, `${show(key)}, ${show(pattern)}`), `${plural(removed, "entry", "entries")} removed`]);
    return it.handoff(p, OP.REG_WRITE, r.keyRes(k), r.id, undefined);
  });
}

/**
 * The `[pid, value]` entries under `key`, in registration order; `[]` if none. May
 * include a dead owner whose cleanup has not run yet.
 *
 * @example
 * for (const [pid, value] of await Registry.lookup(reg, "topic")) await send(pid, value);
 */
export function lookup<V = any>(reg: RegistryRef, key: unknown): Promise<Entry<V>[]> {
  return readLookup(reg, key) as Promise<Entry<V>[]>;
}

const readLookup = keyReader("Registry.lookup", entriesOf);

/**
 * Reads the entries under `key` (one sync point), then, if there are any, calls
 * `callback` with them in the calling process and waits for it: a function, or a
 * `[module, fnName, extraArgs]` triple called as `module[fnName](entries, ...extraArgs)`.
 * The callback may use sync points (typically `send`). Entries may include a dead
 * owner whose cleanup has not run yet. Resolves when the callback is done.
 *
 * @example
 * await Registry.dispatch(reg, "news", async (entries) => {
 *   for (const [pid] of entries) await send(pid, { news: "hello" });
 * });
 */
export async function dispatch<V = any>(reg: RegistryRef, key: unknown, callback: Dispatcher<V>, opts?: DispatchOptions): Promise<void> {
  const call = checkDispatcher(callback);
  const parallel = dispatchParallel(opts);
  const groups = await readKey(
    reg, key, "Registry.dispatch",
    (r, k) => byPartition(r, entriesOf(r, k), parallel),
    (v) => `${plural(v.reduce((n, g) => n + g.length, 0), "entry", "entries")}${v.length > 1 ? ` in ${v.length} partitions` : ""}`,
  );
  if (groups.length === 1) await call(groups[0]);
  else if (groups.length > 1) await dispatchInTasks(groups, call);
}

/** Options of `Registry.dispatch`: `parallel` (Elixir's `parallel: true`). */
export interface DispatchOptions {
  /**
   * Duplicate registries with several partitions (partitionBy "pid"): call the callback
   * once per partition holding entries, each in its own linked process, and wait for
   * all of them (Elixir's dispatch/4 with `parallel: true`, a task per partition). A
   * unique registry, one partition or partitionBy "key" call it once, as without it.
   */
  parallel?: boolean;
}

function dispatchParallel(opts: unknown): boolean {
  if (opts === undefined) return false;
  if (!isPlainObject(opts)) throw new TypeError(`Registry.dispatch: options must be an object like { parallel: true }, got ${show(opts)}`);
  for (const k of Object.keys(opts)) if (k !== "parallel") throw new TypeError(`Registry.dispatch: unknown option ${show(k)} (known: parallel)`);
  const p = (opts as DispatchOptions).parallel ?? false;
  if (typeof p !== "boolean") throw new TypeError(`Registry.dispatch: parallel must be a boolean, got ${show(p)}`);
  return p;
}

/** The entries split by the partition that holds them (pid.id % partitions, as RegState.cleanerOf), in partition order; [] when none. */
function byPartition(r: RegState, entries: Entry[], parallel: boolean): Entry[][] {
  if (entries.length === 0) return [];
  if (!parallel || r.kind !== "duplicate" || r.partitionBy !== "pid" || r.partitions === 1) return [entries];
  const groups: Entry[][] = Array.from({ length: r.partitions }, () => []);
  for (const e of entries) groups[(e[0] as Pid).id % r.partitions].push(e);
  return groups.filter((g) => g.length > 0);
}

/** A parallel dispatch's task is done (the tag is the dispatch's). */
class DispatchDone {
  constructor(readonly tag: Ref) {}
}

/**
 * Elixir's dispatch_parallel + Task.await(task, :infinity) per task: one linked,
 * monitored process per partition's entries; resolves once all are done. A task that
 * exits first makes dispatch reject with CallExit (the link has already taken a
 * non-trapping caller down, as in Elixir).
 */
async function dispatchInTasks(groups: Entry[][], call: (entries: Entry[]) => unknown): Promise<void> {
  const me = self();
  const tag = makeRef();
  const refs = new Set<Ref>();
  for (const g of groups) {
    const { ref } = await spawnMonitorInternal(async () => {
      await call(g);
      await send(me, new DispatchDone(tag));
    }, true, "Registry.dispatch");
    refs.add(ref);
  }
  let done = 0;
  while (done < groups.length) {
    const m = await receive((x: any) => (x instanceof DispatchDone && x.tag === tag) || (x?.type === "DOWN" && refs.has(x.ref) && x.reason !== "normal"));
    if (m instanceof DispatchDone) done++;
    else throw new CallExit((m as { reason: unknown }).reason, `Registry.dispatch(parallel, ${groups.length} partitions)`);
  }
  for (const ref of refs) await demonitor(ref, { flush: true });
}

/**
 * The `[pid, value]` entries under `key` whose value matches `pattern` (`"$1"`..
 * variables, `"_"`, structural arrays/objects, `{ const: x }`) and `guards` (see
 * `select`).
 *
 * @example
 * await Registry.match(reg, "jobs", ["urgent", "_"]);
 * await Registry.match(reg, "jobs", ["_", "$1"], [[">", "$1", 2]]);
 */
export function match<V = any>(reg: RegistryRef, key: unknown, pattern: unknown, guards: unknown[] = []): Promise<Entry<V>[]> {
  try {
    const m = compileValueMatch(pattern, guards);
    return readKey(reg, key, "Registry.match", (r, k) => entriesOf(r, k).filter((en) => m(en[1]))) as Promise<Entry<V>[]>;
  } catch (e) {
    return Promise.reject(e);
  }
}

/** How many entries under `key` have a value matching `pattern` and `guards` (see `match`). */
export function countMatch(reg: RegistryRef, key: unknown, pattern: unknown, guards: unknown[] = []): Promise<number> {
  try {
    const m = compileValueMatch(pattern, guards);
    return readKey(reg, key, "Registry.countMatch", (r, k) => {
      let n = 0;
      for (const en of entriesOf(r, k)) if (m(en[1])) n++;
      return n;
    });
  } catch (e) {
    return Promise.reject(e);
  }
}

/** The values `pid` registered under `key`, in registration order (at most one in a unique registry). */
export function values<V = any>(reg: RegistryRef, key: unknown, pid: Pid): Promise<V[]> {
  try {
    checkPid(pid, "Registry.values");
    return readKey(reg, key, "Registry.values", (r, k) => {
      const q = r.it.proc(pid);
      return q === undefined ? [] : entryIdsOf(r, k, q.id).map((e) => r.s.value(e));
    }) as Promise<V[]>;
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Replaces the value of the caller's entry under `key` in a unique registry with
 * `fn(old)` (a synchronous function, called in the caller): `{ ok: true, value, old }`,
 * or `{ ok: false }` when the caller does not own the key. Rejects for a duplicate
 * registry, as Elixir's `update_value/3` raises.
 */
export function updateValue<V = any>(reg: RegistryRef, key: unknown, fn: (old: V) => V): Promise<{ ok: true; value: V; old: V } | { ok: false }> {
  return sync(OP.REG_WRITE, (p, it) => {
    if (typeof fn !== "function") throw new TypeError(`Registry.updateValue expects a function (old value -> new value), got ${show(fn)}`);
    // The callback runs before the sync point: it must not interleave with one. Only
    // the owner may change its entry, so reading it here is as good as at the step.
    const it0 = currentIteration();
    let e = -1;
    let next: unknown;
    if (it0 !== null && !it0.done && it0.running !== null && it0.running.wake === null) {
      const r = regOf(it0, reg, "Registry.updateValue");
      if (r.kind !== "unique") throw new ArgumentError(`Registry.updateValue is not supported for duplicate registries (${r.handle})`);
      const found = it0.x.regFind(r.id, keyId(key, "Registry.updateValue"));
      if (found >= 0 && r.s.owner(found) === it0.running) {
        e = found;
        next = fn(r.s.value(e) as V);
        if (next !== null && next !== undefined && typeof (next as { then?: unknown }).then === "function") {
          throw new TypeError("Registry.updateValue: the function must return the new value synchronously, not a promise");
        }
      }
    }
    const r = regOf(it, reg, "Registry.updateValue");
    const k = keyId(key, "Registry.updateValue");
    let result: { ok: true; value: V; old: V } | { ok: false } = { ok: false };
    if (e >= 0 && it.x.regEntryLive(e) && r.s.owner(e) === p.home) {
      const old = r.s.value(e) as V;
      r.s.setValue(e, next);
      result = { ok: true, value: next as V, old };
    }
    if (it.detail) it.note(p, OP.REG_WRITE, () => [call("updateValue", r, show(key)), result.ok ? `${show(result.old)} -> ${show(result.value)}` : "not the owner"]);
    return it.handoff(p, OP.REG_WRITE, r.keyRes(k), r.id, result);
  });
}

/** Number of entries in the registry (a dead owner's count until its cleanup runs). */
export function count(reg: RegistryRef): Promise<number> {
  return readCount(reg, undefined);
}

const readCount = wholeReader("Registry.count", () => "", (r) => r.it.x.regCount(r.id));

/**
 * The keys `pid` is registered under, one per entry (so a key twice when registered
 * twice in a duplicate registry), in registration order. Includes the keys of a dead
 * process until its cleanup runs.
 */
export function keys(reg: RegistryRef, pid: Pid): Promise<unknown[]> {
  try {
    checkPid(pid, "Registry.keys");
    return readKeys(reg, pid);
  } catch (e) {
    return Promise.reject(e);
  }
}

const readKeys = wholeReader("Registry.keys", String, (r, pid: Pid) => {
  const q = r.it.proc(pid);
  if (q === undefined) return [];
  const n = r.it.x.regKeys(r.id, q.id);
  return r.it.engine.readScratch(n).map((k) => interner.key(k));
});

/**
 * Runs an ETS-style match spec over `[key, pid, value]` entries, in registration
 * order: `[[pattern, guards, body], ...]` (DESIGN.md; src/otp/matchspec.ts).
 * Malformed specs reject with a MatchSpecError.
 *
 * @example
 * // keys whose value is above 2
 * await Registry.select(reg, [[["$1", "_", "$3"], [[">", "$3", 2]], ["$1"]]]);
 * // every entry as an object
 * await Registry.select(reg, [[["$1", "$2", "$3"], [], [{ key: "$1", pid: "$2", value: "$3" }]]]);
 */
export function select(reg: RegistryRef, spec: unknown): Promise<unknown[]> {
  try {
    return readSelect(reg, { spec, run: compileMatchSpec(spec) });
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * How many entries `spec` selects with the result `true` (ETS `select_count`: write
 * the body as `[true]`).
 */
export function countSelect(reg: RegistryRef, spec: unknown): Promise<number> {
  try {
    return readCountSelect(reg, { spec, run: compileMatchSpec(spec) });
  } catch (e) {
    return Promise.reject(e);
  }
}

/** A select's spec, as given (for reports) and compiled. */
interface SpecArg {
  spec: unknown;
  run: CompiledMatchSpec;
}

const readSelect = wholeReader("Registry.select", (a: SpecArg) => show(a.spec), (r, { run }) => {
  const out: unknown[] = [];
  scanWith(r, (en) => {
    const v = run(en);
    if (v !== NO_MATCH) out.push(v);
  });
  return out;
});

const readCountSelect = wholeReader("Registry.countSelect", (a: SpecArg) => show(a.spec), (r, { run }) => {
  let n = 0;
  scanWith(r, (en) => {
    if (run(en) === true) n++;
  });
  return n;
});

/** Registry metadata under `key`: `{ ok: true, value }` or `{ ok: false }`. */
export function meta<V = any>(reg: RegistryRef, key: unknown): Promise<{ ok: true; value: V } | { ok: false }> {
  return sync(OP.REG_READ, (p, it) => {
    const r = regOf(it, reg, "Registry.meta");
    const k = keyId(key, "Registry.meta");
    const h = it.x.regMetaGet(r.id, k);
    const v: { ok: true; value: V } | { ok: false } = h < 0 ? { ok: false } : { ok: true, value: r.s.meta[h] as V };
    if (it.detail) it.note(p, OP.REG_READ, () => [call("meta", r, show(key)), v.ok ? show(v.value) : "none"]);
    return it.handoff(p, OP.REG_READ, r.metaRes(k), r.id, v);
  });
}

function metaWrite(reg: unknown, key: unknown, value: unknown, del: boolean): Promise<void> {
  const what = del ? "Registry.deleteMeta" : "Registry.putMeta";
  return sync(OP.REG_WRITE, (p, it) => {
    const r = regOf(it, reg, what);
    const k = keyId(key, what);
    const old = del ? it.x.regMetaDelete(r.id, k) : it.x.regMetaPut(r.id, k, r.s.metaAlloc(value));
    r.s.metaRelease(old);
    if (it.detail) it.note(p, OP.REG_WRITE, () => [call(what, r, del ? show(key) : `${show(key)}, ${show(value)}`), "ok"]);
    return it.handoff(p, OP.REG_WRITE, r.metaRes(k), r.id, undefined);
  });
}

/** Stores registry metadata under `key` (any term). */
export function putMeta(reg: RegistryRef, key: unknown, value: unknown): Promise<void> {
  return metaWrite(reg, key, value, false);
}

/** Removes registry metadata under `key` (a no-op when absent). */
export function deleteMeta(reg: RegistryRef, key: unknown): Promise<void> {
  return metaWrite(reg, key, undefined, true);
}

// ---------------------------------------------------------------------------------
// Per-key locks (Elixir's Registry.lock/3)
// ---------------------------------------------------------------------------------

/**
 * Runs `fn` in the calling process while holding the lock of (`reg`, `key`) and
 * resolves to what it returns, or rejects with what it throws — the lock is released
 * either way (Elixir's `lock/3`, since 1.18). Other lockers of the same key wait;
 * which of them goes next after a release is a scheduling decision (each woken waiter
 * retries when it runs, as with a Mutex). Locks are independent of registrations and
 * work in unique and duplicate registries alike. If the holder dies, the key's
 * partition process (which monitors the holder) releases the lock when it next runs
 * — a separately scheduled event, as in Elixir. Taking and releasing are sync points
 * on the key's resource. Not reentrant: locking a key the caller already holds
 * rejects with a UsageError (Elixir would wait forever).
 *
 * @example
 * const n = await Registry.lock(reg, "counter", async () => {
 *   const v = await cell.get();
 *   await cell.set(v + 1);
 *   return v + 1;
 * });
 */
export async function lock<R>(reg: RegistryRef, key: unknown, fn: () => R | Promise<R>): Promise<R> {
  if (typeof fn !== "function") throw new TypeError(`Registry.lock expects a function to run under the lock, got ${show(fn)}`);
  await sync(OP.REG_WRITE, (p, it) => {
    const r = regOf(it, reg, "Registry.lock");
    const k = keyId(key, "Registry.lock");
    const l = lockOf(r, k);
    if (l.holder === p.home) throw new UsageError(`Registry.lock(${r.label}, ${show(key)}): ${p.home.pid} already holds this lock (it is not reentrant: this would wait forever)`);
    if (l.holder === null) {
      takeLock(r, k, l, p.home);
      if (it.detail) it.note(p, OP.REG_WRITE, () => [call("lock", r, show(key)), "acquired"]);
      return it.handoff(p, OP.REG_WRITE, r.keyRes(k), r.id, undefined);
    }
    return parkLock(r, k, key, p);
  });
  try {
    return await fn();
  } finally {
    await sync(OP.REG_WRITE, (p, it) => {
      const r = regOf(it, reg, "Registry.lock");
      const k = keyId(key, "Registry.lock");
      const l = r.locks.get(k);
      if (l === undefined || l.holder !== p.home) throw new UsageError(`Registry.lock(${r.label}, ${show(key)}): ${p.home.pid} no longer holds the lock at release`);
      releaseLock(r, k, l);
      if (it.detail) it.note(p, OP.REG_WRITE, () => [call("unlock", r, show(key)), "released"]);
      return it.handoff(p, OP.REG_WRITE, r.keyRes(k), r.id, undefined);
    });
  }
}

function lockOf(r: RegState, k: number): KeyLock {
  let l = r.locks.get(k);
  if (l === undefined) {
    l = new KeyLock();
    r.locks.set(k, l);
  }
  return l;
}

/** q takes the free lock; the key's partition process monitors it (Elixir: the partition monitors the locker). */
function takeLock(r: RegState, k: number, l: KeyLock, q: Proc): void {
  l.holder = q;
  l.ref = r.it.monitors.add(r.lockServer(k), q, true);
  r.lockRefs.set(l.ref, k);
}

/** Frees the lock and wakes every waiter (each retries when scheduled). */
function releaseLock(r: RegState, k: number, l: KeyLock): void {
  if (l.ref !== null) {
    r.lockRefs.delete(l.ref);
    r.it.monitors.remove(l.ref, r.lockServer(k));
  }
  l.holder = null;
  l.ref = null;
  for (const q of l.waiters) {
    if (q.alive && q.waiting === Wait.OTHER) {
      q.resumeValue = undefined;
      unblock(r.it, q);
    }
  }
  l.waiters.length = 0;
  r.locks.delete(k);
}

function parkLock(r: RegState, k: number, key: unknown, p: Proc): Promise<void> {
  const it = r.it;
  const l = lockOf(r, k);
  const holder = l.holder!;
  l.waiters.push(p);
  const why = (): string => `Registry.lock(${r.label}, ${show(key)}) held by ${holder.pid}`;
  block(it, p, Wait.OTHER, undefined, Infinity, why);
  if (it.detail) it.note(p, OP.REG_WRITE, () => [call("lock", r, show(key)), `waits (held by ${holder.pid})`]);
  return it.handoff(p, OP.BLOCK, r.keyRes(k), 0, undefined).then(() => relock(r, k, key, p));
}

/** p was woken and runs (no step taken yet): take the lock if free, else wait again (a new step). */
function relock(r: RegState, k: number, key: unknown, p: Proc): Promise<void> | void {
  const l = lockOf(r, k);
  if (l.holder === null) {
    takeLock(r, k, l, p.home);
    if (r.it.detail) r.it.note(p, OP.REG_WRITE, () => [`${call("lock", r, show(key))} (woken)`, "acquired"]);
    return;
  }
  return resync(r.it, p, OP.REG_WRITE, () => parkLock(r, k, key, p));
}

/** The partition process saw a lock holder die: it releases the lock (Elixir's `{:unlock, key}` DOWN). */
function lockDown(r: RegState, ref: Ref, k: number, pid: Pid): Promise<void> {
  return sync(OP.REG_WRITE, (p, it) => {
    r.lockRefs.delete(ref);
    const l = r.locks.get(k);
    const held = l !== undefined && l.ref === ref;
    if (held) releaseLock(r, k, l);
    if (it.detail) it.note(p, OP.REG_WRITE, () => [`unlock(${r.label}) after ${pid} died`, held ? "released" : "not held"]);
    return it.handoff(p, OP.REG_WRITE, r.keyRes(k), r.id, undefined);
  });
}

// ---------------------------------------------------------------------------------
// via names (for GenServer and friends)
// ---------------------------------------------------------------------------------

/**
 * Registers the calling process under a via name, atomically (one sync point):
 * `{ ok: true }`, or `{ ok: false, pid }` with the live owner when the key is taken
 * (a dead owner's key is taken over). What `GenServer.start({ name: via(reg, key) })`
 * uses; rejects for an unknown or duplicate registry.
 */
export async function viaRegister(name: Via, value: unknown = name.value): Promise<{ ok: true } | { ok: false; pid: Pid }> {
  if (!(name instanceof Via)) throw new TypeError(`viaRegister expects via(registry, key), got ${show(name)}`);
  const it = currentIteration();
  if (it !== null && !it.done) {
    const r = regOf(it, name.registry, "via");
    if (r.kind !== "unique") throw new ArgumentError(`via names need a unique registry; ${r.handle} has duplicate keys`);
  }
  const res = await register(name.registry as RegistryRef, name.key, value);
  return res.ok ? { ok: true } : { ok: false, pid: res.pid };
}

/** Removes the caller's via name (Elixir's `unregister_name`). */
export function viaUnregister(name: Via): Promise<void> {
  if (!(name instanceof Via)) return Promise.reject(new TypeError(`viaUnregister expects via(registry, key), got ${show(name)}`));
  return unregister(name.registry as RegistryRef, name.key);
}

/**
 * The Registry namespace (Elixir's `Registry`): `Registry.start`, `Registry.register`,
 * `Registry.lookup`, ... Every function is a sync point and returns a promise.
 */
export const Registry = {
  start,
  register,
  unregister,
  unregisterMatch,
  lookup,
  dispatch,
  match,
  countMatch,
  values,
  updateValue,
  count,
  keys,
  select,
  countSelect,
  meta,
  putMeta,
  deleteMeta,
  lock,
} as const;
