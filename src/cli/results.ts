// The CLI's machine-readable results: the --json shape of one scenario's search (also
// what `lockstep merge-reports` reads back), and the JUnit XML CI systems read.
import type { ExploreResult } from "../explore/explore.js";
import { plural } from "./args.js";
import { distinctSchedules } from "./progress.js";

/** One scenario's search as `lockstep explore --json` prints it (an array for several scenarios). */
export interface ScenarioJson {
  ok: boolean;
  scenario: string;
  /** The scenario file as given on the command line. */
  file?: string;
  iterations: number;
  seed: number;
  strategy: string;
  distinctSchedules: number;
  distinctSchedulesEstimated: boolean;
  elapsedMs: number;
  /** Which slice of the iterations this run searched (`--shard i/n`). */
  shard?: { index: number; count: number };
  /** The iterations asked for (all shards together). */
  iterationsPlanned?: number;
  /** Set when Ctrl-C stopped the search early. */
  interrupted?: boolean;
  /** Exhaustive search (dpor): whether every interleaving was covered, and how many were. */
  complete?: boolean;
  traces?: number;
  bug?: {
    kind: string;
    message: string;
    iteration: number;
    seed: number;
    strategy: string;
    steps: number;
    tracePath: string | null;
    traceSaveError?: string;
    /** The full report (interleaving and replay command), as the terminal shows it. */
    report?: string;
  };
}

export function jsonOf(scenario: string, result: ExploreResult, extra: { file?: string; shard?: { index: number; count: number }; iterationsPlanned?: number; interrupted?: boolean }): ScenarioJson {
  const s = result.stats;
  const base: ScenarioJson = {
    ok: result.ok, scenario, ...(extra.file !== undefined ? { file: extra.file } : {}),
    iterations: s.iterations, seed: s.seed, strategy: s.strategy,
    distinctSchedules: s.distinctSchedules, distinctSchedulesEstimated: s.distinctSchedulesEstimated,
    elapsedMs: Math.round(s.elapsedMs),
    ...(extra.shard && extra.shard.count > 1 ? { shard: extra.shard } : {}),
    ...(extra.iterationsPlanned !== undefined ? { iterationsPlanned: extra.iterationsPlanned } : {}),
    ...(extra.interrupted ? { interrupted: true } : {}),
    ...(s.traces !== undefined ? { complete: s.complete, traces: s.traces } : {}),
  };
  if (result.ok) return base;
  const b = result.bug;
  return {
    ...base,
    bug: {
      kind: b.kind, message: b.message, iteration: b.iteration, seed: b.seed, strategy: b.strategy, steps: b.schedule.length,
      tracePath: b.tracePath ?? null, ...(b.traceSaveError ? { traceSaveError: b.traceSaveError } : {}), report: b.format(),
    },
  };
}

function xml(s: string): string {
  // XML 1.0 forbids most control characters even escaped; ANSI colours and NULs go.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/**
 * JUnit XML (the dialect Jenkins, GitLab, GitHub test-report actions and CircleCI
 * read): one <testsuite> per scenario file, one <testcase> per scenario, a <failure>
 * carrying the full bug report when the search found a bug.
 */
export function junitOf(results: ScenarioJson[]): string {
  const byFile = new Map<string, ScenarioJson[]>();
  for (const r of results) {
    const f = r.file ?? "lockstep";
    byFile.set(f, [...(byFile.get(f) ?? []), r]);
  }
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const total = results.reduce((a, r) => a + r.elapsedMs, 0);
  const failures = results.filter((r) => !r.ok).length;
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="lockstep" tests="${results.length}" failures="${failures}" errors="0" time="${secs(total)}">`];
  for (const [file, rs] of byFile) {
    const time = rs.reduce((a, r) => a + r.elapsedMs, 0);
    out.push(`  <testsuite name="${xml(file)}" tests="${rs.length}" failures="${rs.filter((r) => !r.ok).length}" errors="0" skipped="0" time="${secs(time)}">`);
    for (const r of rs) {
      out.push(`    <testcase classname="${xml(file)}" name="${xml(r.scenario)}" time="${secs(r.elapsedMs)}">`);
      if (r.bug) {
        const first = r.bug.message.split("\n")[0];
        out.push(`      <failure type="${xml(r.bug.kind)}" message="${xml(first)}">${xml(r.bug.report ?? r.bug.message)}</failure>`);
      }
      const shard = r.shard ? `, shard ${r.shard.index}/${r.shard.count}` : "";
      out.push(`      <system-out>${xml(`${plural(r.iterations, "iteration")}, ${distinctSchedules(r)}, seed ${r.seed}, strategy ${r.strategy}${shard}${r.interrupted ? ", interrupted" : ""}`)}</system-out>`);
      out.push(`    </testcase>`);
    }
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`);
  return out.join("\n") + "\n";
}
