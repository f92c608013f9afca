/**
 * A process identifier. Exactly one Pid object exists per process per iteration, so
 * pids compare with `===`; they print like Erlang's local pids, `<0.N.0>`, where N is
 * the spawn order within the iteration (the test body is `<0.1.0>`).
 */
export class Pid {
  /** The engine's integer handle for this process (also N in `<0.N.0>`). */
  readonly id: number;
  constructor(id: number) {
    this.id = id;
  }
  toString(): string {
    return `<0.${this.id}.0>`;
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** True for a lockstep process identifier. */
export function isPid(x: unknown): x is Pid {
  return x instanceof Pid;
}
