// twostage_bad (SCTBench): funcA writes data1 under lock 1, releases it, then writes
// data2 = data1 + 1 under lock 2; funcB reads both and asserts data2 == data1 + 1.
// The bug: funcB runs between funcA's two stages. 3 threads (main + 1 + 1).
import { Mutex } from "lockstep";
import { create, join, check } from "../common.mjs";

export const meta = { name: "twostage_bad", threads: 3, bug: "assertion: funcB sees stage 1 without stage 2" };

/** twostage with `tThreads` funcA and `rThreads` funcB threads (twostage_100_bad: 99 and 1). */
export function twostage(holdBoth, tThreads = 1, rThreads = 1) {
  return async function twostage() {
    const data1Lock = new Mutex({ name: "data1Lock" });
    const data2Lock = new Mutex({ name: "data2Lock" });
    let data1Value = 0, data2Value = 0;
    const funcA = async () => {
      await data1Lock.lock();
      data1Value = 1;
      // Fixed: hold data1Lock until stage 2 is done (two-phase locking).
      if (!holdBoth) await data1Lock.unlock();
      await data2Lock.lock();
      data2Value = data1Value + 1;
      await data2Lock.unlock();
      if (holdBoth) await data1Lock.unlock();
    };
    const funcB = async () => {
      await data1Lock.lock();
      if (data1Value === 0) {
        await data1Lock.unlock();
        return;
      }
      const t1 = data1Value;
      await data1Lock.unlock();
      await data2Lock.lock();
      const t2 = data2Value;
      await data2Lock.unlock();
      check(t2 === t1 + 1, "t2 == t1 + 1");
    };
    const tPool = [];
    for (let i = 0; i < tThreads; i++) tPool.push(await create(funcA));
    const rPool = [];
    for (let i = 0; i < rThreads; i++) rPool.push(await create(funcB));
    for (const t of tPool) await join(t);
    for (const t of rPool) await join(t);
  };
}

export const bad = twostage(false);
export const fixed = twostage(true);
