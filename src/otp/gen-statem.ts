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
//   cancels the event time-out. Generic time-outs ({{timeout, Name}, T, Content}) are
//   kept by name: neither a state change nor an event cancels them, starting one with
//   a running name restarts it, and Infinity / "infinity" / "cancel" cancels it.
//   Time-outs are virtual: the state and generic time-outs are sendAfter timers whose
//   message carries a fresh tag (a message of a cancelled timer is dropped as stale),
//   the event time-out is the timeout of the receive.
//   State enter calls (callback mode state_enter, here `stateEnter: true` on the
//   behaviour): after init and after every state change, handleEvent("enter",
//   oldState, state, data) runs before any other event; it may change the data and
//   return actions (not postpone, and it may not change the state).
//   Termination (gen_statem.erl terminate/7): the behaviour's optional
//   terminate(reason, state, data) runs before the process exits, on a stop result
//   (after its replies), on GenStatem.stop, on the parent's exit signal while trapping
//   exits, and when a callback throws or returns something malformed (then the process
//   crashes with that error). Not after a failed init.
import { receive, send } from "../runtime/messages.js";
import { cancelTimer, now, sendAfter } from "../runtime/time.js";
import { makeRef, self } from "../runtime/processes.js";
import { behaviourName } from "../runtime/lane-names.js";
import { exitSelf, exitFrom } from "../runtime/library.js";
import { TIMEOUT } from "../runtime/timeout.js";
import { Pid } from "../values/pid.js";
import { Ref } from "../values/ref.js";
import { termEquals } from "../values/term.js";
import { show, trustShow } from "../values/show.js";
import { BadReturnError } from "./errors.js";
import {
  CallRequest, CastRequest, StopRequest, From, callAs, castAs, stopAs, startAs, registerForStart, initHandshake, replyTo, isObject,
  checkTimeout, type ServerRef, type StartOptions,
} from "./genserver.js";

// ---- types ------------------------------------------------------------------------

type Ret<T> = T | Promise<T>;

/**
 * The type of an event: a call (answer it with a `{ reply: [from, value] }` action), a
 * cast, any other message, a time-out (a generic one carries its name), or a state
 * enter call ("enter", its content the previous state; only with `stateEnter: true`).
 */
export type EventType = { call: From } | "cast" | "info" | "stateTimeout" | "timeout" | { genericTimeout: unknown } | "enter";

/** A time-out's length: virtual ms; Infinity, "infinity" or "cancel" cancel it (gen_statem's infinity / cancel). */
export type TimeoutMs = number | "infinity" | "cancel";

/**
 * An action: answer a call, postpone the event, (re)start or cancel the state time-out,
 * the event time-out, or the generic time-out `name` (gen_statem's `{{timeout, Name},
 * Time, Content}`: `{ genericTimeout: [name, ms], content }`).
 */
export type Action =
  | { reply: [From, unknown] }
  | "postpone"
  | { stateTimeout: TimeoutMs; content?: unknown }
  | { timeout: TimeoutMs; content?: unknown }
  | { genericTimeout: [unknown, TimeoutMs]; content?: unknown };

/** What init may return: `{ state, data, actions? }`, `{ ignore: true }` or `{ stop: reason }`. */
export type StatemInitResult<S, D> = { state: S; data?: D; actions?: Action[] } | { ignore: true } | { stop: unknown };

/** What handleEvent may return: a transition (missing keys keep the state / data) or `{ stop: reason, data?, actions? }` (replies are sent, then terminate runs with the data, then the exit). */
export type EventResult<S, D> = { state?: S; data?: D; actions?: Action[] } | { stop: unknown; data?: D; actions?: Action[] };

/** A GenStatem behaviour (gen_statem's handle_event_function mode): a plain object or a class instance. */
export interface StatemBehaviour<S = any, D = any, A = any> {
  init(arg: A): Ret<StatemInitResult<S, D>>;
  handleEvent(type: EventType, content: any, state: S, data: D): Ret<EventResult<S, D>>;
  /** gen_statem's state_enter callback mode: handleEvent("enter", oldState, state, data) after init and every state change. */
  stateEnter?: boolean;
  /** gen_statem's optional terminate/3: runs before the machine exits (not after a failed init); what it returns is ignored. */
  terminate?(reason: unknown, state: S, data: D): unknown;
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
/** The message of a running generic time-out. */
class GenericTimeoutMsg {
  constructor(
    readonly tag: Ref,
    readonly name: unknown,
    readonly content: unknown,
  ) {}
  toString(): string {
    return `$generic_timeout(${show(this.name)}, ${show(this.content)})`;
  }
}
trustShow(StateTimeoutMsg, GenericTimeoutMsg);

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
  /** Running generic time-outs, by name (Erlang term equality), in start order. */
  generic: { name: unknown; tag: Ref; timer: Ref }[];
  /** terminate has been called: an error it throws is the exit reason, it does not run again. */
  terminating: boolean;
}

