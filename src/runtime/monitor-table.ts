// The TS side of the engine's monitor index (assembly/monitors.ts): the Ref of each
// monitor and whether it is internal (a call's, a registry's), which does not count
// as handling the target's crash.
import type { Proc } from "./proc.js";
import type { Ref } from "../values/ref.js";
import type { Iteration } from "./iteration.js";

const NO_DOWNS: [Ref, Proc][] = [];

export class MonitorTable {
  /** Invariant: refs[m] is defined exactly while engine monitor m is live. */
  private readonly refs: (Ref | undefined)[] = [];
  private readonly internal: boolean[] = [];
  private ofRef_: Map<Ref, number> | null = null;
  /** Engine monitors by ref; made on first use (most iterations make no monitor). */
  private get ofRef(): Map<Ref, number> {
    return (this.ofRef_ ??= new Map());
  }

  constructor(private readonly it: Iteration) {}

  /** Adds a monitor from watcher to target (alive). */
  add(watcher: Proc, target: Proc, internal: boolean): Ref {
    const ref = this.it.makeRef();
    const m = this.it.x.monAdd(watcher.id, target.id);
    this.refs[m] = ref;
    this.internal[m] = internal;
    this.ofRef.set(ref, m);
    return ref;
  }

  /** Removes a monitor; false when it was not active (already fired or removed). */
  remove(ref: Ref, watcher: Proc): boolean {
    const m = this.ofRef.get(ref);
    if (m === undefined || this.it.x.monWatcher(m) !== watcher.id) return false;
    this.ofRef.delete(ref);
    this.refs[m] = undefined;
    return !!this.it.x.monRemove(m);
  }

  /** Whether a user monitor (not an internal one) watches p. */
  watchedByUser(p: Proc): boolean {
    const x = this.it.x;
    for (let m = 0; m < this.refs.length; m++) {
      if (this.refs[m] && !this.internal[m] && x.monLive(m) && x.monTarget(m) === p.id) return true;
    }
    return false;
  }

  /** q died: drops the monitors it held, and returns [ref, watcher] for each monitor of q (DOWN messages). */
  targetDown(q: Proc): [Ref, Proc][] {
    const it = this.it;
    it.x.monWatcherDown(q.id);
    const downs = it.x.monTargetDown(q.id);
    if (downs === 0) return NO_DOWNS;
    const pairs = it.engine.readScratch(downs * 2);
    const out: [Ref, Proc][] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      const ref = this.refs[pairs[i]]!;
      this.refs[pairs[i]] = undefined;
      this.ofRef.delete(ref);
      out.push([ref, it.procs[pairs[i + 1]]!]);
    }
    return out;
  }

  /**
   * A lost connection (src/runtime/cluster-state.ts): removes every live monitor for
   * which `cut(watcher, target)` holds and returns [ref, watcher, target] for each, in
   * creation order, for their DOWN messages.
   */
  sever(cut: (watcher: Proc, target: Proc) => boolean): [Ref, Proc, Proc][] {
    const it = this.it;
    const x = it.x;
    const out: [Ref, Proc, Proc][] = [];
    for (let m = 0; m < this.refs.length; m++) {
      const ref = this.refs[m];
      if (ref === undefined || !x.monLive(m)) continue;
      const w = it.procs[x.monWatcher(m)]!;
      const t = it.procs[x.monTarget(m)]!;
      if (!cut(w, t)) continue;
      x.monRemove(m);
      this.refs[m] = undefined;
      this.ofRef.delete(ref);
      out.push([ref, w, t]);
    }
    return out;
  }
}
