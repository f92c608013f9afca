// strategy "dpor": exhaustive search with dynamic partial-order reduction
// (assembly/strategies/dpor.ts). Trace counts below are the numbers of Mazurkiewicz
// traces under the engine's dependency relation, derived by hand in each test.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { afterAll } from "vitest";
import { join } from "node:path";
import { explore, replay, spawn, send, receive, self, sleep, SharedCell, Mutex, OptionsError, ReplayDivergence, Generator } from "lockstep";
import lostUpdate from "../examples/lost-update.mjs";

const root = new URL("..", import.meta.url).pathname;
const dpor = (iterations = 100000, extra: Record<string, unknown> = {}) => ({ strategy: "dpor" as const, iterations, seed: 1, traceDir: false as const, ...extra });

/** One process sets a cell once, N processes get it once; the body spawns them and sleeps. */
function readers(n: number) {
  return async () => {
    const c = new SharedCell(0);
    await spawn(async () => {
      await c.set(1);
    });
    for (let i = 0; i < n; i++) {
      await spawn(async () => {
        await c.get();
      });
    }
    await sleep(1);
  };
}

describe("dpor: exact trace counts", () => {
  it("readers(N) has exactly 2^N traces (each get before or after the set), N = 1..7", async () => {
    for (let n = 1; n <= 7; n++) {
      const r = await explore(readers(n), dpor());
      expect(r.ok).toBe(true);
      expect(r.stats.complete).toBe(true);
      expect(r.stats.traces).toBe(2 ** n);
    }
  });

  it("two writers on one cell: 2 traces; writers on different cells: 1 trace", async () => {
    const same = await explore(async () => {
      const c = new SharedCell(0);
      await spawn(async () => void (await c.set(1)));
      await spawn(async () => void (await c.set(2)));
      await sleep(1);
    }, dpor());
    expect([same.stats.traces, same.stats.complete]).toEqual([2, true]);
    const different = await explore(async () => {
      const c = new SharedCell(0);
      const d = new SharedCell(0);
      await spawn(async () => void (await c.set(1)));
      await spawn(async () => void (await d.set(2)));
      await sleep(1);
    }, dpor());
    expect([different.stats.traces, different.stats.complete]).toEqual([1, true]);
  });

  it("two readers and no writer: 1 trace (reads commute)", async () => {
    const r = await explore(async () => {
      const c = new SharedCell(0);
      await spawn(async () => void (await c.get()));
      await spawn(async () => void (await c.get()));
      await sleep(1);
    }, dpor());
    expect([r.stats.traces, r.stats.complete]).toEqual([1, true]);
  });

  it("two sends to one receiver that takes two messages: 10 traces", async () => {
    // Sends a, b in either order (2). Against that order the receiver's first receive
    // comes before both sends (it waits, then its second receive waits or not: 2),
    // between them (it takes the first; the second waits or not: 2), or after both (1).
    const r = await explore(async () => {
      const rcv = await spawn(async () => {
        await receive();
        await receive();
      });
      await spawn(async () => send(rcv, "a"));
      await spawn(async () => send(rcv, "b"));
      await sleep(1);
    }, dpor());
    expect([r.stats.traces, r.stats.complete]).toEqual([10, true]);
  });

  it("a body that does not wait: the processes it leaves behind are explored running before its end", async () => {
    // The child's write happens before the body's read, or not at all before the end: 2 traces... plus
    // the child running after the read (its write no longer observed) is the same trace as not running.
    const seen = new Set<number>();
    const r = await explore(async () => {
      const c = new SharedCell(0);
      await spawn(async () => void (await c.set(1)));
      seen.add(await c.get());
    }, dpor());
    expect(r.ok).toBe(true);
    expect(r.stats.complete).toBe(true);
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it("mutex-protected increments: every order of the critical sections, no lost update", async () => {
    const finals = new Set<number>();
    const r = await explore(async () => {
      const m = new Mutex();
      const c = new SharedCell(0);
      const inc = async () => {
        await m.lock();
        const v = await c.get();
        await c.set(v + 1);
        await m.unlock();
      };
      await spawn(inc);
      await spawn(inc);
      await sleep(1);
      finals.add(await c.get());
    }, dpor());
    expect(r.ok).toBe(true);
    expect(r.stats.complete).toBe(true);
    expect([...finals]).toEqual([2]);
  });
});

describe("dpor: bugs", () => {
  it("finds the lost update of examples/lost-update.mjs, and the bug replays", async () => {
    const r = await explore(lostUpdate, dpor());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.stats.complete).toBe(false);
    expect(r.stats.traces).toBeGreaterThan(0);
    expect(r.bug.strategy).toBe("dpor");
    const again = await replay(lostUpdate, r.bug);
    expect(again.ok).toBe(false);
  });

  it("finds an order random rarely hits (5 writers in exactly reverse order) within 5! traces", async () => {
    const body = async () => {
      const log = new SharedCell("");
      for (let i = 1; i <= 5; i++) await spawn(async () => void (await log.update((s: string) => s + i)));
      await sleep(1);
      if ((await log.get()) === "54321") throw new Error("reverse order");
    };
    const r = await explore(body, dpor());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.stats.traces).toBeLessThanOrEqual(120);
    expect((await replay(body, r.bug)).ok).toBe(false);
    // The whole space has exactly 5! traces.
    const all = await explore(async () => {
      const log = new SharedCell("");
      for (let i = 1; i <= 5; i++) await spawn(async () => void (await log.update((s: string) => s + i)));
      await sleep(1);
    }, dpor());
    expect([all.stats.traces, all.stats.complete]).toEqual([120, true]);
  });
});

