// Command-line parsing for the lockstep bin, on Node's util.parseArgs (so `--flag=value`,
// `--flag value` and short flags behave as in other Node tools). Strict: an unknown flag
// (with a did-you-mean), a missing or bad value are usage errors, exit code 2.
import { parseArgs as nodeParseArgs } from "node:util";

export class UsageFailure extends Error {
  override name = "UsageFailure";
}

export interface FlagSpec {
  [flag: string]: "string" | "int" | "bool";
}

export interface Parsed {
  positionals: string[];
  flags: Record<string, string | number | boolean>;
}

/** Short forms, offered by every command whose spec has the long flag. */
export const SHORT: Record<string, string> = { help: "h", iterations: "n", seed: "s", quiet: "q" };

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for did-you-mean. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known flag closest to `name`, when it is close enough to be a typo. */
export function suggest(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = distance(name, k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  // A typo is a couple of edits, fewer for short names ("--sed" -> "--seed", not "--json" -> "--seed").
  return best !== undefined && bestD <= Math.min(3, Math.max(1, Math.floor(best.length / 3))) ? best : undefined;
}

function unknownFlag(raw: string, spec: FlagSpec): UsageFailure {
  const long = raw.startsWith("--");
  const name = raw.replace(/^--?/, "");
  const known = Object.keys(spec);
  const hit = long ? suggest(name, known) : undefined;
  return new UsageFailure(`unknown option ${raw}${hit ? ` (did you mean --${hit}?)` : ""}`);
}

export function parseArgs(argv: string[], spec: FlagSpec): Parsed {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, kind] of Object.entries(spec)) {
    options[name] = { type: kind === "bool" ? "boolean" : "string", ...(SHORT[name] ? { short: SHORT[name] } : {}) };
  }
  // A first, lenient pass finds unknown flags, so they get a did-you-mean rather than
  // Node's generic message; the strict pass then reports missing and surplus values.
  const loose = nodeParseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  for (const t of loose.tokens ?? []) {
    if (t.kind === "option" && !(t.name in spec)) throw unknownFlag(t.rawName, spec);
  }
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw usageOf(e as Error & { code?: string });
  }
  const flags: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === undefined) continue;
    // A repeated flag: the last one wins, as in most CLIs.
    const v = Array.isArray(value) ? value[value.length - 1] : value;
    if (spec[name] === "int") flags[name] = toInt(name, String(v));
    else flags[name] = v as string | boolean;
  }
  return { positionals: parsed.positionals, flags };
}

/** Node's parse errors, reworded as lockstep's usage messages. */
function usageOf(e: Error & { code?: string }): UsageFailure {
  const flag = /--[\w-]+/.exec(e.message)?.[0] ?? /'(-\w)/.exec(e.message)?.[1] ?? "";
  if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (/does not take an argument/.test(e.message)) return new UsageFailure(`${flag} takes no value`);
    // `--iterations -5`: Node reads -5 as a flag; say so rather than that the value is missing.
    if (/ambiguous/.test(e.message)) return new UsageFailure(`${flag} needs a value (one starting with "-" is read as a flag; write ${flag}=-...)`);
    return new UsageFailure(`${flag} needs a value`);
  }
  return new UsageFailure(e.message);
}

function toInt(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageFailure(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageFailure(`--${name} is too large: ${value}`);
  return n;
}

/** "30s", "2m", "500ms", "1h" or plain seconds -> milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new UsageFailure(`--time-limit must look like 30s, 2m, 500ms or 1h, got ${JSON.stringify(s)}`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  const ms = unit === "ms" ? n : unit === "s" ? n * 1000 : unit === "m" ? n * 60000 : n * 3600000;
  if (ms < 1) throw new UsageFailure("--time-limit must be at least 1ms");
  return Math.round(ms);
}

/** "i/n" with 1 <= i <= n. */
export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m) throw new UsageFailure(`--shard must look like 1/4, got ${JSON.stringify(s)}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new UsageFailure(`--shard ${s}: need 1 <= i <= n`);
  return { index, count };
}

/**
 * The seed every shard of a `--shard i/n` run uses when none is given: a hash of the
 * scenario file's name and n (FNV-1a), so the n jobs of a CI matrix, started apart,
 * agree on it and search disjoint slices of one search. Pass --seed (e.g. the CI run
 * number) to search different schedules on each run.
 */
export function shardSeed(file: string, count: number): number {
  const base = file.replace(/\\/g, "/").split("/").pop() ?? file;
  let h = 0x811c9dc5;
  for (const ch of `${base}/${count}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** "1 iteration", "2 iterations". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
