// The simulated cluster of one iteration (DESIGN.md, "Cluster simulation"): nodes, the
// current partition, the per-pair channels that hold what a deferring partition
// delays, node monitors and :global's per-node name tables. The API is
// src/runtime/cluster.ts. The runtime's send, exit, monitor, link and death consult
// `it.cluster` only when processes on two different nodes are involved, so an
// exploration without a cluster pays one null check.
//
// Connectivity is an equivalence relation: a partition puts every node in one of its
// groups (nodes it does not list form one more group together), so "the nodes a node
// can reach" is its group — as with OTP's prevent_overlapping_partitions (OTP 25+).
// A stopped node reaches nobody.
//
// Two kinds of partition (the contract's `mode`):
// - "drop": a netsplit. Messages and exit/2 signals across it are lost; at the split,
//   monitors and links across it fire with "noconnection" (Erlang: a lost connection
//   triggers noconnection for every monitor and link to the other node), node monitors
//   see nodedown, and each node's :global table forgets names of processes it can no
//   longer reach. At the heal: nodeup, and global's name exchange.
// - "defer": a network that holds everything until the heal. Messages and exit/DOWN
//   signals across it are queued per (sender, receiver) pair and delivered after the
//   heal by one courier per pair (a system process), so the strategy chooses the order
//   across pairs while each pair keeps its FIFO order, as Erlang guarantees per pair.
//   The connection counts as up: no nodedown, no noconnection, and :global sees one
//   table (its lock protocol would wait for the network, then succeed).
import { OP, resource, RES } from "../engine/ops.js";
import { show, trustShow } from "../values/show.js";
import type { Proc } from "./proc.js";
import type { Iteration } from "./iteration.js";
import { deliver } from "./mailbox.js";
import { die, exitSignal, SURVIVES } from "./exits.js";
import { sync } from "./sync.js";

/** A simulated node: one object per node per iteration (compare with `===`); prints as its name. */
export class ClusterNode {
  constructor(
    readonly name: string,
    /** Its index in the iteration's cluster; 0 is the main node. */
    readonly index: number,
  ) {}
  toString(): string {
    return this.name;
  }
  toJSON(): string {
    return this.name;
  }
}

trustShow(ClusterNode);

/** The node the test body runs on (and every process not spawned elsewhere). */
export const MAIN_NODE = new ClusterNode("main", 0);

/** What travels between processes: a message, a DOWN message, a link's exit signal, an exit/2 signal. */
export type Kind = "msg" | "down" | "link" | "exit";

interface Held {
  kind: Kind;
  /** The message, or the exit reason. */
  value: unknown;
  /** A reply sent through a call's alias: dropped if the call ended before delivery (OTP 24 aliases are checked by the receiver). */
  alias: { readonly active: boolean } | undefined;
}

/** The connection from one process to another on another node. Invariant: queue is non-empty or the channel is about to be dropped. */
class Channel {
  readonly queue: Held[] = [];
  /** The system process delivering the queue after a heal, or null while the queue waits for one. */
  courier: Proc | null = null;
  constructor(
    readonly from: Proc,
    readonly to: Proc,
  ) {}
}

/** Messages for the node monitors that watch `node`. */
interface NodeMonitor {
  watcher: Proc;
  node: number;
}

/** The cluster's state for one iteration. */
export class ClusterState {
  /** Nodes by index; nodes[0] is MAIN_NODE. */
  readonly nodes: ClusterNode[] = [MAIN_NODE];
  readonly byName = new Map<string, ClusterNode>([[MAIN_NODE.name, MAIN_NODE]]);
  readonly stopped: boolean[] = [false];
  /** The partition's group of each node (0: not listed), meaningful while `partitioned`. */
  readonly group: number[] = [0];
  partitioned = false;
  mode: "drop" | "defer" = "drop";
  /** Channels by sender id * 2^24 + receiver id, in creation order (couriers start in this order). */
  private readonly channels = new Map<number, Channel>();
  private nodeMonitors: NodeMonitor[] = [];
  /** :global's name table on each node. Invariant: every owner is alive (death removes it, see died()). */
  readonly tables: Map<unknown, Proc>[] = [new Map()];
  /** Processes holding a global name on some node (so most deaths skip the table scan). */
  private readonly owners = new Set<Proc>();
  /** Resource ids of global names, in first-use order (stable across replays). */
  private readonly nameIds = new Map<unknown, number>();

  constructor(readonly it: Iteration) {}

  addNode(name: string): ClusterNode {
    const n = new ClusterNode(name, this.nodes.length);
    this.nodes.push(n);
    this.byName.set(name, n);
    this.stopped.push(false);
    this.group.push(0);
    this.tables.push(new Map());
    return n;
  }

