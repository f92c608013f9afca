// GenServer: Elixir's GenServer (lib/elixir/lib/gen_server.ex) and OTP's gen_server,
// built only on runtime sync points, so every message it exchanges is explored.
//
// Protocol (all messages are class instances, so user messages can never be
// mistaken for them):
//   start:  the starter spawns the server, monitoring it (internally); the server
//           registers its name, runs init and answers StartAck; on failure the
//           starter waits for the server's DOWN before rejecting (OTP 26 proc_lib).
//   call:   monitor (internal) -> CallRequest(from) -> receive CallReply | DOWN |
//           timeout; `from` is an alias that the call deactivates when it ends, so a
//           late reply is dropped instead of reaching the caller's mailbox (OTP 24
//           aliases; gen.erl's do_call).
//   cast:   CastRequest, never fails.   stop: StopRequest + wait for DOWN (proc_lib:stop).
import { ArgumentError } from "../runtime/errors.js";
import { receive, send } from "../runtime/messages.js";
import { register, unregister as unregisterLocal, whereis as whereisName } from "../runtime/names.js";
import { Via } from "../runtime/destinations.js";
import { Pid } from "../values/pid.js";
import { demonitor, exit, makeRef, self, spawnMonitorInternal, unlink } from "../runtime/processes.js";
import { behaviourName, laneLabel } from "../runtime/lane-names.js";
import { Ref } from "../values/ref.js";
import { TIMEOUT } from "../runtime/timeout.js";
import { show, trustShow } from "../values/show.js";
import { Alias, sendToAlias, exitSelf, monitorInternal, downOf, exitFrom } from "../runtime/library.js";
import { BadReturnError, CallExit, StartError } from "./errors.js";
import { node } from "../runtime/cluster.js";
import { viaRegister, viaUnregister } from "./registry.js";

// ---- types ------------------------------------------------------------------------

/** A server: its pid, a locally registered name, or a `via(registry, key)` name. */
export type ServerRef = Pid | string | symbol | Via;

/**
 * What a callback may add to a result that keeps the server running: `timeout` (virtual
 * ms; if no message arrives first, handleInfo("timeout") runs, as gen_server's
 * `{noreply, State, Timeout}`), or `hibernate` (accepted, no effect).
 */
export type Extras = { timeout?: number; hibernate?: boolean };
/** What init may return: `{ state }`, `{ state, continue }`, `{ ignore: true }` or `{ stop: reason }`. */
export type InitResult<S> = ({ state: S; continue?: unknown } & Extras) | { ignore: true } | { stop: unknown };
/** What handleCall may return; `stop` wins over `reply`, and `{ state }` alone replies later via `GenServer.reply`. */
export type CallResult<S> =
  | ({ reply: unknown; state: S; continue?: unknown } & Extras)
  | ({ state: S; continue?: unknown } & Extras)
  | { stop: unknown; state?: S; reply?: unknown };
/** What handleCast, handleInfo and handleContinue may return. */
export type NoreplyResult<S> = ({ state: S; continue?: unknown } & Extras) | { stop: unknown; state?: S };

type Ret<T> = T | Promise<T>;

/**
 * A GenServer behaviour: a plain object or a class instance. Only `init` is
 * required; the others default as in Elixir's `use GenServer` (an unknown call or
 * cast crashes the server, an unexpected message is ignored, terminate does nothing).
 */
export interface Behaviour<S = any, A = any> {
  init(arg: A): Ret<InitResult<S>>;
  handleCall?(request: any, from: From, state: S): Ret<CallResult<S>>;
  handleCast?(msg: any, state: S): Ret<NoreplyResult<S>>;
  handleInfo?(msg: any, state: S): Ret<NoreplyResult<S>>;
  handleContinue?(arg: any, state: S): Ret<NoreplyResult<S>>;
  terminate?(reason: unknown, state: S): unknown;
}

