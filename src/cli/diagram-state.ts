// The state of the run at a chosen row of the diagram, folded from the recorded
// operations: each process's status (running, waiting on what, exited and why), its
// mailbox, monitors and links; pending timers with the virtual time they fire at;
// local names and registry keys; the last known values of shared objects.
//
// Rows are read as the runtime writes them (src/runtime's `it.note` calls: an op, a
// detail and a result). A 100,000-row trace answers any row quickly: the fold keeps a
// copy of the state every CHECKPOINT rows and replays at most that many from the
// nearest one.
//
// `stateModel` uses nothing outside its own body: the report embeds its source text
// (like `mountDiagram`, src/cli/diagram-view.ts).
import type { DiagramData } from "./diagram-view.js";

export interface ProcState {
  /** "not spawned yet", "runnable", "waiting in receive …", "exited: normal", … */
  status: string;
  /** Messages in its mailbox (indices into `strings`), oldest first. */
  mailbox: number[];
  /** What it monitors: "<0.3.0> (#Ref<0.0.0.4>)". */
  monitors: string[];
  /** Lanes it is linked to. */
  links: number[];
  traps: boolean;
  /** The last message it sent and to which lane (a receive that waits after a `$gen_call` waits for that call's reply). */
  sentTo: number;
  sentMsg: string;
}

export interface StepState {
  /** The virtual clock (ms). */
  now: number;
  procs: ProcState[];
  /** Pending timers: key → "what, at T ms". */
  timers: Map<string, string>;
  /** Local and global names, registry keys → holder. */
  names: Map<string, string>;
  /** Shared objects (SharedCell, Atomic, SharedMap entries, Mutex, Semaphore) → last known value. */
  cells: Map<string, string>;
}

export interface StateModel {
  /** The state after row `i` (-1: before the first). */
  at(i: number): StepState;
}

