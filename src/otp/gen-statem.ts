// GenStatem: OTP's gen_statem (lib/stdlib/src/gen_statem.erl) in its
// handle_event_function callback mode, on the same start/call/cast/stop protocols as
// GenServer (genserver.ts), so every message it exchanges is explored.
//
// Event loop (gen_statem's "state transition" steps):
//   next event: a postponed event being retried, else a time-out zero (its own queue,
//   before the mailbox, as since OTP 24), else the mailbox, waiting at most until
//   the event time-out fires. handleEvent's actions are applied in order: replies
//   are sent, `postpone` keeps the event, the last stateTimeout / timeout wins. When
//   the state changed (Erlang term equality) the postponed events are retried first,
//   in their original order, and the running state time-out is cancelled. Any event
//   cancels the event time-out. Time-outs are virtual: the state time-out is a
//   sendAfter timer, the event time-out the timeout of the receive.
import { receive, send } from "../runtime/messages.js";
import { cancelTimer, now, sendAfter } from "../runtime/time.js";
import { makeRef, self } from "../runtime/processes.js";
import { exitSelf, exitFrom } from "../runtime/library.js";
import { TIMEOUT } from "../runtime/timeout.js";
import { Pid } from "../values/pid.js";
import { Ref } from "../values/ref.js";
import { termEquals } from "../values/term.js";
import { show, trustShow } from "../values/show.js";
import { BadReturnError } from "./errors.js";
import {
  CallRequest, CastRequest, StopRequest, StartAck, From, callAs, castAs, stopAs, startAs, registerForStart, replyTo, isObject,
  checkTimeout, type ServerRef, type StartOptions,
} from "./genserver.js";

// ---- types ------------------------------------------------------------------------

type Ret<T> = T | Promise<T>;

/** The type of an event: a call (answer it with a `{ reply: [from, value] }` action), a cast, any other message, or a time-out. */
export type EventType = { call: From } | "cast" | "info" | "stateTimeout" | "timeout";

/** An action: answer a call, postpone the event, (re)start the state time-out or the event time-out (ms may be Infinity: cancel). */
export type Action = { reply: [From, unknown] } | "postpone" | { stateTimeout: number; content?: unknown } | { timeout: number; content?: unknown };

/** What init may return: `{ state, data, actions? }`, `{ ignore: true }` or `{ stop: reason }`. */
export type StatemInitResult<S, D> = { state: S; data?: D; actions?: Action[] } | { ignore: true } | { stop: unknown };

/** What handleEvent may return: a transition (missing keys keep the state / data) or `{ stop: reason, actions? }` (replies are sent before the exit). */
export type EventResult<S, D> = { state?: S; data?: D; actions?: Action[] } | { stop: unknown; actions?: Action[] };

/** A GenStatem behaviour (gen_statem's handle_event_function mode): a plain object or a class instance. */
export interface StatemBehaviour<S = any, D = any, A = any> {
  init(arg: A): Ret<StatemInitResult<S, D>>;
  handleEvent(type: EventType, content: any, state: S, data: D): Ret<EventResult<S, D>>;
}

/** The message of a running state time-out (stale ones, of a cancelled timer, are dropped). */
class StateTimeoutMsg {
  constructor(
    readonly tag: Ref,
    readonly content: unknown,
  ) {}
  toString(): string {
    return `$state_timeout(${show(this.content)})`;
  }
}
trustShow(StateTimeoutMsg);

interface Event {
  type: EventType;
  content: unknown;
}

interface Ctx {
  b: StatemBehaviour;
  state: unknown;
  data: unknown;
  parent: Pid | null;
  /** Postponed events, oldest first. */
  postponed: Event[];
  /** Events to handle before the mailbox: postponed events being retried. */
  queue: Event[];
  /** Time-outs zero (gen_statem's t0q): after the queue, before the mailbox. */
  t0q: Event[];
  /** The running state time-out (a sendAfter timer), if any. */
  stateTimer: { tag: Ref; timer: Ref } | null;
  /** The event time-out for the next wait: its virtual deadline and content. */
  eventTimeout: { at: number; content: unknown } | null;
}

// ---- validation -------------------------------------------------------------------

function checkBehaviour(b: unknown, what: string): asserts b is StatemBehaviour {
  if (b === null || (typeof b !== "object" && typeof b !== "function")) {
    throw new TypeError(`${what} expects a behaviour (an object or class instance with init and handleEvent), got ${show(b)}`);
  }
  const o = b as Record<string, unknown>;
  if (typeof o.init !== "function") throw new TypeError(`${what}: the behaviour has no init(arg) callback (it must return { state, data, actions? })`);
  if (typeof o.handleEvent !== "function") throw new TypeError(`${what}: the behaviour has no handleEvent(type, content, state, data) callback`);
}

