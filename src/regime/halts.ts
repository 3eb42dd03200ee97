/**
 * Which returns of a bar are *missing* because a symbol is halted (docs/methods.md, "Data hygiene"): a price that
 * stays exactly the same for longer than its market makes plausible (a stablecoin at its peg, a suspended stock, an
 * exchange's flat maintenance candles, a series forward-filled over a closure) carries no information about
 * co-movement, and the first return after such a run spans the whole halt, like a return across a gap. The detector
 * leaves these returns out of its sequential statistic, its volatility scaling and its baseline (detector.ts).
 *
 * How long is a halt: a run of L zero returns is one when it would be rarer than `tolerance` (1 in 1,000) for this
 * symbol's own rate p of zero returns (price steps too coarse to move every bar: p^L < tolerance), and at least
 * `minRun` (3). A liquid market (p ≈ 0) halts after 3 unchanged bars; an illiquid one whose price sits still on
 * 40% of bars after 8, on 70% after 20. So the zeros of an illiquid market stay data, as they are its normal state
 * (treating them as missing would keep most bars out of the baseline: with 65% zero returns a basket would never
 * get a reading). p is an EWMA of the zero indicator (half-life `halfLife` bars, divided by 1 − λ^k after k
 * returns, so it is the plain share over the first bars) over the returns that are not missing, and a run is judged
 * against p as it was when the run began, so a halt does not excuse itself.
 */
export class HaltTracker {
  /** Consecutive exactly-zero returns per symbol, up to and including the last bar. */
  private readonly zeros: Uint32Array;
  /** The run length that makes a halt, fixed when the current run began. */
  private readonly runThreshold: Float64Array;
  /** EWMA of the share of zero returns, per symbol, and λ^(returns it has taken) for its start-up correction. */
  private readonly zeroRate: Float64Array;
  private readonly decayed: Float64Array;
  private readonly lambda: number;
  /** 1 where the last bar's return is missing. */
  readonly missing: Uint8Array;

  constructor(
    readonly n: number,
    /** The shortest run of zero returns that can be a halt. */
    readonly minRun = 3,
    /** How rare a run must be, for the symbol's rate of zero returns, to be a halt. */
    readonly tolerance = 1e-3,
    halfLife = 500,
  ) {
    if (!Number.isInteger(minRun) || minRun < 1) throw new RangeError(`minRun must be a positive integer, got ${minRun}`);
    if (!(tolerance > 0 && tolerance < 1)) throw new RangeError(`tolerance must be in (0, 1), got ${tolerance}`);
    this.zeros = new Uint32Array(n);
    this.runThreshold = new Float64Array(n).fill(minRun);
    this.zeroRate = new Float64Array(n);
    this.decayed = new Float64Array(n).fill(1);
    this.lambda = Math.pow(2, -1 / halfLife);
    this.missing = new Uint8Array(n);
  }

  /** The run length that makes a halt for a rate p of zero returns: the least L ≥ minRun with p^L < tolerance. */
  runFor(p: number): number {
    if (!(p > 0)) return this.minRun;
    if (p >= 1) return Infinity;
    return Math.max(this.minRun, Math.floor(Math.log(this.tolerance) / Math.log(p)) + 1);
  }

  /** Zero returns in a row of symbol i up to the last bar (0 when it moved on the last bar). */
  unchangedFor(i: number): number {
    return this.zeros[i];
  }

  /** Take a bar's returns; returns how many of them are missing (see `missing` for which). */
  update(row: ArrayLike<number>): number {
    let count = 0;
    const lam = this.lambda;
    for (let i = 0; i < this.n; i++) {
      const before = this.zeros[i];
      const zero = row[i] === 0;
      if (zero) {
        // The rate as it stands, corrected for the EWMA's start from 0 (an expanding mean over the first bars).
        if (before === 0) this.runThreshold[i] = this.runFor(this.decayed[i] < 1 ? this.zeroRate[i] / (1 - this.decayed[i]) : 0);
        this.zeros[i] = before + 1;
        // A run's first zeros are data until the run is long enough to be a halt.
        this.missing[i] = before + 1 >= this.runThreshold[i] ? 1 : 0;
      } else {
        this.zeros[i] = 0;
        // The first move after a halt spans it.
        this.missing[i] = before >= this.runThreshold[i] ? 1 : 0;
      }
      if (this.missing[i]) count++;
      else {
        this.zeroRate[i] = lam * this.zeroRate[i] + (1 - lam) * (zero ? 1 : 0);
        this.decayed[i] *= lam;
      }
    }
    return count;
  }
}
