// Progress output for the CLI: one line redrawn in place on a terminal, fitted to its
// width (a line that wraps cannot be redrawn with \r: each redraw would scroll), and
// plain lines otherwise (pipes, CI logs): the first after a second, then one every
// few seconds.
// Real time even inside an iteration with virtualTimers (which replaces performance.now).
import { hostNow } from "../runtime/virtual-timers.js";
import type { Progress as P } from "../explore/options.js";
import type { ExploreResult } from "../explore/explore.js";
import { plural } from "./args.js";

/** The distinct-schedule count as printed: "~N" when it is an estimate (past 2^20 schedules). */
export function distinctText(s: { distinctSchedules: number; distinctSchedulesEstimated?: boolean }): string {
  return `${s.distinctSchedulesEstimated ? "~" : ""}${s.distinctSchedules}`;
}

/** "1 distinct schedule", "~2000 distinct schedules". */
export function distinctSchedules(s: { distinctSchedules: number; distinctSchedulesEstimated?: boolean }): string {
  return `${distinctText(s)} distinct schedule${s.distinctSchedules === 1 && !s.distinctSchedulesEstimated ? "" : "s"}`;
}

/** Where progress goes: a stream that may be a terminal of some width. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

const FIRST_PLAIN_MS = 1000;
const PLAIN_EVERY_MS = 5000;

export class Progress {
  private readonly tty: boolean;
  private lastPlain: number;
  private readonly started = hostNow();
  private last: P | undefined;

  constructor(
    private readonly name: string,
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
    tty = !!stream.isTTY && !process.env.CI,
  ) {
    this.tty = tty;
    this.lastPlain = this.started - PLAIN_EVERY_MS + FIRST_PLAIN_MS;
  }

  /** The longest of the progress lines that fits in `columns` (the last column stays free: some terminals wrap there). */
  static fit(columns: number, variants: string[]): string {
    const room = Math.max(10, columns - 1);
    for (const v of variants) if (v.length <= room) return v;
    const last = variants[variants.length - 1];
    return last.slice(0, room - 1) + "…";
  }

  line(p: P, columns = Infinity): string {
    const secs = (hostNow() - this.started) / 1000;
    const rate = secs > 0 ? Math.round(p.iterations / secs) : 0;
    const pct = Math.min(100, Math.floor((100 * p.iterations) / Math.max(1, this.total)));
    const width = 24;
    const filled = Math.round((width * pct) / 100);
    const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] `;
    const count = `${p.iterations}/${this.total} iterations`;
    const distinct = distinctSchedules(p);
    return Progress.fit(columns, [
      `${this.name} ${bar}${count}, ${rate}/s, ${distinct}, 0 bugs`,
      `${this.name} ${count}, ${rate}/s, ${distinct}`,
      `${this.name} ${p.iterations}/${this.total}, ${distinctText(p)} distinct`,
      `${p.iterations}/${this.total}, ${distinctText(p)} distinct`,
    ]);
  }

  update(p: P): void {
    this.last = p;
    if (this.tty) {
      this.stream.write(`\r${this.line(p, this.stream.columns ?? 80)}\x1b[K`);
    } else if (hostNow() - this.lastPlain >= PLAIN_EVERY_MS) {
      this.lastPlain = hostNow();
      this.stream.write(this.line(p) + "\n");
    }
  }

  /** Removes the redrawn line (a terminal), so what follows starts on a clean line. */
  clear(): void {
    if (this.tty) this.stream.write("\r\x1b[K");
  }

  done(r: ExploreResult): void {
    this.clear();
    const secs = (hostNow() - this.started) / 1000;
    const n = r.ok ? r.iterations : r.stats.iterations;
    this.stream.write(`${this.name}: ${plural(n, "iteration")} in ${secs.toFixed(2)}s (${Math.round(n / Math.max(secs, 1e-9))}/s), ${distinctSchedules(r.stats)}, ${r.ok ? "0 bugs" : "1 bug"}\n`);
  }
}

/** What a Ctrl-C prints: what ran before it. */
export function interruptedText(name: string, r: ExploreResult, total: number): string {
  const s = r.stats;
  return `interrupted: ${name} ran ${s.iterations} of ${plural(total, "iteration")} in ${(s.elapsedMs / 1000).toFixed(2)}s, ${distinctSchedules(s)}, seed ${s.seed}; no bug found so far`;
}
