// Probes written from DESIGN.md's public contract, as a new user would: each case
// compares a verdict with an answer known independently (a naive enumeration, a
// hand-derived count, a classic checker example), or checks that bad input gets a
// clear error. The first describe drives iterations itself (like
// strategies.dpor.diff.test.ts), so it imports the primitives from src/.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { spawn, send, receive, self, sleep, sendAfter, cancelTimer, exit, isAlive, monitor, register, whereis, SharedCell, TIMEOUT, type Pid } from "../src/index.js";
import { runIteration, withEngine } from "../src/explore/run.js";
import { configFor } from "../src/explore/config.js";
import { STRATEGY_CODE, type Engine } from "../src/engine/engine.js";

type TOp =
  | { k: "send"; v: number }
  | { k: "recvT"; ms: number } // receive anything, with a timeout
  | { k: "sleep"; ms: number }
  | { k: "sendAfter"; ms: number; cancel: boolean } // to self, then maybe cancel it at once
  | { k: "kill" } // exit(peer, "kill")
  | { k: "alive" } // isAlive(peer)
  | { k: "monitor" } // monitor(peer), then wait for its DOWN with a timeout
  | { k: "register" }
  | { k: "whereis" };
type TProgram = TOp[][];

const tOpArb: fc.Arbitrary<TOp> = fc.oneof(
  fc.record({ k: fc.constant("send" as const), v: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ k: fc.constant("recvT" as const), ms: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ k: fc.constant("sleep" as const), ms: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ k: fc.constant("sendAfter" as const), ms: fc.integer({ min: 1, max: 3 }), cancel: fc.boolean() }),
  fc.constant({ k: "kill" as const }),
  fc.constant({ k: "alive" as const }),
  fc.constant({ k: "monitor" as const }),
  fc.constant({ k: "register" as const }),
  fc.constant({ k: "whereis" as const }),
);
const tProgramArb: fc.Arbitrary<TProgram> = fc.array(fc.array(tOpArb, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 2 });

function timedBody(prog: TProgram, out: { value: string }) {
  return async () => {
    const obs: unknown[][] = prog.map(() => []);
    const peers = new SharedCell<Pid[]>([]);
    const proc = (i: number) => async () => {
      const peer = async () => (await peers.get())[1 - i] ?? self();
      for (const op of prog[i]) {
        switch (op.k) {
          case "send":
            await send(await peer(), op.v);
            break;
          case "recvT": {
            const r = await receive(undefined, { timeout: op.ms });
            obs[i].push(r === TIMEOUT ? "T" : typeof r === "object" ? (r as { type: string }).type : r);
            break;
          }
          case "sleep":
            await sleep(op.ms);
            break;
          case "sendAfter": {
            const ref = await sendAfter(self(), "tick", op.ms);
            if (op.cancel) obs[i].push(await cancelTimer(ref));
            break;
          }
          case "kill":
            await exit(await peer(), "kill");
            break;
          case "alive":
            obs[i].push(await isAlive(await peer()));
            break;
          case "monitor": {
            await monitor(await peer());
            const r = await receive((m) => typeof m === "object" && m !== null && (m as { type?: string }).type === "DOWN", { timeout: 2 });
            obs[i].push(r === TIMEOUT ? "T" : (r as { reason: unknown }).reason);
            break;
          }
          case "register":
            obs[i].push(await register("n").then(() => "reg", (e: Error) => e.constructor.name));
            break;
          case "whereis":
            obs[i].push((await whereis("n")) === undefined ? "none" : "some");
            break;
        }
      }
      obs[i].push("end");
    };
    const pids: Pid[] = [];
    for (let i = 0; i < prog.length; i++) pids.push(await spawn(proc(i)));
    await peers.set(pids);
    await sleep(4);
    out.value = JSON.stringify(obs);
  };
}

async function searchTimed(e: Engine, prog: TProgram, naive: boolean, timers: "race" | "quiescent", cap = Infinity) {
  const out = { value: "" };
  const body = timedBody(prog, out);
  const outcomes = new Set<string>();
  let runs = 0;
  for (let i = 1; ; i++) {
    if (i > cap) return null;
    out.value = "";
    const it = await runIteration(e, body, configFor({ seed: 1, maxSteps: 1000, timers, allowCrashes: false }, i, { strategy: { code: STRATEGY_CODE.dpor, label: "dpor", params: [i, -1, naive ? 1 : 0] } }, false, true));
    if (!it.pruned) {
      runs++;
      outcomes.add(it.failure ? `failure:${it.failure.kind}` : out.value);
    }
    const ended = it.pruned ? 0 : it.failure?.kind === "deadlock" ? 0 : 1;
    if (e.x.dporNext(ended) === 0) break;
  }
  return { outcomes, runs };
}

describe("dpor with timers, monitors, kills and names against a naive enumeration", () => {
  for (const timers of ["race", "quiescent"] as const) {
    it(`same reachable outcomes under timers: "${timers}" (generated programs)`, async () => {
      await withEngine("probe", async (e) => {
        let compared = 0;
        await fc.assert(
          fc.asyncProperty(tProgramArb, async (prog) => {
            const naive = await searchTimed(e, prog, true, timers, timers === "race" ? 6000 : 1500);
            if (naive === null) return;
            compared++;
            const dpor = (await searchTimed(e, prog, false, timers))!;
            expect([...dpor.outcomes].sort()).toEqual([...naive.outcomes].sort());
            expect(dpor.runs).toBeLessThanOrEqual(naive.runs);
          }),
          { seed: 7, numRuns: timers === "race" ? 150 : 300 },
        );
        // Under "race" every pending timer is a choice at every step: most naive spaces are too large.
        expect(compared).toBeGreaterThan(timers === "race" ? 50 : 150);
      });
    }, 240_000);
  }
});
