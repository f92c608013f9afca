// Local process names (Erlang's register/unregister/whereis) and via names.
import { OP } from "../engine/ops.js";
import { sync } from "./sync.js";
import { ArgumentError } from "./errors.js";
import { Pid } from "../values/pid.js";
import { show } from "../values/show.js";
import { Via, resolveDest, nameRes } from "./destinations.js";

export { Via };

function checkName(name: unknown, what: string): asserts name is string | symbol {
  if (typeof name !== "string" && typeof name !== "symbol") {
    throw new TypeError(`${what} expects a name (a string or a symbol), got ${show(name)}`);
  }
}


/**
 * Registers `pid` (default: the caller) under `name`. Rejects with an ArgumentError
 * (Erlang's badarg) if the name is taken, the process is dead, or it already has a name.
 */
export function register(name: string | symbol, pid?: Pid): Promise<true> {
  return sync(OP.REGISTER, (p, it) => {
    checkName(name, "register");
    if (pid !== undefined && !(pid instanceof Pid)) throw new TypeError(`register expects a pid, got ${show(pid)}`);
    const q = pid === undefined ? p.home : it.proc(pid);
    const holder = it.names.get(name);
    if (holder !== undefined) throw new ArgumentError(`register: the name ${show(name)} is already registered to ${holder.pid}`);
    if (q === undefined || !q.alive) throw new ArgumentError(`register: ${show(pid)} is not alive`);
    if (q.names && q.names.length > 0) throw new ArgumentError(`register: ${q.pid} already has the name ${show(q.names[0])}`);
    it.names.set(name, q);
    (q.names ??= []).push(name);
    if (it.detail) {
      it.note(p, OP.REGISTER, () => [`${show(name)}, ${q.pid}`, "ok"]);
      it.nameLane(q, typeof name === "string" ? name : show(name));
    }
    return it.handoff(p, OP.REGISTER, nameRes(it, name), q.id, true as const);
  });
}

/** Removes a local name; rejects with an ArgumentError if nothing holds it. */
export function unregister(name: string | symbol): Promise<true> {
  return sync(OP.UNREGISTER, (p, it) => {
    checkName(name, "unregister");
    const q = it.names.get(name);
    if (q === undefined) throw new ArgumentError(`unregister: no process is registered as ${show(name)}`);
    it.names.delete(name);
    q.names = q.names!.filter((n) => n !== name);
    if (it.detail) it.note(p, OP.UNREGISTER, () => [`${show(name)}`, "ok"]);
    return it.handoff(p, OP.UNREGISTER, nameRes(it, name), q.id, true as const);
  });
}

/** The pid registered under `name` (or a via name), or undefined; never a dead pid. */
export function whereis(name: string | symbol | Via): Promise<Pid | undefined> {
  return sync(OP.WHEREIS, (p, it) => {
    if (!(name instanceof Via)) checkName(name, "whereis");
    const q = resolveDest(it, name);
    const pid = q !== undefined && q.alive ? q.pid : undefined;
    if (it.detail) it.note(p, OP.WHEREIS, () => [`${show(name)}`, String(pid)]);
    return it.handoff(p, OP.WHEREIS, name instanceof Via ? 0 : nameRes(it, name), 0, pid);
  });
}

/** A name resolved through a Registry: usable wherever a destination or a process name is accepted. */
export function via(registry: unknown, key: unknown, value?: unknown): Via {
  if (registry === undefined || registry === null) throw new TypeError("via expects a registry (its handle or name) and a key");
  return new Via(registry, key, value);
}
