// A leader lease on a Registry that two nodes can both believe they hold.
//
// Each node runs a lease agent (a GenServer) that takes the lease by registering the
// unique key "leader" with its expiry time as the value, renews it to push the expiry
// out, and releases it. The agents live for the whole test, as a node's agent would:
// a lease whose owner dies is freed by the Registry, which is a different story.
// Renewing the way it is often first written — check that the lease is ours, then
// unregister and register again with the new expiry — opens a window: between the two
// calls another agent takes the lease, the renewing agent's register fails, and it
// still answers "renewed". Three clients run generated acquire / renew / release
// operations against their node's agent, each recorded in a History, and
// `linearizable` checks them against a sequential model of a lease: it finds an
// acquire that succeeded while the model says another node holds the lease. The fix
// is one atomic step: `Registry.updateValue(reg, "leader", () => expiry)`, which fails
// unless the caller owns the key, answering whether it worked (see `fixedAgent`).
import { GenServer, Registry, Generator, workload, linearizable, now, self } from "lockstep";

const TTL = 1000;

export const agent = {
  init: (reg) => ({ state: reg }),
  async handleCall(request, _from, reg) {
    if (request === "acquire") return { reply: (await Registry.register(reg, "leader", now() + TTL)).ok, state: reg };
    if (request === "release") return { reply: await Registry.unregister(reg, "leader"), state: reg };
    // renew. The bug: the refresh is two steps and ignores whether the second worked.
    const [entry] = await Registry.lookup(reg, "leader");
    if (entry?.[0] !== self()) return { reply: false, state: reg }; // not ours (any more)
    await Registry.unregister(reg, "leader");
    await Registry.register(reg, "leader", now() + TTL);
    return { reply: true, state: reg };
  },
};

/** The same agent with an atomic renew. */
export const fixedAgent = {
  ...agent,
  async handleCall(request, from, reg) {
    if (request !== "renew") return agent.handleCall(request, from, reg);
    return { reply: (await Registry.updateValue(reg, "leader", () => now() + TTL)).ok, state: reg };
  },
};

/** The lease, one operation at a time: which client's node holds it, or null. */
export const model = {
  init: () => null,
  step(holder, name, { client }) {
    if (name === "acquire") return holder === null ? [true, client] : [false, holder];
    if (name === "renew") return [holder === client, holder];
    return [undefined, holder === client ? null : holder];
  },
};

/** The test, for a given agent behaviour. */
async function leases(behaviour) {
  const reg = await Registry.start({ keys: "unique" });
  const agents = [];
  for (let i = 0; i < 3; i++) agents.push(await GenServer.start(behaviour, reg));
  const generator = new Generator({
    acquire: { weight: 2, args: (_r, client) => ({ client }) },
    renew: { weight: 2, args: (_r, client) => ({ client }) },
    release: (_r, client) => ({ client }),
  });
  const history = await workload({
    clients: 3,
    opsPerClient: 3,
    generator,
    run: async ({ name, args }) => {
      const reply = await GenServer.call(agents[args.client], name);
      return name === "release" ? undefined : reply;
    },
  });
  const verdict = linearizable(history, model);
  if (!verdict.ok) throw new Error(verdict.explanation);
}

export default function leaderLease() {
  return leases(agent);
}

/** The fixed twin: no schedule breaks it. */
export function leaderLeaseFixed() {
  return leases(fixedAgent);
}

export const options = { iterations: 500 };
