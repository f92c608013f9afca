/**
 * ETS-style match specs for `Registry.select` (and friends), in the JS encoding of
 * DESIGN.md: Erlang's `[{Head, Guards, Body}]` written as arrays.
 *
 * ```
 * spec    = [clause, ...]                      // [] matches nothing
 * clause  = [pattern, guards, body]
 * pattern = [keyPattern, pidPattern, valuePattern]   (or "_" / a variable for the
 *                                                     whole [key, pid, value] entry)
 * ```
 *
 * Patterns
 * - `"$<digits>"` (`"$1"`, `"$2"`, ..., `"$0"` too) is a variable: its first
 *   occurrence binds, later occurrences must match an equal term (`termEquals`).
 *   `"$01"` is the same variable as `"$1"` (variables are numbered, as in ETS).
 * - `"_"` matches anything.
 * - An array matches an array of the same length, element by element.
 * - A plain object matches a plain object that has every listed key (own,
 *   enumerable) with a matching value; extra keys are allowed, as in Erlang map
 *   patterns.
 * - `{ const: x }` (an object whose only key is `const`) matches a value equal to `x`;
 *   it escapes strings that would read as variables, `"_"`, or whole objects.
 * - Anything else is a literal compared with `termEquals`.
 * - `"$_"` and `"$$"` mean something only in guards and bodies; in a pattern they are
 *   an error (write `{ const: "$_" }` to match the string).
 *
 * Guards (all in the list must hold)
 * - `["==", a, b]`, `"!="`, `"<"`, `"=<"`, `">"`, `">="` compare with `termEquals` /
 *   `termCompare` (the Erlang-like term order of values/term.ts). Aliases: `"=:="` and
 *   `"==="` for `"=="`; `"=/="` and `"!=="` for `"!="`; `"<="` for `"=<"`. JS numbers
 *   have no integer/float split, so `==` and `=:=` coincide; `1` and `1n` differ.
 * - `["andalso", g1, g2, ...]`, `["orelse", g1, g2, ...]` (two or more guards),
 *   `["and", ...]`, `["or", ...]` as aliases, `["xor", g1, g2]`, `["not", g]`.
 * - Type tests, one operand: `is_number` (number or bigint), `is_integer`
 *   (integral number or bigint), `is_string`, `is_boolean`, `is_pid`, `is_reference`
 *   (a `Ref`), `is_function`, `is_array` (alias `is_tuple`, `is_list`), `is_map` (a
 *   plain object, alias `is_object`), `is_null`, `is_undefined`.
 * - `true` and `false` are constant guards; a bound variable as a guard holds when its
 *   value is `true`.
 * - Operands: a bound variable, `"$_"`, `"$$"`, `{ const: x }`, or a literal;
 *   arrays and plain objects are built from their elements, which may themselves be
 *   variables (`["==", "$1", ["room", "$2"]]`).
 *
 * Body: a non-empty list of expressions (same forms as operands; `"$_"` is a fresh
 * `[key, pid, value]`, `"$$"` a fresh array of the bound variables in variable-number
 * order). As in ETS the clause's result is its last expression.
 *
 * Errors: a malformed spec throws `MatchSpecError` at compile time, naming the clause
 * and the part that is wrong. There are no run-time errors: every variable used in a
 * guard or body must be bound by the pattern, and comparisons are total.
 */

import { Pid } from "../values/pid.js";
import { Ref } from "../values/ref.js";
import { isPlainObject, snapshotKey, termCompare, termEquals } from "../values/term.js";

/** A malformed match spec or match pattern; the message says what and where. */
export class MatchSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MatchSpecError";
  }
}

/** Returned by a compiled match spec when no clause matches the entry. */
export const NO_MATCH: unique symbol = Symbol("lockstep.matchspec.NO_MATCH");

/** A registry entry as seen by match specs: `[key, pid, value]`. */
export type MatchSpecEntry = readonly [key: unknown, pid: unknown, value: unknown];

