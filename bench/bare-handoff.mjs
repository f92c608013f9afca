// The floor for any hand-off scheduler: two async functions handing control back and
// forth through promise resolvers (one resolve + one await per hand-off), `rounds`
// hand-offs in all. Shared by bench/run.mjs and bench/cold.mjs.
export async function bareHandoff(rounds) {
  const wake = [null, null];
  let n = 0;
  const park = (i) => new Promise((r) => (wake[i] = r));
  async function run(i) {
    await park(i);
    while (n < rounds) {
      n++;
      const p = park(i);
      wake[1 - i]();
      await p;
    }
    wake[1 - i]();
  }
  const both = Promise.all([run(0), run(1)]);
  wake[0]();
  await both;
  return n;
}
