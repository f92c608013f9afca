// What lockstep needs from its host, Node's version. The browser build (rollup's
// browser bundle, and so every bundler that follows package.json's "browser"
// condition) swaps this module for host.browser.ts, so dist/browser.js has no
// `node:` import at all: esbuild --platform=browser and Vite bundle it as is.
// Every use of a Node API outside the CLI goes through here.

/** True in Node (the CLI, vitest, workers); false in browsers and Web Workers. */
export const IS_NODE: boolean = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";

/**
 * The host's monotonic clock in real ms, captured at load (before virtual timers patch
 * anything): process.hrtime, since reading globalThis.performance in Node loads
 * perf_hooks (several ms of a first call). Only differences are used: progress, time
 * limits, search slices; never a scheduling choice.
 */
export const hostClock: () => number = (() => {
  const hr = process.hrtime.bind(process);
  return () => {
    const [s, ns] = hr();
    return s * 1e3 + ns / 1e6;
  };
})();

/**
 * The release engine as base64, written into dist/ by the build (rollup.config.mjs,
 * inlineEngine): a first explore() then reads no file (loading fs/promises, opening
 * and reading engine.wasm cost several ms of it). Null in the sources, which the test
 * suite runs: they read build/.
 */
const INLINE_ENGINE: string | null = null;

/**
 * The engine's wasm bytes: inlined in dist/ (the release build), else read from beside
 * dist/index.js or, for the sources, from build/.
 */
export async function engineBytes(debug: boolean): Promise<Uint8Array | ArrayBuffer> {
  if (!debug && INLINE_ENGINE !== null) return Buffer.from(INLINE_ENGINE, "base64");
  const file = debug ? "engine.debug.wasm" : "engine.wasm";
  const candidates = [new URL(`./${file}`, import.meta.url), new URL(`../../build/${file}`, import.meta.url)];
  const fs = await import("node:fs/promises");
  for (const url of candidates) {
    try {
      return await fs.readFile(url);
    } catch {
      /* try the next place */
    }
  }
  throw new Error(`lockstep: cannot find ${file} (looked in ${candidates.map((u) => u.pathname).join(", ")}); run \`npm run build\``);
}

/** Reads a UTF-8 text file. */
export async function readText(file: string): Promise<string> {
  const fs = await import("node:fs/promises");
  return fs.readFile(file, "utf8");
}

/** Writes `text` to `name` inside `dir` (created if missing); returns the file's path. */
export async function writeText(dir: string | null, name: string, text: string): Promise<string> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  if (dir !== null) await fs.mkdir(dir, { recursive: true });
  const file = dir === null ? name : path.join(dir, name);
  await fs.writeFile(file, text);
  return file;
}

/** V8's promise hooks (unhandled-rejection attribution), or null where there are none. */
export async function promiseHooks<H>(): Promise<H | null> {
  try {
    return ((await import("node:v8")) as unknown as { promiseHooks?: H }).promiseHooks ?? null;
  } catch {
    return null;
  }
}
