// A door lock whose lock timer races a code entry (gen_statem, handle_event_function).
//
// The door opens on the right code and must stay open for 1000 ms after the LAST
// correct entry. The buggy door arms a plain timer (sendAfter) each time it opens and
// locks on any "lock" message. Alice opens it at t = 0; Bob enters the code again at
// t = 1000, exactly when Alice's timer fires. If Bob's entry is handled first, Alice's
// stale "lock" message then shuts the door in Bob's face: a lock 0 ms after a correct
// entry. Under the "race" timer policy the strategy may order the timer against Bob's
// wake-up, so the default strategy finds it; with real timers it is a rare flake.
//
// The fixed door uses a named generic time-out ({ genericTimeout: ["lock", ms] }):
// re-arming it on every correct entry cancels the running one, and the message of a
// cancelled timer is dropped, as gen_statem does.
import { GenStatem, sendAfter, self, sleep, spawn, now } from "lockstep";

const CODE = "1234";

// Only the two bodies are exported: a scenario file's exported functions are its scenarios.

/** The door; `fixed` selects the generic time-out over a hand-rolled sendAfter. */
function door(fixed) {
  return {
    init: () => ({ state: "locked", data: { log: [] } }),
    async handleEvent(type, content, state, data) {
      if (typeof type === "object" && "call" in type) return { actions: [{ reply: [type.call, data.log] }] };
      if (type === "cast" && content === CODE) {
        const log = [...data.log, { event: "code", at: now() }];
        if (fixed) return { state: "open", data: { log }, actions: [{ genericTimeout: ["lock", 1000], content: "lock" }] };
        await sendAfter(self(), "lock", 1000); // BUG: the previous timer keeps running
        return { state: "open", data: { log } };
      }
      const lockNow = fixed ? typeof type === "object" && type.genericTimeout === "lock" : type === "info" && content === "lock";
      if (lockNow && state === "open") return { state: "locked", data: { log: [...data.log, { event: "lock", at: now() }] } };
      return {};
    },
  };
}

/** Every lock must come at least 1000 ms after the last correct code entry before it. */
function checkLog(log) {
  let lastCode = -Infinity;
  for (const { event, at } of log) {
    if (event === "code") lastCode = at;
    else if (at - lastCode < 1000) throw new Error(`the door locked at ${at} ms, only ${at - lastCode} ms after a correct code entry at ${lastCode} ms`);
  }
}

function scenario(fixed) {
  return async function doorLock() {
    const d = await GenStatem.start(door(fixed));
    await GenStatem.cast(d, CODE); // Alice, t = 0
    await spawn(async () => {
      await sleep(1000);
      await GenStatem.cast(d, CODE); // Bob, t = 1000
    });
    await sleep(3000);
    checkLog(await GenStatem.call(d, "log", Infinity));
  };
}

export default scenario(false);
export const fixedDoor = scenario(true);

export const options = { iterations: 200, timers: "race" };
