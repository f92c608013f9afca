// What every shared object has: the iteration it belongs to, a per-iteration resource
// id the engine sees (so POS and reads-from feedback know which operations race), a
// readable label for reports, and the entry check of its sync points.
//
// Reads-from bookkeeping: each object (each SharedMap key) counts its writes. A read
// records in its event's aux the number of the write it observed (0: the initial
// value), a write the number it creates; a read-modify-write is a write whose aux
// n says it read write n - 1 (writes to one object are totally ordered). The engine
// thus sees every read as a (resource, write id) pair.
import { currentIteration, type Iteration } from "../runtime/iteration.js";
import { iterationFor } from "../runtime/context.js";
import { syncIn, type Act } from "../runtime/sync.js";
import { UsageError } from "../runtime/errors.js";
import { resource, RES } from "../engine/ops.js";
import { trustShow } from "../values/show.js";
import type { Proc } from "../runtime/proc.js";

let idsOf: Iteration | null = null;
let lastId = 0;

/** A fresh per-iteration id (objects, SharedMap keys), in creation order: stable across replays. */
export function newSharedId(it: Iteration): number {
  if (idsOf !== it) {
    idsOf = it;
    lastId = 0;
  }
  return ++lastId;
}

/** Options every shared object accepts. */
export interface SharedOptions {
  /** A name for reports (default: `Kind#id`, e.g. `Mutex#3`). */
  name?: string;
}

/**
 * Base of SharedCell, SharedMap, Atomic, Mutex, Semaphore and Condition. Creating one
 * is a plain call (not a sync point) and must happen inside a lockstep process; the
 * object lives for that iteration only.
 */
export abstract class SharedObject {
  /** @internal */ readonly it: Iteration;
  /** @internal The engine resource of this object. */ readonly res: number;
  /** The name used in reports. */
  readonly label: string;

  constructor(kind: string, options: SharedOptions | undefined) {
    const it = iterationFor(`new ${kind}()`);
    if (options !== undefined && (typeof options !== "object" || options === null)) {
      throw new TypeError(`new ${kind}(): options must be an object such as { name: "balance" }`);
    }
    const name = options?.name;
    if (name !== undefined && typeof name !== "string") throw new TypeError(`new ${kind}(): name must be a string`);
    this.it = it;
    const id = newSharedId(it);
    this.res = resource(RES.SHARED, id);
    this.label = name ?? `${kind}#${id}`;
  }

  /**
   * @internal A method's sync point (src/runtime/sync.ts); rejects for an object of an
   * iteration that has ended.
   */
  protected sync<T, A = undefined, B = undefined>(op: number, method: string, act: Act<T, A, B>, a?: A, b?: B): Promise<T> {
    if (currentIteration() !== this.it) {
      return Promise.reject(
        new UsageError(
          `${this.label}.${method}(): this object was created in iteration ${this.it.config.iteration}, which has ended; shared objects live for one iteration, so create them inside the test body`,
        ),
      );
    }
    return syncIn(this.it, op, act, a, b);
  }

  toString(): string {
    return this.label;
  }
}

trustShow(SharedObject);