// ---- validation -------------------------------------------------------------------

function checkBehaviour(b: unknown, what: string): asserts b is StatemBehaviour {
  if (b === null || (typeof b !== "object" && typeof b !== "function")) {
    throw new TypeError(`${what} expects a behaviour (an object or class instance with init and handleEvent), got ${show(b)}`);
  }
  const o = b as Record<string, unknown>;
  if (typeof o.init !== "function") throw new TypeError(`${what}: the behaviour has no init(arg) callback (it must return { state, data, actions? })`);
  if (typeof o.handleEvent !== "function") throw new TypeError(`${what}: the behaviour has no handleEvent(type, content, state, data) callback`);
  if (o.terminate !== undefined && typeof o.terminate !== "function") throw new TypeError(`${what}: the behaviour's terminate must be a function, got ${show(o.terminate)}`);
}

const ACTIONS = '{ reply: [from, value] }, "postpone", { stateTimeout: ms, content }, { timeout: ms, content } or { genericTimeout: [name, ms], content }';

interface Parsed {
  replies: [From, unknown][];
  postpone: boolean;
  stateTimeout?: { ms: number; content: unknown };
  timeout?: { ms: number; content: unknown };
  /** In action order; a later one for the same name wins when applied. */
  generic: { name: unknown; ms: number; content: unknown }[];
}

/** A time-out length: "infinity" and "cancel" read as Infinity (gen_statem: setting a timer to infinity cancels it). */
/** `cb` and `which` name the action in the error (the text is built only then). */
function timeoutMs(t: unknown, cb: string, which: string): number {
  if (t === "infinity" || t === "cancel") return Infinity;
  return typeof t === "number" && t >= 0 ? t : checkTimeout(t, `${cb}: ${which}`);
}

