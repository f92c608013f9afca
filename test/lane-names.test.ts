// Lane names (src/runtime/lane-names.ts): what the program called a process.
import { describe, it, expect } from "vitest";
import { spawnedName, behaviourName, laneLabel } from "../src/runtime/lane-names";

declare function increment(a: unknown, b: unknown): Promise<void>;
declare function worker(i: number): Promise<void>;
declare function send(to: unknown, m: unknown): Promise<void>;

describe("lane names", () => {
  it("a spawned function's name, or the one function an arrow wrapper calls; never a lockstep call", () => {
    const s = 1;
    const me = 2;
    expect(spawnedName(async function store() {}, false)).toBe("store");
    expect(spawnedName(() => increment(s, me), false)).toBe("increment");
    expect(spawnedName(async () => { await worker(3); }, false)).toBe("worker");
    expect(spawnedName(async () => { await send(me, 1); }, false)).toBe("");
    expect(spawnedName(async () => { await worker(1); await worker(2); }, false)).toBe("");
    // a library's own wrapper names nothing, unless the library labelled it
    expect(spawnedName(async function body() {}, true)).toBe("");
    expect(spawnedName(laneLabel(async function body() {}, () => "Task"), true)).toBe("Task");
  });

  it("a behaviour's class name, its library label, else the kind", () => {
    class Counter {
      init() {
        return { state: 0 };
      }
    }
    expect(behaviourName(new Counter(), "GenServer")).toBe("Counter");
    expect(behaviourName(Counter, "GenServer")).toBe("Counter");
    expect(behaviourName({ init: () => ({ state: 0 }) }, "GenServer")).toBe("GenServer");
    expect(behaviourName(laneLabel({ init: () => ({ state: 0 }) }, () => "Agent"), "GenServer")).toBe("Agent");
  });
});