/**
 * A compiled match spec: the result of the first matching clause (its last body
 * expression), or `NO_MATCH`.
 */
export type CompiledMatchSpec = (entry: MatchSpecEntry) => unknown;

/** Compiled `Registry.match` pattern + guards: does this value match? */
export type ValueMatcher = (value: unknown) => boolean;

/** Variable bindings of one clause, by slot (slots are assigned at compile time). */
type Bindings = unknown[];
/** Tests a value against a pattern, binding variables into `b`. */
type Matcher = (value: unknown, b: Bindings) => boolean;
/** Evaluates an expression; `whole` is what `"$_"` stands for. */
type Expr = (b: Bindings, whole: unknown) => unknown;
type Guard = (b: Bindings, whole: unknown) => boolean;

/** Compile-time state of one clause: which variables the pattern bound, and where. */
class Scope {
  readonly slots = new Map<number, number>();
  /** Built when the first `"$$"` is compiled; the pattern is complete by then. */
  private allSlots: number[] | undefined;
  constructor(
    readonly where: string,
    /** How `"$_"` turns the matched input into a result (a fresh copy for entries). */
    readonly wholeCopy: (whole: unknown) => unknown,
  ) {}

  bind(n: number): number {
    const slot = this.slots.size;
    this.slots.set(n, slot);
    return slot;
  }

  orderedSlots(): number[] {
    this.allSlots ??= [...this.slots.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]);
    return this.allSlots;
  }

  error(what: string): MatchSpecError {
    return new MatchSpecError(`${this.where}: ${what}`);
  }
}

// ---------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------

/**
 * Compile an ETS-style match spec (`[[pattern, guards, body], ...]`, see the module
 * comment) into a function over `[key, pid, value]` entries. Validation is eager:
 * everything that can be wrong is reported here, not while matching.
 *
 * @throws MatchSpecError naming the clause and part that is malformed.
 */
export function compileMatchSpec(spec: unknown): CompiledMatchSpec {
  if (!Array.isArray(spec)) {
    throw new MatchSpecError(
      `match spec must be an array of [pattern, guards, body] clauses, got ${describe(spec)}`,
    );
  }
  const clauses = spec.map((clause, i) => compileClause(clause, i));
  if (clauses.length === 1) return clauses[0];
  return (entry) => {
    for (let i = 0; i < clauses.length; i++) {
      const r = clauses[i](entry);
      if (r !== NO_MATCH) return r;
    }
    return NO_MATCH;
  };
}

/**
 * Compile a `Registry.match`-style value pattern with optional guards (same encoding
 * as match specs, matched against the value only) into a predicate. In the guards,
 * `"$_"` stands for the whole value.
 *
 * @throws MatchSpecError if the pattern or a guard is malformed.
 */
export function compileValueMatch(pattern: unknown, guards: unknown = []): ValueMatcher {
  const scope = new Scope("match pattern", identity);
  const head = compilePattern(pattern, scope, "pattern");
  const guard = compileGuardList(guards, scope);
  const b: Bindings = new Array(scope.slots.size);
  return (value) => head(value, b) && guard(b, value);
}