  // ---- connectivity ---------------------------------------------------------------

  /** Whether nodes a and b cannot talk: one is stopped, or a dropping partition separates them. */
  disconnected(a: number, b: number): boolean {
    if (a === b) return this.stopped[a];
    return this.stopped[a] || this.stopped[b] || (this.partitioned && this.mode === "drop" && this.group[a] !== this.group[b]);
  }

  /** Whether q cannot reach process r (system processes — a registry's cleanup, couriers — live on every node). */
  unreachable(q: Proc, r: Proc): boolean {
    return q.node !== r.node && !q.system && !r.system && this.disconnected(q.node, r.node);
  }

  /**
   * How `value` (a message or signal of `kind`) travels from `from` to `to` now:
   * null when it is delivered at once (same node, or connected), "held" when a
   * deferring partition (or earlier held traffic on the same pair) queues it, "lost"
   * when a dropping partition or a stopped node loses it. DOWN and link signals are
   * never lost: across a lost connection they are the noconnection that it caused.
   */
  transit(from: Proc, to: Proc, kind: Kind, value: unknown, alias?: { readonly active: boolean }): "held" | "lost" | null {
    const a = from.home.node;
    const b = to.home.node;
    if (a === b || from.system || to.system) return null;
    if (this.disconnected(a, b)) return kind === "msg" || kind === "exit" ? "lost" : null;
    const key = from.id * 0x1000000 + to.id;
    let ch = this.channels.get(key);
    if (this.partitioned && this.group[a] !== this.group[b]) {
      if (ch === undefined) this.channels.set(key, (ch = new Channel(from, to)));
    } else if (ch === undefined || ch.queue.length === 0) {
      return null;
    }
    ch.queue.push({ kind, value, alias });
    return "held";
  }

  // ---- topology changes (each inside one sync point of the API) -------------------

