// Cluster simulation and :global names (DESIGN.md, "Contract for the second round"):
// nodes as logical groups of processes inside one iteration, partitions, heals and
// node stops as sync points the strategy interleaves with messages. The state and
// the OTP rules live in cluster-state.ts; this file validates and hands off.
import { OP, resource, RES } from "../engine/ops.js";
import { sync } from "./sync.js";
import { NEVER, type Iteration } from "./iteration.js";
import { iterationFor } from "./context.js";
import { ArgumentError } from "./errors.js";
import { die, continueAfterDeath } from "./exits.js";
import { ClusterState, ClusterNode, MAIN_NODE } from "./cluster-state.js";
import { send } from "./messages.js";
import type { Proc } from "./proc.js";
import { Pid } from "../values/pid.js";
import type { Ref } from "../values/ref.js";
import { show } from "../values/show.js";
import { spawnedName } from "./lane-names.js";

export { ClusterNode, MAIN_NODE };

/** A node: its handle from `Cluster.startNodes` (or `node()`), or its name. */
export type NodeRef = ClusterNode | string;

/** A node monitor's message (Erlang's `{nodedown, Node}` / `{nodeup, Node}`). */
export interface NodeMessage {
  type: "nodedown" | "nodeup";
  node: ClusterNode;
}

/** What `Global.register` resolves to. */
export type GlobalRegisterResult =
  | { ok: true }
  | { ok: false; error: "already_registered"; pid: Pid }
  | { ok: false; error: "pid_already_registered"; name: unknown }
  | { ok: false; error: "noproc" | "noconnection" };

const TOPOLOGY = resource(RES.CLUSTER, 0);

function clusterOf(it: Iteration): ClusterState {
  return (it.cluster ??= new ClusterState(it));
}

function nodeIndex(c: ClusterState, n: unknown, what: string): number {
  if (n instanceof ClusterNode && c.nodes[n.index] === n) return n.index;
  if (typeof n === "string" && c.byName.has(n)) return c.byName.get(n)!.index;
  const known = c.nodes.map((x) => x.name).join(", ");
  if (n instanceof ClusterNode) throw new ArgumentError(`${what}: node ${n.name} belongs to another iteration (nodes here: ${known})`);
  throw new ArgumentError(`${what}: unknown node ${show(n)} (nodes: ${known}; start nodes with Cluster.startNodes)`);
}

/** After an effect that may have killed the caller: hand off, or move on without it. */
function handoffAlive<T>(p: Proc, it: Iteration, op: number, res: number, value: T): Promise<T> {
  if (!p.alive) {
    continueAfterDeath(it, p, op);
    return NEVER;
  }
  return it.handoff(p, op, res, 0, value);
}

/**
 * The node of `pid`, or of the caller when called without one (a plain call, not a
 * sync point). Processes run on the main node (named "main") unless spawned elsewhere
 * with `Cluster.spawn`; `spawn` starts a process on its parent's node.
 */
export function node(pid?: Pid): ClusterNode {
  const it = iterationFor("node()");
  let q: Proc | undefined;
  if (pid === undefined) q = it.caller()!.home;
  else {
    if (!(pid instanceof Pid)) throw new TypeError(`node expects a pid, got ${show(pid)}`);
    q = it.proc(pid);
    if (q === undefined) throw new ArgumentError(`node: ${pid} is not a process of this iteration`);
  }
  return it.cluster === null ? MAIN_NODE : it.cluster.nodes[q.node];
}

/** Starts nodes (names: non-empty strings, unique, not "main"); resolves to their handles. Naming a stopped node starts it again (empty). */
function startNodes(names: string[]): Promise<ClusterNode[]> {
  return sync(OP.START_NODES, (p, it) => {
    if (!Array.isArray(names)) throw new TypeError(`Cluster.startNodes expects an array of node names, got ${show(names)}`);
    const seen = new Set<string>();
    for (const n of names) {
      if (typeof n !== "string" || n === "") throw new TypeError(`Cluster.startNodes: a node name is a non-empty string, got ${show(n)}`);
      if (seen.has(n)) throw new ArgumentError(`Cluster.startNodes: node ${n} is named twice`);
      seen.add(n);
    }
    const c = clusterOf(it);
    for (const n of names) {
      const old = c.byName.get(n);
      if (old !== undefined && !c.stopped[old.index]) throw new ArgumentError(`Cluster.startNodes: node ${n} is already running${n === MAIN_NODE.name ? " (the body's node)" : ""}`);
    }
    const out = names.map((n) => {
      const old = c.byName.get(n);
      if (old === undefined) return c.addNode(n);
      c.restartNode(old.index);
      return old;
    });
    if (it.detail) it.note(p, OP.START_NODES, () => [names.join(", "), "ok"]);
    return it.handoff(p, OP.START_NODES, TOPOLOGY, 0, out);
  });
}

