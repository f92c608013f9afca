// The default strategy on small real-library tests (docs/strategies.md "Small spaces"):
// whether its exhaustive pass covered the space ("explored all N"), after how many
// iterations, and in how long; beside random search's distinct schedules in a budget of
// 1,000 iterations (what 0.1.0's default did with such a test: sample the same few
// schedules again and again, and say "no bug in 1,000 iterations").
//
// Run: npm run build && node bench/small-space.mjs
import { explore, controlled } from "lockstep";
import { Mutex } from "async-mutex";
import DataLoader from "dataloader";
import pLimit from "p-limit";

/** A value behind controlled() reads and writes (a row of a database). */
function row(v) {
  return { read: controlled(async () => v, { name: "read" }), write: controlled(async (n) => void (v = n), { name: "write" }) };
}

const scenarios = {
  // async-mutex: "reserve a seat if one is left", checked inside the lock (the fixed version).
  "async-mutex runExclusive, 2 buyers + a reader": async () => {
    const left = row(1);
    const mutex = new Mutex();
    let sold = 0;
    const reserve = () => mutex.runExclusive(async () => {
      const n = await left.read();
      if (n > 0) {
        await left.write(n - 1);
        sold++;
      }
    });
    const peek = async () => (await left.read()) >= 0; // a display, outside the lock
    await Promise.all([reserve(), reserve(), peek()]);
    if (sold !== 1) throw new Error(`sold ${sold}`);
  },
  // dataloader: write, then clear the cached row, while a load runs (the fixed order).
  "dataloader write-then-clear + load": async () => {
    const names = new Map([[1, "ada"]]);
    const select = controlled(async (ids) => ids.map((id) => ({ id, name: names.get(id) })), { name: "select" });
    const rename = controlled(async (id, name) => void names.set(id, name), { name: "rename" });
    const loader = new DataLoader((ids) => select(ids));
    await Promise.all([(async () => { await rename(1, "ada lovelace"); loader.clear(1); })(), loader.load(1)]);
    if ((await loader.load(1)).name !== "ada lovelace") throw new Error("stale row");
  },
  // p-limit(2): four jobs, each one controlled call, at most two at a time.
  "p-limit(2), 4 jobs": async () => {
    const limit = pLimit(2);
    const call = controlled(async (n) => n, { name: "call" });
    let running = 0;
    const job = async (n) => {
      if (++running > 2) throw new Error("three at once");
      const r = await call(n);
      running--;
      return r;
    };
    const out = await Promise.all([1, 2, 3, 4].map((n) => limit(job, n)));
    if (out.join() !== "1,2,3,4") throw new Error(String(out));
  },
};

const BUDGET = 1000;
console.log(`scenario | default strategy's verdict | iterations | ms | random: distinct schedules in ${BUDGET} iterations`);
console.log("---|---|---:|---:|---:");
for (const [name, body] of Object.entries(scenarios)) {
  const t0 = performance.now();
  const r = await explore(body, { iterations: BUDGET, seed: 1, traceDir: false });
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`${name}: ${r.bug.message}`);
  const random = await explore(body, { iterations: BUDGET, seed: 1, strategy: "random", traceDir: false });
  const verdict = r.stats.complete ? `explored all ${r.stats.traces}` : `no bug in ${r.iterations} iterations (sampled)`;
  console.log(`${name} | ${verdict} | ${r.iterations} | ${ms.toFixed(0)} | ${random.stats.distinctSchedules}`);
}
