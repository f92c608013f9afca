// Running a search over a history: drop failed ops, split by the model's partition,
// search each group, and on failure shrink the group to a smallest failing subsequence.
import { Outcome, type History, type Op } from "./history.js";
import type { CheckResult, Model } from "./model.js";
import { explain, search, type Mode } from "./search.js";
import { timeline } from "./timeline.js";

/** At most this many searches while shrinking (each is itself memoized). */
const SHRINK_BUDGET = 2000;

export function checkHistory(h: History, model: Model, mode: Mode, what: string): CheckResult {
  if (h === null || typeof h !== "object" || !Array.isArray((h as History).ops)) throw new TypeError(`${what} expects a History, got ${String(h)}`);
  if (model === null || typeof model !== "object" || typeof model.init !== "function" || typeof model.step !== "function") {
    throw new TypeError(`${what} expects a model { init(), step(state, name, args) }`);
  }
  // A failed op did not happen: it constrains nothing.
  const ops = h.ops.filter((o) => o.outcome !== Outcome.Fail);
  const groups = model.partition ? partitionOf(model, ops, what) : [ops];
  for (const group of groups) {
    const stuck = search(group, model, mode);
    if (stuck === null) continue;
    // Keep the failure the same while shrinking: the op with no legal place stays the
    // one blocked (otherwise dropping a write would leave a read of it failing alone).
    const fails = (sub: Op[]) => search(sub, model, mode)?.blocked === stuck.blocked;
    const smallest = shrink([...group].sort((a, b) => a.invoke - b.invoke), fails);
    return { ok: false, ops: smallest, explanation: `${explain(search(smallest, model, mode)!, model, mode)}\n${timeline(smallest)}` };
  }
  return { ok: true };
}

/**
 * model.partition(ops), checked: groups that leave an op out would check nothing about
 * it (a partition by key that forgot a key made every history "ok"), and an op in two
 * groups is checked twice against different neighbours.
 */
function partitionOf(model: Model, ops: Op[], what: string): readonly (readonly Op[])[] {
  const groups = model.partition!(ops);
  if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g))) throw new TypeError(`${what}: model.partition must return an array of arrays of ops, got ${String(groups)}`);
  const given = new Set(ops);
  const seen = new Set<Op>();
  for (const g of groups) {
    for (const op of g) {
      if (!given.has(op)) throw new TypeError(`${what}: model.partition returned something that is not one of the ops it was given: ${String(op)}`);
      if (seen.has(op)) throw new TypeError(`${what}: model.partition put op #${op.id} (${op.name}) in two groups; each op belongs to exactly one`);
      seen.add(op);
    }
  }
  const missing = ops.find((o) => !seen.has(o));
  if (missing !== undefined) throw new TypeError(`${what}: model.partition left out op #${missing.id} (${missing.name}); every op must be in one group, or it is not checked at all`);
  return groups;
}

/**
 * Delta debugging (Zeller's ddmin, complement-only): remove chunks of halving size
 * while the rest still fails, then single ops until none can go (1-minimal, within
 * the budget). An op is removed whole, invocation and completion together.
 * `fails` must hold for `ops`.
 */
export function shrink(ops: Op[], fails: (ops: Op[]) => boolean): Op[] {
  let cur = ops;
  let budget = SHRINK_BUDGET;
  let chunk = Math.max(1, cur.length >> 1);
  while (budget > 0) {
    let removed = false;
    for (let start = 0; start < cur.length && budget > 0; ) {
      const candidate = cur.slice(0, start).concat(cur.slice(start + chunk));
      budget--;
      if (candidate.length > 0 && fails(candidate)) {
        cur = candidate;
        removed = true;
      } else start += chunk;
    }
    if (chunk === 1 && !removed) break;
    if (!removed) chunk = Math.max(1, chunk >> 1);
    else chunk = Math.min(chunk, Math.max(1, cur.length >> 1));
  }
  return cur;
}
