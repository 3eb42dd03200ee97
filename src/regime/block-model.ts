import { DataError } from '../domain/errors.js';
import { averageCorrelation, clampedAtanh, correlationMatrix } from '../stats/index.js';
import { fitGaussianHmm, hamiltonFilter, OnlineHamiltonFilter, type HmmParams } from './hmm.js';

export interface BlockModelOptions {
  blockLength: number;
  states: 2 | 3;
  refitEveryBlocks: number;
  maxFitBlocks: number;
}

export interface StressReading {
  /** Filtered probability of the highest-mean state given blocks up to the last completed one. */
  probability: number;
  /**
   * The stress state is distinct from the next one: means at least 2 pooled sds apart. On data without regimes
   * EM still splits noise into "states"; this keeps such a split from ever calling a basket stressed.
   */
  separated: boolean;
  /** Midpoint between the stress state's mean and the next state's, as atanh(avg ρ): "high ρ̄" means above it. */
  threshold: number;
}

/** What the model says now: its fit and where its filter stands (read by src/forecast/regime-outlook.ts). */
export interface RegimeModelState {
  k: number;
  transition: Float64Array;
  /** Filtered probabilities after the last completed block. */
  probs: Float64Array;
  /** Bars per model step. */
  blockLength: number;
  /** Bars since the last completed block (they move the horizon: the probabilities are that much older). */
  barsIntoBlock: number;
  /** Whether the top state is distinct from the next (means ≥ 2 pooled sds apart); if not, "stressed" means little. */
  separated: boolean;
}

/**
 * Markov-switching model on y_b = atanh(avg ρ) of disjoint blocks of returns (docs/methods.md §6). Blocks are disjoint
 * so the observations are close to independent given the state. Fitted by EM on completed blocks only and refitted
 * every `refitEveryBlocks`; between refits the online Hamilton filter advances one block at a time. Probabilities
 * are filtered (use only the past), never smoothed.
 */
export class BlockRegimeModel {
  private readonly cols: Float64Array[];
  private filled = 0;
  private readonly ys: number[] = [];
  private params: HmmParams | undefined;
  private filter: OnlineHamiltonFilter | undefined;
  private probs: Float64Array | undefined;
  private blocksSinceFit = 0;
  /** Completed blocks needed before the first fit. */
  readonly minBlocks: number;

  constructor(
    private readonly n: number,
    private readonly opts: BlockModelOptions,
  ) {
    this.cols = Array.from({ length: n }, () => new Float64Array(opts.blockLength));
    this.minBlocks = Math.max(20, 10 * opts.states);
  }

  push(row: ArrayLike<number>): void {
    for (let i = 0; i < this.n; i++) this.cols[i][this.filled] = row[i];
    if (++this.filled < this.opts.blockLength) return;
    this.filled = 0;
    let y: number;
    try {
      const { corr } = correlationMatrix(this.cols, 0, this.opts.blockLength, { minReturns: 2 });
      const r = averageCorrelation(corr, this.n);
      y = clampedAtanh(r);
    } catch (e) {
      if (e instanceof DataError) return; // a flat series in this block: skip it
      throw e;
    }
    this.ys.push(y);
    if (this.ys.length > this.opts.maxFitBlocks * 2) this.ys.splice(0, this.ys.length - this.opts.maxFitBlocks);
    this.blocksSinceFit++;
    if (this.ys.length >= this.minBlocks && (!this.params || this.blocksSinceFit >= this.opts.refitEveryBlocks)) {
      this.refit();
    } else if (this.filter) {
      this.probs = this.filter.step(y);
    }
  }

  private refit(): void {
    const obs = Float64Array.from(this.ys.slice(-this.opts.maxFitBlocks));
    try {
      const fit = fitGaussianHmm(obs, this.opts.states, this.params ? { maxIter: 100 } : {});
      this.params = fit.params;
      const f = hamiltonFilter(obs, fit.params);
      const k = fit.params.k;
      this.probs = f.filtered.slice((obs.length - 1) * k, obs.length * k);
      this.filter = new OnlineHamiltonFilter(fit.params, this.probs);
      this.blocksSinceFit = 0;
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
    }
  }

  /** Returns per block. */
  get blockLength(): number {
    return this.opts.blockLength;
  }

  /** The fitted model and where its filter stands, for the regime outlook (src/forecast/regime-outlook.ts). */
  modelState(): RegimeModelState | null {
    const stress = this.stressProbability();
    if (!this.params || !this.probs || !stress) return null;
    return {
      k: this.params.k,
      transition: Float64Array.from(this.params.transition),
      probs: Float64Array.from(this.probs),
      blockLength: this.opts.blockLength,
      barsIntoBlock: this.filled,
      separated: stress.separated,
    };
  }

  stressProbability(): StressReading | null {
    if (!this.params || !this.probs) return null;
    const k = this.params.k;
    const top = k - 1;
    const sdTop = Math.sqrt(this.params.variances[top]);
    const sdNext = Math.sqrt(this.params.variances[top - 1]);
    const pooled = Math.sqrt((sdTop * sdTop + sdNext * sdNext) / 2);
    return {
      probability: this.probs[top],
      separated: this.params.means[top] - this.params.means[top - 1] >= 2 * pooled,
      threshold: (this.params.means[top] + this.params.means[top - 1]) / 2,
    };
  }
}
