// The SCTBench ports, in the order of the published table, with the published figures
// (mean schedules to the first bug, from the RFF artifact: Wolff et al., ASPLOS
// 2024, 20 trials of 5 minutes; "nf" never found, "x/20" found in x of 20 trials).
import * as account from "./programs/account.mjs";
import * as bluetooth from "./programs/bluetooth_driver.mjs";
import * as carter01 from "./programs/carter01.mjs";
import * as circular from "./programs/circular_buffer.mjs";
import * as deadlock01 from "./programs/deadlock01.mjs";
import * as lazy01 from "./programs/lazy01.mjs";
import * as queue from "./programs/queue.mjs";
import * as reorder3 from "./programs/reorder_3.mjs";
import * as reorder5 from "./programs/reorder_5.mjs";
import * as stack from "./programs/stack.mjs";
import * as twostage from "./programs/twostage.mjs";
import * as wronglock from "./programs/wronglock.mjs";
import * as wronglock3 from "./programs/wronglock_3.mjs";
import * as tokenRing from "./programs/token_ring.mjs";
import * as stringbuffer from "./programs/stringbuffer.mjs";
import * as workstealqueue from "./programs/workstealqueue.mjs";

/** Published mean schedules to the first bug: n threads, k steps, RFF, PCT d=3, POS. */
const PUBLISHED = {
  account_bad: { n: 4, k: 8, rff: "1", pct3: "9", pos: "1" },
  bluetooth_driver_bad: { n: 2, k: 13, rff: "45", pct3: "161", pos: "72" },
  carter01_bad: { n: 5, k: 19, rff: "2", pct3: "5", pos: "2" },
  circular_buffer_bad: { n: 3, k: 31, rff: "2", pct3: "5", pos: "2" },
  deadlock01_bad: { n: 3, k: 11, rff: "5", pct3: "20", pos: "4" },
  lazy01_bad: { n: 4, k: 11, rff: "6", pct3: "10", pos: "5" },
  queue_bad: { n: 3, k: 83, rff: "1", pct3: "12", pos: "1" },
  reorder_3_bad: { n: 4, k: 12, rff: "7", pct3: "241", pos: "223" },
  reorder_5_bad: { n: 6, k: 20, rff: "6", pct3: "1126", pos: "4377 (17/20)" },
  stack_bad: { n: 3, k: 43, rff: "2", pct3: "2", pos: "2" },
  twostage_bad: { n: 3, k: 11, rff: "8", pct3: "9", pos: "15" },
  // Ported later (issue 13); k not published with them.
  wronglock_bad: { n: 9, rff: "1", pct3: "88", pos: "1" },
  wronglock_3_bad: { n: 5, rff: "1", pct3: "40", pos: "1" },
  token_ring_bad: { n: 5, rff: "5", pct3: "8", pos: "7" },
  stringbuffer_bad: { n: 2, rff: "15", pct3: "195", pos: "18" },
  workstealqueue_bad: { n: 2, rff: "10", pct3: "12", pos: "10" },
};

export const PROGRAMS = [account, bluetooth, carter01, circular, deadlock01, lazy01, queue, reorder3, reorder5, stack, twostage, wronglock, wronglock3, tokenRing, stringbuffer, workstealqueue].map((m) => ({
  ...m.meta,
  bad: m.bad,
  fixed: m.fixed,
  published: PUBLISHED[m.meta.name],
}));