export interface StartOptions {
  /** Registers the server: a local name (string or symbol) or `via(registry, key)`. */
  name?: string | symbol | Via;
  /**
   * Virtual ms init may take (default Infinity). When it has not returned by then the
   * server is killed and start rejects with StartError reason "timeout" (gen_server's
   * start timeout, proc_lib:sync_start/2).
   */
  timeout?: number;
}

// ---- result helpers ---------------------------------------------------------------

/** `{ reply: value, state }` (with `continue` when given). */
export function reply<S>(value: unknown, state: S, opts?: { continue?: unknown }): CallResult<S> {
  return opts && "continue" in opts ? { reply: value, state, continue: opts.continue } : { reply: value, state };
}

/** `{ state }` (with `continue` when given): no reply now (handleCall) or just a new state. */
export function noreply<S>(state: S, opts?: { continue?: unknown }): { state: S; continue?: unknown } {
  return opts && "continue" in opts ? { state, continue: opts.continue } : { state };
}

/** `{ stop: reason, state }`, or `{ stop: reason, state, reply }` when a reply is given. */
export function stop<S>(reason: unknown, state?: S, ...replyValue: [unknown?]): { stop: unknown; state?: S; reply?: unknown } {
  return replyValue.length > 0 ? { stop: reason, state, reply: replyValue[0] } : { stop: reason, state };
}

/** The `from` of a call: pass it to `GenServer.reply` to answer later, from any process. */
export class From extends Alias {
  override toString(): string {
    return `from(${this.pid}, ${this.tag})`;
  }
}


// ---- messages ---------------------------------------------------------------------

export class CallRequest {
  constructor(
    readonly from: From,
    readonly request: unknown,
  ) {}
  toString(): string {
    return `$gen_call(${show(this.request)})`;
  }
}

export class CastRequest {
  constructor(readonly request: unknown) {}
  toString(): string {
    return `$gen_cast(${show(this.request)})`;
  }
}

export class StopRequest {
  constructor(readonly reason: unknown) {}
  toString(): string {
    return `$gen_stop(${show(this.reason)})`;
  }
}

export class CallReply {
  constructor(
    readonly tag: Ref,
    readonly value: unknown,
  ) {}
  toString(): string {
    return `reply(${show(this.value)})`;
  }
}

export class StartAck {
  constructor(
    readonly tag: Ref,
    readonly ok: boolean,
    readonly reason: unknown,
    readonly pid?: unknown,
    /** The reason is an error to rethrow as is (a bad name), not a start failure. */
    readonly raise = false,
  ) {}
  toString(): string {
    return this.ok ? "$start_ack(ok)" : `$start_ack(error: ${show(this.reason)})`;
  }
}

// Formatting these calls their toString (lockstep's own code) in reports.
trustShow(From, CallRequest, CastRequest, StopRequest, CallReply, StartAck);

// ---- validation -------------------------------------------------------------------

const CALLBACKS = ["handleCall", "handleCast", "handleInfo", "handleContinue", "terminate"] as const;

function checkBehaviour(b: unknown, what: string): asserts b is Behaviour {
  if (b === null || (typeof b !== "object" && typeof b !== "function")) {
    throw new TypeError(`${what} expects a behaviour (an object or class instance with init, handleCall, ...), got ${show(b)}`);
  }
  const o = b as Record<string, unknown>;
  if (typeof o.init !== "function") {
    throw new TypeError(`${what}: the behaviour has no init(arg) callback (it must return { state }, { state, continue }, { ignore: true } or { stop: reason })`);
  }
  for (const k of CALLBACKS) {
    if (o[k] !== undefined && typeof o[k] !== "function") throw new TypeError(`${what}: the behaviour's ${k} must be a function, got ${show(o[k])}`);
  }
}

function checkName(name: unknown, what: string): void {
  if (name !== undefined && typeof name !== "string" && typeof name !== "symbol" && !(name instanceof Via)) {
    throw new TypeError(`${what}: name must be a string, a symbol or via(registry, key), got ${show(name)}`);
  }
}

