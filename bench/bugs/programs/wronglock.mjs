// wronglock_bad (SCTBench): 1 funcA thread, 7 funcB threads; see ../wronglock.mjs.
import { wronglock } from "../wronglock.mjs";

export const meta = { name: "wronglock_bad", threads: 9, bug: "assertion: dataValue changed under funcA's lock" };
export const bad = wronglock(7, false);
export const fixed = wronglock(7, true);
