// wronglock_3_bad (SCTBench): 1 funcA thread, 3 funcB threads; see ../wronglock.mjs.
import { wronglock } from "../wronglock.mjs";

export const meta = { name: "wronglock_3_bad", threads: 5, bug: "assertion: dataValue changed under funcA's lock" };
export const bad = wronglock(3, false);
export const fixed = wronglock(3, true);