describe("dpor: a body that is not deterministic from run to run", () => {
  it("is rejected with a ReplayDivergence naming the step, never explored as if it were something else", async () => {
    let run = 0;
    const body = async () => {
      run++;
      const c = new SharedCell(0);
      await spawn(async () => void (await c.set(1)));
      if (run % 2 === 0) await spawn(async () => void (await c.get())); // a different program every other run
      await c.get();
    };
    const err = await explore(body, { strategy: "dpor", iterations: 50, traceDir: false }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayDivergence);
    expect((err as Error).message).toMatch(/^dpor: the body is not deterministic from run to run: at step \d+ of run \d+ it offered other choices/);
  });

  // Two ways a changing body could pass unseen when only the chosen process is checked
  // on the replayed prefix: a process enabled now that was not (its branches would never
  // be explored), and a run that ends before the prefix it was to replay. Both used to
  // end in "complete".
  it("is rejected when a later run enables a process the prefix did not have, or ends inside the prefix", async () => {
    for (const extraFirst of [true, false]) {
      let run = 0;
      const body = async () => {
        run++;
        const c = new SharedCell(0);
        const n = run % 2 === 0 ? 3 : 2;
        if (extraFirst) for (let i = 0; i < n; i++) await spawn(async () => void (await c.set(i)));
        else {
          for (let i = 0; i < 2; i++) await spawn(async () => void (await c.set(i)));
          if (n === 3) await c.get();
        }
      };
      const err = await explore(body, { strategy: "dpor", iterations: 500, traceDir: false }).then((r) => r, (e: unknown) => e);
      expect(err).toBeInstanceOf(ReplayDivergence);
      expect((err as Error).message).toMatch(/^dpor: the body is not deterministic from run to run/);
    }
  });

  it("Generator's default seed is the same in every dpor run (and in the replay of a dpor bug)", async () => {
    const drawn: string[] = [];
    const r = await explore(
      async () => {
        const g = new Generator({ a: (r) => r.int(0, 1_000_000) });
        drawn.push(JSON.stringify(g.take(3)));
        const c = new SharedCell(0);
        await spawn(async () => void (await c.set(1)));
        if ((await c.get()) === 1) throw new Error("the child ran first");
      },
      { strategy: "dpor", iterations: 20, seed: 4, traceDir: false },
    );
    expect(new Set(drawn).size).toBe(1);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const again = await replay(async () => {
      drawn.push(JSON.stringify(new Generator({ a: (r) => r.int(0, 1_000_000) }).take(3)));
      const c = new SharedCell(0);
      await spawn(async () => void (await c.set(1)));
      if ((await c.get()) === 1) throw new Error("the child ran first");
    }, r.bug);
    expect(again.ok).toBe(false);
    expect(new Set(drawn).size).toBe(1);
  });
});

