// Constants both sides of the engine boundary must agree on: AssemblyScript cannot
// import TypeScript, so each is written once per side and checked here. A mismatch
// would silently run the wrong strategy, mislabel an operation or misread a pick.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { OP } from "../src/engine/ops.js";
import { PICK, STRATEGY_CODE, STRATEGY_FEEDBACK, FLAG_SYSTEM } from "../src/engine/engine.js";
import { DUPLICATE_BY_KEY_CODE, KIND_CODE } from "../src/otp/registry-state.js";

/** The value of `const NAME: i32 = value` in an assembly/ file. */
function asConst(file: string, name: string): number {
  const src = readFileSync(new URL(`../assembly/${file}`, import.meta.url), "utf8");
  const m = new RegExp(`const ${name}: i32 = (-?\\d+);`).exec(src);
  if (m === null) throw new Error(`assembly/${file} has no i32 constant ${name}`);
  return Number(m[1]);
}

describe("engine constants", () => {
  it("strategy codes", () => {
    expect({
      random: asConst("strategy.ts", "RANDOM"),
      replay: asConst("strategy.ts", "REPLAY"),
      pct: asConst("strategy.ts", "PCT"),
      pos: asConst("strategy.ts", "POS"),
      rff: asConst("strategy.ts", "RFF"),
      dpor: asConst("strategy.ts", "DPOR"),
    }).toEqual(STRATEGY_CODE);
    expect(asConst("strategy.ts", "FEEDBACK")).toBe(STRATEGY_FEEDBACK);
  });

  it("pick results, process flags and the op the engine records itself", () => {
    expect(asConst("strategies/common.ts", "TIMER")).toBe(PICK.TIMER);
    expect(asConst("strategies/common.ts", "DIVERGED")).toBe(PICK.DIVERGED);
    expect(asConst("index.ts", "NOTHING")).toBe(PICK.NOTHING);
    expect(asConst("strategies/dpor.ts", "PRUNED")).toBe(PICK.PRUNED);
    expect(asConst("procs.ts", "FLAG_SYSTEM")).toBe(FLAG_SYSTEM);
    expect(asConst("index.ts", "OP_TIMER_FIRE")).toBe(OP.TIMER_FIRE);
  });

  it("dpor's op codes (its dependency relation reads them)", () => {
    const src = readFileSync(new URL("../assembly/strategies/dpor.ts", import.meta.url), "utf8");
    const named = [...src.matchAll(/^const OP_(\w+): i32 = (\d+);/gm)];
    expect(named.length).toBeGreaterThan(10);
    for (const [, name, value] of named) {
      if (name === "CLUSTER_FIRST") expect(Number(value)).toBe(OP.START_NODES);
      else if (name === "CLUSTER_LAST") expect(Number(value)).toBe(OP.FAULT);
      else expect([name, Number(value)]).toEqual([name, OP[name as keyof typeof OP]]);
    }
    // The cluster's ops are one contiguous range, as dpor assumes.
    const cluster = [OP.START_NODES, OP.PARTITION, OP.HEAL, OP.STOP_NODE, OP.MONITOR_NODE, OP.DELIVER, OP.GLOBAL_WRITE, OP.GLOBAL_READ, OP.GLOBAL_SYNC, OP.FAULT];
    expect(cluster).toEqual(cluster.map((_, i) => OP.START_NODES + i));
  });

  it("registry kinds", () => {
    expect({ unique: asConst("registry.ts", "UNIQUE"), duplicate: asConst("registry.ts", "DUPLICATE") }).toEqual(KIND_CODE);
    expect(asConst("registry.ts", "DUPLICATE_BY_KEY")).toBe(DUPLICATE_BY_KEY_CODE);
  });
});
