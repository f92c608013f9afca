// The model-based template (Lockstep's methodology, Jepsen's shape): N client
// processes each run generated operations against the system under test, recording
// every invocation and completion in a History; the body then checks the history
// against a sequential model. workload() is that loop, so a user writes only how to
// perform one operation.
import { spawnMonitor, type DownMessage } from "../runtime/processes.js";
import { receive } from "../runtime/messages.js";
import { OptionsError } from "../runtime/errors.js";
import { show } from "../values/show.js";
import type { Ref } from "../values/ref.js";
import { History } from "./history.js";
import type { Generator, GeneratedOp } from "./generator.js";

export interface WorkloadOptions {
  /** How many client processes run at once (default 3). */
  clients?: number;
  /** Operations each client performs (default 4). */
  opsPerClient?: number;
  /** Where operations come from; each client draws from its own fork, so its operations do not depend on the schedule. */
  generator: Generator;
  /** Performs one operation against the system under test and returns its result. */
  run(op: GeneratedOp, client: number): Promise<unknown> | unknown;
  /**
   * What a thrown error means: "fail" (the operation certainly did not happen) or
   * "info" (it may have: a timeout, a crash mid-call). Default "info", the safe choice:
   * calling a maybe-applied operation "fail" can hide a real bug or invent one.
   */
  classify?(error: unknown, op: GeneratedOp): "fail" | "info";
  /** The history to record into (default: a new one). */
  history?: History;
}

/**
 * Spawns the clients, waits until every one has finished (or died), and returns the
 * recorded history. Call it from an exploration's body, then check the history with
 * `linearizable`, `sequentiallyConsistent` or `causallyConsistent`.
 */
export async function workload(options: WorkloadOptions): Promise<History> {
  const { clients = 3, opsPerClient = 4, generator, run, classify = () => "info" as const, history = new History() } = options ?? ({} as WorkloadOptions);
  if (!Number.isSafeInteger(clients) || clients < 1) throw new OptionsError(`workload: clients must be a positive integer, got ${show(clients)}`);
  if (!Number.isSafeInteger(opsPerClient) || opsPerClient < 0) throw new OptionsError(`workload: opsPerClient must be a non-negative integer, got ${show(opsPerClient)}`);
  if (generator === undefined || typeof (generator as Generator).fork !== "function") throw new OptionsError(`workload: generator must be a Generator, got ${show(generator)}`);
  if (typeof run !== "function") throw new OptionsError(`workload: run(op, client) must be a function, got ${show(run)}`);
  const refs = new Set<Ref>();
  for (let c = 0; c < clients; c++) {
    const stream = generator.fork(c);
    const { ref } = await spawnMonitor(async () => {
      for (let k = 0; k < opsPerClient; k++) {
        const op = stream.next();
        const id = history.invoke(op.name, op.args);
        let result: unknown;
        try {
          result = await run(op, c);
        } catch (e) {
          if (classify(e, op) === "fail") history.fail(id, e);
          else history.info(id);
          continue;
        }
        history.ok(id, result);
      }
    });
    refs.add(ref);
  }
  // Our own monitors, one per client: a client that dies (killed by a linked crash,
  // say) still ends the wait, and its operation in flight stays pending (unknown).
  while (refs.size > 0) {
    const down = (await receive((m: unknown) => (m as DownMessage)?.type === "DOWN" && refs.has((m as DownMessage).ref))) as DownMessage;
    refs.delete(down.ref);
  }
  return history;
}
