// Type tests of lockstep/vitest (run by test/types.test.ts with tsc --strict).
import { ctest, type CtestOptions } from "lockstep/vitest";

ctest("explores", async () => {}, { iterations: 10, seed: 1, timeout: 5000 });
ctest("replays", async () => {}, { replay: ".lockstep/x.json" });
ctest.only("only", async () => {});
ctest.skip("skip", async () => {});
ctest.concurrent("concurrent", async () => {});
ctest.todo("later");
ctest.each([
  [1, "one"],
  [2, "two"],
] as const)("row %i is %s", async (n, word) => {
  n.toFixed();
  word.toUpperCase();
});
ctest.each([{ who: "ann" }])("object $who", async (row) => {
  row.who.toUpperCase();
});
// @ts-expect-error a typo in an option
ctest("typo", async () => {}, { iteratons: 10 });
// @ts-expect-error internal options are not ctest options
const o: CtestOptions = { firstIteration: 1 };
void o;
