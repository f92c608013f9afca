import { it } from "vitest";
import { explore, spawn, send, receive, self, yieldNow } from "lockstep";
it("seeds", async () => {
  const early = async () => {
    const me = self();
    let late = false;
    await spawn(async () => { if (late) await receive(); else await send(me, "early"); });
    late = true;
    await receive();
    for (let i = 0; i < 6; i++) await yieldNow();
    throw new Error("x");
  };
  const early2 = async () => {
    const me = self();
    let late = false;
    await spawn(async () => { if (late) await send(me, "late"); else await send(me, "early"); });
    late = true;
    if ((await receive()) === "late") throw new TypeError("late");
    for (let i = 0; i < 6; i++) await yieldNow();
    throw new RangeError("early");
  };
  for (let seed = 1; seed < 12; seed++) {
    const a = await explore(early, { strategy: "random", seed, iterations: 50, traceDir: false });
    const b = await explore(early2, { strategy: "random", seed, iterations: 50, traceDir: false });
    console.log(seed, !a.ok && a.bug.kind, !a.ok && a.bug.step, !b.ok && (b.bug.error as Error).name, !b.ok && b.bug.step);
  }
});
