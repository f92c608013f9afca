// lockstep's public API (DESIGN.md, "Public API"). Everything a test imports.
export { explore, check, type ExploreResult, type ExploreStats } from "./explore/explore.js";
export { replay, ReplayDivergence, type ReplayResult } from "./explore/replay.js";
export { shrink, type ShrinkResult, type ShrinkOptions, type ShrinkSource } from "./explore/shrink.js";
export { causalSlice } from "./explore/slice.js";
export { Bug, BugFound, type BugKind } from "./explore/bug.js";
export type { ExploreOptions, Progress } from "./explore/options.js";
export type { TraceFile } from "./explore/trace-file.js";
export type { StepEvent } from "./runtime/iteration.js";

export { spawn, spawnLink, spawnMonitor, self, makeRef, monitor, demonitor, link, unlink, trapExits, exit, isAlive } from "./runtime/processes.js";
export type { Dest, DownMessage, ExitMessage } from "./runtime/processes.js";
export { send, receive, type ReceiveOptions } from "./runtime/messages.js";
export { sendAfter, cancelTimer, sleep, now, yieldNow } from "./runtime/time.js";
export { note } from "./runtime/note.js";
export { Cluster, Global, node, ClusterNode, type NodeRef, type NodeMessage, type GlobalRegisterResult, type FaultOptions } from "./runtime/cluster.js";
export { register, unregister, whereis, via, Via } from "./runtime/names.js";
export { TIMEOUT, type Timeout } from "./runtime/timeout.js";
export { isPid } from "./values/pid.js";
import { Pid as PidClass } from "./values/pid.js";
/** A process identifier (`<0.N.0>`): made by spawn and self(), compared with `===`. */
export type Pid = PidClass;
/**
 * The Pid class for `x instanceof Pid`, typed without a constructor: a pid made by
 * hand would name no process, so only spawn and friends create them.
 */
export const Pid = PidClass as unknown as { readonly prototype: PidClass; [Symbol.hasInstance](x: unknown): x is PidClass };
export { Ref } from "./values/ref.js";
export { LockstepError, UsageError, ArgumentError, OptionsError } from "./runtime/errors.js";
export { GenServer, reply, noreply, stop, From, type Behaviour, type ServerRef, type StartOptions, type InitResult, type CallResult, type NoreplyResult } from "./otp/genserver.js";
export { GenStatem, type StatemBehaviour, type EventType, type Action, type TimeoutMs, type StatemInitResult, type EventResult } from "./otp/gen-statem.js";
export { Supervisor, type ChildSpec, type SupervisorOptions, type ChildInfo, type Strategy, type RestartType } from "./otp/supervisor.js";
export { DynamicSupervisor, type DynamicChildSpec, type DynamicSupervisorOptions, type DynamicStartResult, type DynamicTerminateResult, type DynamicCounts } from "./otp/dynamic-supervisor.js";
export { Agent } from "./otp/agent.js";
export { TaskHandle, type YieldResult, type TaskResult, type YieldManyOptions } from "./otp/task.js";
export { Task } from "./otp/task-api.js";
export { TaskSupervisor, MaxChildrenError, type TaskSupervisorOptions, type TaskSupervisorAsyncOptions, type TaskSupervisorChildOptions } from "./otp/task-supervisor.js";
export type { AsyncStreamOptions } from "./otp/task-stream.js";
export { CallExit, StartError, BadReturnError } from "./otp/errors.js";
export { Registry, RegistryHandle, viaRegister, viaUnregister, type RegistryRef, type RegistryOptions, type RegisterResult, type Entry, type Dispatcher, type DispatchOptions, type ListenerEvent } from "./otp/registry.js";
export { MatchSpecError } from "./otp/matchspec.js";
export { setEngineBytes } from "./engine/load.js";
export { VERSION } from "./version.js";
export { SharedCell } from "./shared/cell.js";
export { SharedMap } from "./shared/map.js";
export { Atomic } from "./shared/atomic.js";
export { Mutex } from "./shared/mutex.js";
export { Semaphore } from "./shared/semaphore.js";
export { Condition, type ConditionOptions } from "./shared/condition.js";
export { controlled, type ControlledOptions } from "./shared/controlled.js";
export { settle, sequence, type SettleOptions, type SequenceOptions } from "./shared/settle.js";
export type { SharedOptions } from "./shared/object.js";
export { History, Outcome, type Op, type OpId, linearizable, sequentiallyConsistent, type Model, type CheckResult, causallyConsistent, type RegisterSpec, Generator, Rand, type GeneratedOp, type GeneratorOptions, type OpSpec, workload, type WorkloadOptions } from "./check/index.js";
