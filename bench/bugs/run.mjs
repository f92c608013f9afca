// The bug-finding table (README "Bug finding"): every SCTBench port under every
// strategy, over several seeds, with a budget of schedules per seed; then every fixed
// twin under every strategy, which must report no bug. Prints mean schedules to the
// first bug (over the seeds that found it), how many seeds found it, and the time per
// seed, beside the published figures (RFF artifact, Wolff et al., ASPLOS 2024).
//
// Run: npm run bench:bugs   (npm run build && node bench/bugs/run.mjs)
// Options: --seeds N (10) --budget N (10000 schedules per seed) --twins N (2000
// schedules per twin and strategy; 0 skips the twins) --first-seed N (1: seeds N..N+seeds-1,
// to tune on other seeds than the table's) --strategies a,b,c --only name --json
// Deterministic: the same build prints the same schedule counts (times vary).
import { explore } from "lockstep";
import { PROGRAMS } from "./programs.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const SEEDS = Number(arg("--seeds", 10));
const FIRST_SEED = Number(arg("--first-seed", 1));
const BUDGET = Number(arg("--budget", 10000));
const TWINS = Number(arg("--twins", 2000));
const ONLY = arg("--only", undefined);
const JSON_OUT = process.argv.includes("--json");

/** Strategies this build offers (rff only once it exists). */
async function available(names) {
  const ok = [];
  for (const s of names) {
    try {
      await explore(async () => {}, { iterations: 1, seed: 1, strategy: s, traceDir: false });
      ok.push(s);
    } catch {
      // not offered by this build
    }
  }
  return ok;
}

const STRATEGIES = arg("--strategies", undefined)?.split(",") ?? (await available(["random", "pct", "pos", "fair-pct", "idpct", "rff", "portfolio"]));
const programs = PROGRAMS.filter((p) => !ONLY || p.name === ONLY || p.name === `${ONLY}_bad`);

async function hunt(body, strategy) {
  let found = 0, sum = 0, ms = 0;
  const kinds = new Set();
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
    const t0 = performance.now();
    const r = await explore(body, { iterations: BUDGET, seed, strategy, traceDir: false });
    ms += performance.now() - t0;
    if (!r.ok) {
      found++;
      sum += r.bug.iteration;
      kinds.add(r.bug.kind);
    }
  }
  return { found, mean: found ? sum / found : null, msPerSeed: ms / SEEDS, kinds: [...kinds] };
}

const results = [];
for (const p of programs) {
  const row = { program: p.name, n: p.threads, published: p.published, strategies: {}, twin: {} };
  for (const s of STRATEGIES) row.strategies[s] = await hunt(p.bad, s);
  for (const s of TWINS > 0 ? STRATEGIES : []) {
    const r = await explore(p.fixed, { iterations: TWINS, seed: 1, strategy: s, traceDir: false });
    row.twin[s] = r.ok ? 0 : `${r.bug.kind}: ${r.bug.error}`;
  }
  results.push(row);
  if (!JSON_OUT) process.stderr.write(`  ${p.name} done\n`);
}

if (JSON_OUT) {
  console.log(JSON.stringify({ seeds: SEEDS, budget: BUDGET, twins: TWINS, results }, null, 2));
} else {
  const cell = (r) => (r.found === 0 ? `nf` : `${r.mean < 10 ? r.mean.toFixed(1) : Math.round(r.mean)}${r.found < SEEDS ? ` (${r.found}/${SEEDS})` : ""}`);
  const head = ["program", "n", ...STRATEGIES, "| RFF", "PCT d=3", "POS"];
  const rows = results.map((r) => [r.program, String(r.n), ...STRATEGIES.map((s) => cell(r.strategies[s])), `| ${r.published.rff}`, r.published.pct3, r.published.pos]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(`Mean schedules to the first bug over ${SEEDS} seeds from ${FIRST_SEED} (budget ${BUDGET} per seed; "nf": not found; (x/${SEEDS}): found by x seeds).`);
  console.log(`Right of "|": published means (RFF artifact, Wolff et al. ASPLOS 2024; 20 trials of 5 minutes).\n`);
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));

  console.log(`\nTime per seed (ms, to the first bug or the budget):\n`);
  const tHead = ["program", ...STRATEGIES];
  const tRows = results.map((r) => [r.program, ...STRATEGIES.map((s) => r.strategies[s].msPerSeed.toFixed(2))]);
  const tw = tHead.map((h, i) => Math.max(h.length, ...tRows.map((r) => r[i].length)));
  const tLine = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(tw[i]) : c.padStart(tw[i]))).join("  ");
  console.log(tLine(tHead));
  console.log(tw.map((w) => "-".repeat(w)).join("  "));
  for (const r of tRows) console.log(tLine(r));

  const bad = results.flatMap((r) => STRATEGIES.filter((s) => r.twin[s] !== 0).map((s) => `${r.program.replace(/_bad$/, "_fixed")} under ${s}: ${r.twin[s]}`));
  if (TWINS > 0) console.log(`\nFixed twins, ${TWINS} schedules each under every strategy: ${bad.length === 0 ? "no bug reported" : `${bad.length} FAILED\n  ${bad.join("\n  ")}`}`);
  if (bad.length > 0) process.exitCode = 1;
}
