// The line of the user's program that performed an operation, for the source links of
// reports and the playground. Captured only while an iteration records its readable
// log (detail mode: the re-run that builds a report, a replay), never during the
// search: a stack costs microseconds, a search step nanoseconds.
//
// The user's frame is the first one outside lockstep's own files (the folder of this
// module: src/ when run from source, dist/ for the bundles) and outside the runtime
// (node:internal). V8 (Node, Chromium) hands structured call sites to
// Error.prepareStackTrace, so only that one frame is formatted; other engines give the
// stack as text, read line by line. Positions go through the source maps in use: a
// hook installed before ours (vitest's) formats the frame, else Node's own maps
// (`--enable-source-maps`, tsx) through module.findSourceMap.

/** lockstep's own folder, as stack frames spell it (no file:// prefix). */
const ROOT = (() => {
  const here = String(import.meta.url).replace(/^file:\/\//, "").replace(/[?#].*$/, "");
  return here.replace(/\/runtime\/call-site\.[jt]s$/, "/").replace(/\/[^/]*$/, "/");
})();

const plain = (file: string) => file.replace(/^file:\/\//, "");
const isUser = (file: string | null | undefined): file is string => !!file && !plain(file).startsWith(ROOT) && !file.startsWith("node:") && !file.startsWith("internal/");

interface Site {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

type Hook = (e: Error, sites: Site[]) => unknown;
type SourceMapLike = { findEntry(line: number, col: number): { originalSource?: string; originalLine?: number; originalColumn?: number } };

/** Node's module.findSourceMap, where there is one (not in browsers). */
const findSourceMap = (() => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.("node:module") as { findSourceMap?: (path: string) => SourceMapLike | undefined } | undefined;
  return mod?.findSourceMap;
})();

/** The hook that was installed when callSite() was called (it formats the one frame). */
let previous: Hook | undefined;

function firstUserSite(e: Error, sites: Site[]): string {
  for (const s of sites) {
    const file = s.getFileName();
    if (!isUser(file)) continue;
    if (previous !== undefined) return userFrame(String(previous(e, [s])));
    const line = s.getLineNumber() ?? 0;
    const col = s.getColumnNumber() ?? 0;
    const map = findSourceMap?.(plain(file));
    const o = map?.findEntry(line - 1, col - 1);
    if (o && o.originalSource !== undefined && o.originalLine !== undefined) return `${o.originalSource}:${o.originalLine + 1}:${(o.originalColumn ?? 0) + 1}`;
    return `${file}:${line}:${col}`;
  }
  return "";
}

/** `url:line:col` at the end of a frame of a text stack (V8's "at f (url:1:2)", SpiderMonkey's "f@url:1:2"). */
const FRAME = /(?:\(|@|at )([^()@\s]+?):(\d+):(\d+)\)?\s*$/;

/** The first frame of a text stack (an error's) in the user's program: `file:line:col`, or "". */
export function userFrame(stack: string): string {
  for (const line of stack.split("\n")) {
    const m = FRAME.exec(line);
    if (m && isUser(m[1])) return `${m[1]}:${m[2]}:${m[3]}`;
  }
  return "";
}

type ErrorCtor = ErrorConstructor & { prepareStackTrace?: Hook; stackTraceLimit?: number };

/** The current stack's `stack` as `hook` formats it (V8), at most `limit` frames deep; the hook and limit in place are restored. */
function stackWith(hook: Hook, limit: number): unknown {
  const E = Error as ErrorCtor;
  const prepare = E.prepareStackTrace;
  const before = E.stackTraceLimit;
  previous = prepare;
  E.prepareStackTrace = hook;
  E.stackTraceLimit = limit;
  try {
    return new Error().stack;
  } finally {
    E.prepareStackTrace = prepare;
    E.stackTraceLimit = before;
  }
}

/** Where the user's code called into lockstep: `file:line:col`, or "" when no frame of the stack is the user's. */
export function callSite(): string {
  const stack = stackWith(firstUserSite, 24); // a GenServer.call goes a dozen frames deep into the library
  // Without V8's hook the stack is the usual text.
  return typeof stack === "string" && stack.includes("\n") ? userFrame(stack) : typeof stack === "string" ? stack : "";
}

// ---- creation sites (rff's event abstraction) ------------------------------------------
// rff names the processes of a program with many of them by where they were spawned
// (assembly/strategies/rff.ts): processes spawned from one source location run the same
// code, so "the n-th access of a funcA process" is one event however many run funcA.
// A spawn's site is its first SITE_FRAMES frames outside lockstep: a helper such as
// pthread_create's port (`create(fn)` calling spawn) has one spawn line for every
// process, and only its caller's line tells funcA from funcB. Ids are interned per
// Node process; the engine only compares them, so runs do not depend on the order in
// which sites were first seen. Costs ~10 µs a spawn (a stack), paid only when the
// engine asks for sites (Iteration.wantsSites).

/** Frames outside lockstep that name a spawn's site. */
const SITE_FRAMES = 3;
/** Frames captured: lockstep's own (spawn's path to spawnProcess is seven deep) and the user's. */
const SITE_STACK = SITE_FRAMES + 8;
/** Site key (`file:line:col;` per frame) -> id (1, 2, ...). */
const siteIds = new Map<string, number>();

function siteKey(_e: Error, sites: Site[]): string {
  let key = "";
  let k = 0;
  for (const s of sites) {
    const file = s.getFileName();
    if (!isUser(file)) continue;
    key += `${file}:${s.getLineNumber()}:${s.getColumnNumber()};`;
    if (++k === SITE_FRAMES) break;
  }
  return key;
}

/**
 * The creation site of a process being spawned now: the same small integer (1, 2, ...)
 * for every spawn from the same source location (and callers), or 0 when no frame in
 * reach is the user's (a spawn run by a concurrent call's task).
 */
export function spawnSite(): number {
  // Without V8's hook (other engines) the text stack is the key.
  const key = String(stackWith(siteKey, SITE_STACK));
  if (key === "") return 0;
  let id = siteIds.get(key);
  if (id === undefined) siteIds.set(key, (id = siteIds.size + 1));
  return id;
}
