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

// Rows merge position by position: a body may take fewer parameters than a row has.
ctest.each([
  [2, "two"],
  [3, "three"],
] as const)("%i only", async (n) => {
  const m: 2 | 3 = n;
  void m;
});
ctest.each([
  [1, "a"],
  [2, "b"],
])("%i arrays", async (n, s) => {
  const v: string | number = n;
  void [v, s];
});
// @ts-expect-error the row's first value is a number
ctest.each([[1, "a"]] as const)("%s wrong", async (n: string) => void n);
