// Short, deterministic renderings of JS values for reports and traces (never used to
// compare values). Pids and refs print in Erlang style; long output is elided.
//
// Formatting must never run user code: show() runs while a failing iteration is
// re-run with readable events on, and a user getter, toString, toJSON or Proxy trap
// that throws or has effects would change that run (a thrown error would surface in
// the user's `send`, and the report would show another schedule than the search found). So
// values are rendered structurally: own enumerable data properties are read with
// Object.getOwnPropertyDescriptor (accessors print as `[Getter]` and are never
// called), class instances as `Name { ... }` with the name read from data properties
// only, and toString is called only for lockstep's own classes (registered with
// trustShow). A Proxy's traps can still run (no portable way to detect a Proxy), but
// whatever they throw is caught and described; never rethrown into the run.
import { Pid } from "./pid.js";
import { Ref } from "./ref.js";

const MAX = 80;
/** Elements or keys rendered per array or object (the output is elided at MAX anyway). */
const MAX_ITEMS = 20;

const getOwn = Object.getOwnPropertyDescriptor;
const getProto = Object.getPrototypeOf;

/** toString methods of lockstep's own classes: the only ones show() calls. */
const trusted = new WeakSet<object>();

/** Marks lockstep classes whose toString is safe to call when showing a value. */
export function trustShow(...classes: { prototype: object }[]): void {
  for (const c of classes) {
    const ts = (getOwn(c.prototype, "toString") ?? {}).value;
    if (typeof ts === "function") trusted.add(ts);
  }
}

trustShow(Pid, Ref);

/** Renders a value in at most about 80 characters, without running user code. */
export function show(v: unknown): string {
  let s: string;
  try {
    s = render(v, 3, new Set());
  } catch {
    s = "[unreadable value]";
  }
  return s.length > MAX ? s.slice(0, MAX - 1) + "…" : s;
}

/**
 * The value of data property `key` of `o` or its prototypes, without calling a
 * getter (an accessor gives undefined). Traps of a Proxy may throw: callers catch.
 */
function dataProp(o: object, key: PropertyKey): unknown {
  let cur: object | null = o;
  for (let depth = 0; cur !== null && depth < 32; depth++) {
    const d = getOwn(cur, key);
    if (d !== undefined) return "value" in d ? d.value : undefined;
    cur = getProto(cur) as object | null;
  }
  return undefined;
}

function stringProp(o: object, key: PropertyKey): string | undefined {
  const v = dataProp(o, key);
  return typeof v === "string" ? v : undefined;
}

function ctorName(o: object): string {
  const c = dataProp(o, "constructor");
  const n = typeof c === "function" ? stringProp(c, "name") : undefined;
  return n || "Object";
}

function keyText(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
}

function render(v: unknown, depth: number, seen: Set<unknown>): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "bigint":
      return `${v}n`;
    case "undefined":
      return "undefined";
    case "boolean":
      return String(v);
    case "symbol":
      return v.description !== undefined ? `Symbol(${v.description})` : "Symbol()";
    case "function": {
      // A class's static `name` may be a getter: read the data property only.
      let name: string | undefined;
      try {
        name = stringProp(v, "name");
      } catch {
        return "[Function]";
      }
      return name ? `[Function ${name}]` : "[Function]";
    }
  }
  if (v === null) return "null";
  const o = v as object;
  if (seen.has(o)) return "[Circular]";
  try {
    return renderObject(o, depth, seen);
  } catch {
    // A Proxy whose traps throw, a revoked Proxy, an exotic host object.
    return "[object that cannot be read (a Proxy?)]";
  } finally {
    seen.delete(o);
  }
}

function renderObject(o: object, depth: number, seen: Set<unknown>): string {
  if (Array.isArray(o)) {
    if (depth === 0) return "[…]";
    seen.add(o);
    const len = dataProp(o, "length") as number;
    const parts: string[] = [];
    for (let i = 0; i < len && i < MAX_ITEMS; i++) parts.push(renderSlot(o, String(i), depth, seen, false));
    if (len > MAX_ITEMS) parts.push("…");
    return `[${parts.join(", ")}]`;
  }
  if (o instanceof Error) return errorLine(o);
  const proto = getProto(o) as object | null;
  let prefix = "";
  if (proto !== Object.prototype && proto !== null) {
    const ts = dataProp(o, "toString");
    if (typeof ts === "function" && trusted.has(ts)) return String(ts.call(o));
    if (o instanceof Date) {
      const t = Date.prototype.getTime.call(o);
      return t === t ? `Date(${Date.prototype.toISOString.call(o)})` : "Date(Invalid)";
    }
    prefix = ctorName(o);
    if (o instanceof Map || o instanceof Set || o instanceof WeakMap || o instanceof WeakSet || o instanceof Promise) return `[${prefix}]`;
  }
  if (depth === 0) return prefix ? `[${prefix}]` : "{…}";
  seen.add(o);
  const keys = Object.keys(o);
  const parts: string[] = [];
  for (let i = 0; i < keys.length && i < MAX_ITEMS; i++) parts.push(renderSlot(o, keys[i], depth, seen, true));
  if (keys.length > MAX_ITEMS) parts.push("…");
  const inner = parts.length ? `{ ${parts.join(", ")} }` : "{}";
  return prefix ? `${prefix} ${inner}` : inner;
}

/** One own property: its data value rendered, or `[Getter]` for an accessor (never called). */
function renderSlot(o: object, k: string, depth: number, seen: Set<unknown>, named: boolean): string {
  const d = getOwn(o, k);
  let text: string;
  if (d === undefined) text = "undefined";
  else if ("value" in d) text = render(d.value, depth - 1, seen);
  else text = d.get && d.set ? "[Getter/Setter]" : d.get ? "[Getter]" : "[Setter]";
  return named ? `${keyText(k)}: ${text}` : text;
}

/** `Name: message` of an error, read from data properties only. */
function errorLine(e: object): string {
  const name = stringProp(e, "name") ?? ctorName(e);
  const message = dataProp(e, "message");
  return `${name}: ${typeof message === "string" ? message : render(message, 1, new Set())}`;
}

/** The message of an error-like value, for one-line reports; never runs user code. */
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    try {
      return errorLine(e);
    } catch {
      return "[an error that cannot be read (a Proxy?)]";
    }
  }
  return show(e);
}