export function stateModel(d: DiagramData): StateModel {
  const CHECKPOINT = 1000;
  const n = d.step.length;
  const laneOf = new Map<string, number>();
  d.lanes.forEach((p, l) => laneOf.set(p, l));
  const str = (k: number) => (k >= 0 ? d.strings[k] : "");
  const who = (pid: string) => {
    const l = laneOf.get(pid);
    return l === undefined || d.labels[l] === pid ? pid : `${d.labels[l]} ${pid}`;
  };
  /** The arguments of `f(a, b, c)` (or of a bare `a, b, c`), split at top-level commas. */
  const args = (s: string): string[] => {
    const open = s.indexOf("(");
    const inner = open >= 0 && s.endsWith(")") ? s.slice(open + 1, -1) : s;
    const out: string[] = [];
    let depth = 0;
    let quote = "";
    let start = 0;
    for (let k = 0; k < inner.length; k++) {
      const c = inner[k];
      if (quote) {
        if (c === "\\") k++;
        else if (c === quote) quote = "";
      } else if (c === '"' || c === "'" || c === "`") quote = c;
      else if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || c === "]" || c === "}") depth--;
      else if (c === "," && depth === 0) {
        out.push(inner.slice(start, k).trim());
        start = k + 1;
      }
    }
    if (inner.trim() !== "" || out.length > 0) out.push(inner.slice(start).trim());
    return out;
  };
  const fresh = (): StepState => ({
    now: 0,
    procs: d.lanes.map(() => ({ status: "not spawned yet", mailbox: [], monitors: [], links: [], traps: false, sentTo: -1, sentMsg: "" })),
    timers: new Map(),
    names: new Map(),
    cells: new Map(),
  });
  const copy = (s: StepState): StepState => ({
    now: s.now,
    procs: s.procs.map((p) => ({ ...p, mailbox: p.mailbox.slice(), monitors: p.monitors.slice(), links: p.links.slice() })),
    timers: new Map(s.timers),
    names: new Map(s.names),
    cells: new Map(s.cells),
  });
  const link = (s: StepState, a: number, b: number, on: boolean) => {
    if (a < 0 || b < 0 || a === b) return;
    for (const [x, y] of [[a, b], [b, a]]) {
      const ls = s.procs[x].links;
      const k = ls.indexOf(y);
      if (on && k < 0) ls.push(y);
      if (!on && k >= 0) ls.splice(k, 1);
    }
  };
  const dropWhere = (m: Map<string, string>, pred: (k: string, v: string) => boolean) => {
    for (const [k, v] of [...m]) if (pred(k, v)) m.delete(k);
  };

  function apply(s: StepState, r: number): void {
    const op = d.ops[d.op[r]];
    const det = str(d.det[r]);
    const res = str(d.res[r]);
    const f = d.from[r];
    const to = d.to[r];
    const me = d.lanes[f];
    const P = s.procs[f];
    s.now = d.time[r];
    const waits = res.startsWith("waits") || res.endsWith(", waits"); // "waits", "waits (held by …)", "releases …, waits"
    if (op === "start") P.status = "runnable";
    else if (op === "spawn") {
      if (to >= 0 && s.procs[to].status === "not spawned yet") s.procs[to].status = "spawned, not started yet";
      if (det.includes("(link)")) link(s, f, to, true);
      if (det.includes("(monitor)") && to >= 0) P.monitors.push(d.lanes[to]);
      P.status = "runnable";
    } else if (op === "send") {
      if (to >= 0) {
        P.sentTo = to;
        P.sentMsg = det.slice(det.indexOf(": ") + 2);
      }
      if (d.msg[r] >= 0 && to >= 0) {
        const T = s.procs[to];
        T.mailbox.push(d.msg[r]);
        if (T.status.startsWith("waiting in receive")) T.status = "waiting in receive: a message arrived (it wakes if the message matches)";
        else if (T.status.startsWith("waiting for the reply") && !T.status.endsWith(")")) T.status += " (a message arrived)";
      }
      P.status = "runnable";
    } else if (op === "receive") {
      if (waits) {
        const t = /timeout (\d+)/.exec(det);
        const call = P.sentTo >= 0 && P.sentMsg.startsWith("$gen_call(");
        P.status = call
          ? `waiting for the reply to a call to ${who(d.lanes[P.sentTo])}: ${P.sentMsg}`
          : `waiting in receive: ${P.mailbox.length === 0 ? "its mailbox is empty" : `none of its ${P.mailbox.length} message${P.mailbox.length === 1 ? "" : "s"} matches`}`;
        if (t) {
          P.status += `, timeout at ${s.now + Number(t[1])} ms`;
          s.timers.set(`receive ${me}`, `receive timeout of ${who(me)} at ${s.now + Number(t[1])} ms`);
        }
      } else {
        const m = d.msg[r];
        const k = m >= 0 ? P.mailbox.indexOf(m) : -1;
        if (k >= 0) P.mailbox.splice(k, 1);
        s.timers.delete(`receive ${me}`);
        P.status = "runnable";
      }
    } else if (op === "exit") {
      P.status = det === "(crashed)" ? `crashed: ${res}` : `exited: ${res || "normal"}`;
      for (const l of P.links.slice()) link(s, f, l, false);
      for (const q of s.procs) q.monitors = q.monitors.filter((m) => !m.startsWith(me));
      dropWhere(s.names, (_k, v) => v === me);
      s.timers.delete(`receive ${me}`);
      s.timers.delete(`sleep ${me}`);
    } else if (op === "exit-signal") {
      const target = laneOf.get(args(det)[0] ?? "");
      if (target !== undefined && res.startsWith("killed")) s.procs[target].status = res;
      P.status = "runnable";
    } else if (op === "monitor") {
      if (res.startsWith("#Ref")) P.monitors.push(`${det} (${res})`);
      P.status = "runnable";
    } else if (op === "demonitor") {
      const ref = args(det)[0];
      P.monitors = P.monitors.filter((m) => !m.endsWith(`(${ref})`));
      P.status = "runnable";
    } else if (op === "link" || op === "unlink") {
      if (op === "unlink" || res === "ok") link(s, f, laneOf.get(det) ?? -1, op === "link");
      P.status = "runnable";
    } else if (op === "trap-exit") {
      P.traps = det === "true";
      P.status = "runnable";
    } else if (op === "send-after") {
      const [dest, msg, ms] = args(det);
      s.timers.set(res, `${msg} to ${dest} at ${s.now + Number(ms)} ms (set by ${who(me)})`);
      P.status = "runnable";
    } else if (op === "cancel-timer") {
      s.timers.delete(det);
      P.status = "runnable";
    } else if (op === "sleep") {
      P.status = `sleeping until ${s.now + Number(det)} ms`;
      s.timers.set(`sleep ${me}`, `${who(me)} wakes at ${s.now + Number(det)} ms`);
    } else if (op === "timer-fire") {
      if (det === "sleep ends") s.timers.delete(`sleep ${me}`), (P.status = "runnable");
      else if (det === "receive timeout") s.timers.delete(`receive ${me}`), (P.status = "runnable");
      else {
        const m = /^sendAfter to (.*?): ([\s\S]*)$/.exec(det);
        if (m) for (const [k, v] of s.timers) if (v.startsWith(`${m[2]} to ${m[1]} at `) && v.endsWith(`(set by ${who(me)})`)) {
          s.timers.delete(k);
          break;
        }
      }
    } else if (op === "register" && res === "ok") {
      const [name, pid] = args(det);
      s.names.set(name, pid);
      P.status = "runnable";
    } else if (op === "unregister") {
      s.names.delete(det);
      P.status = "runnable";
    } else if (op === "global-write") {
      const m = /^(register|unregister) (.*?)(?:, (<[\d.]+>))?$/.exec(det);
      if (m && m[1] === "register" && res === "ok") s.names.set(`global ${m[2]}`, m[3]);
      if (m && m[1] === "unregister") s.names.delete(`global ${m[2]}`);
      P.status = "runnable";
    } else if (op === "reg-write") {
      const a = args(det);
      if (det.startsWith("register(") && res === "ok") s.names.set(`${a[0]} ${a[1]}`, me);
      else if (det.startsWith("unregister(")) s.names.delete(`${a[0]} ${a[1]}`);
      else {
        const m = /^cleanup\((.*)\) after (\S+) died$/.exec(det);
        if (m) dropWhere(s.names, (k, v) => v === m[2] && k.startsWith(m[1] + " "));
      }
      P.status = "runnable";
    } else if (op === "shared-read" || op === "shared-write" || op === "shared-lock") {
      const dot = det.indexOf(".");
      const obj = det.slice(0, dot);
      const method = det.slice(dot + 1, det.indexOf("(", dot));
      const a = args(det.slice(dot + 1).replace(/ \(woken\)$/, "").replace(/: .*$/, ""));
      const arrow = / -> ([\s\S]*)$/.exec(res);
      if (waits) P.status = `waiting for ${obj}${res.startsWith("waits (") ? " " + res.slice(6) : ""}`;
      else P.status = "runnable";
      if (method === "update") s.cells.set(obj, res);
      else if (arrow) s.cells.set(obj, arrow[1]);
      else if (method === "set" && a.length === 2) s.cells.set(`${obj}[${a[0]}]`, a[1]);
      else if (method === "set") s.cells.set(obj, a[0]);
      else if (method === "delete") s.cells.delete(`${obj}[${a[0]}]`);
      else if (method === "get" && a.length === 1) s.cells.set(`${obj}[${a[0]}]`, res);
      else if (method === "get" || method === "load") s.cells.set(obj, res);
      else if (method === "compareAndSet" && res === "true") s.cells.set(obj, a[1]);
      else if ((method === "lock" || method === "tryLock") && (res === "acquired" || res === "true")) s.cells.set(obj, `held by ${who(me)}`);
      else if (method === "unlock") s.cells.set(obj, "free");
      else if (/acquired \((\d+) left\)/.test(res)) s.cells.set(obj, `${/(\d+) left/.exec(res)![1]} permits left`);
      else if (method === "release") s.cells.set(obj, `${res.replace(" available", "")} permits left`);
    } else if (op === "call-controlled" || op === "event-wait" || op === "block") {
      P.status = waits ? `waiting: ${det}${res.startsWith("releases") ? ` (${res})` : ""}` : "runnable";
    } else if (op.startsWith("FAILS")) {
      P.status = `failed: ${res}`;
    } else if (!waits) P.status = "runnable";
  }

  // checkpoints[c] is the state after row c * CHECKPOINT - 1 (checkpoints[0]: before row 0).
  const checkpoints: StepState[] = [fresh()];
  let done = 0; // rows folded into the last checkpoint's successors
  let work = copy(checkpoints[0]);
  let workRow = -1;
  return {
    at(i: number): StepState {
      i = Math.max(-1, Math.min(n - 1, i));
      // Build checkpoints up to i, once.
      while (done + CHECKPOINT <= i + 1 && done + CHECKPOINT <= n) {
        const c = Math.floor(done / CHECKPOINT);
        const s = copy(checkpoints[c]);
        for (let r = done; r < done + CHECKPOINT; r++) apply(s, r);
        checkpoints.push(s);
        done += CHECKPOINT;
      }
      const c = Math.floor((i + 1) / CHECKPOINT);
      const base = c * CHECKPOINT - 1;
      // Go on from the last answer when it lies between the checkpoint and i (stepping forward).
      if (!(workRow >= base && workRow <= i)) {
        work = copy(checkpoints[c]);
        workRow = base;
      }
      for (let r = workRow + 1; r <= i; r++) apply(work, r);
      workRow = i;
      return copy(work);
    },
  };
}
