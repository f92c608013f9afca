// fast-check's scheduler, in lockstep's terms (docs/from-fast-check.md): settle()
// (waitAll / waitIdle; { one: true } for waitOne), sequence() (scheduleSequence) and
// controlled(fn, { start: "eager" }) (scheduleFunction). Then fast-check's own race
// examples (dubzzz/fast-check: examples/005-race and the "detect race conditions"
// tutorial's queue), ported as a user would, without React: each component's logic is
// kept as plain functions. Each bug is found by lockstep; each fixed version is clean.
// Last, the recipe: fast-check arbitraries for the inputs, lockstep for the schedules.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { explore, check, controlled, settle, sequence, type ExploreOptions } from "lockstep";

const OPTS: ExploreOptions = { iterations: 300, seed: 19, traceDir: false };
const finds = async (body: () => Promise<void>, o: ExploreOptions = {}) => {
  const r = await explore(body, { ...OPTS, ...o });
  expect(r.ok, "expected a bug").toBe(false);
  if (process.env.SHOW && !r.ok) console.log(r.bug.format());
  return r.ok ? "" : r.bug.message;
};
const clean = async (body: () => Promise<void>, o: ExploreOptions = {}) => {
  const r = await explore(body, { ...OPTS, ...o });
  expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
};

describe("settle, sequence, eager start", () => {
  it("settle(): every result delivered and the code after it run; the delivery order is explored", async () => {
    const orders = new Set<string>();
    await clean(async () => {
      const log: string[] = [];
      const search = controlled(async (q: string) => q);
      void search("a").then((r) => log.push(r));
      void search("ab").then((r) => search(`${r}!`)).then((r) => log.push(r));
      expect(await settle()).toBe(0);
      orders.add(log.join(" "));
    });
    expect([...orders].sort()).toEqual(["a ab!", "ab! a"]);
  });

  it("settle({ one: true }): returns after each delivered result, with how many calls are still in flight", async () => {
    const counts = new Set<string>();
    await clean(async () => {
      const f = controlled(async (x: number) => x);
      void f(1);
      void f(2);
      void f(3);
      const seen: number[] = [];
      let pending: number;
      do seen.push((pending = await settle({ one: true })));
      while (pending > 0);
      counts.add(seen.join(","));
    });
    // Results handed over one at a time, or two together when both settled before the caller resumed.
    expect([...counts].every((c) => c.endsWith("0"))).toBe(true);
    expect(counts.has("2,1,0")).toBe(true);
  });

  it("sequence(): steps run in order, each a scheduled event that other work may precede", async () => {
    const orders = new Set<string>();
    await clean(async () => {
      const log: string[] = [];
      const other = controlled(async () => void log.push("other"));
      await Promise.all([sequence([() => log.push("s1"), () => log.push("s2")]), other()]);
      expect(log.indexOf("s1")).toBeLessThan(log.indexOf("s2"));
      orders.add(log.join(" "));
    });
    expect([...orders].sort()).toEqual(["other s1 s2", "s1 other s2", "s1 s2 other"]);
  });

  it("bad uses get clear errors: settle() outside an exploration, a sequence of non-functions, a step that throws, an unknown start", async () => {
    await expect(settle()).rejects.toThrow(/settle\(\) was called outside an exploration/);
    await clean(async () => {
      await expect(sequence([1 as unknown as () => void])).rejects.toThrow(/sequence expects an array of functions/);
      const ran: number[] = [];
      await expect(sequence([() => ran.push(1), () => { throw new Error("step 2"); }, () => ran.push(3)])).rejects.toThrow("step 2");
      expect(ran).toEqual([1]);
      expect(() => controlled(async () => 1, { start: "later" as "eager" })).toThrow(/start must be "scheduled" or "eager"/);
      await expect(settle({ one: "yes" as unknown as boolean })).rejects.toThrow(/one must be a boolean/);
    }, { iterations: 5 });
  });

  it("controlled(fn, { start: 'eager' }) runs fn at the call; only its result is scheduled", async () => {
    await clean(async () => {
      const started: number[] = [];
      const lazy = controlled(async (x: number) => void started.push(x));
      const eager = controlled(async (x: number) => void started.push(x), { start: "eager" });
      const p = lazy(1);
      const q = eager(2);
      expect(started).toEqual([2]); // the eager stub ran at once; the scheduled one waits for its task
      await Promise.all([p, q]);
      await expect(controlled(async () => Promise.reject(new Error("no")), { start: "eager" })()).rejects.toThrow("no");
    });
  });
});

// ---- fast-check's examples/005-race, ported --------------------------------------

