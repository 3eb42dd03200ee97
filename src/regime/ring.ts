/**
 * Fixed-capacity ring of scalars with running sum and sum of squares (mean and sample std in O(1)),
 * recomputed exactly every `capacity` pushes so rounding error cannot accumulate.
 */
export class ScalarWindow {
  private readonly buf: Float64Array;
  private head = 0;
  private len = 0;
  private sum = 0;
  private sumSq = 0;
  private sinceExact = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }

  get size(): number {
    return this.len;
  }

  push(x: number): void {
    if (this.len === this.capacity) {
      const old = this.buf[this.head];
      this.sum -= old;
      this.sumSq -= old * old;
    } else {
      this.len++;
    }
    this.buf[this.head] = x;
    this.head = (this.head + 1) % this.capacity;
    this.sum += x;
    this.sumSq += x * x;
    if (++this.sinceExact >= this.capacity) this.recompute();
  }

  private recompute(): void {
    let s = 0;
    let q = 0;
    for (let k = 0; k < this.len; k++) {
      const v = this.buf[(this.head - 1 - k + this.capacity) % this.capacity];
      s += v;
      q += v * v;
    }
    this.sum = s;
    this.sumSq = q;
    this.sinceExact = 0;
  }

  mean(): number {
    return this.len ? this.sum / this.len : NaN;
  }

  /** Sample standard deviation (n-1); 0 for fewer than 2 values. */
  std(): number {
    if (this.len < 2) return 0;
    const m = this.sum / this.len;
    return Math.sqrt(Math.max(0, (this.sumSq - this.len * m * m) / (this.len - 1)));
  }

  /** The value pushed `lag` pushes ago (0 = newest). */
  get(lag: number): number {
    return this.buf[(this.head - 1 - lag + 2 * this.capacity) % this.capacity];
  }
}

/**
 * The last `capacity` values kept both in arrival order and sorted, for a rolling median and MAD (median absolute
 * deviation). Insert and remove are O(capacity) (binary search + memmove), which at a 2,000-point baseline costs
 * microseconds per bar.
 */
export class SortedWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private readonly dev: Float64Array;
  private head = 0;
  private len = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
    this.dev = new Float64Array(capacity);
  }

  get size(): number {
    return this.len;
  }

  private lowerBound(x: number): number {
    let lo = 0;
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  push(x: number): void {
    if (this.len === this.capacity) {
      const old = this.ring[this.head];
      const k = this.lowerBound(old);
      this.sorted.copyWithin(k, k + 1, this.len);
      this.len--;
    }
    const k = this.lowerBound(x);
    this.sorted.copyWithin(k + 1, k, this.len);
    this.sorted[k] = x;
    this.len++;
    this.ring[this.head] = x;
    this.head = (this.head + 1) % this.capacity;
  }

  private static medianOf(a: Float64Array, n: number): number {
    const m = n >> 1;
    return n % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
  }

  median(): number {
    return this.len ? SortedWindow.medianOf(this.sorted, this.len) : NaN;
  }

  /**
   * Median absolute deviation from the median, scaled by 1.4826 so it estimates the standard deviation of normal
   * data while ignoring up to half of the points being outliers (e.g. a past stress episode in the baseline).
   */
  mad(): number {
    const n = this.len;
    if (n < 2) return 0;
    const med = this.median();
    // |x - med| of a sorted array is two sorted runs (left reversed, right): merge them in O(n).
    let i = this.lowerBound(med) - 1;
    let j = i + 1;
    for (let k = 0; k < n; k++) {
      const left = i >= 0 ? med - this.sorted[i] : Infinity;
      const right = j < n ? this.sorted[j] - med : Infinity;
      if (left <= right) {
        this.dev[k] = left;
        i--;
      } else {
        this.dev[k] = right;
        j++;
      }
    }
    return 1.4826 * SortedWindow.medianOf(this.dev, n);
  }
}
