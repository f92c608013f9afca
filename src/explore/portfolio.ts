// The default strategy's choice of member per iteration: rff, random, pos and pct,
// chosen by the reads-from coverage the runs show.
//
// Every portfolio run records reads-from (and write-over-write) coverage, whatever its
// member, into rff's coverage set, and a run that shows a new pair joins rff's corpus
// (assembly/strategy.ts FEEDBACK). A run's reward is 1 when it showed such a pair first
// in this worker, else 0; a bug needs no reward, it ends the search. The choice depends
// on the runs before, so, as for rff, a portfolio search is reproducible for a given
// seed and worker count, and a failing iteration's trace names its member and replays
// from its decisions like any other. The rff member always mutates a corpus entry
// (src/explore/strategies.ts): the other members' runs are its fresh runs.
//
// Deterministic first schedules (round-robin with a preemption at every step, and
// newest-process-first without preemption) were tried as iterations 1 and 2 and
// measured worse on the SCTBench ports (docs/strategies.md), so there are none.
/** The members, in the order the bandit first tries them (rff first: it learns from every run). */
export type Member = "rff" | "pos" | "random" | "pct";
export const MEMBERS: readonly Member[] = ["rff", "random", "pos", "pct"];

/** Iterations out of every RFF_PERIOD that go to rff while the program shows reads-from coverage. */
const RFF_TURNS = 2;
const RFF_PERIOD = 3;
/** Every FLOOR_PERIOD-th choice of the bandit goes to its least-tried member. */
const FLOOR_PERIOD = 4;

/**
 * The member of each iteration. While the runs show reads-from coverage
 * (the program has shared state), two iterations in three go to rff: its corpus learns
 * from every member's runs, so its mutations are where the portfolio's feedback pays
 * (rff is the best single member on the SCTBench ports). The other iterations, and all
 * of them on programs without shared state (where rff is only a random walk), are
 * UCB1's choice among the four members by new coverage, every fourth one going to the
 * least-tried member, so each member keeps a share of the budget (pct's guarantee
 * needs pct runs: at least one iteration in 36, one in 16 without shared state).
 */
export class Bandit {
  /** Iterations chosen so far. */
  private n = 0;
  /** Choices made by UCB1 (or the floor) so far. */
  private chosen = 0;
  private readonly pulls = MEMBERS.map(() => 0);
  private readonly wins = MEMBERS.map(() => 0);
  private total = 0;
  /** Some run showed a reads-from pair: the program has shared state that rff can learn from. */
  private covered = false;

  pick(): Member {
    const turn = this.n++ % RFF_PERIOD;
    if (this.covered && turn < RFF_TURNS) return "rff";
    const j = this.chosen++;
    let best = 0;
    if (j % FLOOR_PERIOD === FLOOR_PERIOD - 1) {
      for (let m = 1; m < MEMBERS.length; m++) if (this.pulls[m] < this.pulls[best]) best = m;
      return MEMBERS[best];
    }
    let bestScore = -Infinity;
    for (let m = 0; m < MEMBERS.length; m++) {
      if (this.pulls[m] === 0) return MEMBERS[m];
      const score = this.wins[m] / this.pulls[m] + Math.sqrt((2 * Math.log(this.total)) / this.pulls[m]);
      if (score > bestScore) {
        bestScore = score;
        best = m;
      }
    }
    return MEMBERS[best];
  }

  /** Records a run of `member` that showed `fresh` coverage pairs first. */
  reward(member: Member, fresh: number): void {
    const m = MEMBERS.indexOf(member);
    this.pulls[m]++;
    if (fresh > 0) {
      this.wins[m]++;
      this.covered = true;
    }
    this.total++;
  }
}
