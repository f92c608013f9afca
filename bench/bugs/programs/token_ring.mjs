// token_ring_bad (SCTBench, concurrent-software-benchmarks/token_ring_bad.c): three
// threads pass a value around a ring (x1 = (x3 + 1) % 4, x2 = x1, x3 = x2), each in
// one atomic section that also sets its flag; a fourth asserts, once all three flags
// are set, that x1 == x2 == x3. That holds only when t1 runs first (then every x
// is 2). The bug: t2 or t3 runs before t1, and t4 after all three. 5 threads (main + 4). The ESBMC atomic
// sections are one mutex, as in SCTBench's common.inc, so the variables (only touched
// inside them) stay plain. As for account_bad, main joins its threads (the original
// returns at once).
import { Mutex, Semaphore } from "lockstep";
import { create, join, check } from "../common.mjs";

export const meta = { name: "token_ring_bad", threads: 5, bug: "assertion: x1 == x2 == x3 once every flag is set" };

function tokenRing(inOrder) {
  return async function tokenRing() {
    const atomic = new Mutex({ name: "esbmc_mutex" });
    let x1 = 1, x2 = 2, x3 = 1;
    let flag1 = false, flag2 = false, flag3 = false;
    // Fixed: the token really goes round: t2 waits for t1's turn, t3 for t2's.
    const after1 = inOrder ? new Semaphore(0, { name: "after1" }) : null;
    const after2 = inOrder ? new Semaphore(0, { name: "after2" }) : null;
    const t1 = await create(async () => {
      await atomic.lock();
      x1 = (x3 + 1) % 4;
      flag1 = true;
      await atomic.unlock();
      await after1?.release();
    });
    const t2 = await create(async () => {
      await after1?.acquire();
      await atomic.lock();
      x2 = x1;
      flag2 = true;
      await atomic.unlock();
      await after2?.release();
    });
    const t3 = await create(async () => {
      await after2?.acquire();
      await atomic.lock();
      x3 = x2;
      flag3 = true;
      await atomic.unlock();
    });
    const t4 = await create(async () => {
      await atomic.lock();
      if (flag1 && flag2 && flag3) check(x1 === x2 && x2 === x3, "x1 == x2 && x2 == x3");
      await atomic.unlock();
    });
    for (const t of [t1, t2, t3, t4]) await join(t);
  };
}

export const bad = tokenRing(false);
export const fixed = tokenRing(true);