const ACTIONS = '{ reply: [from, value] }, "postpone", { stateTimeout: ms, content } or { timeout: ms, content }';

interface Parsed {
  replies: [From, unknown][];
  postpone: boolean;
  stateTimeout?: { ms: number; content: unknown };
  timeout?: { ms: number; content: unknown };
}

function parseActions(cb: string, actions: unknown, inInit: boolean): Parsed {
  const out: Parsed = { replies: [], postpone: false };
  if (actions === undefined) return out;
  if (!Array.isArray(actions)) throw new BadReturnError(cb, actions, `actions as an array of ${ACTIONS}`);
  for (const a of actions) {
    if (a === "postpone" && !inInit) out.postpone = true;
    else if (isObject(a) && "reply" in a && Array.isArray(a.reply) && a.reply.length === 2 && a.reply[0] instanceof From) out.replies.push(a.reply as [From, unknown]);
    else if (isObject(a) && "stateTimeout" in a) out.stateTimeout = { ms: checkTimeout(a.stateTimeout, `${cb}: stateTimeout`), content: a.content };
    else if (isObject(a) && "timeout" in a) out.timeout = { ms: checkTimeout(a.timeout, `${cb}: timeout`), content: a.content };
    else throw new BadReturnError(cb, a, `an action: ${inInit ? ACTIONS.replace(', "postpone"', "") : ACTIONS}`);
  }
  return out;
}

// ---- client API -------------------------------------------------------------------

/** Starts a state machine (not linked); resolves to its pid once init returned, or rejects with StartError. */
export function start(behaviour: StatemBehaviour, arg?: unknown, opts?: StartOptions): Promise<Pid> {
  return startStatem(behaviour, arg, opts, false, "GenStatem.start");
}

/** Starts a state machine linked to the caller (for a Supervisor child's start). */
export function startLink(behaviour: StatemBehaviour, arg?: unknown, opts?: StartOptions): Promise<Pid> {
  return startStatem(behaviour, arg, opts, true, "GenStatem.startLink");
}

function startStatem(b: StatemBehaviour, arg: unknown, opts: unknown, link: boolean, what: string): Promise<Pid> {
  try {
    checkBehaviour(b, what);
  } catch (e) {
    return Promise.reject(e);
  }
  return startAs(what, opts, link, (name, starter, tag, parent) => statemMain(b, arg, name, starter, tag, parent));
}

/** Calls the machine (event `{ call: from }`) and waits for the reply; rejects with CallExit like GenServer.call. */
export function call<T = any>(server: ServerRef, request: unknown, timeout: number = 5000): Promise<T> {
  return callAs<T>("GenStatem.call", server, request, timeout);
}

/** Sends a `"cast"` event; never fails. */
export function cast(server: ServerRef, request: unknown): Promise<void> {
  return castAs("GenStatem.cast", server, request);
}

/** Stops the machine with `reason` and waits until it exited; rejects with CallExit like GenServer.stop. */
export function stop(server: ServerRef, reason: unknown = "normal", timeout: number = Infinity): Promise<void> {
  return stopAs("GenStatem.stop", server, reason, timeout);
}

// ---- the server process -----------------------------------------------------------

async function statemMain(b: StatemBehaviour, arg: unknown, name: StartOptions["name"], starter: Pid, tag: Ref, parent: Pid | null): Promise<void> {
  if (!(await registerForStart(name, starter, tag))) return;
  let r: unknown;
  let parsed: Parsed;
  try {
    r = await b.init(arg);
    if (isObject(r) && "state" in r && !("stop" in r) && !("ignore" in r)) parsed = parseActions("init", r.actions, true);
  } catch (e) {
    await send(starter, new StartAck(tag, false, e));
    throw e;
  }
  if (isObject(r) && "stop" in r) {
    await send(starter, new StartAck(tag, false, r.stop));
    await exitSelf(r.stop);
  } else if (isObject(r) && "ignore" in r) {
    await send(starter, new StartAck(tag, false, "ignore"));
  } else if (isObject(r) && "state" in r) {
    await send(starter, new StartAck(tag, true, undefined));
    const ctx: Ctx = { b, state: r.state, data: r.data, parent, postponed: [], queue: [], t0q: [], stateTimer: null, eventTimeout: null };
    await apply(ctx, parsed!, null, true);
    await loop(ctx);
  } else {
    const err = new BadReturnError("init", r, "{ state, data, actions? }, { ignore: true } or { stop: reason }");
    await send(starter, new StartAck(tag, false, err));
    throw err;
  }
}

