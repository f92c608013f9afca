import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  compileMatchSpec,
  compileValueMatch,
  MatchSpecError,
  NO_MATCH,
  selectWith,
  type MatchSpecEntry,
} from "../src/otp/matchspec.js";
import { termCompare, termEquals } from "../src/values/term.js";
import { Pid } from "../src/values/pid.js";
import { Ref } from "../src/values/ref.js";

const p1 = new Pid(1);
const p2 = new Pid(2);

/** A registry's entries, in registration order. */
const entries: MatchSpecEntry[] = [
  ["a", p1, 1],
  ["b", p2, 3],
  ["c", p1, 5],
  [["room", 42], p2, { role: "admin", level: 3 }],
  [["room", 7], p1, { role: "guest", level: 1, extra: true }],
  ["d", p2, "text"],
];

const select = (spec: unknown) => selectWith(compileMatchSpec(spec), entries);

/** Expect a MatchSpecError whose message contains every fragment. */
function expectSpecError(fn: () => unknown, ...fragments: string[]) {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(MatchSpecError);
  const e = error as MatchSpecError;
  expect(e.name).toBe("MatchSpecError");
  expect(e).toBeInstanceOf(Error);
  for (const f of fragments) expect(e.message).toContain(f);
}

describe("compileMatchSpec: the DESIGN.md encoding", () => {
  it("selects keys whose value is above 2 (the DESIGN.md example)", () => {
    // Strings and objects sort above numbers in the term order, as in Erlang.
    expect(select([[["$1", "_", "$3"], [[">", "$3", 2]], ["$1"]]])).toEqual([
      "b", "c", ["room", 42], ["room", 7], "d",
    ]);
    expect(
      select([[["$1", "_", "$3"], [["is_number", "$3"], [">", "$3", 2]], ["$1"]]]),
    ).toEqual(["b", "c"]);
  });

  it("returns the whole entry for \"$_\" (a fresh array each time)", () => {
    const spec = compileMatchSpec([[["_", p2, "_"], [], ["$_"]]]);
    const results = selectWith(spec, entries);
    expect(results).toEqual([entries[1], entries[3], entries[5]]);
    expect(results[0]).not.toBe(entries[1]);
    expect(results[0]).toEqual(["b", p2, 3]);
  });

  it("returns all bound variables in variable-number order for \"$$\"", () => {
    expect(select([[["$3", "$1", 1], [], ["$$"]]])).toEqual([[p1, "a"]]);
    expect(select([[["$2", "_", "$1"], [["is_number", "$1"]], ["$$"]]])).toEqual([
      [1, "a"], [3, "b"], [5, "c"],
    ]);
    // $1 and $3 only: no hole for the missing $2, as in ETS.
    expect(select([[["$1", "_", "$3"], [["==", "$3", 1]], ["$$"]]])).toEqual([["a", 1]]);
  });

  it("uses the last body expression, building arrays and objects from variables", () => {
    expect(
      select([[["$1", "$2", "$3"], [["==", "$1", "a"]], ["$1", { key: "$1", pid: "$2", v: ["$3", "lit"] }]]]),
    ).toEqual([{ key: "a", pid: p1, v: [1, "lit"] }]);
  });

  it("matches arrays and plain objects structurally; object patterns allow extra keys", () => {
    expect(select([[[["room", "$1"], "_", "_"], [], ["$1"]]])).toEqual([42, 7]);
    expect(select([[["$1", "_", { role: "admin" }], [], ["$1"]]])).toEqual([["room", 42]]);
    expect(select([[["_", "_", { level: "$1" }], [[">=", "$1", 1]], ["$1"]]])).toEqual([3, 1]);
    // A key absent from the value fails the match; present-with-undefined matches.
    expect(select([[["_", "_", { missing: "_" }], [], [true]]])).toEqual([]);
    const spec = compileMatchSpec([[["_", "_", { x: "_" }], [], [true]]]);
    expect(spec(["k", p1, { x: undefined }])).toBe(true);
    expect(spec(["k", p1, [1]])).toBe(NO_MATCH);
    expect(spec(["k", p1, new Map([["x", 1]])])).toBe(NO_MATCH);
  });

  it("requires a repeated variable to match equal terms", () => {
    const same = compileMatchSpec([[["$1", "_", "$1"], [], ["$1"]]]);
    expect(same(["x", p1, "x"])).toBe("x");
    expect(same(["x", p1, "y"])).toBe(NO_MATCH);
    expect(same([["k", { a: 1, b: 2 }], p1, ["k", { b: 2, a: 1 }]])).toEqual(["k", { a: 1, b: 2 }]);
    expect(same([NaN, p1, NaN])).toBeNaN();
    const pair = compileMatchSpec([[[["$1", "$1"], "_", "_"], [], [true]]]);
    expect(pair([[1, 1], p1, 0])).toBe(true);
    expect(pair([[1, 2], p1, 0])).toBe(NO_MATCH);
  });

  it("escapes literals with { const }", () => {
    const spec = compileMatchSpec([
      [[{ const: "$1" }, "_", { const: "_" }], [], ["dollar-one"]],
      [[{ const: { const: 1 } }, "_", "_"], [], [{ const: "$2" }]],
    ]);
    expect(spec(["$1", p1, "_"])).toBe("dollar-one");
    expect(spec(["$1", p1, "anything"])).toBe(NO_MATCH);
    expect(spec(["other", p1, "_"])).toBe(NO_MATCH);
    expect(spec([{ const: 1 }, p1, 0])).toBe("$2");
    const lit = compileMatchSpec([[["$1", "_", "_"], [["==", "$1", { const: "$_" }]], [true]]]);
    expect(lit(["$_", p1, 0])).toBe(true);
    expect(lit(["x", p1, 0])).toBe(NO_MATCH);
  });

  it("matches pids, refs and other identity values by identity", () => {
    expect(select([[["$1", p1, "_"], [], ["$1"]]])).toEqual(["a", "c", ["room", 7]]);
    const r = new Ref(1);
    const spec = compileMatchSpec([[["_", "_", r], [], [true]]]);
    expect(spec(["k", p1, r])).toBe(true);
    expect(spec(["k", p1, new Ref(1)])).toBe(NO_MATCH);
  });

  it("compares literals with SameValueZero: NaN matches NaN, -0 matches 0", () => {
    const spec = compileMatchSpec([[["_", "_", NaN], [], ["nan"]], [["_", "_", -0], [], ["zero"]]]);
    expect(spec(["k", p1, NaN])).toBe("nan");
    expect(spec(["k", p1, 0])).toBe("zero");
    expect(spec(["k", p1, "0"])).toBe(NO_MATCH);
  });

  it("tries clauses in order and returns the first match", () => {
    const spec = compileMatchSpec([
      [["_", "_", "$1"], [["is_string", "$1"]], ["string"]],
      [["_", "_", "$1"], [["<", "$1", 3]], ["small"]],
      [["_", "_", "_"], [], ["other"]],
    ]);
    expect(selectWith(spec, entries)).toEqual(["small", "other", "other", "other", "other", "string"]);
    expect(compileMatchSpec([])(["a", p1, 1])).toBe(NO_MATCH);
  });

  it("accepts \"_\" or a variable as the whole pattern", () => {
    expect(select([["_", [], [1]]])).toHaveLength(entries.length);
    expect(compileMatchSpec([["$1", [], ["$1"]]])(["k", p1, 2])).toEqual(["k", p1, 2]);
  });

  it("evaluates every comparison operator with the term order", () => {
    const ops: Array<[string, (a: unknown, b: unknown) => boolean]> = [
      ["==", (a, b) => termEquals(a, b)],
      ["=:=", (a, b) => termEquals(a, b)],
      ["===", (a, b) => termEquals(a, b)],
      ["!=", (a, b) => !termEquals(a, b)],
      ["=/=", (a, b) => !termEquals(a, b)],
      ["!==", (a, b) => !termEquals(a, b)],
      ["<", (a, b) => termCompare(a, b) < 0],
      ["=<", (a, b) => termCompare(a, b) <= 0],
      ["<=", (a, b) => termCompare(a, b) <= 0],
      [">", (a, b) => termCompare(a, b) > 0],
      [">=", (a, b) => termCompare(a, b) >= 0],
    ];
    const values = [1, 2, 1n, "1", null, [1], { a: 1 }, NaN, -0, 0];
    for (const [op, expected] of ops) {
      const spec = compileMatchSpec([[["$1", "_", "$2"], [[op, "$1", "$2"]], [true]]]);
      for (const a of values) {
        for (const b of values) {
          expect(spec([a, p1, b]) === true).toBe(expected(a, b));
        }
      }
    }
  });

  it("supports logic guards with short-circuit semantics and type tests", () => {
    const run = (guard: unknown, value: unknown) =>
      compileMatchSpec([[["_", "_", "$1"], [guard], [true]]])(["k", p1, value]) === true;
    expect(run(["andalso", ["is_number", "$1"], [">", "$1", 2]], 3)).toBe(true);
    expect(run(["andalso", ["is_number", "$1"], [">", "$1", 2]], 1)).toBe(false);
    expect(run(["andalso", true, true, ["==", "$1", 1]], 1)).toBe(true);
    expect(run(["orelse", ["is_string", "$1"], ["==", "$1", 1]], 1)).toBe(true);
    expect(run(["orelse", ["is_string", "$1"], ["==", "$1", 1]], 2)).toBe(false);
    expect(run(["not", ["is_string", "$1"]], 2)).toBe(true);
    expect(run(["and", true, false], 0)).toBe(false);
    expect(run(["or", false, true], 0)).toBe(true);
    expect(run(["xor", true, true], 0)).toBe(false);
    expect(run(["xor", true, false], 0)).toBe(true);
    expect(run(true, 0)).toBe(true);
    expect(run(false, 0)).toBe(false);
    expect(run("$1", true)).toBe(true); // a bound variable holding true
    expect(run("$1", 1)).toBe(false);

    const tests: Array<[string, unknown, boolean]> = [
      ["is_number", 1.5, true], ["is_number", 2n, true], ["is_number", "1", false],
      ["is_integer", 2, true], ["is_integer", 2n, true], ["is_integer", 1.5, false],
      ["is_string", "", true], ["is_string", 1, false],
      ["is_boolean", false, true], ["is_boolean", null, false],
      ["is_pid", p1, true], ["is_pid", new Ref(1), false],
      ["is_reference", new Ref(1), true], ["is_reference", p1, false],
      ["is_function", () => 0, true], ["is_function", {}, false],
      ["is_array", [], true], ["is_array", {}, false],
      ["is_tuple", [1], true], ["is_list", [1], true],
      ["is_map", {}, true], ["is_map", [], false], ["is_map", new Map(), false],
      ["is_object", Object.create(null), true],
      ["is_null", null, true], ["is_null", undefined, false],
      ["is_undefined", undefined, true], ["is_undefined", null, false],
    ];
    for (const [op, value, expected] of tests) {
      expect([op, value, run([op, "$1"], value)]).toEqual([op, value, expected]);
    }
  });

  it("builds guard operands from arrays, objects, \"$_\" and \"$$\"", () => {
    const spec = compileMatchSpec([
      [["$1", "$2", "$3"], [["==", "$_", ["a", "$2", 1]]], ["first"]],
      [["$1", "_", "$2"], [["==", "$$", ["c", 5]]], ["second"]],
      [["_", "_", "$1"], [["==", "$1", { role: "admin", level: 3 }]], ["third"]],
    ]);
    expect(selectWith(spec, entries)).toEqual(["first", "second", "third"]);
  });

  it("does not let later mutation of the spec change a compiled spec", () => {
    const literal = ["room", 42];
    const pattern = compileMatchSpec([[[literal, "$1", "_"], [], ["$1"]]]);
    const constant = { role: "admin", level: 3 };
    const guarded = compileMatchSpec([[["$1", "_", "$2"], [["==", "$2", { const: constant }]], ["$1"]]]);
    literal[1] = 7;
    constant.level = 1;
    expect(selectWith(pattern, entries)).toEqual([p2]);
    expect(selectWith(guarded, entries)).toEqual([["room", 42]]);
  });

  it("agrees with a direct filter for the \">\" guard (property)", () => {
    const entryArb = fc.tuple(
      fc.oneof(fc.string({ maxLength: 2 }), fc.integer()),
      fc.constantFrom(p1, p2),
      fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 1 }), fc.constant(null)),
    );
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 20 }), fc.integer({ min: -5, max: 5 }), (es, n) => {
        const spec = compileMatchSpec([[["$1", "_", "$3"], [[">", "$3", n]], ["$1"]]]);
        const expected = es.filter((e) => termCompare(e[2], n) > 0).map((e) => e[0]);
        expect(selectWith(spec, es)).toEqual(expected);
      }),
    );
  });
});

