// Loads the engine: the same wasm bytes in Node and in browsers. The release build
// (engine.wasm) ships beside the bundle in dist/; LOCKSTEP_ENGINE=debug selects the
// bounds-checked debug build, which is what the test suite runs against.
import { Engine } from "./engine.js";
import { engineBytes, IS_NODE } from "./host.js";

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

async function readBytes(): Promise<ArrayBuffer | Uint8Array> {
  return moduleBytes ?? engineBytes(wantsDebug());
}

function abort(msg: number, file: number, line: number, col: number): never {
  throw new Error(`lockstep engine: assertion failed at line ${line}:${col} (message ${msg}, file ${file})`);
}

/**
 * Node compiles and instantiates synchronously: the asynchronous forms wait for a
 * background thread, which on a busy machine cost a first explore() tens of ms for a
 * 30 KB module that V8 compiles lazily in well under one. Browsers refuse synchronous
 * compilation of a module this size on the main thread, so they keep the async forms.
 */
function compile(b: ArrayBuffer | Uint8Array): WebAssembly.Module | Promise<WebAssembly.Module> {
  return IS_NODE ? new WebAssembly.Module(b as BufferSource) : WebAssembly.compile(b as BufferSource);
}

/** A fresh engine instance (one per thread; its tables are its own). */
export async function createEngine(): Promise<Engine> {
  compiled ??= readBytes().then(compile);
  const mod = await compiled;
  const imports = { env: { abort } };
  const instance = IS_NODE ? new WebAssembly.Instance(mod, imports) : await WebAssembly.instantiate(mod, imports);
  return new Engine(instance, wantsDebug());
}
