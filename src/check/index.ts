// Consistency checkers over recorded histories (Jepsen/Porcupine style).
export { History, Outcome, type Op, type OpId } from "./history.js";
export type { Model, CheckResult } from "./model.js";
export { linearizable } from "./linearizable.js";
export { sequentiallyConsistent } from "./sequential.js";