describe("dpor: options", () => {
  it("iterations caps the traces: not complete", async () => {
    const r = await explore(readers(5), dpor(10));
    expect(r.ok).toBe(true);
    expect(r.stats.traces).toBe(10);
    expect(r.stats.complete).toBe(false);
  });

  it("preemptionBound bounds the search; complete up to the bound", async () => {
    const body = async () => {
      const c = new SharedCell(0);
      const worker = async () => {
        const v = await c.get();
        await c.set(v + 1);
      };
      await spawn(worker);
      await spawn(worker);
      await sleep(1);
    };
    const full = await explore(body, dpor());
    const b0 = await explore(body, dpor(100000, { preemptionBound: 0 }));
    const b1 = await explore(body, dpor(100000, { preemptionBound: 1 }));
    expect(full.stats.complete && b0.stats.complete && b1.stats.complete).toBe(true);
    expect(b0.stats.traces!).toBeLessThan(full.stats.traces!);
    expect(b0.stats.traces!).toBeLessThanOrEqual(b1.stats.traces!);
    // (Not b1 <= full: under a bound every schedule within it is run, with no reduction,
    // so b1 counts schedules where full counts Mazurkiewicz traces.)
    expect(full.stats.strategy).toBe("dpor");
    expect(b1.stats.strategy).toBe("dpor(preemptionBound=1)");
  });

  it("rejects preemptionBound for other strategies, and shards/workers for dpor", async () => {
    await expect(explore(readers(1), { strategy: "random", preemptionBound: 1 } as never)).rejects.toThrow(OptionsError);
    await expect(explore(readers(1), { strategy: "random", preemptionBound: 1 } as never)).rejects.toThrow(/preemptionBound applies to strategy dpor/);
    await expect(explore(readers(1), { strategy: "dpor", preemptionBound: -1 })).rejects.toThrow(/preemptionBound must be an integer/);
    await expect(explore(readers(1), { strategy: "dpor", stride: 2 })).rejects.toThrow(/one worker/);
  });

  it("other strategies carry no complete/traces", async () => {
    const r = await explore(readers(2), { strategy: "random", iterations: 5, seed: 1, traceDir: false });
    expect(r.stats.complete).toBeUndefined();
    expect(r.stats.traces).toBeUndefined();
  });
});

describe("dpor: CLI", () => {
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(root, "bin/lockstep.mjs"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, CI: "true" } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const file = () => {
    // Inside the package, so the scenario's `import "lockstep"` resolves by self-reference.
    const dir = mkdtempSync(join(root, "test", ".tmp-dpor-"));
    dirs.push(dir);
    const f = join(dir, "readers.mjs");
    writeFileSync(
      f,
      `import { spawn, sleep, SharedCell } from "lockstep";
export default async function readers() {
  const c = new SharedCell(0);
  await spawn(async () => { await c.set(1); });
  for (let i = 0; i < 3; i++) await spawn(async () => { await c.get(); });
  await sleep(1);
}
`,
    );
    return f;
  };

  it("says when every interleaving was explored", () => {
    const r = cli(["explore", file(), "--strategy", "dpor", "--seed", "1", "--iterations", "1000"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/explored all 8 interleavings: no bug/);
    // What dpor's "all" covers: not plain variables shared between processes.
    expect(r.out).toContain("not plain variables shared between processes");
  });

  it("says a bounded search is complete only up to its bound", () => {
    const r = cli(["explore", file(), "--strategy", "dpor", "--preemption-bound", "0", "--seed", "1", "--iterations", "1000"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/explored all \d+ interleavings with at most 0 preemptions: no bug/);
  });

  it("says clearly when it stopped at the iterations cap", () => {
    const r = cli(["explore", file(), "--strategy", "dpor", "--seed", "1", "--iterations", "3"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no bug in 3 interleavings explored, NOT complete: stopped at the iterations cap/);
  });

  it("refuses workers", () => {
    const r = cli(["explore", file(), "--strategy", "dpor", "--workers", "2"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/one worker/);
  });
});
