// Destinations: a pid, a local name, or a `via(registry, key)` name, resolved to a
// process of the iteration; and the resources strategies see for local names.
import type { Iteration } from "./iteration.js";
import { Pid } from "../values/pid.js";
import type { Proc } from "./proc.js";
import { RES, resource } from "../engine/ops.js";
import { show, trustShow } from "../values/show.js";

/** A `via(registry, key)` name: resolved through the registry wherever a destination is accepted. */
export class Via {
  constructor(
    readonly registry: unknown,
    readonly key: unknown,
    /** The value registered with the name (Elixir's `{:via, Registry, {reg, key, value}}`). */
    readonly value?: unknown,
  ) {}
  toString(): string {
    return this.value === undefined ? `via(${show(this.registry)}, ${show(this.key)})` : `via(${show(this.registry)}, ${show(this.key)}, ${show(this.value)})`;
  }
}

trustShow(Via);

/** Resolves a `via(registry, key)` name; implemented by src/otp/registry. */
export interface ViaRegistry {
  viaWhereis(key: unknown): Proc | undefined;
}

/** Resolves a destination (Pid, local name, via name) to a live or dead process, or undefined. */
export function resolveDest(it: Iteration, dest: unknown): Proc | undefined {
  if (dest instanceof Pid) return it.proc(dest);
  // Resolving a name reads it, found or not: dpor's dependency relation must see that
  // read, or a send that failed on a free name is never reordered after the register.
  if (typeof dest === "string" || typeof dest === "symbol") {
    it.x.touch(nameRes(it, dest), 0);
    return it.names.get(dest);
  }
  if (dest instanceof Via) {
    it.x.touch(resource(RES.REGISTRY, 0), 0); // every registry is one resource to dpor
    const reg = it.registries.get(dest.registry);
    return reg ? reg.viaWhereis(dest.key) : undefined;
  }
  return undefined;
}

/** A per-iteration resource id for a local name, so strategies see races on it. */
export function nameRes(it: Iteration, name: unknown): number {
  let id = it.nameIds.get(name);
  if (id === undefined) it.nameIds.set(name, (id = it.nameIds.size + 1));
  return resource(RES.NAME, id);
}
