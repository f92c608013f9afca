// A replicated counter that loses increments on heal.
//
// Two replicas, on nodes a and b, each count increments from local clients and
// forward every increment to the other replica as a delta, so on a healthy network
// both converge to the total. Deltas sent during a netsplit are lost, so each replica
// watches the other's node (Cluster.monitorNode) and, when it comes back ({ type:
// "nodeup" }), sends its whole count; the receiver keeps the larger of the two. That
// "anti-entropy" looks right but is not: when both sides counted during the split,
// max(count_a, count_b) forgets the increments of one side. lockstep finds the
// interleaving where both increments fall inside the partition.
import { Cluster, send, receive, self, sleep } from "lockstep";

async function replica() {
  const { peer, peerNode } = await receive((m) => m.peer !== undefined);
  await Cluster.monitorNode(peerNode);
  let count = 0;
  for (;;) {
    const m = await receive();
    if (m.inc) {
      count += 1;
      await send(peer, { delta: 1 });
      await send(m.from, "ack");
    } else if (m.delta !== undefined) count += m.delta;
    else if (m.type === "nodeup") await send(peer, { state: count });
    else if (m.state !== undefined) count = Math.max(count, m.state);
    else if (m.get) await send(m.from, { count });
  }
}

async function client(replicaPid, acked) {
  await send(replicaPid, { inc: true, from: self() });
  await receive((m) => m === "ack");
  acked.n += 1;
}

export default async function replicatedCounter() {
  const [a, b] = await Cluster.startNodes(["a", "b"]);
  const ra = await Cluster.spawn(a, replica);
  const rb = await Cluster.spawn(b, replica);
  await send(ra, { peer: rb, peerNode: b });
  await send(rb, { peer: ra, peerNode: a });
  const acked = { n: 0 };
  await Cluster.spawn(a, () => client(ra, acked));
  await Cluster.spawn(b, () => client(rb, acked));
  await Cluster.partition([a], [b], { mode: "drop" });
  await Cluster.heal();
  await sleep(100); // replication and anti-entropy are done (timers fire when nothing else can run)
  const me = self();
  const counts = [];
  for (const r of [ra, rb]) {
    await send(r, { get: true, from: me });
    counts.push((await receive((m) => m.count !== undefined)).count);
  }
  if (counts.some((c) => c !== acked.n)) {
    throw new Error(`lost increments: ${acked.n} acknowledged, replicas count ${counts.join(" and ")}`);
  }
}

export const options = { iterations: 1000 };
