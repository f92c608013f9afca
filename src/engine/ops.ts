// Op codes recorded in the engine's trace (assembly/index.ts records OP.TIMER_FIRE
// itself). Strategies only compare them and their resources, so adding codes is free;
// changing a number changes the trace format version (src/explore/trace-file.ts).

export const OP = {
  TIMER_FIRE: 1,
  START: 2,
  SPAWN: 3,
  SEND: 4,
  RECEIVE: 5,
  BLOCK: 6,
  EXIT: 7,
  EXIT_SIGNAL: 8,
  MONITOR: 9,
  DEMONITOR: 10,
  LINK: 11,
  UNLINK: 12,
  TRAP_EXIT: 13,
  IS_ALIVE: 14,
  SEND_AFTER: 15,
  CANCEL_TIMER: 16,
  SLEEP: 17,
  YIELD: 18,
  REGISTER: 19,
  UNREGISTER: 20,
  WHEREIS: 21,
  // registry (src/otp/registry)
  REG_WRITE: 30,
  REG_READ: 31,
  // shared state (src/shared)
  SHARED_READ: 40,
  SHARED_WRITE: 41,
  SHARED_LOCK: 42,
  CALL_CONTROLLED: 43,
  // virtual timers (src/runtime/virtual-timers.ts): a process whose code went idle
  // waits on the event loop; a timer callback runs (readable log only)
  EVENT_WAIT: 44,
  TIMER_CALLBACK: 45,
  // cluster simulation (src/runtime/cluster.ts)
  START_NODES: 60,
  PARTITION: 61,
  HEAL: 62,
  STOP_NODE: 63,
  MONITOR_NODE: 64,
  /** A message or signal held by a partition, delivered by its link's courier after the heal. */
  DELIVER: 65,
  GLOBAL_WRITE: 66,
  GLOBAL_READ: 67,
  /** global's name exchange after a heal, resolving conflicts. */
  GLOBAL_SYNC: 68,
  /** A fault a nemesis process injects (Cluster.faults): a partition, its heal, a node stop. */
  FAULT: 69,
  // a line of the user's in the readable log (note()); never recorded in the engine
  NOTE: 50,
} as const;

export type OpCode = (typeof OP)[keyof typeof OP];

const NAMES: string[] = [];
for (const [k, v] of Object.entries(OP)) NAMES[v] = k.toLowerCase().replace(/_/g, "-");

/** A readable name for an op code. */
export function opName(op: number): string {
  return NAMES[op] ?? `op${op}`;
}

// Resources are integers: a space in the high bits, an id in the low 24 bits, so two
// operations race (for POS and reads-from feedback) exactly when their resources match.
export const RES = {
  PROC: 0, // a process's mailbox / liveness: the pid
  NAME: 1, // a local name: its interned id
  TIMER: 2,
  REGISTRY: 3, // a registry key: registry-scoped key id
  SHARED: 4, // a shared object (src/shared): per-iteration id in creation order
  CONTROLLED: 5, // a controlled() function: id in wrapping order
  CLUSTER: 6, // the cluster's topology (id 0) and its global names (id 1 + name id, in first-use order)
  LIFE: 11, // whether a process is alive: the pid (dpor's RES_LIFE; only in touch(), never in events)
} as const;

export function resource(space: number, id: number): number {
  return space * 0x1000000 + (id & 0xffffff);
}

/** Size of one resource space: resource = space * RESOURCE_SPACE + id. */
export const RESOURCE_SPACE = 0x1000000;

/** touch()'s resource for "everything": the step conflicts with every other under dpor (a failed sync point). */
export const TOUCH_ALL = -1;

const pidName = (p: number): string => `<0.${p}.0>`;

/**
 * A readable description of the resource an operation touched, for views of trace
 * files that have no readable log (lockstep show, causal slices, the playground).
 */
export function describeResource(op: number, res: number, actor: number): string {
  const id = res % RESOURCE_SPACE;
  switch (Math.floor(res / RESOURCE_SPACE)) {
    case RES.PROC:
      if (id === 0 || id === actor || op === OP.SPAWN) return "";
      return op === OP.SEND || op === OP.SEND_AFTER ? `to ${pidName(id)}` : `on ${pidName(id)}`;
    case RES.NAME:
      return `name #${id}`;
    case RES.TIMER:
      return `timer #${id}`;
    case RES.REGISTRY:
      return `registry key #${id}`;
    case RES.SHARED:
      return `shared #${id}`;
    case RES.CLUSTER:
      return id === 0 ? "cluster" : `global name #${id}`;
    default:
      return `resource ${res}`;
  }
}
