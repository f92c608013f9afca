// xoshiro128** 1.1 (Blackman & Vigna, 2018), seeded through splitmix32. Only 32-bit
// integer operations, so the stream is bit-identical in every WebAssembly host.
// A run's PRNG is seeded from (seed, iteration, salt), which makes iteration i's
// schedule a function of (seed, i, options) regardless of which iterations ran before.

// xoshiro128** state: after seedPrng, not all four words are zero (the generator's only fixed point).
let s0: u32 = 1;
let s1: u32 = 2;
let s2: u32 = 3;
let s3: u32 = 4;
/** splitmix32 state: used only by seedPrng to expand the seed into s0 .. s3. */
let sm: u32 = 0;

// splitmix32 step (Steele, Lea & Flood's splitmix, 32-bit variant by Vigna's constants).
function splitmix(): u32 {
  sm += 0x9e3779b9;
  let z = sm;
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  return z ^ (z >>> 16);
}

/** Seeds the generator from a 64-bit seed (two halves), an iteration number and a salt. */
export function seedPrng(seedLo: u32, seedHi: u32, iteration: u32, salt: u32): void {
  sm = seedLo;
  const a = splitmix() ^ seedHi;
  sm = a;
  const b = splitmix() ^ iteration;
  sm = b;
  const c = splitmix() ^ salt;
  sm = c;
  s0 = splitmix();
  s1 = splitmix();
  s2 = splitmix();
  s3 = splitmix();
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1; // the all-zero state is xoshiro's one fixed point
  if (!ASC_NO_ASSERT) assert((s0 | s1 | s2 | s3) != 0, "xoshiro state is not all zero");
}

/** Next 32 random bits. */
export function nextU32(): u32 {
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u32>(s3, 11);
  return result;
}

/** Uniform integer in [0, n) by multiply-shift (bias below 2^-32 * n, irrelevant here). */
export function below(n: i32): i32 {
  return <i32>((<u64>nextU32() * <u64>n) >>> 32);
}

/** Uniform double in [0, 1). */
export function unit(): f64 {
  return <f64>nextU32() / 4294967296.0;
}
