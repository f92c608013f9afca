// Progress output for the CLI: a redrawn line on a terminal, plain lines otherwise
// (pipes, CI logs), never more than one line every few seconds there.
import { hostNow } from "../runtime/virtual-timers.js";
import type { Progress as P } from "../explore/options.js";
import type { ExploreResult } from "../explore/explore.js";

/** The distinct-schedule count as printed: "~N" when it is an estimate (past 2^20 schedules). */
export function distinctText(s: { distinctSchedules: number; distinctSchedulesEstimated?: boolean }): string {
  return `${s.distinctSchedulesEstimated ? "~" : ""}${s.distinctSchedules}`;
}

export class Progress {
  private readonly tty: boolean;
  private lastPlain = 0;
  private readonly started = hostNow();

  constructor(
    private readonly name: string,
    private readonly total: number,
    private readonly write: (s: string) => void,
  ) {
    this.tty = !!process.stderr.isTTY && !process.env.CI;
  }

  update(p: P): void {
    const secs = (hostNow() - this.started) / 1000;
    const rate = secs > 0 ? Math.round(p.iterations / secs) : 0;
    const pct = Math.min(100, Math.floor((100 * p.iterations) / Math.max(1, this.total)));
    const width = 24;
    const filled = Math.round((width * pct) / 100);
    const line = `${this.name} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${p.iterations}/${this.total} iterations, ${rate}/s, ${distinctText(p)} distinct schedules, 0 bugs`;
    if (this.tty) {
      process.stderr.write(`\r${line}\x1b[K`);
    } else if (hostNow() - this.lastPlain > 5000) {
      this.lastPlain = hostNow();
      this.write(line);
    }
  }

  done(r: ExploreResult): void {
    if (this.tty) process.stderr.write("\r\x1b[K");
    const secs = (hostNow() - this.started) / 1000;
    const n = r.ok ? r.iterations : r.stats.iterations;
    this.write(`${this.name}: ${n} iterations in ${secs.toFixed(2)}s (${Math.round(n / Math.max(secs, 1e-9))}/s), ${distinctText(r.stats)} distinct schedules, ${r.ok ? "0 bugs" : "1 bug"}`);
  }
}