const LINK = 1;
const MONITOR = 2;

function spawnOn(node: NodeRef, fn: () => unknown, how: number, what: string): Promise<unknown> {
  return sync(OP.SPAWN, (p, it) => {
    if (typeof fn !== "function") throw new TypeError(`${what} expects a node and a function (the process body), got ${show(fn)}`);
    const c = clusterOf(it);
    const n = nodeIndex(c, node, what);
    if (c.stopped[n]) throw new ArgumentError(`${what}: node ${c.nodes[n].name} is stopped (start it again with Cluster.startNodes)`);
    const me = p.home;
    const q = it.spawnProcess(fn, false, "");
    q.node = n;
    let ref: Ref | undefined;
    if (how & LINK) it.x.linkAdd(me.id, q.id);
    if (how & MONITOR) ref = it.monitors.add(me, q, false);
    // Erlang's spawn on a node that cannot be reached returns a pid of a process that
    // never runs; a link or monitor on it fires with noconnection.
    const lost = c.disconnected(me.node, n);
    if (it.detail) {
      it.note(p, OP.SPAWN, () => [`on ${c.nodes[n].name}${how & LINK ? " (link)" : how & MONITOR ? " (monitor)" : ""}`, lost ? `${q.pid} (noconnection)` : String(q.pid)]);
      const name = spawnedName(fn, false);
      if (name) it.nameLane(q, `${name}@${c.nodes[n].name}`);
    }
    if (lost) die(it, q, "noconnection");
    const value = how & MONITOR ? { pid: q.pid, ref } : q.pid;
    if (!p.alive) {
      continueAfterDeath(it, p, OP.SPAWN);
      return NEVER;
    }
    return it.handoff(p, OP.SPAWN, resource(RES.PROC, q.id), how & LINK ? 1 : how & MONITOR ? 2 : 0, value);
  });
}

function groupsOf(c: ClusterState, args: unknown[]): { groups: number[][]; mode: "drop" | "defer" } {
  let opts: { mode?: unknown } = {};
  const last = args[args.length - 1];
  if (last !== null && typeof last === "object" && !Array.isArray(last) && !(last instanceof ClusterNode)) {
    opts = last as { mode?: unknown };
    args = args.slice(0, -1);
  }
  for (const k of Object.keys(opts)) if (k !== "mode") throw new TypeError(`Cluster.partition: unknown option ${show(k)} (known: mode)`);
  const mode = opts.mode ?? "drop";
  if (mode !== "drop" && mode !== "defer") throw new TypeError(`Cluster.partition: mode must be "drop" or "defer", got ${show(mode)}`);
  if (args.length === 0) throw new TypeError("Cluster.partition expects one or more groups of nodes, e.g. Cluster.partition([a], [b], { mode: \"drop\" })");
  const where = new Map<number, number>();
  const groups = args.map((g, i) => {
    if (!Array.isArray(g) || g.length === 0) throw new TypeError(`Cluster.partition: group ${i + 1} must be a non-empty array of nodes, got ${show(g)}`);
    return g.map((x) => {
      const n = nodeIndex(c, x, "Cluster.partition");
      if (where.has(n)) throw new ArgumentError(`Cluster.partition: node ${c.nodes[n].name} is in ${where.get(n) === i ? "group " + (i + 1) + " twice" : `groups ${where.get(n)! + 1} and ${i + 1}`} (groups must not overlap)`);
      where.set(n, i);
      return n;
    });
  });
  return { groups, mode };
}

/**
 * Splits the cluster into `groups` (disjoint arrays of nodes; nodes not listed form one
 * more group together), with `{ mode: "drop" }` (the default: a netsplit, messages
 * across it are lost and monitors/links across it fire with "noconnection") or
 * `{ mode: "defer" }` (messages and signals across it are held until `heal()`).
 * Rejects while a partition is in place (heal first).
 */
