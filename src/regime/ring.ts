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

/** Fixed-capacity ring of rows (N values each): a delay line for returns. */
export class RowRing {
  private readonly buf: Float64Array;
  private head = 0;
  private len = 0;

  constructor(
    readonly capacity: number,
    readonly width: number,
  ) {
    this.buf = new Float64Array(capacity * width);
  }

  get size(): number {
    return this.len;
  }

  /** Push a row; returns the row that fell out (a view valid until the next push) or undefined. */
  push(row: ArrayLike<number>): Float64Array | undefined {
    const off = this.head * this.width;
    let out: Float64Array | undefined;
    if (this.len === this.capacity) out = this.buf.slice(off, off + this.width);
    else this.len++;
    for (let i = 0; i < this.width; i++) this.buf[off + i] = row[i];
    this.head = (this.head + 1) % this.capacity;
    return out;
  }
}