export function checkStartOptions(opts: unknown, what: string): StartOptions {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== "object") throw new TypeError(`${what}: options must be an object like { name }, got ${show(opts)}`);
  for (const k of Object.keys(opts)) if (k !== "name" && k !== "timeout") throw new TypeError(`${what}: unknown option ${show(k)} (known: name, timeout)`);
  checkName((opts as StartOptions).name, what);
  if ((opts as StartOptions).timeout !== undefined) checkTimeout((opts as StartOptions).timeout, what);
  return opts as StartOptions;
}

/** A timeout in virtual ms: a non-negative number or Infinity. */
export function checkTimeout(t: unknown, what: string): number {
  if (typeof t !== "number" || Number.isNaN(t) || t < 0) {
    throw new TypeError(`${what}: timeout must be a non-negative number of virtual ms or Infinity, got ${show(t)}`);
  }
  return t;
}

export function checkServer(server: unknown, what: string): asserts server is ServerRef {
  if (!(server instanceof Pid) && typeof server !== "string" && typeof server !== "symbol" && !(server instanceof Via)) {
    throw new TypeError(`${what} expects a pid, a name or via(registry, key), got ${show(server)}`);
  }
}

// ---- client API -------------------------------------------------------------------

/** The pid behind `server` (undefined if no live process holds the name). Elixir's GenServer.whereis. */
export function whereis(server: ServerRef): Promise<Pid | undefined> {
  try {
    checkServer(server, "GenServer.whereis");
    if (server instanceof Pid) return Promise.resolve(server);
    return whereisName(server);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Calls the server and waits for its reply, at most `timeout` virtual ms (Infinity
 * allowed). Rejects with CallExit: "noproc" (no such server), "calling_self",
 * "timeout", `{ nodedown: node }` (a server on another node that cannot be reached:
 * a dropping partition or a stopped node, as gen_server's exit({nodedown, Node})), or
 * the reason the server died with during the call.
 */
export function call<Reply = unknown>(server: ServerRef, request: unknown, timeout: number = 5000): Promise<Reply> {
  return callAs<Reply>("GenServer.call", server, request, timeout);
}

/** The call protocol, naming `what` (e.g. "GenStatem.call") in errors and CallExit. */
export async function callAs<T = any>(what: string, server: ServerRef, request: unknown, timeout: number): Promise<T> {
  checkServer(server, what);
  const t = checkTimeout(timeout, what);
  // Formatted only when the call exits.
  const op = () => `${what}(${show(server)}, ${show(request)})`;
  const me = self();
  const pid = await whereis(server);
  if (pid === undefined) throw new CallExit("noproc", op());
  if (pid === me) throw new CallExit("calling_self", op());
  const mref = await monitorInternal(pid);
  const from = new From(me, mref);
  await send(pid, new CallRequest(from, request));
  const isReply = (m: unknown) => m instanceof CallReply && m.tag === mref;
  const isDown = downOf(mref);
  const m = await receive((x) => isReply(x) || isDown(x), { timeout: t });
  from.active = false;
  if (m instanceof CallReply) {
    await demonitor(mref, { flush: true });
    return m.value as T;
  }
  if (m === TIMEOUT) {
    await demonitor(mref, { flush: true });
    // gen.erl: a reply that arrived while the timeout fired still wins.
    const late = await receive(isReply, { timeout: 0 });
    if (late !== TIMEOUT) return (late as CallReply).value as T;
    throw new CallExit("timeout", op());
  }
  const reason = (m as { reason: unknown }).reason;
  // gen.erl's do_call: a server on another node that cannot be reached exits {nodedown, Node}.
  if (reason === "noconnection" && node(pid) !== node(me)) throw new CallExit({ nodedown: node(pid) }, op());
  throw new CallExit(reason, op());
}

/** Sends an asynchronous request; never fails, even when no process holds the name (as in Elixir). */
export function cast(server: ServerRef, request: unknown): Promise<void> {
  return castAs("GenServer.cast", server, request);
}

/** The cast protocol, naming `what` in errors. */
export async function castAs(what: string, server: ServerRef, request: unknown): Promise<void> {
  checkServer(server, what);
  try {
    await send(server, new CastRequest(request));
  } catch (e) {
    if (!(e instanceof ArgumentError)) throw e;
  }
}

/** Answers a call whose handleCall returned `{ state }`; may be called from any process. Dropped if the call already ended. */
export function replyTo(from: From, value: unknown): Promise<void> {
  if (!(from instanceof From)) return Promise.reject(new TypeError(`GenServer.reply expects the \`from\` given to handleCall, got ${show(from)}`));
  return sendToAlias(from, new CallReply(from.tag, value));
}

/**
 * Stops the server with `reason` (running its terminate) and waits until it has
 * exited, at most `timeout` virtual ms. Rejects with CallExit "noproc",
 * "calling_self", "timeout", or the other reason it exited with (proc_lib:stop).
 */
export function stopServer(server: ServerRef, reason: unknown = "normal", timeout: number = Infinity): Promise<void> {
  return stopAs("GenServer.stop", server, reason, timeout);
}

/** The stop protocol (proc_lib:stop), naming `what` in errors and CallExit. */
export async function stopAs(what: string, server: ServerRef, reason: unknown, timeout: number): Promise<void> {
  checkServer(server, what);
  const t = checkTimeout(timeout, what);
  const op = () => `${what}(${show(server)}, ${show(reason)})`;
  const pid = await whereis(server);
  if (pid === undefined) throw new CallExit("noproc", op());
  if (pid === self()) throw new CallExit("calling_self", op());
  const mref = await monitorInternal(pid);
  await send(pid, new StopRequest(reason));
  const m = await receive(downOf(mref), { timeout: t });
  if (m === TIMEOUT) {
    await demonitor(mref, { flush: true });
    throw new CallExit("timeout", op());
  }
  const why = (m as { reason: unknown }).reason;
  if (why !== reason) throw new CallExit(why, op());
}

/** The parameters of a behaviour's init. */
type InitParams<B> = B extends { init(...args: infer P): unknown } ? P : [arg?: unknown];

/**
 * `start(behaviour, arg, opts)`'s arguments after the behaviour: `arg` is checked
 * against init's parameter, and required when init requires a typed one (`init()`
 * takes none, an untyped or optional parameter may be left out).
 */
export type StartArgs<B> =
  InitParams<B> extends []
    ? [arg?: undefined, opts?: StartOptions]
    : InitParams<B> extends [infer A]
      ? 0 extends 1 & A
        ? [arg?: A, opts?: StartOptions]
        : [arg: A, opts?: StartOptions]
      : InitParams<B> extends [(infer A)?]
        ? [arg?: A, opts?: StartOptions]
        : [arg?: unknown, opts?: StartOptions];

/** Starts a server (not linked); resolves to its pid once init returned, or rejects with StartError. */
export function start<B extends Behaviour>(behaviour: B, ...args: StartArgs<B>): Promise<Pid> {
  return startServer(behaviour, args[0], args[1], false, "GenServer.start");
}

/** Starts a server linked to the caller (what a Supervisor child's start uses). */
export function startLink<B extends Behaviour>(behaviour: B, ...args: StartArgs<B>): Promise<Pid> {
  return startServer(behaviour, args[0], args[1], true, "GenServer.startLink");
}

function startServer(b: Behaviour, arg: unknown, rawOpts: unknown, link: boolean, what: string): Promise<Pid> {
  try {
    checkBehaviour(b, what);
  } catch (e) {
    return Promise.reject(e);
  }
  return startAs(what, rawOpts, link, (name, starter, tag, parent) => serverMain(b, arg, name, starter, tag, parent), () => behaviourName(b, "GenServer"));
}

/**
 * The start protocol (proc_lib): spawns `main` (linked when `link`), which must
 * answer StartAck(tag); resolves to the pid or rejects with StartError.
 */
export async function startAs(
  what: string,
  rawOpts: unknown,
  link: boolean,
  main: (name: StartOptions["name"], starter: Pid, tag: Ref, parent: Pid | null) => Promise<void>,
  lane: () => string,
): Promise<Pid> {
  const opts = checkStartOptions(rawOpts, what);
  const starter = self();
  const tag = makeRef();
  const body = laneLabel(() => main(opts.name, starter, tag, link ? starter : null), lane);
  const { pid, ref: mref } = await spawnMonitorInternal(body, link, what);
  const isAck = (x: unknown) => x instanceof StartAck && x.tag === tag;
  const m = await receive((x) => isAck(x) || downOf(mref)(x), { timeout: opts.timeout ?? Infinity });
  if (m === TIMEOUT) {
    // proc_lib:sync_start/2 kill_flush: unlink, kill, drop the link's EXIT. Here the start
    // also waits for the DOWN (as a failed start does) and drops an ack that raced the kill.
    if (link) await unlink(pid);
    await exit(pid, "kill");
    await receive(downOf(mref));
    if (link) await receive(exitFrom(pid), { timeout: 0 });
    await receive(isAck, { timeout: 0 });
    throw new StartError("timeout");
  }
  if (m instanceof StartAck && m.ok) {
    await demonitor(mref, { flush: true });
    return pid;
  }
  // OTP 26 proc_lib: a failed start returns once the process is gone; a trapping
  // starter also loses the EXIT message of the link.
  const reason = m instanceof StartAck ? m.reason : (m as { reason: unknown }).reason;
  if (m instanceof StartAck) await receive(downOf(mref));
  if (link) await receive(exitFrom(pid), { timeout: 0 });
  if (m instanceof StartAck && m.raise) throw reason;
  throw new StartError(reason, m instanceof StartAck ? m.pid : undefined);
}

// ---- the server process -----------------------------------------------------------

interface Ctx {
  b: Behaviour;
  state: unknown;
  /** The process that started us with startLink: its EXIT (when trapping) stops the server. */
  parent: Pid | null;
  name: unknown;
  /** gen_server's timeout from the last callback result: the next receive waits at most this long, then handleInfo("timeout"). */
  timeout: number | undefined;
}

/** Registers the starting server's name; false (after answering the starter) when it could not. */
export async function registerForStart(name: StartOptions["name"], starter: Pid, tag: Ref): Promise<boolean> {
  if (name === undefined) return true;
  let taken: Awaited<ReturnType<typeof registerName>>;
  try {
    taken = await registerName(name);
  } catch (e) {
    // A bad name (an unknown or duplicate registry) is the starter's programming error.
    await send(starter, new StartAck(tag, false, e, undefined, true));
    return false;
  }
  if (taken.ok === false) {
    await send(starter, new StartAck(tag, false, "already_started", taken.pid));
    return false;
  }
  return true;
}

async function serverMain(b: Behaviour, arg: unknown, name: StartOptions["name"], starter: Pid, tag: Ref, parent: Pid | null): Promise<void> {
  if (!(await registerForStart(name, starter, tag))) return;
  const r = await initHandshake(starter, tag, name, () => b.init(arg), "{ state }, { state, continue }, { ignore: true } or { stop: reason }");
  if (r === null) return;
  const ctx: Ctx = { b, state: r.state, parent, name: name ?? self(), timeout: undefined };
  ctx.timeout = await timeoutOf(ctx, "init", r);
  await loop(ctx, "continue" in r ? { arg: r.continue } : null);
}

/**
 * gen.erl's init handshake, shared by GenServer and GenStatem: runs `init` (and
 * `check` on a result to run with, which may throw), answers the starter, and returns
 * that `{ state, ... }` result; null when the process ends here (init asked to stop or
 * to be ignored). An init that throws or returns something else is answered, then
 * rethrown: the process crashes with it. A failed init frees the process's `name`
 * before the starter hears of it (gen_server.erl init_it/6: gen:unregister_name(Name0)
 * comes before proc_lib:init_fail, "otherwise, the parent process could get an
 * 'already started' error if it immediately tried starting the process again"), so a
 * via name is gone from its registry when start rejects, whether or not the registry's
 * cleanup has run.
 */
export async function initHandshake(starter: Pid, tag: Ref, name: StartOptions["name"], init: () => unknown, expected: string, check?: (r: Record<string, unknown>) => void): Promise<Record<string, unknown> | null> {
  const fail = async (reason: unknown): Promise<void> => {
    await unregisterForStart(name);
    await send(starter, new StartAck(tag, false, reason));
  };
  let r: unknown;
  try {
    r = await init();
    if (isObject(r) && "state" in r && !("stop" in r) && !("ignore" in r)) check?.(r);
  } catch (e) {
    await fail(e);
    throw e;
  }
  if (isObject(r) && "stop" in r) {
    await fail(r.stop);
    await exitSelf(r.stop);
    return null;
  }
  if (isObject(r) && "ignore" in r) {
    await fail("ignore");
    return null;
  }
  if (isObject(r) && "state" in r) {
    await send(starter, new StartAck(tag, true, undefined));
    return r;
  }
  const err = new BadReturnError("init", r, expected);
  await fail(err);
  throw err;
}

/** gen.erl unregister_name/1: frees the name registerForStart took (a local name or a via name). */
async function unregisterForStart(name: StartOptions["name"]): Promise<void> {
  if (name === undefined) return;
  if (name instanceof Via) await viaUnregister(name);
  else {
    try {
      await unregisterLocal(name);
    } catch (e) {
      // gen.erl: `try unregister(Name) catch _:_ -> ok end` (someone else freed it).
      if (!(e instanceof ArgumentError)) throw e;
    }
  }
}

async function registerName(name: string | symbol | Via): Promise<{ ok: true } | { ok: false; pid: Pid | undefined }> {
  if (name instanceof Via) return viaRegister(name);
  try {
    await register(name);
    return { ok: true };
  } catch (e) {
    if (!(e instanceof ArgumentError)) throw e;
    // gen.erl register_name/1: {false, where(Name)}.
    return { ok: false, pid: await whereisName(name) };
  }
}

export const isObject = (r: unknown): r is Record<string, unknown> => r !== null && typeof r === "object";

async function loop(ctx: Ctx, pending: { arg: unknown } | null): Promise<void> {
  const b = ctx.b;
  for (;;) {
    if (pending !== null) {
      const arg = pending.arg;
      pending = null;
      const r = await guard(ctx, () => (b.handleContinue ? b.handleContinue(arg, ctx.state) : missing(ctx, "continue", "handleContinue")));
      pending = await afterNoreply(ctx, "handleContinue", r);
      continue;
    }
    const wait = ctx.timeout;
    ctx.timeout = undefined;
    const received = await receive(undefined, wait === undefined ? undefined : { timeout: wait });
    // gen_server: nothing arrived within the callback's timeout -> handle_info(:timeout, state).
    const msg = received === TIMEOUT ? "timeout" : received;
    if (msg instanceof CallRequest) {
      const r = await guard(ctx, () => (b.handleCall ? b.handleCall(msg.request, msg.from, ctx.state) : missing(ctx, "call", "handleCall")));
      if (isObject(r) && "stop" in r) {
        const state = "state" in r ? r.state : ctx.state;
        if ("reply" in r) await stopWith(ctx, r.stop, state, () => replyTo(msg.from, r.reply));
        else await stopWith(ctx, r.stop, state);
      }
      if (!isObject(r) || !("state" in r)) await badReturn(ctx, "handleCall", r, "{ reply, state }, { state }, either with continue, or { stop, state, reply? }");
      const res = r as Record<string, unknown>;
      ctx.state = res.state;
      ctx.timeout = await timeoutOf(ctx, "handleCall", res);
      if ("reply" in res) await replyTo(msg.from, res.reply);
      pending = "continue" in res ? { arg: res.continue } : null;
    } else if (msg instanceof CastRequest) {
      const r = await guard(ctx, () => (b.handleCast ? b.handleCast(msg.request, ctx.state) : missing(ctx, "cast", "handleCast")));
      pending = await afterNoreply(ctx, "handleCast", r);
    } else if (msg instanceof StopRequest) {
      await stopWith(ctx, msg.reason, ctx.state);
    } else if (ctx.parent !== null && exitFrom(ctx.parent)(msg)) {
      // gen_server: an exit signal from the parent (seen because we trap exits) stops us with its reason.
      await stopWith(ctx, (msg as { reason: unknown }).reason, ctx.state);
    } else if (b.handleInfo) {
      const r = await guard(ctx, () => b.handleInfo!(msg, ctx.state));
      pending = await afterNoreply(ctx, "handleInfo", r);
    }
    // No handleInfo: Elixir's default logs the message and keeps going.
  }
}

/** Applies a handleCast/handleInfo/handleContinue result; returns the pending continue. */
async function afterNoreply(ctx: Ctx, cb: string, r: unknown): Promise<{ arg: unknown } | null> {
  if (isObject(r) && "stop" in r) await stopWith(ctx, r.stop, "state" in r ? r.state : ctx.state);
  if (!isObject(r) || !("state" in r)) await badReturn(ctx, cb, r, "{ state }, { state, continue } or { stop, state }");
  const res = r as Record<string, unknown>;
  ctx.state = res.state;
  ctx.timeout = await timeoutOf(ctx, cb, res);
  return "continue" in res ? { arg: res.continue } : null;
}

/**
 * A callback result's `timeout` (gen_server's `{noreply, State, Timeout}`): virtual ms
 * the next receive may wait before handleInfo("timeout"); any message cancels it.
 * It cannot be combined with `continue` (OTP's result has one or the other);
 * `hibernate: true` is accepted and means nothing here.
 */
async function timeoutOf(ctx: Ctx, cb: string, res: Record<string, unknown>): Promise<number | undefined> {
  if (!("timeout" in res) || res.timeout === undefined) return undefined;
  const t = res.timeout;
  if (typeof t !== "number" || Number.isNaN(t) || t < 0 || "continue" in res) {
    await badReturn(ctx, cb, res, "a timeout that is a non-negative number of virtual ms (or Infinity), and not together with continue");
  }
  return t === Infinity ? undefined : (t as number);
}

/** Runs a callback; if it throws, runs terminate (as gen_server does) and crashes with the error. */
async function guard(ctx: Ctx, f: () => unknown): Promise<unknown> {
  try {
    return await f();
  } catch (e) {
    await terminate(ctx, e, ctx.state);
    throw e;
  }
}

async function terminate(ctx: Ctx, reason: unknown, state: unknown): Promise<void> {
  if (ctx.b.terminate) await ctx.b.terminate(reason, state);
}

/** `{ stop }`: terminate, then the reply if any (gen_server: `try terminate after reply`), then exit. */
async function stopWith(ctx: Ctx, reason: unknown, state: unknown, sendReply?: () => Promise<void>): Promise<never> {
  ctx.state = state;
  try {
    await terminate(ctx, reason, state);
  } finally {
    if (sendReply) await sendReply();
  }
  return exitSelf(reason);
}

async function badReturn(ctx: Ctx, cb: string, r: unknown, expected: string): Promise<never> {
  const err = new BadReturnError(cb, r, expected);
  await terminate(ctx, err, ctx.state);
  throw err;
}

/** Elixir's `use GenServer` defaults: an unhandled call or cast raises in the server. */
function missing(ctx: Ctx, kind: string, cb: string): never {
  throw new Error(`attempted to ${kind} GenServer ${show(ctx.name)} but no ${cb} callback was provided`);
}

/**
 * GenServer, as in Elixir. `call` and `stop` reject with CallExit; `start` and
 * `startLink` reject with StartError.
 *
 * @example
 * const counter = { init: (n) => ({ state: n }),
 *   handleCall: (req, from, n) => ({ reply: n, state: n }),
 *   handleCast: (by, n) => ({ state: n + by }) };
 * const pid = await GenServer.start(counter, 0, { name: "counter" });
 * await GenServer.cast("counter", 2);
 * await GenServer.call("counter", "get"); // 2
 */
export const GenServer = {
  start,
  startLink,
  call,
  cast,
  reply: replyTo,
  stop: stopServer,
  whereis,
} as const;