function partition(...args: unknown[]): Promise<void> {
  return sync(OP.PARTITION, (p, it) => {
    const c = clusterOf(it);
    const { groups, mode } = groupsOf(c, args);
    if (c.partitioned) throw new ArgumentError("Cluster.partition: the cluster is already partitioned (call Cluster.heal() first)");
    const text = it.detail ? groups.map((g) => `[${g.map((n) => c.nodes[n].name).join(", ")}]`).join(" | ") : "";
    c.partition(groups, mode);
    if (it.detail) it.note(p, OP.PARTITION, () => [text, mode]);
    return handoffAlive(p, it, OP.PARTITION, TOPOLOGY, undefined);
  });
}

/** Ends the partition (if any): held messages are delivered in an order the strategy chooses (per pair in send order); after a drop, nodes exchange global names. */
function heal(): Promise<void> {
  return sync(OP.HEAL, (p, it) => {
    const c = clusterOf(it);
    const was = c.partitioned ? c.mode : "";
    c.heal();
    if (it.detail) it.note(p, OP.HEAL, () => ["", was === "" ? "not partitioned" : `healed (${was})`]);
    return handoffAlive(p, it, OP.HEAL, TOPOLOGY, undefined);
  });
}

/** Stops a node: its processes die, and monitors and links on other nodes see "noconnection". The main node cannot be stopped. */
function stopNode(nodeRef: NodeRef): Promise<void> {
  return sync(OP.STOP_NODE, (p, it) => {
    const c = clusterOf(it);
    const n = nodeIndex(c, nodeRef, "Cluster.stopNode");
    if (n === 0) throw new ArgumentError("Cluster.stopNode: the main node (where the test body runs) cannot be stopped");
    const was = c.stopped[n];
    if (!was) c.stopNode(n);
    if (it.detail) it.note(p, OP.STOP_NODE, () => [c.nodes[n].name, was ? "already stopped" : "stopped"]);
    return handoffAlive(p, it, OP.STOP_NODE, TOPOLOGY, undefined);
  });
}

/**
 * Monitors a node: the caller receives `{ type: "nodedown", node }` each time the
 * connection to it is lost (a dropping partition, a stop) and `{ type: "nodeup", node }`
 * each time it comes back; a node that cannot be reached now gives nodedown at once
 * (erlang:monitor_node/2). Resolves to true.
 */
function monitorNode(nodeRef: NodeRef): Promise<true> {
  return sync(OP.MONITOR_NODE, (p, it) => {
    const c = clusterOf(it);
    const n = nodeIndex(c, nodeRef, "Cluster.monitorNode");
    c.monitorNode(p.home, n);
    if (it.detail) it.note(p, OP.MONITOR_NODE, () => [c.nodes[n].name, "ok"]);
    return it.handoff(p, OP.MONITOR_NODE, TOPOLOGY, 0, true as const);
  });
}

/** Removes the caller's monitors of a node (monitor_node(Node, false)); resolves to true. */
function demonitorNode(nodeRef: NodeRef): Promise<true> {
  return sync(OP.MONITOR_NODE, (p, it) => {
    const c = clusterOf(it);
    const n = nodeIndex(c, nodeRef, "Cluster.demonitorNode");
    c.demonitorNode(p.home, n);
    if (it.detail) it.note(p, OP.MONITOR_NODE, () => [`${c.nodes[n].name} (off)`, "ok"]);
    return it.handoff(p, OP.MONITOR_NODE, TOPOLOGY, 0, true as const);
  });
}

/** The running nodes, main first (a plain call). */
function nodes(): ClusterNode[] {
  const it = iterationFor("Cluster.nodes()");
  const c = it.cluster;
  return c === null ? [MAIN_NODE] : c.nodes.filter((n) => !c.stopped[n.index]);
}

/** What `Cluster.faults` injects. */
export interface FaultOptions {
  /** Partitions to inject one after the other, each isolating one node from the rest and healed later (default 1). */
  partitions?: number;
  /** Node stops to inject (default 0). */
  stops?: number;
  /** Mode of the injected partitions (default "drop"). */
  mode?: "drop" | "defer";
}

/** One fault round: candidates race, the first the strategy runs injects its fault. */
interface Round {
  done: boolean;
}

interface Plan {
  partitions: number;
  stops: number;
  mode: "drop" | "defer";
}

/**
 * Lets the strategy inject faults (a nemesis, Jepsen's word): after this call, system
 * processes race to isolate one node from the rest (then heal it) or stop one node,
 * `partitions` and `stops` times. Which node and when are scheduling decisions, so
 * they are explored, shrunk and replayed like every other choice. The main node is
 * never isolated or stopped; candidates are the nodes running when each round starts
 * (so call this after Cluster.startNodes). Resolves to true.
 */
