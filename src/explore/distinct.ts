// Counting distinct schedules in bounded memory.
//
// The explorer counts the distinct 32-bit schedule hashes it has seen. An exact Set
// would grow with every new schedule (and V8 refuses a Set past 2^24 entries, about
// 16.8M schedules: a long exploration would crash). So the count is exact up to a cap
// (2^20 values, at most 8 MiB), then a HyperLogLog sketch (Flajolet et al. 2007) takes
// over, seeded with every value the exact set held, and the count becomes an estimate
// (standard error 1.04 / sqrt(2^precision): 0.41% at the default precision 16, in
// 64 KiB). Nothing here is random: the same hashes give the same count, in any order.

/** murmur3's 32-bit finalizer: a bijection that spreads FNV's weakly mixed bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A counter's state as plain typed arrays (structured-clonable): exact values, or HLL registers. */
export type DistinctSnapshot = { values: Uint32Array } | { registers: Uint8Array };

export class DistinctCounter {
  // Exact phase: an open-addressing set of the values (linear probing, load <= 1/2,
  // growing by doubling). 0 marks an empty slot, so the value 0 is tracked apart. Much
  // faster and smaller than a Set of a million numbers, and it starts small.
  private table: Uint32Array | null = new Uint32Array(1024);
  private size = 0;
  private hasZero = false;
  private registers: Uint8Array | null = null;
  /** The last estimate, or -1 when a register changed since (progress asks often). */
  private cached = -1;
  private readonly p: number;

  /**
   * @param cap exact counting up to this many distinct values (default 2^20)
   * @param precision HyperLogLog index bits, 4..18 (default 16: 65536 registers)
   */
  constructor(
    private readonly cap = 1 << 20,
    precision = 16,
  ) {
    if (!(precision >= 4 && precision <= 18)) throw new RangeError(`precision must be 4..18, got ${precision}`);
    this.p = precision;
  }

  /** Notes one 32-bit value (a schedule hash). */
  add(value: number): void {
    const v = value >>> 0;
    if (this.table === null) return this.observe(v);
    if (v === 0) {
      if (this.hasZero) return;
      this.hasZero = true;
    } else if (!this.insert(this.table, v)) return;
    if (++this.size > this.cap) this.toSketch();
    else if (this.size * 2 > this.table.length) this.grow();
  }

  /** The number of distinct values seen: exact, or an estimate once `estimated`. */
  get count(): number {
    return this.table !== null ? this.size : this.estimate();
  }

  /** True once the count is a HyperLogLog estimate rather than exact. */
  get estimated(): boolean {
    return this.table === null;
  }

  /** What another thread needs to merge this count into its own (parallel workers). */
  snapshot(): DistinctSnapshot {
    if (this.table === null) return { registers: this.registers!.slice() };
    const values: number[] = this.hasZero ? [0] : [];
    for (const v of this.table) if (v !== 0) values.push(v);
    return { values: Uint32Array.from(values) };
  }

  /** Adds another counter's values (a union): exact while both are and the cap holds. */
  merge(s: DistinctSnapshot): void {
    if ("values" in s) {
      for (const v of s.values) this.add(v);
      return;
    }
    if (s.registers.length !== 1 << this.p) throw new RangeError(`cannot merge a sketch of ${s.registers.length} registers into one of ${1 << this.p}`);
    if (this.table !== null) this.toSketch();
    const r = this.registers!;
    for (let i = 0; i < r.length; i++) if (s.registers[i] > r[i]) r[i] = s.registers[i];
    this.cached = -1;
  }

  /** Inserts v (non-zero); false when it was already there. */
  private insert(t: Uint32Array, v: number): boolean {
    const mask = t.length - 1;
    for (let i = fmix32(v) & mask; ; i = (i + 1) & mask) {
      const x = t[i];
      if (x === v) return false;
      if (x === 0) {
        t[i] = v;
        return true;
      }
    }
  }

  private grow(): void {
    const old = this.table!;
    const t = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.insert(t, old[i]);
    this.table = t;
  }

  private toSketch(): void {
    this.registers = new Uint8Array(1 << this.p);
    const t = this.table!;
    for (let i = 0; i < t.length; i++) if (t[i] !== 0) this.observe(t[i]);
    if (this.hasZero) this.observe(0);
    this.table = null; // the exact values are released: memory stays bounded from here on
  }

  private observe(v: number): void {
    // A 64-bit hash from the 32-bit value: index from the first p bits, rank (position
    // of the first 1) from the rest; the second word keeps ranks from saturating, so no
    // large-range correction is needed (distinct inputs stay distinct: fmix32 is a bijection).
    const h1 = fmix32(v);
    const idx = h1 >>> (32 - this.p);
    const rest = (h1 << this.p) >>> 0;
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 32 - this.p + Math.clz32(fmix32(v ^ 0x9e3779b9)) + 1;
    const r = this.registers!;
    if (rank > r[idx]) {
      r[idx] = rank;
      this.cached = -1;
    }
  }

  private estimate(): number {
    if (this.cached >= 0) return this.cached;
    const r = this.registers!;
    const m = r.length;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      sum += 2 ** -r[i];
      if (r[i] === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    let e = (alpha * m * m) / sum;
    if (e <= 2.5 * m && zeros > 0) e = m * Math.log(m / zeros); // small range: linear counting
    // Never report fewer than the exact count we had when switching.
    return (this.cached = Math.max(Math.round(e), this.cap + 1));
  }
}
