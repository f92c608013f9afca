// What the user called each process, for the lanes of reports and the playground
// (read in detail mode only): the spawned function's name (or the function an arrow
// wrapper calls: `() => increment(s, me)` is "increment"), the behaviour a library
// starts for the user (a GenServer's class, "Agent", "Supervisor", a task's function),
// then a registered name or a Registry key, which replaces them.

/** Set by a library on the wrapper it spawns: a thunk giving the lane's name (evaluated in detail mode only). */
export const LANE = Symbol("lockstep.lane");

type Labelled = { [LANE]?: () => string };

/** Marks `fn`, a library's wrapper around the user's code, with the name its process's lane gets. */
export function laneLabel<F extends object>(fn: F, name: () => string): F {
  (fn as Labelled)[LANE] = name;
  return fn;
}

/** `() => increment(s, me)` or `async () => { await worker(i); }`: the one function such a wrapper calls. */
const CALLS = /^(?:async\s*)?(?:\(\s*\)|[\w$]+)\s*=>\s*(?:\{\s*(?:return\s+)?)?(?:await\s+)?([A-Za-z_$][\w$]*)\s*\([^()]*\)\s*;?\s*\}?$/;

/** Calls that name no user function (`async () => { await send(to, m); }`). */
const PRIMITIVES = new Set(["send", "receive", "sleep", "spawn", "spawnLink", "spawnMonitor", "register", "exit", "link", "monitor", "yield_", "whereis", "note"]);

/** The lane name of a process running `fn`: a library's label, else the function's name, else what an arrow wrapper calls; "" when none. */
export function spawnedName(fn: () => unknown, internal: boolean): string {
  const label = (fn as Labelled)[LANE];
  if (label !== undefined) return label();
  if (internal) return ""; // a library's own wrapper would only name itself
  if (fn.name) return fn.name;
  const m = CALLS.exec(Function.prototype.toString.call(fn));
  return m && !PRIMITIVES.has(m[1]) ? m[1] : "";
}

/** A behaviour's name: its own label (Agent, Supervisor), its class's name, else `kind` (an object literal has none). */
export function behaviourName(b: object, kind: string): string {
  const own = (b as Labelled)[LANE];
  if (own !== undefined) return own();
  if (typeof b === "function" && b.name) return b.name;
  const c = (Object.getPrototypeOf(b) as { constructor?: { name?: string } } | null)?.constructor;
  return c && c !== Object && c.name ? c.name : kind;
}
