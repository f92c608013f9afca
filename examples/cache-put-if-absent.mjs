// A put-if-absent race found by a linearizability check (the model-based template).
//
// A GenServer holds a key-value map and answers { get } and { put } calls, each
// atomically. putIfAbsent(key, value) is built on them the way it often is in real
// code: check, then act — get the key, and put only if it was missing. Between the
// check and the act another client can insert the key, so both clients "insert" and
// the second overwrites the first. No single assertion names this; the history does:
// three clients run generated operations (put-if-absent and get on two keys), every
// invocation and completion is recorded, and `linearizable` checks the history against
// a sequential model of the cache. The fix is one call the server handles atomically:
//   handleCall({ op: "putIfAbsent", key, value }, _from, map) -> ...
import { GenServer, Generator, workload, linearizable } from "lockstep";

const server = {
  init: () => ({ state: new Map() }),
  handleCall(req, _from, map) {
    if (req.op === "get") return { reply: map.get(req.key) ?? null, state: map };
    return { reply: "ok", state: new Map(map).set(req.key, req.value) };
  },
};

/** Check-then-act: atomic per call, not across the two. Returns the value that was there (null if none). */
async function putIfAbsent(pid, key, value) {
  const old = await GenServer.call(pid, { op: "get", key });
  if (old === null) await GenServer.call(pid, { op: "put", key, value });
  return old;
}

/** The sequential specification: what each operation returns, one at a time. */
export const model = {
  init: () => ({}),
  step(state, name, { key, value }) {
    const old = state[key] ?? null;
    if (name === "get") return [old, state];
    return [old, old === null ? { ...state, [key]: value } : state];
  },
  // Keys are independent: check each key's operations on their own (P-compositionality).
  partition(ops) {
    const byKey = new Map();
    for (const op of ops) byKey.set(op.args.key, [...(byKey.get(op.args.key) ?? []), op]);
    return [...byKey.values()];
  },
};

/** The fix: one call the server handles atomically. */
export const fixedServer = {
  init: server.init,
  handleCall(req, from, map) {
    if (req.op !== "putIfAbsent") return server.handleCall(req, from, map);
    const old = map.get(req.key) ?? null;
    return { reply: old, state: old === null ? new Map(map).set(req.key, req.value) : map };
  },
};

export default function cachePutIfAbsent() {
  return workloadOn(server, putIfAbsent);
}

/** The fixed twin: no schedule breaks it. */
export function cachePutIfAbsentFixed() {
  return workloadOn(fixedServer, (pid, key, value) => GenServer.call(pid, { op: "putIfAbsent", key, value }));
}

async function workloadOn(behaviour, putIfAbsent) {
  const pid = await GenServer.start(behaviour, null);
  const generator = new Generator({
    putIfAbsent: { weight: 2, args: (r) => ({ key: r.pick(["a", "b"]), value: r.int(1, 99) }) },
    get: (r) => ({ key: r.pick(["a", "b"]) }),
  });
  const history = await workload({
    clients: 3,
    opsPerClient: 3,
    generator,
    run: ({ name, args }) => (name === "get" ? GenServer.call(pid, { op: "get", key: args.key }) : putIfAbsent(pid, args.key, args.value)),
  });
  const verdict = linearizable(history, model);
  if (!verdict.ok) throw new Error(verdict.explanation);
}

export const options = { iterations: 500 };
