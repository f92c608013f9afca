// The registry's hash table: (a, b) pairs of non-negative i32 -> i32, open addressing
// with linear probing and backward-shift deletion (no tombstones), like hashmap.ts's
// I64Map, but with each slot's four fields interleaved — [stamp, a, b, value] — so a
// probe reads one cache line instead of three arrays. With a million keys nearly
// every lookup misses the cache, so this is most of a lookup's cost.
//
// reset() is O(1): a slot is used only when its stamp is the current generation.
// Capacity is a power of two, kept at most 50% full, doubled when needed.

const W: i32 = 4; // ints per slot
const STAMP: i32 = 0;
const A: i32 = 1;
const B: i32 = 2;
const VAL: i32 = 3;

@inline function mix(a: i32, b: i32): u32 {
  // murmur3's 32-bit finalizer over a combination of both halves.
  let h = (<u32>a * 0x9e3779b1) ^ <u32>b;
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

export class PairMap {
  /** Slot i is data[i*W .. i*W+W) = [stamp, a, b, value]; it is used exactly when its stamp == gen, and a used (a, b) is reached by probing from mix(a, b) & mask without crossing an unused slot. */
  data: StaticArray<i32>;
  /** Capacity - 1; the capacity (data.length / W) is a power of two >= 16. */
  mask: i32;
  /** Number of used slots; 2 * size <= capacity. */
  size: i32 = 0;
  /** The current generation, >= 1 (stamp 0, written by delete, is never current). */
  gen: i32 = 1;

  constructor(capacity: i32 = 64) {
    let cap = 16;
    while (cap < capacity) cap <<= 1;
    this.data = new StaticArray<i32>(cap * W);
    this.mask = cap - 1;
  }

  /** Empties the map in O(1). */
  reset(): void {
    this.gen++;
    this.size = 0;
  }

  /** The value under (a, b), or -1. */
  get(a: i32, b: i32): i32 {
    const d = this.data;
    const mask = this.mask;
    const gen = this.gen;
    let i = <i32>mix(a, b) & mask;
    let o = i * W;
    while (unchecked(d[o + STAMP]) == gen) {
      if (unchecked(d[o + A]) == a && unchecked(d[o + B]) == b) return unchecked(d[o + VAL]);
      i = (i + 1) & mask;
      o = i * W;
    }
    return -1;
  }

  set(a: i32, b: i32, v: i32): void {
    if ((this.size + 1) << 1 > this.mask + 1) this.rehash();
    const d = this.data;
    const mask = this.mask;
    const gen = this.gen;
    let i = <i32>mix(a, b) & mask;
    for (;;) {
      const o = i * W;
      if (unchecked(d[o + STAMP]) != gen) {
        unchecked((d[o + STAMP] = gen));
        unchecked((d[o + A] = a));
        unchecked((d[o + B] = b));
        unchecked((d[o + VAL] = v));
        this.size++;
        if (!ASC_NO_ASSERT) assert(this.size << 1 <= mask + 1, "PairMap stays at most half full");
        return;
      }
      if (unchecked(d[o + A]) == a && unchecked(d[o + B]) == b) {
        unchecked((d[o + VAL] = v));
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * Makes room for one insertion (call before slot() when the caller may insertAt()).
   * Rehashing moves slots, so it must not happen between slot() and insertAt().
   */
  reserve(): void {
    if ((this.size + 1) << 1 > this.mask + 1) this.rehash();
  }

  /** The slot holding (a, b), or ~slot (negative) of the empty slot where it would go. */
  slot(a: i32, b: i32): i32 {
    const d = this.data;
    const mask = this.mask;
    const gen = this.gen;
    let i = <i32>mix(a, b) & mask;
    let o = i * W;
    while (unchecked(d[o + STAMP]) == gen) {
      if (unchecked(d[o + A]) == a && unchecked(d[o + B]) == b) return i;
      i = (i + 1) & mask;
      o = i * W;
    }
    return ~i;
  }

  @inline valueAt(i: i32): i32 {
    return unchecked(this.data[i * W + VAL]);
  }

  @inline setAt(i: i32, v: i32): void {
    unchecked((this.data[i * W + VAL] = v));
  }

  /** Fills the empty slot `i` found by slot() (after reserve()). */
  insertAt(i: i32, a: i32, b: i32, v: i32): void {
    const o = i * W;
    const d = this.data;
    if (!ASC_NO_ASSERT) assert(unchecked(d[o + STAMP]) != this.gen, "insertAt fills an empty slot");
    if (!ASC_NO_ASSERT) assert((this.size + 1) << 1 <= this.mask + 1, "reserve() came before slot()");
    unchecked((d[o + STAMP] = this.gen));
    unchecked((d[o + A] = a));
    unchecked((d[o + B] = b));
    unchecked((d[o + VAL] = v));
    this.size++;
  }

  /** Removes (a, b); returns its value or -1. */
  delete(a: i32, b: i32): i32 {
    const d = this.data;
    const mask = this.mask;
    const gen = this.gen;
    let i = <i32>mix(a, b) & mask;
    for (;;) {
      const o = i * W;
      if (unchecked(d[o + STAMP]) != gen) return -1;
      if (unchecked(d[o + A]) == a && unchecked(d[o + B]) == b) break;
      i = (i + 1) & mask;
    }
    const v = unchecked(d[i * W + VAL]);
    // Backward shift: move later members of the probe run into the hole when their
    // home slot is not cyclically inside (hole, j].
    let hole = i;
    let j = (i + 1) & mask;
    for (;;) {
      const o = j * W;
      if (unchecked(d[o + STAMP]) != gen) break;
      const home = <i32>mix(unchecked(d[o + A]), unchecked(d[o + B])) & mask;
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        const h = hole * W;
        unchecked((d[h + A] = d[o + A]));
        unchecked((d[h + B] = d[o + B]));
        unchecked((d[h + VAL] = d[o + VAL]));
        hole = j;
      }
      j = (j + 1) & mask;
    }
    unchecked((d[hole * W + STAMP] = 0));
    this.size--;
    return v;
  }

  private rehash(): void {
    const old = this.data;
    const oldGen = this.gen;
    const oldSize = ASC_NO_ASSERT ? 0 : this.size; // read for the debug check only
    const cap = (this.mask + 1) << 1;
    this.data = new StaticArray<i32>(cap * W);
    this.mask = cap - 1;
    this.gen = 1;
    this.size = 0;
    for (let o = 0; o < old.length; o += W) {
      if (unchecked(old[o + STAMP]) == oldGen) this.set(unchecked(old[o + A]), unchecked(old[o + B]), unchecked(old[o + VAL]));
    }
    if (!ASC_NO_ASSERT) assert(this.size == oldSize, "rehash keeps every key");
  }
}
