// Share links: the program, the controls and the seed in the URL fragment (never sent
// to a server), as base64url-encoded UTF-8 JSON, so a link reopens the same exploration;
// a schedule that exploring does not find again (a shrunk or loaded one) travels as its trace.
import type { TraceFile } from "lockstep";
import type { RunOptions } from "./protocol.js";
import type { Lang } from "./source.js";

export interface Shared {
  v: 1;
  code: string;
  lang: Lang;
  options: RunOptions;
  /** The example the program came from, if any (shown in the list). */
  example?: string;
  scenario?: string;
  /** A schedule to replay instead of exploring (after Shrink, or of a loaded trace). */
  trace?: TraceFile;
}

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

/** The fragment (without `#`) for a shared state. */
export function encodeShare(s: Shared): string {
  return "s=" + toBase64Url(new TextEncoder().encode(JSON.stringify(s)));
}

/** The shared state in a fragment, or undefined when it holds none; throws on a damaged one. */
export function decodeShare(hash: string): Shared | undefined {
  const m = /^#?s=([A-Za-z0-9_-]*)$/.exec(hash);
  if (!m) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(fromBase64Url(m[1])));
  } catch {
    throw new Error("the link's program could not be decoded (the link is incomplete or damaged)");
  }
  const o = v as Partial<Shared>;
  if (!o || o.v !== 1 || typeof o.code !== "string" || (o.lang !== "js" && o.lang !== "ts") || typeof o.options !== "object" || o.options === null) {
    throw new Error("the link does not hold a playground program");
  }
  const t = o.trace as Partial<TraceFile> | undefined;
  if (t !== undefined && (typeof t !== "object" || t === null || t.format !== "lockstep-trace" || !Array.isArray(t.decisions) || !Array.isArray(t.events))) {
    throw new Error("the link's schedule is damaged (it is not a lockstep trace)");
  }
  return o as Shared;
}