/** Run a compiled spec over entries, collecting the results of matching ones. */
export function selectWith(spec: CompiledMatchSpec, entries: Iterable<MatchSpecEntry>): unknown[] {
  const out: unknown[] = [];
  for (const entry of entries) {
    const r = spec(entry);
    if (r !== NO_MATCH) out.push(r);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Clauses
// ---------------------------------------------------------------------------

function compileClause(clause: unknown, index: number): CompiledMatchSpec {
  const scope = new Scope(`match spec clause ${index}`, copyEntry);
  if (!Array.isArray(clause) || clause.length !== 3) {
    throw scope.error(`expected [pattern, guards, body], got ${describe(clause)}`);
  }
  const [pattern, guards, body] = clause as unknown[];
  const head = compileHead(pattern, scope);
  const guard = compileGuardList(guards, scope);
  const result = compileBody(body, scope);
  // One bindings array per clause, reused: matching is synchronous, and every slot is
  // written by the pattern before a guard or the body can read it.
  const b: Bindings = new Array(scope.slots.size);
  return (entry) => (head(entry, b) && guard(b, entry) ? result(b, entry) : NO_MATCH);
}

function compileHead(pattern: unknown, scope: Scope): Matcher {
  if (pattern === "_" || (typeof pattern === "string" && variableNumber(pattern) >= 0)) {
    const whole = compilePattern(pattern, scope, "pattern");
    return (entry, b) => whole(copyEntry(entry), b);
  }
  if (!Array.isArray(pattern) || pattern.length !== 3) {
    throw scope.error(
      `pattern must be [keyPattern, pidPattern, valuePattern], got ${describe(pattern)}`,
    );
  }
  const [k, p, v] = (pattern as unknown[]).map((x, i) => compilePattern(x, scope, `pattern[${i}]`));
  return (entry, b) => {
    const e = entry as MatchSpecEntry;
    return k(e[0], b) && p(e[1], b) && v(e[2], b);
  };
}

function compileBody(body: unknown, scope: Scope): Expr {
  if (!Array.isArray(body) || body.length === 0) {
    throw scope.error(`body must be a non-empty array of result expressions, got ${describe(body)}`);
  }
  // Every expression is validated; only the last one is the result (ETS semantics,
  // and expressions have no side effects, so the others need not run).
  const exprs = body.map((x, i) => compileExpr(x, scope, `body[${i}]`, false));
  return exprs[exprs.length - 1];
}

// ---------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------

const ANY: Matcher = () => true;

function compilePattern(p: unknown, scope: Scope, path: string): Matcher {
  if (typeof p === "string") return compileStringPattern(p, scope, path);
  if (Array.isArray(p)) return compileArrayPattern(p, scope, path);
  if (isPlainObject(p)) {
    if (isConst(p)) return literalMatcher(p.const, scope, `${path}.const`);
    return compileObjectPattern(p, scope, path);
  }
  return literalMatcher(p, scope, path);
}

function compileStringPattern(p: string, scope: Scope, path: string): Matcher {
  if (p === "_") return ANY;
  if (p === "$_" || p === "$$") {
    throw scope.error(
      `${path}: ${JSON.stringify(p)} is only meaningful in guards and bodies; ` +
        `write { const: ${JSON.stringify(p)} } to match the string`,
    );
  }
  const n = variableNumber(p);
  if (n < 0) return (v) => v === p;
  const bound = scope.slots.get(n);
  if (bound !== undefined) return (v, b) => termEquals(v, b[bound]);
  const slot = scope.bind(n);
  return (v, b) => {
    b[slot] = v;
    return true;
  };
}

function compileArrayPattern(p: readonly unknown[], scope: Scope, path: string): Matcher {
  const items = p.map((x, i) => compilePattern(x, scope, `${path}[${i}]`));
  const n = items.length;
  return (v, b) => {
    if (!Array.isArray(v) || v.length !== n) return false;
    for (let i = 0; i < n; i++) if (!items[i](v[i], b)) return false;
    return true;
  };
}

const isEnumerable = Object.prototype.propertyIsEnumerable;

function compileObjectPattern(p: Record<string, unknown>, scope: Scope, path: string): Matcher {
  const keys = Object.keys(p);
  const items = keys.map((k) => compilePattern(p[k], scope, `${path}${propertyLabel(k)}`));
  return (v, b) => {
    if (!isPlainObject(v)) return false;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (!isEnumerable.call(v, k) || !items[i](v[k], b)) return false;
    }
    return true; // extra keys in the value are fine, as in Erlang map patterns
  };
}

function literalMatcher(x: unknown, scope: Scope, path: string): Matcher {
  if (typeof x === "number" && x !== x) return (v) => v !== v;
  if (typeof x !== "object" || x === null) return (v) => v === x; // -0 === 0 already
  const lit = snapshotLiteral(x, scope, path);
  return (v) => termEquals(v, lit);
}

// ---------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------

const TRUE: Guard = () => true;
const FALSE: Guard = () => false;

function compileGuardList(guards: unknown, scope: Scope): Guard {
  if (!Array.isArray(guards)) {
    throw scope.error(`guards must be an array of guard expressions, got ${describe(guards)}`);
  }
  if (typeof guards[0] === "string" && isOperator(guards[0])) {
    // A common slip: one guard where the list of guards belongs.
    throw scope.error(
      `guards must be a list of guards; wrap the single guard ${describe(guards)} ` +
        `in another array: [${describe(guards)}]`,
    );
  }
  const gs = guards.map((g) => compileGuard(g, scope));
  switch (gs.length) {
    case 0:
      return TRUE;
    case 1:
      return gs[0];
    default:
      return (b, w) => {
        for (let i = 0; i < gs.length; i++) if (!gs[i](b, w)) return false;
        return true;
      };
  }
}

type Comparison = (a: unknown, b: unknown) => boolean;

const COMPARISONS: Record<string, Comparison> = {
  "==": termEquals,
  "=:=": termEquals,
  "===": termEquals,
  "!=": (a, b) => !termEquals(a, b),
  "=/=": (a, b) => !termEquals(a, b),
  "!==": (a, b) => !termEquals(a, b),
  // Two ordinary numbers (the common guard) compare as numbers: the same answer as
  // termCompare, without its rank dispatch. NaN goes the general way.
  "<": (a, b) => (bothNumbers(a, b) ? (a as number) < (b as number) : termCompare(a, b) < 0),
  "=<": (a, b) => (bothNumbers(a, b) ? (a as number) <= (b as number) : termCompare(a, b) <= 0),
  "<=": (a, b) => (bothNumbers(a, b) ? (a as number) <= (b as number) : termCompare(a, b) <= 0),
  ">": (a, b) => (bothNumbers(a, b) ? (a as number) > (b as number) : termCompare(a, b) > 0),
  ">=": (a, b) => (bothNumbers(a, b) ? (a as number) >= (b as number) : termCompare(a, b) >= 0),
};

function bothNumbers(a: unknown, b: unknown): boolean {
  return typeof a === "number" && typeof b === "number" && a === a && b === b;
}

type TypeTest = (x: unknown) => boolean;

const TYPE_TESTS: Record<string, TypeTest> = {
  is_number: (x) => typeof x === "number" || typeof x === "bigint",
  is_integer: (x) => typeof x === "bigint" || Number.isInteger(x),
  is_string: (x) => typeof x === "string",
  is_boolean: (x) => typeof x === "boolean",
  is_pid: (x) => x instanceof Pid,
  is_reference: (x) => x instanceof Ref,
  is_function: (x) => typeof x === "function",
  is_array: (x) => Array.isArray(x),
  is_tuple: (x) => Array.isArray(x),
  is_list: (x) => Array.isArray(x),
  is_map: isPlainObject,
  is_object: isPlainObject,
  is_null: (x) => x === null,
  is_undefined: (x) => x === undefined,
};

const LOGIC = new Set(["andalso", "orelse", "and", "or", "xor", "not"]);

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function isOperator(op: string): boolean {
  return hasOwn(COMPARISONS, op) || hasOwn(TYPE_TESTS, op) || LOGIC.has(op);
}

function compileGuard(g: unknown, scope: Scope): Guard {
  if (g === true) return TRUE;
  if (g === false) return FALSE;
  if (typeof g === "string" && variableNumber(g) >= 0) {
    const e = compileExpr(g, scope, `guard ${describe(g)}`, true);
    return (b, w) => e(b, w) === true;
  }
  if (!Array.isArray(g) || g.length === 0 || typeof g[0] !== "string") {
    throw scope.error(
      `guard ${describe(g)}: expected an operator call such as ["==", a, b], true or false`,
    );
  }
  const op = g[0] as string;
  const args = g.slice(1) as unknown[];
  const where = `guard ${describe(g)}`;
  if (hasOwn(COMPARISONS, op)) return compileComparison(COMPARISONS[op], args, scope, where, op);
  if (hasOwn(TYPE_TESTS, op)) return compileTypeTest(TYPE_TESTS[op], args, scope, where, op);
  if (LOGIC.has(op)) return compileLogic(op, args, scope, where);
  throw scope.error(`${where}: unknown operator ${JSON.stringify(op)}`);
}

function checkArity(args: unknown[], min: number, max: number, scope: Scope, where: string, op: string) {
  if (args.length >= min && args.length <= max) return;
  const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  const noun = min === 1 && max === 1 ? "argument" : "arguments";
  throw scope.error(`${where}: ${JSON.stringify(op)} takes ${expected} ${noun}, got ${args.length}`);
}

function compileComparison(
  cmp: Comparison,
  args: unknown[],
  scope: Scope,
  where: string,
  op: string,
): Guard {
  checkArity(args, 2, 2, scope, where, op);
  const a = compileExpr(args[0], scope, where, true);
  const c = compileExpr(args[1], scope, where, true);
  return (b, w) => cmp(a(b, w), c(b, w));
}

function compileTypeTest(
  test: TypeTest,
  args: unknown[],
  scope: Scope,
  where: string,
  op: string,
): Guard {
  checkArity(args, 1, 1, scope, where, op);
  const a = compileExpr(args[0], scope, where, true);
  return (b, w) => test(a(b, w));
}

function compileLogic(op: string, args: unknown[], scope: Scope, where: string): Guard {
  if (op === "not") {
    checkArity(args, 1, 1, scope, where, op);
    const g = compileGuard(args[0], scope);
    return (b, w) => !g(b, w);
  }
  if (op === "xor") {
    checkArity(args, 2, 2, scope, where, op);
    const [g1, g2] = args.map((g) => compileGuard(g, scope));
    return (b, w) => g1(b, w) !== g2(b, w);
  }
  checkArity(args, 2, Infinity, scope, where, op);
  const gs = args.map((g) => compileGuard(g, scope));
  const all = op === "andalso" || op === "and";
  return (b, w) => {
    for (let i = 0; i < gs.length; i++) if (gs[i](b, w) !== all) return !all;
    return all;
  };
}

// ---------------------------------------------------------------------------
// Expressions (guard operands and body terms)
// ---------------------------------------------------------------------------

/**
 * Compile an expression. `fold` allows constant subexpressions to be evaluated once
 * (fine for guard operands, which never escape); body results are built fresh each
 * time so callers may keep or mutate them.
 */
function compileExpr(x: unknown, scope: Scope, where: string, fold: boolean): Expr {
  if (fold && isConstantExpr(x)) {
    const value = snapshotLiteral(constantValue(x), scope, where);
    return () => value;
  }
  if (typeof x === "string") return compileStringExpr(x, scope, where);
  if (Array.isArray(x)) {
    const items = x.map((e) => compileExpr(e, scope, where, fold));
    return (b, w) => {
      const out = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i++) out[i] = items[i](b, w);
      return out;
    };
  }
  if (isPlainObject(x)) {
    if (isConst(x)) {
      const value = snapshotLiteral(x.const, scope, where);
      return () => value;
    }
    return compileObjectExpr(x, scope, where, fold);
  }
  return () => x;
}

