// Real-shaped library code on virtual timers (issue 19): an async TTL cache, a
// debounce and a p-limit-style concurrency limiter, written here as their authors
// would (setTimeout / setImmediate, no lockstep calls inside). Each has a seeded bug
// that exploration finds under `virtualTimers`, and a fixed twin that passes.
import { describe, it, expect } from "vitest";
import { explore, spawn, controlled, replay, type ExploreOptions } from "lockstep";

const OPTS: ExploreOptions = { virtualTimers: true, iterations: 300, seed: 2024, traceDir: false };
const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- an async TTL cache --------------------------------------------------------

interface Entry<V> {
  value: V;
  timer: ReturnType<typeof setTimeout>;
}

/** A read-through cache: entries expire `ttl` ms after they were stored; hits are recorded in a stats service. */
function ttlCache<V>(load: (k: string) => Promise<V>, recordHit: (k: string) => Promise<void>, ttl: number, fixed: boolean) {
  const map = new Map<string, Entry<V>>();
  return {
    async get(k: string): Promise<V> {
      const e = map.get(k);
      if (e !== undefined) {
        await recordHit(k);
        // BUG (seeded): reads the map again after an await; the expiry timer may have run meanwhile.
        return fixed ? e.value : map.get(k)!.value;
      }
      const value = await load(k);
      const old = map.get(k);
      if (old !== undefined) clearTimeout(old.timer);
      map.set(k, { value, timer: setTimeout(() => map.delete(k), ttl) });
      return value;
    },
  };
}

function cacheScenario(fixed: boolean) {
  return async () => {
    let loads = 0;
    const load = controlled(async (k: string) => `${k}#${++loads}`);
    const recordHit = controlled(async (_k: string) => {});
    const cache = ttlCache(load, recordHit, 10, fixed);
    expect(await cache.get("user")).toBe("user#1");
    // A reader whose hit lands on the entry's last moments, racing its expiry.
    await wait(9);
    const value = await cache.get("user");
    expect(value).toMatch(/^user#\d$/);
  };
}

// ---- a debounce ----------------------------------------------------------------

/** Calls `fn` with the latest arguments once `ms` passed without a new call. */
function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number, fixed: boolean) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    if (fixed) {
      clearTimeout(timer);
    } else if (timer !== undefined) {
      return; // BUG (seeded): a call inside the window is dropped instead of postponing the call
    }
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, ms);
  };
}

function debounceScenario(fixed: boolean) {
  return async () => {
    const searched: string[] = [];
    const onInput = debounce((q: string) => searched.push(q), 10, fixed);
    // Two keystrokes from two sources (a user and an autocomplete fill), 10 ms apart.
    await spawn(async () => onInput("lo"));
    await spawn(async () => {
      await wait(10);
      onInput("lockstep");
    });
    await wait(50);
    expect(searched.at(-1)).toBe("lockstep");
  };
}

// ---- a p-limit-style concurrency limiter ----------------------------------------

/** Runs at most `n` jobs at once; a job starts on the next turn of the event loop (setImmediate), as p-queue does. */
function limiter(n: number, fixed: boolean) {
  let active = 0;
  const queue: (() => void)[] = [];
  const startNext = () => {
    if (active < n && queue.length > 0) {
      active++;
      queue.shift()!();
    }
  };
  return <T>(job: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const run = () =>
        job()
          .then(resolve, reject)
          .finally(() => {
            active--;
            setImmediate(startNext);
          });
      if (fixed) {
        queue.push(run);
        startNext();
      } else if (active < n) {
        // BUG (seeded): the slot is checked now but taken on the next tick.
        setImmediate(() => {
          active++;
          run();
        });
      } else queue.push(run);
    });
}

function limiterScenario(fixed: boolean) {
  return async () => {
    const limit = limiter(1, fixed);
    let running = 0;
    let most = 0;
    const job = async () => {
      running++;
      most = Math.max(most, running);
      await wait(5);
      running--;
    };
    await spawn(async () => limit(job));
    await limit(job);
    await wait(20);
    expect(most).toBe(1);
  };
}

describe("real-shaped libraries on virtual timers", () => {
  it("TTL cache: an expiry timer racing a hit between has and get is found (timers: race), and replays", async () => {
    const body = cacheScenario(false);
    const r = await explore(body, { ...OPTS, timers: "race" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    expect(String(r.bug.error)).toMatch(/Cannot read properties of undefined/);
    const again = await replay(body, r.bug);
    expect(again.ok).toBe(false);
  });

  it("TTL cache, fixed: the value read before the await is returned", async () => {
    const r = await explore(cacheScenario(true), { ...OPTS, timers: "race" });
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });

  it("debounce: a keystroke landing as the window closes is dropped (found)", async () => {
    const r = await explore(debounceScenario(false), OPTS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    expect(r.bug.message).toContain("expected 'lo' to be 'lockstep'");
  });

  it("debounce, fixed: the last keystroke always wins", async () => {
    const r = await explore(debounceScenario(true), OPTS);
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });

  it("limiter: a slot checked now and taken on the next tick lets two jobs run at once (found)", async () => {
    const r = await explore(limiterScenario(false), OPTS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bug.kind).toBe("exception");
    expect(r.bug.message).toContain("expected 2 to be 1");
  });

  it("limiter, fixed: never more than n jobs at once", async () => {
    const r = await explore(limiterScenario(true), OPTS);
    expect(r.ok, r.ok ? "" : r.bug.format()).toBe(true);
  });
});
