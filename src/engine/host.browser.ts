// What lockstep needs from its host, the browser's version (see host.ts): no files,
// no promise hooks, and the engine fetched from beside the bundle. The URL is a
// literal `new URL("./engine.wasm", import.meta.url)` so that bundlers (Vite,
// esbuild's file loader, webpack 5) copy exactly that one file. The debug engine is
// for the test suite in Node; a browser page that wants it passes its bytes to
// setEngineBytes().

export const IS_NODE = false;

/** The host's monotonic clock in real ms (see host.ts), captured before virtual timers patch performance. */
export const hostClock: () => number = performance.now.bind(performance);

export async function engineBytes(_debug: boolean): Promise<ArrayBuffer> {
  const url = new URL("./engine.wasm", import.meta.url);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`lockstep: cannot fetch ${url.href} (HTTP ${res.status}); serve engine.wasm beside the bundle or call setEngineBytes()`);
  return res.arrayBuffer();
}

function noFiles(what: string): never {
  throw new Error(`lockstep: ${what} needs Node (browsers have no files); pass the trace object instead`);
}

export async function readText(_file: string): Promise<string> {
  return noFiles("reading a file");
}

export async function writeText(_dir: string | null, _name: string, _text: string): Promise<string> {
  return noFiles("writing a file");
}

export async function promiseHooks<H>(): Promise<H | null> {
  return null;
}
