/**
 * An opaque reference, from `makeRef()`, `monitor()` or `sendAfter()`. Compare with
 * `===`; prints like Erlang's `#Ref<0.0.0.N>` with N unique within the iteration.
 */
export class Ref {
  readonly id: number;
  constructor(id: number) {
    this.id = id;
  }
  toString(): string {
    return `#Ref<0.0.0.${this.id}>`;
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
