// An open-addressing hash map from i64 keys to i32 values, with linear probing and
// backward-shift deletion (no tombstones), used for the link index and the registry's
// key tables.
//
// reset() is O(1): every slot carries the generation it was written in, and a slot
// whose stamp is not the current generation reads as empty. Capacity is a power of
// two, kept at most 50% full, doubled when needed.

@inline function mix(k: i64): u32 {
  // The 64-bit finalizer of splitmix64/murmur3, folded to 32 bits.
  let z = <u64>k;
  z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >>> 27)) * 0x94d049bb133111eb;
  z = z ^ (z >>> 31);
  return <u32>(z ^ (z >>> 32));
}

export class I64Map {
  /** keys[i] for a used slot i (stamp[i] == gen): its key, found by probing from mix(key) & mask without crossing an unused slot. */
  keys: StaticArray<i64>;
  /** vals[i] for a used slot i: the value under keys[i]. */
  vals: StaticArray<i32>;
  /** stamp[i] == gen exactly when slot i is used; any other value (0 after a delete, an older gen) reads as empty. */
  stamp: StaticArray<i32>;
  /** Capacity - 1; the capacity is a power of two >= 16, the length of keys, vals and stamp. */
  mask: i32;
  /** Number of used slots; 2 * size <= capacity. */
  size: i32 = 0;
  /** The current generation, >= 1 (stamp 0 is never current). */
  gen: i32 = 1;

  constructor(capacity: i32 = 64) {
    let cap = 16;
    while (cap < capacity) cap <<= 1;
    this.keys = new StaticArray<i64>(cap);
    this.vals = new StaticArray<i32>(cap);
    this.stamp = new StaticArray<i32>(cap);
    this.mask = cap - 1;
  }

  @inline private used(i: i32): bool {
    return unchecked(this.stamp[i]) == this.gen;
  }

  /** Empties the map in O(1). */
  reset(): void {
    this.gen++;
    this.size = 0;
  }

  /** The value under k, or -1. */
  get(k: i64): i32 {
    const mask = this.mask;
    let i = <i32>mix(k) & mask;
    while (this.used(i)) {
      if (unchecked(this.keys[i]) == k) return unchecked(this.vals[i]);
      i = (i + 1) & mask;
    }
    return -1;
  }

  set(k: i64, v: i32): void {
    if ((this.size + 1) << 1 > this.mask + 1) this.rehash();
    const mask = this.mask;
    let i = <i32>mix(k) & mask;
    while (this.used(i)) {
      if (unchecked(this.keys[i]) == k) {
        unchecked((this.vals[i] = v));
        return;
      }
      i = (i + 1) & mask;
    }
    unchecked((this.keys[i] = k));
    unchecked((this.vals[i] = v));
    unchecked((this.stamp[i] = this.gen));
    this.size++;
    if (!ASC_NO_ASSERT) assert(this.size << 1 <= this.mask + 1, "I64Map stays at most half full");
  }

  /** Removes k; returns its value or -1. */
  delete(k: i64): i32 {
    const mask = this.mask;
    let i = <i32>mix(k) & mask;
    while (true) {
      if (!this.used(i)) return -1;
      if (unchecked(this.keys[i]) == k) break;
      i = (i + 1) & mask;
    }
    const v = unchecked(this.vals[i]);
    // Backward-shift: move later members of the probe run into the hole when their
    // home slot is not cyclically inside (hole, j].
    let hole = i;
    let j = (i + 1) & mask;
    while (this.used(j)) {
      const home = <i32>mix(unchecked(this.keys[j])) & mask;
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        unchecked((this.keys[hole] = this.keys[j]));
        unchecked((this.vals[hole] = this.vals[j]));
        hole = j;
      }
      j = (j + 1) & mask;
    }
    unchecked((this.stamp[hole] = 0));
    this.size--;
    return v;
  }

  private rehash(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const oldStamp = this.stamp;
    const oldGen = this.gen;
    const oldSize = ASC_NO_ASSERT ? 0 : this.size; // read for the debug check only
    const cap = (this.mask + 1) << 1;
    this.keys = new StaticArray<i64>(cap);
    this.vals = new StaticArray<i32>(cap);
    this.stamp = new StaticArray<i32>(cap);
    this.mask = cap - 1;
    this.gen = 1;
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      if (unchecked(oldStamp[i]) == oldGen) this.set(unchecked(oldKeys[i]), unchecked(oldVals[i]));
    }
    if (!ASC_NO_ASSERT) assert(this.size == oldSize, "rehash keeps every key");
  }
}

/** Packs two non-negative i32 into one i64 key. */
@inline export function pair(a: i32, b: i32): i64 {
  return (<i64>a << 32) | <i64>(<u32>b);
}