  /** Runs `change` and sends nodedown / nodeup to the node monitors whose view it changed. */
  private topology(change: () => void): void {
    const was = this.nodeMonitors.map((m) => !this.disconnected(m.watcher.node, m.node));
    change();
    const ms = this.nodeMonitors;
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i];
      if (!m.watcher.alive) continue;
      const now = !this.disconnected(m.watcher.node, m.node);
      if (now !== was[i]) deliver(this.it, m.watcher, { type: now ? "nodeup" : "nodedown", node: this.nodes[m.node] });
    }
  }

  /** Splits the cluster: `groups` are node indexes (disjoint; unlisted nodes form one more group). */
  partition(groups: number[][], mode: "drop" | "defer"): void {
    this.topology(() => {
      this.partitioned = true;
      this.mode = mode;
      this.group.fill(0);
      groups.forEach((g, i) => g.forEach((n) => (this.group[n] = i + 1)));
    });
    if (mode === "drop") this.connectionsLost();
  }

  /** Ends the partition: nodeup and global's name exchange after a drop, couriers for held traffic after a defer. */
  heal(): void {
    if (!this.partitioned) return;
    const sides = new Map<number, number[]>();
    for (let n = 0; n < this.nodes.length; n++) {
      if (this.stopped[n]) continue;
      const g = this.group[n];
      let s = sides.get(g);
      if (s === undefined) sides.set(g, (s = []));
      s.push(n);
    }
    const dropped = this.mode === "drop";
    this.topology(() => {
      this.partitioned = false;
      this.group.fill(0);
    });
    if (dropped) this.exchangeNames([...sides.values()]);
    for (const ch of this.channels.values()) {
      if (ch.courier === null && ch.queue.length > 0) {
        ch.courier = this.it.spawnProcess(() => courier(ch), true, `link ${ch.from.pid} -> ${ch.to.pid}`);
      }
    }
  }

  /** Stops node n: its processes die with "noconnection" (what every other node sees), held traffic from and to them is lost. */
  stopNode(n: number): void {
    this.topology(() => (this.stopped[n] = true));
    this.connectionsLost();
    const procs = this.it.procs;
    for (let i = 1; i < procs.length; i++) {
      const q = procs[i];
      if (q !== undefined && q.alive && !q.system && q.node === n) die(this.it, q, "noconnection");
    }
  }

  /** Starts stopped node n again (empty: its processes are gone); node monitors see nodeup. */
  restartNode(n: number): void {
    this.topology(() => {
      this.stopped[n] = false;
      this.group[n] = 0;
    });
    this.tables[n] = new Map(this.reachableTable(n));
  }

  /**
   * Connections just went down: held traffic across them is lost, monitors and links
   * across them fire with "noconnection", and each node's :global table forgets the
   * names of processes it can no longer reach (global's nodedown handling).
   */
  private connectionsLost(): void {
    const it = this.it;
    for (const [key, ch] of this.channels) {
      if (this.disconnected(ch.from.node, ch.to.node)) {
        ch.queue.length = 0;
        if (ch.courier === null) this.channels.delete(key);
      }
    }
    for (const [ref, w, t] of it.monitors.sever((w, t) => this.unreachable(w, t))) {
      deliver(it, w, { type: "DOWN", ref, pid: t.pid, reason: "noconnection" });
    }
    // Links across the cut: each end gets a noconnection exit signal from the other.
    // A scan of pairs (the engine has no link enumeration that keeps the links); clusters in tests are small.
    const signals: [Proc, Proc][] = [];
    const procs = it.procs;
    for (let i = 1; i < procs.length; i++) {
      const a = procs[i]!;
      if (!a.alive || a.system) continue;
      for (let j = i + 1; j < procs.length; j++) {
        const b = procs[j]!;
        if (!b.alive || b.system || !this.unreachable(a, b) || !it.x.linked(a.id, b.id)) continue;
        it.x.linkRemove(a.id, b.id);
        signals.push([a, b], [b, a]);
      }
    }
    for (const [from, to] of signals) {
      const why = exitSignal(it, from, to, "noconnection");
      if (why !== SURVIVES) die(it, to, why);
    }
    for (let n = 0; n < this.tables.length; n++) {
      for (const [name, owner] of this.tables[n]) if (this.disconnected(n, owner.node)) this.tables[n].delete(name);
    }
  }

  // ---- node monitors --------------------------------------------------------------

  monitorNode(watcher: Proc, n: number): void {
    this.nodeMonitors.push({ watcher, node: n });
    // erlang:monitor_node/2: a node that cannot be reached gives nodedown at once.
    if (this.disconnected(watcher.node, n)) deliver(this.it, watcher, { type: "nodedown", node: this.nodes[n] });
  }

  /** Removes watcher's monitors of node n; true if it had one. */
  demonitorNode(watcher: Proc, n: number): boolean {
    const before = this.nodeMonitors.length;
    this.nodeMonitors = this.nodeMonitors.filter((m) => m.watcher !== watcher || m.node !== n);
    return this.nodeMonitors.length < before;
  }

  /** q died: its global names are freed on every node (global monitors its owners) and its node monitors end. */
  died(q: Proc): void {
    if (this.owners.delete(q)) {
      for (const t of this.tables) for (const [name, owner] of t) if (owner === q) t.delete(name);
    }
    if (this.nodeMonitors.length > 0) this.nodeMonitors = this.nodeMonitors.filter((m) => m.watcher !== q);
  }

  // ---- :global --------------------------------------------------------------------

  /** The resource strategies see for a global name. */
  nameRes(name: unknown): number {
    let id = this.nameIds.get(name);
    if (id === undefined) this.nameIds.set(name, (id = this.nameIds.size + 1));
    return resource(RES.CLUSTER, id);
  }

  /** Live nodes node n reaches (itself included), in index order. */
  reachable(n: number): number[] {
    const out: number[] = [];
    for (let m = 0; m < this.nodes.length; m++) if (!this.disconnected(n, m)) out.push(m);
    return out;
  }

  /** The union of the tables of the nodes n reaches (what a fresh node learns). */
  private reachableTable(n: number): Map<unknown, Proc> {
    const out = new Map<unknown, Proc>();
    for (const m of this.reachable(n)) for (const [k, v] of this.tables[m]) if (!out.has(k)) out.set(k, v);
    return out;
  }

  /** The owner of `name` on any node n reaches, if any (global's lock makes the check cluster-wide). */
  holder(n: number, name: unknown): Proc | undefined {
    for (const m of this.reachable(n)) {
      const q = this.tables[m].get(name);
      if (q !== undefined) return q;
    }
    return undefined;
  }

  /** A name q holds on a node n reaches (global allows one name per pid). */
  nameOf(n: number, q: Proc): unknown {
    for (const m of this.reachable(n)) for (const [k, v] of this.tables[m]) if (v === q) return k;
    return undefined;
  }

  /** Writes `name` -> `owner` (or removes it) on every node n reaches (global's multi_call to the known nodes). */
  write(n: number, name: unknown, owner: Proc | undefined): void {
    for (const m of this.reachable(n)) {
      if (owner === undefined) this.tables[m].delete(name);
      else this.tables[m].set(name, owner);
    }
    if (owner !== undefined) this.owners.add(owner);
  }

  /**
   * global's name exchange after a dropping partition healed: names held on one side
   * only are copied everywhere at once; a name held on two sides by different
   * processes is a conflict, resolved by one resolver per side (system processes):
   * the first the strategy runs keeps its side's process and kills the other
   * (random_exit_name: OTP documents the choice as random; see docs/cluster.md).
   */
  private exchangeNames(sides: number[][]): void {
    const conflicts = this.merge(null);
    if (conflicts.size === 0) return;
    const token = { done: false };
    for (const side of sides) {
      // Only a side that holds one of the names takes part (global resolves between the two nodes involved).
      if (!side.some((n) => [...this.tables[n].keys()].some((k) => conflicts.has(k)))) continue;
      const label = `global resolver (${side.map((n) => this.nodes[n].name).join(", ")})`;
      this.it.spawnProcess(() => resolver(this, token, side), true, label);
    }
  }

  /**
   * Merges the tables of every group of nodes that reach each other. With `preferred`
   * null, only names with one owner are merged and the conflicting names are
   * returned; otherwise conflicts are resolved in favour of the owner registered on a
   * `preferred` node (else the lowest pid), and the losers are killed ("kill", as
   * random_exit_name's exit(Max, kill)).
   */
  merge(preferred: Set<number> | null): Set<unknown> {
    const conflicts = new Set<unknown>();
    const losers: Proc[] = [];
    const done = new Set<number>();
    for (let n = 0; n < this.nodes.length; n++) {
      if (done.has(n) || this.stopped[n]) continue;
      const group = this.reachable(n);
      for (const m of group) done.add(m);
      const owners = new Map<unknown, Proc[]>();
      const mine = new Map<unknown, Proc>();
      for (const m of group) {
        for (const [k, q] of this.tables[m]) {
          let list = owners.get(k);
          if (list === undefined) owners.set(k, (list = []));
          if (!list.includes(q)) list.push(q);
          if (preferred !== null && preferred.has(m)) mine.set(k, q);
        }
      }
      for (const [k, list] of owners) {
        let winner: Proc;
        if (list.length === 1) winner = list[0];
        else if (preferred === null) {
          conflicts.add(k);
          continue;
        } else {
          winner = mine.get(k) ?? list.reduce((a, b) => (b.id < a.id ? b : a));
          for (const q of list) if (q !== winner) losers.push(q);
        }
        for (const m of group) this.tables[m].set(k, winner);
      }
    }
    for (const q of losers) if (q.alive) die(this.it, q, "killed");
    return conflicts;
  }
}