describe("fast-check's race examples", () => {
  // autocomplete/src/AutocompleteField.tsx: the latest query's results win, and what is shown matches the input.
  function autocomplete(search: (q: string, max: number) => Promise<string[]>, fixed: boolean, render: (value: string, shown: string[]) => void) {
    let lastQuery = "";
    let lastSuccessfulQuery = "";
    let results: string[] = [];
    const show = () => render(lastQuery, fixed ? results.filter((r) => r.startsWith(lastQuery)) : results);
    const runQuery = async (query: string) => {
      const found = await search(query, 10);
      if (fixed && !lastQuery.startsWith(query)) return;
      if (fixed && lastQuery.startsWith(lastSuccessfulQuery) && lastSuccessfulQuery.length > query.length) return;
      lastSuccessfulQuery = query;
      results = found;
      show();
    };
    return (value: string) => {
      lastQuery = value;
      show();
      void runQuery(value);
    };
  }
  const autocompleteBody = (fixed: boolean) => async () => {
    const all = ["lock", "lockstep", "loom", "shuttle"];
    const search = controlled(async (q: string, max: number) => all.filter((r) => r.includes(q)).slice(0, max), { name: "search", start: "eager" });
    const type = autocomplete(search, fixed, (value, shown) => {
      if (!shown.every((s) => s.includes(value))) throw new Error(`Invalid suggestions for ${JSON.stringify(value)}, got: ${JSON.stringify(shown)}`);
    });
    await sequence(["l", "lo", "loc"].map((q) => () => type(q)));
    await settle();
  };
  it("autocomplete: stale results shown for a newer input (found); fixed: clean", async () => {
    expect(await finds(autocompleteBody(false))).toMatch(/Invalid suggestions for "loc?"/);
    await clean(autocompleteBody(true));
  });

  // dependencyTree/src/dependencyTree.ts: every package fetched once, even when fetches race.
  const dependencyTree = async (root: string, fetch: (name: string) => Promise<Deps>, fixed: boolean) => {
    const cache: Record<string, Deps> = {};
    const pending = new Set<string>();
    const feed = async (name: string): Promise<void> => {
      if (fixed && pending.has(name)) return;
      pending.add(name);
      if (cache[name]) return;
      const def = (cache[name] = await fetch(name));
      await Promise.all(Object.keys(def.dependencies).map(feed));
    };
    await feed(root);
    return cache;
  };
  type Deps = { dependencies: Record<string, string> };
  const treeBody = (fixed: boolean) => async () => {
    const registry: Record<string, Deps> = { a: { dependencies: { b: "1", c: "1" } }, b: { dependencies: { c: "1" } }, c: { dependencies: { a: "1" } } };
    let queries = 0;
    const fetch = controlled(async (name: string) => (queries++, registry[name]), { name: "fetch", start: "eager" });
    const tree = await dependencyTree("a", fetch, fixed);
    expect(Object.keys(tree).sort()).toEqual(["a", "b", "c"]);
    expect(queries).toBe(3);
  };
  it("dependency tree: a package fetched twice when two fetches race (found); fixed: clean", async () => {
    expect(await finds(treeBody(false))).toContain("expected 4 to be 3");
    await clean(treeBody(true));
  });

  // userProfile/src/UserProfilePage.tsx: never display another user's data.
  function userProfilePage(getUserProfile: (id: string) => Promise<{ id: string }>, fixed: boolean) {
    let shown: { id: string } | null = null;
    let cancel = () => {};
    return {
      render(userId: string) {
        cancel();
        let canceled = false;
        cancel = () => (canceled = true);
        shown = null;
        void getUserProfile(userId).then((data) => {
          if (!fixed || !canceled) shown = data;
        });
      },
      shown: () => shown,
    };
  }
  const profileBody = (fixed: boolean) => async () => {
    const page = userProfilePage(controlled(async (id: string) => ({ id }), { name: "getUserProfile", start: "eager" }), fixed);
    page.render("uid1");
    await sequence([() => page.render("uid2")]);
    await settle();
    expect(page.shown()?.id).toBe("uid2");
  };
  it("user profile: the first user's profile shown after switching users (found); fixed: clean", async () => {
    expect(await finds(profileBody(false))).toContain("expected 'uid1' to be 'uid2'");
    await clean(profileBody(true));
  });

  // debounced-autocomplete/src/DebouncedAutocomplete.tsx: 500 ms debounce; an answer for an older query must not win.
  function debouncedAutocomplete(suggestionsFor: (q: string) => Promise<string[]>, fixed: boolean) {
    let suggestions: string[] = [];
    let cleanup = () => {};
    return {
      setQuery(query: string) {
        cleanup();
        let canceled = false;
        const timer = setTimeout(() => suggestionsFor(query).then((s) => (!fixed || !canceled) && (suggestions = s)), 500);
        cleanup = () => ((canceled = true), clearTimeout(timer));
      },
      suggestions: () => suggestions,
    };
  }
  const debouncedBody = (fixed: boolean) => async () => {
    const all = ["react", "redux", "rxjs"];
    const field = debouncedAutocomplete(controlled(async (q: string) => all.filter((r) => r.includes(q)), { name: "suggestionsFor", start: "eager" }), fixed);
    await sequence(["r", "re", "red"].map((_, i, q) => () => field.setQuery(q[i])));
    await new Promise((r) => setTimeout(r, 1000));
    await settle();
    expect(field.suggestions()).toEqual(["redux"]);
  };
  it("debounced field: an older query's answer lands last (found, virtualTimers with timers: race); fixed: clean", async () => {
    const vt: ExploreOptions = { virtualTimers: true, timers: "race" };
    expect(await finds(debouncedBody(false), vt)).toMatch(/expected \[.*\] to deeply equal \[ 'redux' \]/);
    await clean(debouncedBody(true), vt);
  });
});

