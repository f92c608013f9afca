// reorder_N_bad (SCTBench, after Inspect's reorder example): set threads write a = 1
// then b = -1; a check thread reads a then b and asserts it saw neither or both
// writes. The bug: the check runs after some a = 1 and before every b = -1.
// reorder_3_bad has 2 set threads and reorder_5_bad 4, with 1 check thread: 4 and 6
// threads counting main; reorder_10_bad has 9 and 1, reorder_20_bad 10 and 10.
import { Mutex, SharedCell } from "lockstep";
import { create, join, check } from "./common.mjs";

export function reorder(setters, locked, checkers = 1) {
  return async function reorder() {
    const a = new SharedCell(0, { name: "a" });
    const b = new SharedCell(0, { name: "b" });
    // Fixed: writers and the checker each hold a mutex around their two accesses.
    const m = locked ? new Mutex() : null;
    const setThread = async () => {
      if (m) await m.lock();
      await a.set(1);
      await b.set(-1);
      if (m) await m.unlock();
    };
    const checkThread = async () => {
      if (m) await m.lock();
      const va = await a.get();
      const vb = await b.get();
      if (m) await m.unlock();
      check((va === 0 && vb === 0) || (va === 1 && vb === -1), `(a, b) is (0, 0) or (1, -1), got (${va}, ${vb})`);
    };
    const pool = [];
    for (let i = 0; i < setters; i++) pool.push(await create(setThread));
    for (let i = 0; i < checkers; i++) pool.push(await create(checkThread));
    for (const t of pool) await join(t);
  };
}