async function loop(ctx: Ctx): Promise<void> {
  for (;;) {
    const ev = await nextEvent(ctx);
    if (ev === null) continue;
    const r = await ctx.b.handleEvent(ev.type, ev.content, ctx.state, ctx.data);
    if (!isObject(r)) throw new BadReturnError("handleEvent", r, "{ state?, data?, actions? } or { stop: reason }");
    const parsed = parseActions("handleEvent", r.actions, false);
    if ("stop" in r) {
      for (const [from, value] of parsed.replies) await replyTo(from, value);
      await exitSelf(r.stop);
    }
    const changed = "state" in r && !termEquals(r.state, ctx.state);
    if ("state" in r) ctx.state = r.state;
    if ("data" in r) ctx.data = r.data;
    await apply(ctx, parsed, ev, changed);
  }
}

/** Applies a transition's actions (gen_statem loop_state_transition / loop_timeouts). */
async function apply(ctx: Ctx, a: Parsed, ev: Event | null, changed: boolean): Promise<void> {
  for (const [from, value] of a.replies) await replyTo(from, value);
  if (a.postpone && ev !== null) ctx.postponed.push(ev);
  if (changed && ev !== null) {
    // Retried before anything else, in their original order.
    ctx.queue = [...ctx.postponed, ...ctx.queue];
    ctx.postponed = [];
  }
  if (changed || a.stateTimeout !== undefined) await cancelStateTimeout(ctx);
  if (a.stateTimeout !== undefined && a.stateTimeout.ms !== Infinity) {
    const { ms, content } = a.stateTimeout;
    if (ms === 0) ctx.t0q.push({ type: "stateTimeout", content });
    else {
      const tag = makeRef();
      ctx.stateTimer = { tag, timer: await sendAfter(self(), new StateTimeoutMsg(tag, content), ms) };
    }
  }
  // An event time-out is not started when an event is already waiting (it would cancel it).
  if (a.timeout !== undefined && a.timeout.ms !== Infinity && ctx.queue.length === 0) {
    const { ms, content } = a.timeout;
    if (ms === 0) ctx.t0q.push({ type: "timeout", content });
    else ctx.eventTimeout = { at: now() + ms, content };
  }
}

async function cancelStateTimeout(ctx: Ctx): Promise<void> {
  ctx.t0q = ctx.t0q.filter((e) => e.type !== "stateTimeout");
  if (ctx.stateTimer !== null) {
    const t = ctx.stateTimer;
    ctx.stateTimer = null;
    await cancelTimer(t.timer); // a message already delivered is dropped as stale
  }
}

/** The next event, or null for a message that is not one (a stale state time-out). */
async function nextEvent(ctx: Ctx): Promise<Event | null> {
  const queued = ctx.queue.shift() ?? ctx.t0q.shift();
  if (queued !== undefined) {
    // Any event cancels the event time-out.
    if (queued.type !== "timeout") {
      ctx.eventTimeout = null;
      ctx.t0q = ctx.t0q.filter((e) => e.type !== "timeout");
    }
    if (queued.type === "stateTimeout") ctx.stateTimer = null;
    return queued;
  }
  const et = ctx.eventTimeout;
  const msg = await receive(null, et === null ? undefined : { timeout: Math.max(0, et.at - now()) });
  if (msg === TIMEOUT) {
    ctx.eventTimeout = null;
    return { type: "timeout", content: et!.content };
  }
  if (msg instanceof StateTimeoutMsg) {
    if (ctx.stateTimer === null || msg.tag !== ctx.stateTimer.tag) return null; // stale: keeps the event time-out running
    ctx.stateTimer = null;
    ctx.eventTimeout = null;
    return { type: "stateTimeout", content: msg.content };
  }
  if (msg instanceof StopRequest) return exitSelf(msg.reason);
  // gen_statem: an exit signal from the parent (seen because we trap exits) stops us with its reason.
  if (ctx.parent !== null && exitFrom(ctx.parent)(msg)) return exitSelf((msg as { reason: unknown }).reason);
  ctx.eventTimeout = null;
  if (msg instanceof CallRequest) return { type: { call: msg.from }, content: msg.request };
  if (msg instanceof CastRequest) return { type: "cast", content: msg.request };
  return { type: "info", content: msg };
}

/**
 * GenStatem, as OTP's gen_statem in handle_event_function mode. `call` and `stop`
 * reject with CallExit; `start` and `startLink` reject with StartError.
 *
 * @example
 * const door = {
 *   init: () => ({ state: "locked", data: null }),
 *   handleEvent: (type, content, state) =>
 *     state === "locked" && type === "cast" && content === "unlock"
 *       ? { state: "open", actions: [{ stateTimeout: 1000, content: "lock" }] }
 *       : type === "stateTimeout" ? { state: "locked" }
 *       : typeof type === "object" ? { actions: [{ reply: [type.call, state] }] } : {},
 * };
 */
export const GenStatem = { start, startLink, call, cast, stop } as const;
