// Type tests of the public API (test/types.test.ts runs tsc --strict over this file).
// Every `@ts-expect-error` line must be an error: tsc fails on an unused one.
import { GenServer, receive, spawn, self, send, TIMEOUT, Pid, explore, type ExploreOptions, type Timeout } from "lockstep";

const counter = {
  init(start: number) {
    return { state: start };
  },
  handleCall(request: "get" | "bump", _from: unknown, state: number) {
    return request === "get" ? { reply: state, state } : { reply: state + 1, state: state + 1 };
  },
};

const noArg = {
  init() {
    return { state: [] as string[] };
  },
};

export async function genServer(): Promise<void> {
  // start checks arg against init's parameter, and requires it when init does.
  const pid: Pid = await GenServer.start(counter, 0);
  await GenServer.startLink(counter, 1, { name: "counter" });
  // @ts-expect-error init takes a number
  await GenServer.start(counter, "zero");
  // @ts-expect-error init's argument is required
  await GenServer.start(counter);
  await GenServer.start(noArg);
  // @ts-expect-error init takes no argument
  await GenServer.start(noArg, 5);

  // call's reply is unknown unless the caller names its type; never any.
  const r = await GenServer.call(pid, "get");
  // @ts-expect-error unknown: narrow it or name the reply type
  r.toFixed();
  const n = await GenServer.call<number>(pid, "get");
  n.toFixed();
  const isUnknown: unknown extends typeof r ? true : false = true;
  void isUnknown;
}

export async function receiving(): Promise<void> {
  const me = self();
  spawn(async () => send(me, "hi"));
  // Without a timeout a receive ends only with a message: no TIMEOUT in its type.
  const m = await receive<string>();
  m.toUpperCase();
  const sel = await receive<string>((x) => typeof x === "string");
  sel.toUpperCase();
  // With one it may be TIMEOUT.
  const t = await receive<string>(undefined, { timeout: 10 });
  // @ts-expect-error string | typeof TIMEOUT
  t.toUpperCase();
  if (t !== TIMEOUT) t.toUpperCase();
  const t2: string | Timeout = t;
  void t2;
  // A type-guard predicate narrows the message.
  const down = await receive((x: unknown): x is { type: "DOWN"; reason: unknown } => (x as { type?: unknown })?.type === "DOWN");
  const kind: "DOWN" = down.type;
  void kind;
}

export async function pids(): Promise<void> {
  const me = self();
  const isPid: boolean = (me as unknown) instanceof Pid;
  void isPid;
  // @ts-expect-error pids are made by spawn and self(), not by hand
  new Pid(1);
}

export async function options(): Promise<void> {
  const ok: ExploreOptions = { iterations: 10, seed: 1, strategy: "pct", timeLimitMs: 1000, traceDir: false };
  await explore(async () => {}, ok);
  // @ts-expect-error internal (CLI shards and workers)
  const a: ExploreOptions = { firstIteration: 2 };
  // @ts-expect-error internal
  const b: ExploreOptions = { stride: 2 };
  // @ts-expect-error internal
  const c: ExploreOptions = { shouldContinue: () => true };
  // @ts-expect-error internal
  const d: ExploreOptions = { file: "x.mjs" };
  // @ts-expect-error an unknown strategy
  const e: ExploreOptions = { strategy: "nope" };
  void [a, b, c, d, e];
}