/** A courier: delivers its channel's held traffic, one message or signal per step, until the queue is empty or the pair is separated again. */
async function courier(ch: Channel): Promise<void> {
  while (await sync(OP.DELIVER, courierAct, ch)) {
    // each iteration delivered one item
  }
}

function courierAct(p: Proc, it: Iteration, ch: Channel): Promise<boolean> {
  const c = it.cluster!;
  const res = resource(RES.PROC, ch.to.id);
  const split = c.partitioned && c.group[ch.from.node] !== c.group[ch.to.node];
  if (ch.queue.length === 0 || split) {
    // Done, or partitioned again (defer): the rest waits for the next heal's courier.
    ch.courier = null;
    if (it.detail) it.note(p, OP.DELIVER, () => [`${ch.from.pid} -> ${ch.to.pid}`, split ? `${ch.queue.length} held again` : "done"]);
    return it.handoff(p, OP.DELIVER, res, 0, false);
  }
  const h = ch.queue.shift()!;
  const stale = h.alias !== undefined && !h.alias.active;
  if (it.detail) it.note(p, OP.DELIVER, () => [`${h.kind === "msg" || h.kind === "down" ? "" : `exit signal ${h.kind === "link" ? "(link) " : ""}`}${ch.from.pid} -> ${ch.to.pid}: ${show(h.value)}`, stale ? "dropped (alias inactive: the call ended)" : ch.to.alive ? "delivered" : "dropped (dead)"]);
  if (stale) {
    // nothing: the caller stopped waiting for this reply
  } else if (h.kind === "msg" || h.kind === "down") deliver(it, ch.to, h.value);
  else {
    const why = exitSignal(it, ch.from, ch.to, h.value, h.kind === "exit");
    if (why !== SURVIVES) die(it, ch.to, why);
  }
  return it.handoff(p, OP.DELIVER, res, 1, true);
}

/** One side's resolver of global's name conflicts after a heal: the first to run resolves them all. */
async function resolver(c: ClusterState, token: { done: boolean }, side: number[]): Promise<void> {
  await sync(OP.GLOBAL_SYNC, (p, it) => {
    const first = !token.done;
    token.done = true;
    if (first) c.merge(new Set(side));
    if (it.detail) it.note(p, OP.GLOBAL_SYNC, () => ["name exchange", first ? "conflicts resolved for this side" : "already done"]);
    return it.handoff(p, OP.GLOBAL_SYNC, resource(RES.CLUSTER, 0), 0, undefined);
  });
}
