// The memo key of a model state when the model gives no `key`: two states get the
// same key only when no pure `step` can tell them apart, so memoization never merges
// states that behave differently. (JSON.stringify does merge them: NaN and null,
// `[undefined]` and `[null]`, every Map and Set as `{}`; and it throws on bigints.)
// Plain objects keep their key order and Maps and Sets their insertion order (a step
// may iterate them); anything else that is not a primitive, an array or a plain
// object (a class instance, a function, a symbol) is known by identity.
import { isPlainObject } from "../values/term.js";

/** A key function for one search: identities are numbered per search. */
export function stateKeyer(): (state: unknown) => string {
  const ids = new Map<unknown, number>();
  const idOf = (x: unknown): string => {
    let n = ids.get(x);
    if (n === undefined) ids.set(x, (n = ids.size));
    return `#${n}`;
  };
  const open = new Set<object>();
  const walk = (x: unknown): string => {
    switch (typeof x) {
      case "string":
        return JSON.stringify(x);
      case "number":
        return Object.is(x, -0) ? "-0" : String(x);
      case "bigint":
        return `${x}n`;
      case "boolean":
        return x ? "true" : "false";
      case "undefined":
        return "undefined";
      case "symbol":
      case "function":
        return idOf(x);
    }
    if (x === null) return "null";
    const o = x as object;
    const structural = Array.isArray(o) || isPlainObject(o) || o instanceof Map || o instanceof Set;
    if (!structural) return idOf(o);
    if (open.has(o)) throw new TypeError("the model state is cyclic: give the model a key(state) function");
    open.add(o);
    let out: string;
    if (Array.isArray(o)) out = `[${Array.from(o, walk).join(",")}]`;
    else if (o instanceof Map) out = `Map{${Array.from(o, ([k, v]) => `${walk(k)}=>${walk(v)}`).join(",")}}`;
    else if (o instanceof Set) out = `Set{${Array.from(o, walk).join(",")}}`;
    else out = `{${Object.keys(o).map((k) => `${JSON.stringify(k)}:${walk((o as Record<string, unknown>)[k])}`).join(",")}}`;
    open.delete(o);
    return out;
  };
  return walk;
}
