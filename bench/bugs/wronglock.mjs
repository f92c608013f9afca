// wronglock_bad / wronglock_3_bad (SCTBench, concurrent-software-benchmarks/
// wronglock_bad.c; wronglock_3_bad.c is the same program with iNum2 = 3): one funcA
// thread increments dataValue under dataLock and asserts that nothing else changed it
// meanwhile; iNum2 funcB threads increment it under another mutex, thisLock, which
// excludes nothing funcA does. The bug: a funcB increment lands between funcA's read
// and its check. dataValue is accessed under different locks, so it is racy: a
// SharedCell (a scheduling point per access); `dataValue++` is a read then a write.
import { Mutex, SharedCell } from "lockstep";
import { create, join, check } from "./common.mjs";

export function wronglock(num2, rightLock) {
  return async function wronglock() {
    const dataValue = new SharedCell(0, { name: "dataValue" });
    const dataLock = new Mutex({ name: "dataLock" });
    // Fixed: funcB takes the lock that guards dataValue.
    const thisLock = rightLock ? dataLock : new Mutex({ name: "thisLock" });
    const funcA = async () => {
      await dataLock.lock();
      const x = await dataValue.get();
      await dataValue.set((await dataValue.get()) + 1);
      check((await dataValue.get()) === x + 1, "dataValue == x + 1");
      await dataLock.unlock();
    };
    const funcB = async () => {
      await thisLock.lock();
      await dataValue.set((await dataValue.get()) + 1);
      await thisLock.unlock();
    };
    const num1Pool = [await create(funcA)];
    const num2Pool = [];
    for (let i = 0; i < num2; i++) num2Pool.push(await create(funcB));
    for (const t of num1Pool) await join(t);
    for (const t of num2Pool) await join(t);
  };
}