// ---- the "detect race conditions" tutorial's queue, and the fast-check recipe ----------

describe("fast-check's queue tutorial", () => {
  type Fn = (v: number) => Promise<number>;
  // queueCodeV1: chained on the previous call's promise, but each call starts at once.
  const queueV1 = (fun: Fn): Fn => {
    let lastQuery: Promise<unknown> = Promise.resolve();
    return (v) => {
      const currentQuery = fun(v);
      const returnedQuery = lastQuery.then(() => currentQuery);
      lastQuery = currentQuery;
      return returnedQuery;
    };
  };
  // queueCodeV5: a call starts only when the previous one is done.
  const queueV5 = (fun: Fn): Fn => {
    let pending = false;
    const onDone: (() => void)[] = [];
    const runNext = () => (onDone.length === 0 ? (pending = false) : onDone.shift()!());
    const start = (v: number, resolve: (x: number) => void, reject: (e: unknown) => void) => {
      const p = fun(v);
      p.then(runNext, runNext);
      p.then(resolve, reject);
    };
    return (v) => new Promise((resolve, reject) => (pending ? onDone.push(() => start(v, resolve, reject)) : ((pending = true), start(v, resolve, reject))));
  };
  // missingPartPBTSpecCode: answers in call order, and never two calls at once.
  const queueBody = (queue: (f: Fn) => Fn, batches: number[]) => async () => {
    const seen: number[] = [];
    const expected: number[] = [];
    let pending = false;
    let concurrent = false;
    const call = controlled(async (v: number) => v, { name: "call", start: "eager" });
    const queued = queue((v) => {
      concurrent ||= pending;
      pending = true;
      return call(v).finally(() => (pending = false));
    });
    let id = 0;
    await sequence(batches.map((n) => () => {
      for (let k = 0; k < n; k++, id++) {
        expected.push(id);
        void queued(id).then((v) => seen.push(v));
      }
    }));
    await settle();
    expect(seen).toEqual(expected);
    expect(concurrent).toBe(false);
  };

  it("queue V1 lets two calls run at once (found); V5: clean", async () => {
    expect(await finds(queueBody(queueV1, [1, 2]))).toMatch(/expected true to be false|expected \[.*\] to deeply equal \[ \+0, 1, 2 \]/);
    await clean(queueBody(queueV5, [1, 2, 3]));
  });

  // The recipe (docs/from-fast-check.md): fast-check draws and shrinks the inputs,
  // lockstep explores each input's schedules; a bug fails the property (check throws).
  const batchesArb = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 });
  const property = (queue: (f: Fn) => Fn) =>
    fc.asyncProperty(batchesArb, async (batches) => {
      await check(queueBody(queue, batches), { iterations: 50, seed: 1, traceDir: false });
    });

  it("recipe: fc.asyncProperty(arb, (input) => check(body(input), opts)): V5 holds for every input; V1 fails, its input shrunk", async () => {
    await fc.assert(property(queueV5), { numRuns: 15, seed: 42 });
    const out = await fc.check(property(queueV1), { numRuns: 15, seed: 42 });
    expect(out.failed).toBe(true);
    expect(out.counterexample).toEqual([[2]]); // the smallest input: one batch of two calls
    expect(String(out.errorInstance)).toMatch(/lockstep found a bug/);
  });
});
