const c0 = process.cpuUsage(); const t0 = performance.now();
const { explore, controlled } = await import("lockstep");
const c1 = process.cpuUsage(); const t1 = performance.now();
const body = async () => {
  let value = 0;
  const read = controlled(async () => value);
  const write = controlled(async (v) => { value = v; });
  const inc = async () => { const v = await read(); await write(v + 1); };
  await Promise.all([inc(), inc(), inc()]);
};
await explore(body, { iterations: 1, seed: 1, strategy: "random", traceDir: false });
const c2 = process.cpuUsage(); const t2 = performance.now();
const cpu = (a, b) => (b.user + b.system - a.user - a.system) / 1000;
console.log(JSON.stringify({ ms: t2 - t1, cpuMs: cpu(c1, c2), importCpu: cpu(c0, c1) }));
