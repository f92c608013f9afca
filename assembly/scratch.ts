// The scratch region: where an engine call that answers with a list (DOWN fan-out,
// links of a dying process, registry lookups) writes its integers. The call returns
// the count; the TypeScript side reads them through its cached Int32Array view at
// scratchPtr(). Valid only until the next engine call that writes scratch.
import { grow32 } from "./grow";

/** The region: its length only grows; contents are the last list answer (or replay decisions), valid until the next write. */
let scratch = new StaticArray<i32>(1024);

/** Makes room for `n` integers and returns the region. */
export function scratchFor(n: i32): StaticArray<i32> {
  if (n > scratch.length) scratch = grow32(scratch, n);
  return scratch;
}

/** Address of the scratch region (changes only when it grows). */
export function scratchPtr(): usize {
  return changetype<usize>(scratch);
}

/** Capacity of the scratch region, in integers; the TS side writes replay decisions here. */
export function scratchCap(): i32 {
  return scratch.length;
}

/** Ensures the scratch region holds at least `n` integers; returns its address. */
export function scratchReserve(n: i32): usize {
  scratchFor(n);
  return changetype<usize>(scratch);
}
