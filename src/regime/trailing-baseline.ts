import { RollingCorrelation } from '../stats/index.js';

/**
 * The pre-change reference of the sequential detector: the correlation of the last `length` accepted bars that
 * ended at least `guard` bars ago (docs/methods.md, "Baseline").
 *
 * - The guard keeps a change that has not been detected yet out of its own reference: a bar enters the baseline
 *   only after `guard` more bars have arrived.
 * - Bars inside an episode are excluded (`excludeRecent` marks the guard's bars when an alarm is raised; the
 *   detector passes `exclude` for bars while the alarm lasts), so an episode never becomes its own baseline and a
 *   resolution means a return to the level before it. The detector decides when a long episode has become the new
 *   normal and stops excluding.
 */
export class TrailingBaseline {
  private readonly rolling: RollingCorrelation;
  private readonly ring: Float64Array;
  private readonly flags: Uint8Array;
  private head = 0;
  private len = 0;
  private changed = false;

  constructor(
    readonly n: number,
    readonly length: number,
    readonly guard: number,
  ) {
    if (!Number.isInteger(guard) || guard < 1) throw new RangeError(`guard must be a positive integer, got ${guard}`);
    this.rolling = new RollingCorrelation(n, length);
    this.ring = new Float64Array(guard * n);
    this.flags = new Uint8Array(guard);
  }

  /** Accepted bars in the baseline. */
  get count(): number {
    return this.rolling.count;
  }

  /** The baseline changed since the last `takeChanged()`. */
  takeChanged(): boolean {
    const c = this.changed;
    this.changed = false;
    return c;
  }

  /** Add the newest bar (it waits `guard` bars before it may enter the baseline). */
  push(row: ArrayLike<number>, exclude: boolean): void {
    const n = this.n;
    const off = this.head * n;
    if (this.len === this.guard) {
      const leaving = this.ring.subarray(off, off + n);
      if (!this.flags[this.head]) {
        this.rolling.push(leaving);
        this.changed = true;
      }
    } else {
      this.len++;
    }
    for (let i = 0; i < n; i++) this.ring[off + i] = row[i];
    this.flags[this.head] = exclude ? 1 : 0;
    this.head = (this.head + 1) % this.guard;
  }

  /** Mark every bar still inside the guard as part of an episode (called when an alarm is raised). */
  excludeRecent(): void {
    this.flags.fill(1);
  }

  /** The baseline correlation matrix into `out` (throws DataError for a series flat over the baseline). */
  correlation(out: Float64Array): Float64Array {
    return this.rolling.correlation(out);
  }
}
