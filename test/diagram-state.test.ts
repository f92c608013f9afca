// The state panel's model (src/cli/diagram-state.ts): the state at a chosen row,
// folded from the recorded operations, checked against what the run did.
import { describe, it, expect } from "vitest";
import { explore, spawn, send, receive, self, sendAfter, register, monitor, SharedCell, Mutex } from "lockstep";
import lostUpdate from "../examples/lost-update.mjs";
import * as genserverCache from "../examples/genserver-cache.mjs";
import { diagramData } from "../src/cli/diagram-view";
import { stateModel } from "../src/cli/diagram-state";

async function bugOf(body: () => unknown, opts: Record<string, unknown> = {}) {
  const r = await explore(body, { iterations: 1000, seed: 1, strategy: "random", traceDir: false, ...opts });
  if (r.ok) throw new Error("expected a bug");
  return r.bug;
}

describe("state at a row", () => {
  it("lost-update: the store's mailbox holds the message just sent to it; a client waits in receive on an empty mailbox", async () => {
    const bug = await bugOf(lostUpdate);
    const d = diagramData(bug.events, { failing: bug.events.length - 1, names: bug.laneNames });
    const model = stateModel(d);
    const store = d.lanes.indexOf("<0.2.0>");
    const first = bug.events.findIndex((e) => e.op === "send" && e.detail.startsWith("to <0.2.0>: "));
    const after = model.at(first);
    const sent = bug.events[first].detail.slice("to <0.2.0>: ".length);
    expect(after.procs[store].mailbox.map((m) => d.strings[m])).toContain(sent);
    expect(model.at(first - 1).procs[store].mailbox.map((m) => d.strings[m])).not.toContain(sent);
    // every waiting receive row leaves its process waiting in receive, with the mailbox it had
    for (let i = 0; i < bug.events.length; i++) {
      const e = bug.events[i];
      if (e.op !== "receive" || e.result !== "waits") continue;
      const s = model.at(i).procs[d.lanes.indexOf(e.pid)];
      expect(s.status).toMatch(/^waiting in receive: (its mailbox is empty|none of its \d+ messages? matches)$/);
    }
    // the root is still running at the failure; the store never exited
    expect(model.at(bug.events.length - 1).procs[store].status).not.toMatch(/exited/);
  });

  it("a GenServer.call waits for the reply of the server it called; registered names appear", async () => {
    const bug = await bugOf(genserverCache.default, { ...genserverCache.options });
    const d = diagramData(bug.events, { failing: bug.events.length - 1, names: bug.laneNames });
    const model = stateModel(d);
    const waits = bug.events.map((e, i) => [e, i] as const).filter(([e]) => e.op === "receive" && e.result === "waits");
    const calls = waits.map(([e, i]) => model.at(i).procs[d.lanes.indexOf(e.pid)].status).filter((s) => s.startsWith("waiting for the reply to a call to "));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[0]).toMatch(/call to cache <0\.\d+\.0>: \$gen_call\(/);
    const reg = bug.events.findIndex((e) => e.op === "register");
    expect([...model.at(reg).names]).toEqual([['"cache"', bug.events[reg].detail.split(", ")[1]]]);
  });

  it("timers with virtual time, monitors, shared cells and mutex holders; any row answers the same from a checkpoint or by stepping", async () => {
    const bug = await bugOf(async function timers() {
      const me = self();
      const cell = new SharedCell(0, { name: "count" });
      const m = new Mutex({ name: "lock" });
      const p = await spawn(async function worker() {
        await m.lock();
        await cell.set(41);
        await receive();
      });
      await monitor(p);
      await register("boss", me);
      await sendAfter(me, "tick", 50);
      for (let i = 0; i < 1200; i++) await send(p, i); // past the first checkpoint
      await receive((x) => x === "tick");
      await m.lock();
      throw new Error(`done: ${await cell.get()}`);
    }, { iterations: 50 });
    const d = diagramData(bug.events, { failing: bug.events.length - 1, names: bug.laneNames });
    const model = stateModel(d);
    const set = bug.events.findIndex((e) => e.op === "send-after");
    const ref = bug.events[set].result;
    expect(model.at(set).timers.get(ref)).toMatch(/^"tick" to <0\.1\.0> at 50 ms \(set by boss <0\.1\.0>\)$/);
    const fired = bug.events.findIndex((e) => e.op === "timer-fire");
    expect(fired).toBeGreaterThan(set);
    expect(model.at(fired).timers.has(ref)).toBe(false);
    const mon = bug.events.findIndex((e) => e.op === "monitor");
    expect(model.at(mon).procs[0].monitors).toEqual([`<0.2.0> (${bug.events[mon].result})`]);
    const exit = bug.events.findIndex((e) => e.op === "exit" && e.pid === "<0.2.0>");
    if (exit > mon) {
      expect(model.at(exit).procs[0].monitors).toEqual([]); // a DOWN ends the monitor
      expect(model.at(exit).procs[1].status).toBe("exited: normal");
    }
    const last = model.at(bug.events.length - 1);
    expect(last.names.get('"boss"')).toBe("<0.1.0>");
    const lockWait = bug.events.findIndex((e) => e.op === "shared-lock" && e.result.startsWith("waits"));
    expect(lockWait).toBeGreaterThan(0);
    expect(model.at(lockWait).procs[d.lanes.indexOf(bug.events[lockWait].pid)].status).toMatch(/^waiting for lock \(held by <0\.2\.0>\)/);
    expect(model.at(bug.events.findIndex((e) => e.detail.startsWith("count.set("))).cells.get("count")).toBe("41");
    // the same answers stepping forward, jumping, and going back
    const fresh = stateModel(d);
    console.log(`rows: ${bug.events.length}, failure: ${bug.events[bug.events.length - 1].op} ${bug.events[bug.events.length - 1].result}`);
    expect(bug.events.length).toBeGreaterThan(1100);
    const rows = [bug.events.length - 1, 5, 1100, 999, 1000, 1001, 3, bug.events.length - 2];
    const json = (s: ReturnType<typeof model.at>) => JSON.stringify({ ...s, timers: [...s.timers], names: [...s.names], cells: [...s.cells] });
    const stepped: string[] = [];
    for (let i = 0; i < bug.events.length; i++) stepped.push(json(fresh.at(i)));
    for (const i of rows) expect(json(model.at(i)), `row ${i}`).toBe(stepped[i]);
  });
});