function faults(opts: FaultOptions = {}): Promise<true> {
  return sync(OP.FAULT, (p, it) => {
    if (opts === null || typeof opts !== "object") throw new TypeError(`Cluster.faults expects options { partitions?, stops?, mode? }, got ${show(opts)}`);
    for (const k of Object.keys(opts)) if (!["partitions", "stops", "mode"].includes(k)) throw new TypeError(`Cluster.faults: unknown option ${show(k)} (known: partitions, stops, mode)`);
    const count = (v: unknown, d: number, what: string): number => {
      if (v === undefined) return d;
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new TypeError(`Cluster.faults: ${what} must be an integer >= 0, got ${show(v)}`);
      return v;
    };
    const mode = opts.mode ?? "drop";
    if (mode !== "drop" && mode !== "defer") throw new TypeError(`Cluster.faults: mode must be "drop" or "defer", got ${show(mode)}`);
    const plan: Plan = { partitions: count(opts.partitions, 1, "partitions"), stops: count(opts.stops, 0, "stops"), mode };
    const c = clusterOf(it);
    nextRound(c, plan);
    if (it.detail) it.note(p, OP.FAULT, () => [`faults ${show(opts)}`, "nemesis started"]);
    return it.handoff(p, OP.FAULT, TOPOLOGY, 0, true as const);
  });
}

/** Spawns the candidates of the next fault of `plan` (one per node and kind), if any remain. */
function nextRound(c: ClusterState, plan: Plan): void {
  if (plan.partitions + plan.stops === 0) return;
  const round: Round = { done: false };
  for (let n = 1; n < c.nodes.length; n++) {
    if (c.stopped[n]) continue;
    const name = c.nodes[n].name;
    if (plan.partitions > 0) c.it.spawnProcess(() => fault(c, plan, round, "isolate", n), true, `nemesis: isolate ${name}`);
    if (plan.stops > 0) c.it.spawnProcess(() => fault(c, plan, round, "stop", n), true, `nemesis: stop ${name}`);
  }
}

async function fault(c: ClusterState, plan: Plan, round: Round, kind: "isolate" | "stop" | "heal", n: number): Promise<void> {
  await sync(OP.FAULT, (p, it) => {
    let what = "";
    if (kind === "heal") {
      if (c.partitioned) c.heal();
      what = "heal";
      nextRound(c, plan);
    } else if (!round.done && !c.stopped[n]) {
      round.done = true;
      if (kind === "stop") {
        plan.stops--;
        c.stopNode(n);
        what = `stop ${c.nodes[n].name}`;
        nextRound(c, plan);
      } else {
        plan.partitions--;
        // A partition the body placed itself is left alone: this round's fault is skipped.
        if (!c.partitioned) {
          c.partition([[n]], plan.mode);
          what = `isolate ${c.nodes[n].name} (${plan.mode})`;
          it.spawnProcess(() => fault(c, plan, round, "heal", n), true, `nemesis: heal ${c.nodes[n].name}`);
        } else nextRound(c, plan);
      }
    }
    if (it.detail) it.note(p, OP.FAULT, () => [what === "" ? "(another fault ran first)" : what, ""]);
    return handoffAlive(p, it, OP.FAULT, TOPOLOGY, undefined);
  });
}

/**
 * The simulated cluster. Nodes are logical groups of processes in one iteration; the
 * body runs on the node "main".
 *
 * @example
 * const [a, b] = await Cluster.startNodes(["a", "b"]);
 * const pa = await Cluster.spawn(a, worker);
 * await Cluster.partition([a], [b], { mode: "defer" });
 * await Cluster.heal();
 */
export const Cluster = {
  startNodes,
  /** Starts a process running `fn` on `node`; resolves to its pid. */
  spawn: (node: NodeRef, fn: () => unknown): Promise<Pid> => spawnOn(node, fn, 0, "Cluster.spawn") as Promise<Pid>,
  /** Cluster.spawn, linked to the caller. */
  spawnLink: (node: NodeRef, fn: () => unknown): Promise<Pid> => spawnOn(node, fn, LINK, "Cluster.spawnLink") as Promise<Pid>,
  /** Cluster.spawn, monitored by the caller: `{ pid, ref }`. */
  spawnMonitor: (node: NodeRef, fn: () => unknown): Promise<{ pid: Pid; ref: Ref }> => spawnOn(node, fn, MONITOR, "Cluster.spawnMonitor") as Promise<{ pid: Pid; ref: Ref }>,
  partition,
  heal,
  stopNode,
  monitorNode,
  demonitorNode,
  nodes,
  faults,
};

