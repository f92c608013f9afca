// Consistency checkers over recorded histories (Jepsen/Porcupine style).
export { History, Outcome, type Op, type OpId } from "./history.js";
export type { Model, CheckResult } from "./model.js";
export { linearizable } from "./linearizable.js";
export { sequentiallyConsistent } from "./sequential.js";
export { causallyConsistent, type RegisterSpec } from "./causal.js";
export { Generator, Rand, type GeneratedOp, type GeneratorOptions, type OpSpec } from "./generator.js";
export { workload, type WorkloadOptions } from "./workload.js";
