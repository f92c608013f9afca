// A naive leader election that elects two leaders across a partition.
//
// Three nodes each run a candidate. A candidate pings its peers and waits (at most
// 50 virtual ms) for their answers; the lowest id among those that answered wins, and
// a candidate that wins declares itself leader for good. On a healthy network every
// candidate hears from every other one and exactly one leader comes out. When a
// netsplit ("drop" mode: messages across it are lost) falls in the middle of the
// election, each side hears only from itself and elects its own leader: the classic
// split brain. The partition and the heal are scheduled operations, so lockstep finds
// the interleaving where the split lands between the pings, and prints it.
import { Cluster, send, receive, self, sleep, TIMEOUT } from "lockstep";

async function candidate(id, leaders) {
  const { peers } = await receive((m) => m.peers !== undefined);
  const me = self();
  for (const p of peers) if (p !== me) await send(p, { ping: id, from: me });
  const heard = [id];
  for (;;) {
    const m = await receive(null, { timeout: 50 });
    if (m === TIMEOUT) break;
    if (m.ping !== undefined) await send(m.from, { pong: id });
    else if (m.pong !== undefined) heard.push(m.pong);
  }
  if (Math.min(...heard) === id) leaders.push(id);
  // a candidate keeps answering pings after the election (nothing else to do here)
}

export default async function leaderElection() {
  const nodes = await Cluster.startNodes(["n1", "n2", "n3"]);
  const leaders = [];
  const pids = [];
  for (let i = 0; i < nodes.length; i++) pids.push(await Cluster.spawn(nodes[i], () => candidate(i + 1, leaders)));
  for (const p of pids) await send(p, { peers: pids });
  // A short netsplit isolating n1, racing with the election.
  await Cluster.partition([nodes[0]], [nodes[1], nodes[2], "main"], { mode: "drop" });
  await Cluster.heal();
  await sleep(1000); // every election is over (timeouts fire when nothing else can run)
  if (leaders.length !== 1) throw new Error(`split brain: ${leaders.length} leaders elected (candidates ${leaders.join(", ")})`);
}

export const options = { iterations: 1000 };
