import { describe, it, expect } from "vitest";
import { explore, spawn, send, receive, self } from "lockstep";

describe("smoke", () => {
  it("ping-pong runs", async () => {
    const r = await explore(async () => {
      const me = self();
      const p = await spawn(async () => {
        const m = await receive();
        await send(m.from, "pong");
      });
      await send(p, { from: me });
      expect(await receive()).toBe("pong");
    }, { iterations: 50, seed: 1, traceDir: false });
    expect(r.ok).toBe(true);
  });
  it("finds a lost update", async () => {
    const r = await explore(async () => {
      let x = 0;
      const me = self();
      const inc = async () => { const v = x; await send(me, "r"); x = v + 1; await send(me, "done"); };
      await spawn(inc); await spawn(inc);
      await receive((m) => m === "done"); await receive((m) => m === "done");
      expect(x).toBe(2);
    }, { iterations: 200, seed: 1, traceDir: false });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.bug.kind).toBe("exception");
    if (!r.ok) expect(r.bug.format()).toMatch(/expected 1 to be 2/);
  });
});