function parseActions(cb: string, actions: unknown, inInit: boolean, inEnter = false): Parsed {
  const out: Parsed = { replies: [], postpone: false, generic: [] };
  if (actions === undefined) return out;
  if (!Array.isArray(actions)) throw new BadReturnError(cb, actions, `actions as an array of ${ACTIONS}`);
  for (const a of actions) {
    if (a === "postpone" && !inInit && !inEnter) out.postpone = true;
    else if (isObject(a) && "reply" in a && Array.isArray(a.reply) && a.reply.length === 2 && a.reply[0] instanceof From) out.replies.push(a.reply as [From, unknown]);
    else if (isObject(a) && "stateTimeout" in a) out.stateTimeout = { ms: timeoutMs(a.stateTimeout, cb, "stateTimeout"), content: a.content };
    else if (isObject(a) && "timeout" in a) out.timeout = { ms: timeoutMs(a.timeout, cb, "timeout"), content: a.content };
    else if (isObject(a) && "genericTimeout" in a && Array.isArray(a.genericTimeout) && a.genericTimeout.length === 2) {
      out.generic.push({ name: a.genericTimeout[0], ms: timeoutMs(a.genericTimeout[1], cb, "genericTimeout"), content: a.content });
    } else throw new BadReturnError(cb, a, `an action: ${inInit || inEnter ? ACTIONS.replace(', "postpone"', "") : ACTIONS}`);
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
  return startAs(what, opts, link, (name, starter, tag, parent) => statemMain(b, arg, name, starter, tag, parent), () => behaviourName(b, "GenStatem"));
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
  let parsed!: Parsed;
  const r = await initHandshake(starter, tag, name, () => b.init(arg), "{ state, data, actions? }, { ignore: true } or { stop: reason }", (r) => {
    parsed = parseActions("init", r.actions, true);
  });
  if (r === null) return;
  const ctx: Ctx = { b, state: r.state, data: r.data, parent, postponed: [], queue: [], t0q: [], stateTimer: null, eventTimeout: null, generic: [], terminating: false };
  try {
    await apply(ctx, parsed, null, true);
    // gen_statem: the initial state enter call has OldState equal to the state itself.
    if (b.stateEnter === true) await enter(ctx, ctx.state);
    await loop(ctx);
  } catch (e) {
    // gen_statem.erl terminate/7: a callback that threw (or returned something
    // malformed) still gets terminate(error, state, data); then the process crashes.
    if (!ctx.terminating) await terminate(ctx, e);
    throw e;
  }
}

/** Calls the behaviour's terminate, once (gen_statem.erl terminate/7 calls Module:terminate(Reason, State, Data) if exported). */
async function terminate(ctx: Ctx, reason: unknown): Promise<void> {
  ctx.terminating = true;
  if (ctx.b.terminate) await ctx.b.terminate(reason, ctx.state, ctx.data);
}

/** Stops the machine: terminate, then exit with `reason` (an error thrown by terminate crashes it instead). */
async function stopWith(ctx: Ctx, reason: unknown): Promise<never> {
  await terminate(ctx, reason);
  return exitSelf(reason);
}

async function loop(ctx: Ctx): Promise<void> {
  for (;;) {
    const ev = await nextEvent(ctx);
    if (ev === null) continue;
    const r = await ctx.b.handleEvent(ev.type, ev.content, ctx.state, ctx.data);
    if (!isObject(r)) throw new BadReturnError("handleEvent", r, "{ state?, data?, actions? } or { stop: reason }");
    const parsed = parseActions("handleEvent", r.actions, false);
    if ("stop" in r) {
      // stop_and_reply: the replies go first, then terminate with the new data.
      for (const [from, value] of parsed.replies) await replyTo(from, value);
      if ("data" in r) ctx.data = r.data;
      await stopWith(ctx, r.stop);
    }
    const changed = "state" in r && !termEquals(r.state, ctx.state);
    const old = ctx.state;
    if ("state" in r) ctx.state = r.state;
    if ("data" in r) ctx.data = r.data;
    await apply(ctx, parsed, ev, changed);
    if (changed && ctx.b.stateEnter === true) await enter(ctx, old);
  }
}

/**
 * A state enter call (gen_statem loop_state_enter): handleEvent("enter", oldState,
 * state, data). It may keep the state (returning it term-equal, or not at all), change
 * the data and return actions other than postpone, or stop.
 */
async function enter(ctx: Ctx, old: unknown): Promise<void> {
  const r = await ctx.b.handleEvent("enter", old, ctx.state, ctx.data);
  if (!isObject(r)) throw new BadReturnError("handleEvent(\"enter\")", r, "{ data?, actions? } or { stop: reason }");
  const parsed = parseActions("handleEvent(\"enter\")", r.actions, false, true);
  if ("stop" in r) {
    for (const [from, value] of parsed.replies) await replyTo(from, value);
    if ("data" in r) ctx.data = r.data;
    await stopWith(ctx, r.stop);
  }
  if ("state" in r && !termEquals(r.state, ctx.state)) {
    throw new BadReturnError("handleEvent(\"enter\")", r, "the same state: a state enter call may not change the state (gen_statem's bad_state_enter_return)");
  }
  if ("data" in r) ctx.data = r.data;
  await apply(ctx, parsed, null, false);
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
  for (const g of a.generic) await setGeneric(ctx, g.name, g.ms, g.content);
  // An event time-out is not started when an event is already waiting (it would cancel it).
  if (a.timeout !== undefined && a.timeout.ms !== Infinity && ctx.queue.length === 0) {
    const { ms, content } = a.timeout;
    if (ms === 0) ctx.t0q.push({ type: "timeout", content });
    else ctx.eventTimeout = { at: now() + ms, content };
  }
}

/** Starts, restarts (same name) or cancels (Infinity) the generic time-out `name`. */
async function setGeneric(ctx: Ctx, name: unknown, ms: number, content: unknown): Promise<void> {
  const isName = (e: Event) => typeof e.type === "object" && e.type !== null && "genericTimeout" in e.type && termEquals(e.type.genericTimeout, name);
  ctx.t0q = ctx.t0q.filter((e) => !isName(e));
  const i = ctx.generic.findIndex((g) => termEquals(g.name, name));
  if (i >= 0) {
    const [old] = ctx.generic.splice(i, 1);
    await cancelTimer(old.timer); // a message already delivered is dropped as stale
  }
  if (ms === Infinity) return;
  if (ms === 0) ctx.t0q.push({ type: { genericTimeout: name }, content });
  else {
    const tag = makeRef();
    ctx.generic.push({ name, tag, timer: await sendAfter(self(), new GenericTimeoutMsg(tag, name, content), ms) });
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
  if (msg instanceof GenericTimeoutMsg) {
    const i = ctx.generic.findIndex((g) => g.tag === msg.tag);
    if (i < 0) return null; // stale: keeps the event time-out running
    ctx.generic.splice(i, 1);
    ctx.eventTimeout = null;
    return { type: { genericTimeout: msg.name }, content: msg.content };
  }
  if (msg instanceof StopRequest) return stopWith(ctx, msg.reason);
  // gen_statem: an exit signal from the parent (seen because we trap exits) stops us with its reason.
  if (ctx.parent !== null && exitFrom(ctx.parent)(msg)) return stopWith(ctx, (msg as { reason: unknown }).reason);
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
