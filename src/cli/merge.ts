// `lockstep merge-reports`: the verdict of a search spread over a CI matrix
// (`--shard i/n --json` in each job), from the jobs' JSON results. Shards search
// disjoint iterations of one seeded search, so the merged first bug is the failing
// iteration with the lowest number over all shards (what one machine would have
// reported first), and totals add up. Distinct schedules do not simply add up: two
// shards may meet the same schedule, so the merge gives bounds (the largest shard's
// count, the sum).
import { readFile } from "node:fs/promises";
import { UsageFailure, plural } from "./args.js";
import type { ScenarioJson } from "./results.js";

export interface MergedScenario {
  ok: boolean;
  scenario: string;
  file?: string;
  iterations: number;
  seed: number | null;
  strategy: string;
  /** The shard indexes merged (1-based), and n. */
  shards: number[];
  shardCount: number;
  /** Shards of 1..n with no result: their iterations were not searched. */
  missingShards: number[];
  distinctSchedulesAtLeast: number;
  distinctSchedulesAtMost: number;
  distinctSchedulesEstimated: boolean;
  elapsedMs: number;
  interrupted?: boolean;
  bug?: ScenarioJson["bug"] & { shard: number };
}

export interface Merged {
  ok: boolean;
  scenarios: MergedScenario[];
  warnings: string[];
}

function isResult(x: unknown): x is ScenarioJson {
  const r = x as ScenarioJson;
  return r !== null && typeof r === "object" && typeof r.ok === "boolean" && typeof r.scenario === "string" && typeof r.iterations === "number";
}

/** Reads `lockstep explore --json` outputs (one object, or an array for several scenarios). */
export async function readResults(files: string[]): Promise<{ file: string; result: ScenarioJson }[]> {
  const out: { file: string; result: ScenarioJson }[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, "utf8");
    } catch (e) {
      throw new UsageFailure(`cannot read ${f}: ${(e as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new UsageFailure(`${f} is not valid JSON (${(e as Error).message}); merge-reports reads the output of \`lockstep explore FILE --shard i/n --json\``);
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    if (list.length === 0 || !list.every(isResult)) throw new UsageFailure(`${f} is not a lockstep explore --json result (expected objects with ok, scenario and iterations)`);
    for (const result of list) out.push({ file: f, result });
  }
  return out;
}

export function mergeResults(inputs: { file: string; result: ScenarioJson }[]): Merged {
  const warnings: string[] = [];
  const byScenario = new Map<string, { file: string; result: ScenarioJson }[]>();
  for (const i of inputs) byScenario.set(i.result.scenario, [...(byScenario.get(i.result.scenario) ?? []), i]);
  const scenarios: MergedScenario[] = [];
  for (const [scenario, parts] of byScenario) {
    const counts = new Set(parts.map((p) => p.result.shard?.count ?? 1));
    if (counts.size > 1) throw new UsageFailure(`${scenario}: the results come from different shard counts (${[...counts].join(", ")}): merge the results of one --shard i/n run`);
    const shardCount = [...counts][0];
    const seen = new Map<number, string>();
    for (const p of parts) {
      const i = p.result.shard?.index ?? 1;
      if (seen.has(i)) throw new UsageFailure(`${scenario}: shard ${i}/${shardCount} appears twice (${seen.get(i)} and ${p.file}); its iterations would be counted twice`);
      seen.set(i, p.file);
    }
    const seeds = new Set(parts.map((p) => p.result.seed));
    if (seeds.size > 1) warnings.push(`${scenario}: the shards used different seeds (${[...seeds].join(", ")}), so they searched unrelated schedules, not slices of one search; give every shard the same --seed (or none: shards then derive the same one)`);
    const missing = Array.from({ length: shardCount }, (_, k) => k + 1).filter((k) => !seen.has(k));
    const bugs = parts.filter((p) => p.result.bug).sort((a, b) => a.result.bug!.iteration - b.result.bug!.iteration);
    // With a bug, a missing shard may hold a lower failing iteration: the bug is real, but maybe not the first.
    if (missing.length) warnings.push(`${scenario}: no result for shard${missing.length > 1 ? "s" : ""} ${missing.map((k) => `${k}/${shardCount}`).join(", ")}: ${missing.length > 1 ? "their" : "its"} iterations were not searched`);
    const first = bugs[0];
    const interrupted = parts.some((p) => p.result.interrupted);
    scenarios.push({
      ok: !first,
      scenario,
      ...(parts[0].result.file !== undefined ? { file: parts[0].result.file } : {}),
      iterations: parts.reduce((a, p) => a + p.result.iterations, 0),
      seed: seeds.size === 1 ? [...seeds][0] : null,
      strategy: parts[0].result.strategy,
      shards: [...seen.keys()].sort((a, b) => a - b),
      shardCount,
      missingShards: missing,
      distinctSchedulesAtLeast: Math.max(...parts.map((p) => p.result.distinctSchedules ?? 0)),
      distinctSchedulesAtMost: parts.reduce((a, p) => a + (p.result.distinctSchedules ?? 0), 0),
      distinctSchedulesEstimated: parts.some((p) => p.result.distinctSchedulesEstimated),
      // The jobs of a matrix run side by side: the search took as long as its slowest shard.
      elapsedMs: Math.max(...parts.map((p) => p.result.elapsedMs ?? 0)),
      ...(interrupted ? { interrupted } : {}),
      ...(first ? { bug: { ...first.result.bug!, shard: first.result.shard?.index ?? 1 } } : {}),
    });
  }
  return { ok: scenarios.every((s) => s.ok), scenarios, warnings };
}

function distinctRange(s: MergedScenario): string {
  const approx = s.distinctSchedulesEstimated ? "~" : "";
  if (s.distinctSchedulesAtLeast === s.distinctSchedulesAtMost) return `${approx}${s.distinctSchedulesAtMost} distinct schedule${s.distinctSchedulesAtMost === 1 ? "" : "s"}`;
  return `${approx}${s.distinctSchedulesAtLeast} to ${approx}${s.distinctSchedulesAtMost} distinct schedules`;
}

/** The merged verdict for a terminal. */
export function formatMerged(m: Merged): string {
  const out: string[] = [];
  for (const s of m.scenarios) {
    const where = `${plural(s.shards.length, "shard")} of ${s.shardCount}, seed ${s.seed ?? "mixed"}`;
    if (s.bug) {
      out.push(s.bug.report ?? `lockstep found a bug (${s.bug.kind}) in ${JSON.stringify(s.scenario)}\n\n  ${s.bug.message}`);
      out.push("");
      out.push(`${s.scenario}: first bug at iteration ${s.bug.iteration}, in shard ${s.bug.shard}/${s.shardCount} (${where}); ${plural(s.iterations, "iteration")} searched over all shards, ${distinctRange(s)}`);
    } else {
      out.push(`${s.scenario}: no bug in ${plural(s.iterations, "iteration")} (${where}; ${distinctRange(s)})`);
    }
  }
  return out.join("\n");
}
