/**
 * Which returns of a bar are *missing* because a symbol is halted (docs/methods.md, "Data hygiene"): a price that
 * stays exactly the same for three bars or more (a stablecoin at its peg, a suspended stock, an exchange's flat
 * maintenance candles, a series forward-filled over a closure) carries no information about co-movement, and the
 * first return after such a run spans the whole halt, like a return across a gap. The detector leaves these returns
 * out of its sequential statistic, its volatility scaling and its baseline (detector.ts). A zero return or two (a
 * price that did not tick for a bar, a one-day holiday forward-filled) is data: an illiquid market has many, and
 * they do no harm; what does is a long run, whose zeros drain the volatility estimate and bias the baseline's
 * correlations toward 0, and whose closing jump lands on a near-zero volatility (scripts/halt-cost.ts).
 */
export class HaltTracker {
  /** Consecutive exactly-zero returns per symbol, up to and including the last bar. */
  private readonly zeros: Uint32Array;
  /** 1 where the last bar's return is missing. */
  readonly missing: Uint8Array;

  constructor(
    readonly n: number,
    /** Zero returns in a row that make a halt. */
    readonly minRun = 3,
  ) {
    if (!Number.isInteger(minRun) || minRun < 1) throw new RangeError(`minRun must be a positive integer, got ${minRun}`);
    this.zeros = new Uint32Array(n);
    this.missing = new Uint8Array(n);
  }

  /** Take a bar's returns; returns how many of them are missing (see `missing` for which). */
  update(row: ArrayLike<number>): number {
    let count = 0;
    for (let i = 0; i < this.n; i++) {
      const before = this.zeros[i];
      if (row[i] === 0) {
        this.zeros[i] = before + 1;
        // A run's first zeros are data until the run is long enough to be a halt.
        this.missing[i] = before + 1 >= this.minRun ? 1 : 0;
      } else {
        this.zeros[i] = 0;
        // The first move after a halt spans it.
        this.missing[i] = before >= this.minRun ? 1 : 0;
      }
      count += this.missing[i];
    }
    return count;
  }
}