// ---- :global ----------------------------------------------------------------------

function checkGlobalName(name: unknown, what: string): void {
  if (typeof name !== "string" && typeof name !== "symbol" && typeof name !== "number") {
    throw new TypeError(`${what} expects a name (a string, a number or a symbol), got ${show(name)}`);
  }
}

/**
 * Registers `pid` (default: the caller) under a cluster-wide name, on every node the
 * caller's node reaches. Resolves to `{ ok: true }`, or `{ ok: false, error:
 * "already_registered", pid }` (a reachable node knows the name), `{ ok: false, error:
 * "pid_already_registered", name }` (global allows one name per process), `{ ok:
 * false, error: "noproc" }` (dead pid), `{ ok: false, error: "noconnection" }` (a pid
 * on a node the caller cannot reach).
 */
function globalRegister(name: unknown, pid?: Pid): Promise<GlobalRegisterResult> {
  return sync(OP.GLOBAL_WRITE, (p, it) => {
    checkGlobalName(name, "Global.register");
    if (pid !== undefined && !(pid instanceof Pid)) throw new TypeError(`Global.register expects a pid, got ${show(pid)}`);
    const c = clusterOf(it);
    const me = p.home;
    const q = pid === undefined ? me : it.proc(pid);
    if (q === undefined) throw new ArgumentError(`Global.register: ${pid} is not a process of this iteration`);
    let r: GlobalRegisterResult;
    const holder = c.holder(me.node, name);
    if (holder !== undefined) r = { ok: false, error: "already_registered", pid: holder.pid };
    else if (c.disconnected(me.node, q.node)) r = { ok: false, error: "noconnection" };
    else if (!q.alive) r = { ok: false, error: "noproc" };
    else {
      const other = c.nameOf(me.node, q);
      if (other !== undefined) r = { ok: false, error: "pid_already_registered", name: other };
      else {
        c.write(me.node, name, q);
        r = { ok: true };
      }
    }
    if (it.detail) it.note(p, OP.GLOBAL_WRITE, () => [`register ${show(name)}, ${q.pid}`, r.ok ? "ok" : r.error]);
    return it.handoff(p, OP.GLOBAL_WRITE, c.nameRes(name), 0, r);
  });
}

/** Removes a cluster-wide name on every node the caller reaches; resolves to `{ ok: true }` (also when nothing held it, as global:unregister_name). */
function globalUnregister(name: unknown): Promise<{ ok: true }> {
  return sync(OP.GLOBAL_WRITE, (p, it) => {
    checkGlobalName(name, "Global.unregister");
    const c = clusterOf(it);
    c.write(p.home.node, name, undefined);
    if (it.detail) it.note(p, OP.GLOBAL_WRITE, () => [`unregister ${show(name)}`, "ok"]);
    return it.handoff(p, OP.GLOBAL_WRITE, c.nameRes(name), 0, { ok: true as const });
  });
}

/** The pid registered under a cluster-wide name as the caller's node knows it, or undefined; never a dead pid. */
function globalWhereis(name: unknown): Promise<Pid | undefined> {
  return sync(OP.GLOBAL_READ, (p, it) => {
    checkGlobalName(name, "Global.whereis");
    const c = clusterOf(it);
    const q = c.tables[p.home.node].get(name);
    if (it.detail) it.note(p, OP.GLOBAL_READ, () => [`whereis ${show(name)}`, String(q?.pid)]);
    return it.handoff(p, OP.GLOBAL_READ, c.nameRes(name), 0, q?.pid);
  });
}

/** Sends to the process registered under a global name (global:send/2); rejects with an ArgumentError when no process holds it. Resolves to the pid. */
async function globalSend(name: unknown, msg: unknown): Promise<Pid> {
  const pid = await globalWhereis(name);
  if (pid === undefined) throw new ArgumentError(`Global.send: no process is registered globally as ${show(name)}`);
  await send(pid, msg);
  return pid;
}

/**
 * Cluster-wide names with OTP :global's semantics: one name per process, names freed
 * when their owner dies, each side of a dropping partition keeps its own names, and a
 * heal resolves a name registered on both sides by killing one of the two processes.
 */
export const Global = {
  register: globalRegister,
  unregister: globalUnregister,
  whereis: globalWhereis,
  send: globalSend,
};