describe("compileMatchSpec: malformed specs throw MatchSpecError", () => {
  it("rejects a spec that is not an array", () => {
    expectSpecError(() => compileMatchSpec({}), "match spec must be an array");
    expectSpecError(() => compileMatchSpec("$_"), "match spec must be an array", '"$_"');
  });

  it("rejects a clause that is not a 3-element array", () => {
    expectSpecError(() => compileMatchSpec([[["_", "_", "_"], []]]), "match spec clause 0", "[pattern, guards, body]");
    expectSpecError(() => compileMatchSpec([["_", [], [1]], "oops"]), "match spec clause 1", '"oops"');
  });

  it("rejects a pattern that is not a 3-element array", () => {
    expectSpecError(() => compileMatchSpec([[["$1", "_"], [], ["$1"]]]), "clause 0", "pattern must be [keyPattern, pidPattern, valuePattern]");
    expectSpecError(() => compileMatchSpec([[5, [], [1]]]), "pattern must be");
  });

  it("rejects \"$_\" and \"$$\" inside a pattern", () => {
    expectSpecError(() => compileMatchSpec([[["$_", "_", "_"], [], [1]]]), "clause 0", "pattern[0]", '"$_" is only meaningful in guards and bodies');
    expectSpecError(() => compileMatchSpec([[["_", "_", ["$$"]], [], [1]]]), "pattern[2][0]");
  });

  it("rejects guards that are not an array", () => {
    expectSpecError(
      () => compileMatchSpec([[["_", "_", "$1"], [">", "$1", 2], [1]]]),
      'match spec clause 0: guards must be a list of guards; wrap the single guard [">", "$1", 2] in another array',
    );
    expectSpecError(() => compileMatchSpec([["_", "nope", [1]]]), "guards must be an array");
  });

  it("rejects unknown guard operators, naming the guard", () => {
    expectSpecError(
      () => compileMatchSpec([[["$1", "_", "_"], [["<<", "$1", 2]], [1]]]),
      'match spec clause 0: guard ["<<", "$1", 2]: unknown operator "<<"',
    );
    expectSpecError(
      () => compileMatchSpec([["_", [], [1]], [["$1", "_", "_"], [["andalso", true, ["is_atom", "$1"]]], [1]]]),
      'match spec clause 1: guard ["is_atom", "$1"]: unknown operator "is_atom"',
    );
    expectSpecError(() => compileMatchSpec([["_", [[]], [1]]]), "guard []", "expected an operator call");
    expectSpecError(() => compileMatchSpec([["_", [5], [1]]]), "guard 5");
    expectSpecError(() => compileMatchSpec([["_", [["toString"]], [1]]]), 'unknown operator "toString"');
  });

  it("rejects guards with the wrong number of arguments", () => {
    const spec = (g: unknown) => [[["$1", "_", "_"], [g], [1]]];
    expectSpecError(() => compileMatchSpec(spec(["==", "$1"])), '"==" takes 2 arguments, got 1');
    expectSpecError(() => compileMatchSpec(spec(["is_number", "$1", 2])), '"is_number" takes 1 argument, got 2');
    expectSpecError(() => compileMatchSpec(spec(["not"])), '"not" takes 1 argument, got 0');
    expectSpecError(() => compileMatchSpec(spec(["andalso", true])), '"andalso" takes at least 2 arguments, got 1');
    expectSpecError(() => compileMatchSpec(spec(["xor", true, true, true])), '"xor" takes 2 arguments, got 3');
  });

  it("rejects unbound variables in guards and bodies", () => {
    expectSpecError(
      () => compileMatchSpec([[["$1", "_", "_"], [[">", "$3", 2]], ["$1"]]]),
      'match spec clause 0: guard [">", "$3", 2]: unbound variable "$3"',
    );
    expectSpecError(
      () => compileMatchSpec([[["$1", "_", "_"], [], ["$1", ["$2"]]]]),
      'match spec clause 0: body[1]: unbound variable "$2"',
    );
    expectSpecError(() => compileMatchSpec([[["$1", "_", "_"], ["$4"], [1]]]), 'unbound variable "$4"');
    expectSpecError(() => compileMatchSpec([[["$1", "_", "_"], [], [{ k: "$9" }]]]), 'unbound variable "$9"');
  });

  it("rejects an empty or non-array body", () => {
    expectSpecError(() => compileMatchSpec([["_", [], []]]), "body must be a non-empty array");
    expectSpecError(() => compileMatchSpec([["_", [], "$_"]]), "body must be a non-empty array");
  });

  it("rejects cyclic literals", () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expectSpecError(() => compileMatchSpec([[["_", "_", { const: cyclic }], [], [1]]]), "pattern[2].const: literal is cyclic");
  });
});

