// Agent: Elixir's Agent (lib/elixir/lib/agent.ex) — state behind a GenServer,
// read and changed by functions that run inside the agent process, one at a time.
import { Pid } from "../values/pid.js";
import { show, trustShow } from "../values/show.js";
import { laneLabel } from "../runtime/lane-names.js";
import { GenServer, checkTimeout, type Behaviour, type ServerRef, type StartOptions } from "./genserver.js";

type Fn<S, R> = (state: S) => R | Promise<R>;

class AgentOp {
  constructor(
    readonly op: "get" | "update" | "getAndUpdate",
    readonly fn: Fn<any, any>,
  ) {}
  toString(): string {
    return `Agent.${this.op}`;
  }
}

trustShow(AgentOp);

const agentServer: Behaviour<unknown, () => unknown> = laneLabel({
  async init(fn) {
    return { state: await fn() };
  },
  async handleCall(req: AgentOp, _from, state) {
    switch (req.op) {
      case "get":
        return { reply: await req.fn(state), state };
      case "update":
        return { reply: undefined, state: await req.fn(state) };
      case "getAndUpdate": {
        const r = await req.fn(state);
        if (!Array.isArray(r) || r.length !== 2) {
          throw new TypeError(`Agent.getAndUpdate: the function must return [reply, newState], got ${show(r)}`);
        }
        return { reply: r[0], state: r[1] };
      }
    }
  },
  async handleCast(req: AgentOp, state) {
    return { state: await req.fn(state) };
  },
}, () => "Agent");

function checkFn(fn: unknown, what: string): void {
  if (typeof fn !== "function") throw new TypeError(`${what} expects a function, got ${show(fn)}`);
}

function op<R>(what: AgentOp["op"], agent: ServerRef, fn: Fn<any, any>, timeout: number): Promise<R> {
  try {
    // The texts are built only for invalid arguments (a string per call otherwise).
    if (typeof fn !== "function") checkFn(fn, `Agent.${what}`);
    if (typeof timeout !== "number" || !(timeout >= 0)) checkTimeout(timeout, `Agent.${what}`);
  } catch (e) {
    return Promise.reject(e);
  }
  return GenServer.call<R>(agent, new AgentOp(what, fn), timeout);
}

/**
 * Agent, as in Elixir: `start(() => initial)`, then `get`, `update`,
 * `getAndUpdate` (the function returns `[reply, newState]`), `cast` and `stop`.
 * Functions run in the agent process; calls reject with CallExit like GenServer.call.
 *
 * @example
 * const a = await Agent.start(() => 0);
 * await Agent.update(a, (n) => n + 1);
 * await Agent.get(a, (n) => n); // 1
 */
export const Agent = {
  /** Starts an agent whose state is `fn()`; resolves to its pid. */
  start(fn: () => unknown, opts?: StartOptions): Promise<Pid> {
    try {
      checkFn(fn, "Agent.start");
    } catch (e) {
      return Promise.reject(e);
    }
    return GenServer.start(agentServer, fn, opts);
  },
  /** Starts an agent linked to the caller. */
  startLink(fn: () => unknown, opts?: StartOptions): Promise<Pid> {
    try {
      checkFn(fn, "Agent.startLink");
    } catch (e) {
      return Promise.reject(e);
    }
    return GenServer.startLink(agentServer, fn, opts);
  },
  /** `fn(state)`, computed in the agent. */
  get<S, R>(agent: ServerRef, fn: Fn<S, R>, timeout = 5000): Promise<R> {
    return op<R>("get", agent, fn, timeout);
  },
  /** Replaces the state with `fn(state)` and waits until it is done. */
  update<S>(agent: ServerRef, fn: Fn<S, S>, timeout = 5000): Promise<void> {
    return op<void>("update", agent, fn, timeout);
  },
  /** `fn(state)` returns `[reply, newState]`: resolves to reply, keeps newState. */
  getAndUpdate<S, R>(agent: ServerRef, fn: Fn<S, [R, S]>, timeout = 5000): Promise<R> {
    return op<R>("getAndUpdate", agent, fn, timeout);
  },
  /** Replaces the state with `fn(state)` without waiting. */
  cast<S>(agent: ServerRef, fn: Fn<S, S>): Promise<void> {
    try {
      checkFn(fn, "Agent.cast");
    } catch (e) {
      return Promise.reject(e);
    }
    return GenServer.cast(agent, new AgentOp("update", fn));
  },
  /** Stops the agent (GenServer.stop). */
  stop(agent: ServerRef, reason: unknown = "normal", timeout = Infinity): Promise<void> {
    return GenServer.stop(agent, reason, timeout);
  },
} as const;
