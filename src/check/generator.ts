// Seeded operation streams for Jepsen-style workloads (Lockstep's Generator): a
// weighted mix of named operations whose arguments are drawn from a small PRNG. The
// stream is a function of its seed alone, so a failing iteration replays with the same
// operations. Created inside an exploration without a seed, a generator is seeded from
// the exploration's seed and the iteration number: every iteration tries other
// operations, and iteration i's are the same in every run, worker and replay. Under
// dpor (which re-runs prefixes of one program) every run draws the same operations.
import { currentIteration } from "../runtime/iteration.js";
import { OptionsError } from "../runtime/errors.js";
import { show } from "../values/show.js";

/** The random draws an operation's argument function may make. */
export class Rand {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The next 32 random bits (splitmix32: tiny, and the same in every host). */
  next32(): number {
    let z = (this.s = (this.s + 0x9e3779b9) >>> 0);
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** An integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) throw new OptionsError(`Rand.int(lo, hi) needs integers lo <= hi, got ${show(lo)}, ${show(hi)}`);
    return lo + Math.floor((this.next32() / 0x100000000) * (hi - lo + 1));
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (!Array.isArray(items) || items.length === 0) throw new OptionsError(`Rand.pick needs a non-empty array, got ${show(items)}`);
    return items[this.int(0, items.length - 1)];
  }

  /** true with probability p. */
  bool(p = 0.5): boolean {
    return this.next32() / 0x100000000 < p;
  }
}

/** An operation of the mix: its argument function, or `{ weight, args }`. `client` is the fork's index (undefined unforked). */
export type OpSpec = ((r: Rand, client: number | undefined) => unknown) | { weight?: number; args?: (r: Rand, client: number | undefined) => unknown };

/** One generated operation. */
export interface GeneratedOp {
  name: string;
  args: unknown;
}

export interface GeneratorOptions {
  /** The stream's seed (an integer); default: the exploration's seed mixed with the iteration number. */
  seed?: number;
}

interface Entry {
  name: string;
  weight: number;
  args: (r: Rand, client: number | undefined) => unknown;
}

/**
 * A weighted mix of operations.
 *
 * @example
 * const gen = new Generator({
 *   get: (r) => ({ key: r.pick(["a", "b"]) }),
 *   put: { weight: 2, args: (r) => ({ key: r.pick(["a", "b"]), value: r.int(0, 9) }) },
 * });
 * gen.next(); // { name: "put", args: { key: "b", value: 4 } }
 */
export class Generator {
  private readonly entries: Entry[];
  private readonly total: number;
  private readonly seed: number;
  private readonly rand: Rand;
  private readonly client: number | undefined = undefined;

  constructor(ops: Record<string, OpSpec>, options: GeneratorOptions = {}) {
    if (ops === null || typeof ops !== "object" || Object.keys(ops).length === 0) throw new OptionsError(`a Generator needs at least one operation: { name: (r) => args, ... }, got ${show(ops)}`);
    this.entries = Object.entries(ops).map(([name, spec]) => {
      const weight = typeof spec === "function" ? 1 : spec?.weight ?? 1;
      const args = typeof spec === "function" ? spec : spec?.args ?? (() => undefined);
      if (typeof weight !== "number" || !Number.isSafeInteger(weight) || weight < 0) throw new OptionsError(`the weight of operation ${name} must be a non-negative integer, got ${show(weight)}`);
      if (typeof args !== "function") throw new OptionsError(`operation ${name}: args must be a function of a Rand, got ${show(args)}`);
      return { name, weight, args };
    });
    this.total = this.entries.reduce((t, e) => t + e.weight, 0);
    if (this.total === 0) throw new OptionsError("a Generator needs an operation with a positive weight");
    this.seed = options.seed ?? defaultSeed();
    if (!Number.isSafeInteger(this.seed)) throw new OptionsError(`Generator seed must be an integer, got ${show(options.seed)}`);
    this.rand = new Rand(this.seed);
  }

  /** The next operation of the stream. */
  next(): GeneratedOp {
    let x = this.rand.int(0, this.total - 1);
    for (const e of this.entries) {
      if (x < e.weight) return { name: e.name, args: e.args(this.rand, this.client) };
      x -= e.weight;
    }
    throw new Error("unreachable: weights sum to total");
  }

  /** The next `n` operations. */
  take(n: number): GeneratedOp[] {
    if (!Number.isSafeInteger(n) || n < 0) throw new OptionsError(`take(n) needs a non-negative integer, got ${show(n)}`);
    return Array.from({ length: n }, () => this.next());
  }

  /**
   * An independent stream for client `i` (same mix, its own seed, and `i` passed to the
   * argument functions): a client's operations do not depend on the schedule.
   */
  fork(i: number): Generator {
    if (!Number.isSafeInteger(i)) throw new OptionsError(`fork(i) needs an integer, got ${show(i)}`);
    const g = Object.create(Generator.prototype) as Generator;
    const seed = mix(this.seed, i);
    Object.assign(g, { entries: this.entries, total: this.total, seed, rand: new Rand(seed), client: i });
    return g;
  }
}

function mix(a: number, b: number): number {
  return new Rand(Math.imul(a | 0, 0x9e3779b1) ^ (b | 0)).next32();
}

function defaultSeed(): number {
  const it = currentIteration();
  if (it === null) return 0;
  it.drewInputs = true;
  return it.config.inputSeed;
}