describe("compileValueMatch (Registry.match patterns)", () => {
  const values = entries.map((e) => e[2]);

  it("matches the value only, with structural patterns and guards", () => {
    expect(values.filter(compileValueMatch("_"))).toEqual(values);
    expect(values.filter(compileValueMatch({ role: "$1" }, [["==", "$1", "guest"]]))).toEqual([
      { role: "guest", level: 1, extra: true },
    ]);
    expect(values.filter(compileValueMatch("$1", [["is_number", "$1"], [">", "$1", 2]]))).toEqual([3, 5]);
    expect(values.filter(compileValueMatch(3))).toEqual([3]);
    expect(values.filter(compileValueMatch({ const: "text" }))).toEqual(["text"]);
  });

  it("binds repeated variables and lets \"$_\" name the whole value in guards", () => {
    const same = compileValueMatch(["$1", "$1"]);
    expect(same([1, 1])).toBe(true);
    expect(same([1, 2])).toBe(false);
    const big = compileValueMatch("_", [[">", "$_", 2]]);
    expect(big(3)).toBe(true);
    expect(big(2)).toBe(false);
  });

  it("reports malformed patterns and guards", () => {
    expectSpecError(() => compileValueMatch("_", [["<<", 1, 2]]), 'match pattern: guard ["<<", 1, 2]: unknown operator "<<"');
    expectSpecError(() => compileValueMatch("$1", [["==", "$2", 1]]), 'unbound variable "$2"');
    expectSpecError(() => compileValueMatch(["$$"]), "match pattern: pattern[0]");
    expectSpecError(() => compileValueMatch("_", "bad"), "guards must be an array");
  });
});