function compileStringExpr(x: string, scope: Scope, where: string): Expr {
  if (x === "$_") {
    const copy = scope.wholeCopy;
    return (_b, w) => copy(w);
  }
  if (x === "$$") {
    const slots = scope.orderedSlots();
    return (b) => slots.map((s) => b[s]);
  }
  const n = variableNumber(x);
  if (n < 0) return () => x;
  const slot = scope.slots.get(n);
  if (slot === undefined) {
    throw scope.error(
      `${where}: unbound variable ${JSON.stringify(x)} (variables must be bound by the pattern)`,
    );
  }
  return (b) => b[slot];
}

function compileObjectExpr(
  x: Record<string, unknown>,
  scope: Scope,
  where: string,
  fold: boolean,
): Expr {
  const keys = Object.keys(x);
  const items = keys.map((k) => compileExpr(x[k], scope, where, fold));
  const proto = Object.getPrototypeOf(x) as object | null;
  return (b, w) => {
    const out = Object.create(proto) as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) {
      Object.defineProperty(out, keys[i], {
        value: items[i](b, w),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
}

/** True if `x` mentions no variable, `"$_"` or `"$$"` (so it evaluates to a constant). */
function isConstantExpr(x: unknown): boolean {
  if (typeof x === "string") return x !== "$_" && x !== "$$" && variableNumber(x) < 0;
  if (Array.isArray(x)) return x.every(isConstantExpr);
  if (isPlainObject(x)) {
    if (isConst(x)) return true;
    return Object.keys(x).every((k) => isConstantExpr(x[k]));
  }
  return true;
}

/** The value of a constant expression: the expression with `{ const }` unwrapped. */
function constantValue(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(constantValue);
  if (isPlainObject(x)) {
    if (isConst(x)) return x.const;
    const out = Object.create(Object.getPrototypeOf(x)) as Record<string, unknown>;
    for (const k of Object.keys(x)) {
      Object.defineProperty(out, k, {
        value: constantValue(x[k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return x;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** `"$<digits>"` -> its number, anything else -> -1. */
function variableNumber(s: string): number {
  return /^\$\d+$/.test(s) ? Number(s.slice(1)) : -1;
}

function isConst(x: Record<string, unknown>): x is { const: unknown } {
  const keys = Object.keys(x);
  return keys.length === 1 && keys[0] === "const";
}

/** Literals are snapshotted so later mutation of the spec cannot change it. */
function snapshotLiteral(x: unknown, scope: Scope, where: string): unknown {
  try {
    return snapshotKey(x);
  } catch (err) {
    if (err instanceof TypeError) throw scope.error(`${where}: literal is cyclic`);
    throw err;
  }
}

function copyEntry(entry: unknown): unknown {
  const e = entry as MatchSpecEntry;
  return [e[0], e[1], e[2]];
}

function identity(x: unknown): unknown {
  return x;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function propertyLabel(k: string): string {
  return IDENTIFIER.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

function renderKey(k: string): string {
  return IDENTIFIER.test(k) ? k : JSON.stringify(k);
}

const DESCRIBE_LIMIT = 120;

/** A short, JSON-like rendering of a spec fragment for error messages. */
function describe(x: unknown): string {
  const s = render(x, 0);
  return s.length > DESCRIBE_LIMIT ? `${s.slice(0, DESCRIBE_LIMIT - 3)}...` : s;
}

function render(x: unknown, depth: number): string {
  switch (typeof x) {
    case "string":
      return JSON.stringify(x);
    case "number":
      return Object.is(x, -0) ? "-0" : String(x);
    case "bigint":
      return `${x}n`;
    case "symbol":
      return x.toString();
    case "function":
      return `[Function ${x.name || "anonymous"}]`;
    case "undefined":
      return "undefined";
    case "boolean":
      return String(x);
  }
  if (x === null) return "null";
  if (depth > 4) return "...";
  if (Array.isArray(x)) return `[${x.map((e) => render(e, depth + 1)).join(", ")}]`;
  if (isPlainObject(x)) {
    const parts = Object.keys(x).map((k) => `${renderKey(k)}: ${render(x[k], depth + 1)}`);
    return `{ ${parts.join(", ")} }`;
  }
  if (x instanceof Pid || x instanceof Ref) return String(x);
  const name = (x as object).constructor?.name;
  return `[object ${name || "Object"}]`;
}
