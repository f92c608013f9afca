// Loads the engine: the same wasm bytes in Node and in browsers. The release build
// (engine.wasm) ships beside the bundle in dist/; LOCKSTEP_ENGINE=debug selects the
// bounds-checked debug build, which is what the test suite runs against.
import { Engine } from "./engine.js";

let moduleBytes: ArrayBuffer | Uint8Array | null = null;
let compiled: Promise<WebAssembly.Module> | null = null;

/** Supplies the engine's wasm bytes directly (a Web Worker or a bundler that inlines them). */
export function setEngineBytes(bytes: ArrayBuffer | Uint8Array): void {
  moduleBytes = bytes;
  compiled = null;
}

function wantsDebug(): boolean {
  const g = globalThis as { LOCKSTEP_ENGINE?: string; process?: { env?: Record<string, string | undefined> } };
  return (g.LOCKSTEP_ENGINE ?? g.process?.env?.LOCKSTEP_ENGINE) === "debug";
}

function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } } };
  return typeof g.process?.versions?.node === "string";
}

async function readBytes(): Promise<ArrayBuffer | Uint8Array> {
  if (moduleBytes) return moduleBytes;
  const file = wantsDebug() ? "engine.debug.wasm" : "engine.wasm";
  // dist/index.js has the wasm beside it; src/engine/load.ts (tests) finds it in build/.
  const candidates = [new URL(`./${file}`, import.meta.url), new URL(`../../build/${file}`, import.meta.url)];
  if (isNode()) {
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
  for (const url of candidates) {
    const res = await fetch(url);
    if (res.ok) return await res.arrayBuffer();
  }
  throw new Error(`lockstep: cannot fetch ${file} beside the bundle`);
}

function abort(msg: number, file: number, line: number, col: number): never {
  throw new Error(`lockstep engine: assertion failed at line ${line}:${col} (message ${msg}, file ${file})`);
}

/** A fresh engine instance (one per thread; its tables are its own). */
export async function createEngine(): Promise<Engine> {
  compiled ??= readBytes().then((b) => WebAssembly.compile(b as BufferSource));
  const mod = await compiled;
  const instance = await WebAssembly.instantiate(mod, { env: { abort } });
  return new Engine(instance, wantsDebug());
}
