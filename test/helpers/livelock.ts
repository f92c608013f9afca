// The 100,000-step livelock the diagram tests draw (a process sending itself a message
// and taking it, forever), and the built CLI that explores it, as users run it.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

export const LIVELOCK = [
  'import { send, receive, self } from "lockstep";',
  "export default async function livelock() {",
  "  for (;;) { await send(self(), 1); await receive(); }",
  "}",
].join("\n");

/** The built CLI with the release engine, as users run it. */
export function cli(...args: string[]) {
  const env = { ...process.env };
  delete env.LOCKSTEP_ENGINE;
  return spawnSync(process.execPath, [join(root, "bin/lockstep.mjs"), ...args], { cwd: root, encoding: "utf8", env, maxBuffer: 256 * 1024 * 1024 });
}
