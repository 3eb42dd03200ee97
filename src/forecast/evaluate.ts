/**
 * Out-of-sample forecast skill (`backtest --forecast-eval`; docs/methods.md, "Forecasts"). Fed bar by bar during a replay; at
 * every bar t after the training span it forecasts ρ̄_{t+H} (the window average H bars ahead) with data up to t only,
 * and scores each forecast when bar t+H arrives:
 *
 * - MSE on z = atanh(ρ̄) of the model (DCC, or its EWMA fallback), of persistence (ẑ = z_t) and of EWMA
 *   (RiskMetrics λ = 0.94, flat), and the skill 1 − MSE_model / MSE_persistence (positive: better than persistence);
 * - the coverage of the model's intervals (nominal `coverage`; the Kalman filter on blocks, src/forecast/band.ts);
 * - the Brier score of P(stressed at t+H) from the Markov-switching model against climatology (the share of stressed
 *   bars in the training span), the outcome being the detector's regime at t+H.
 *
 * Nothing is tuned on the bars scored: the correlation model, the Kalman state noise and the climatology are fitted
 * on the training span (the first `trainBars` bars with a full window) and only filtered after it. The regime model
 * is the detector's own, which refits on completed blocks of the past only.
 */
import { clampedAtanh } from '../stats/index.js';
import { averageCorrelation } from '../stats/index.js';
import { normalQuantile } from '../stats/special.js';
import { RollingCorrelation } from '../stats/rolling.js';
import { fitCorrelationForecaster, forecasterFromModel, type CorrelationForecaster, type CorrelationModel } from './dcc.js';
import { fisherZAverageVariance, fitLocalLevelQ, localLevelFilter } from './kalman.js';
import { ellipticalKappa } from './basket-forecast.js';
import { regimeOutlook, type RegimeModelState } from './regime-outlook.js';
import { windowPath, MIN_KNOWN_RETURNS } from './window-path.js';
import { bandBlockLength, windowForecastVariance } from './band.js';

export interface EvaluationOptions {
  assets: number;
  window: number;
  horizon: number;
  /** Bars (with a full window) the models are fitted on before scoring starts; default max(500, 4·window). */
  trainBars?: number;
  coverage?: number;
}

export interface ForecastSkill {
  horizonBars: number;
  /** Forecasts scored. */
  scored: number;
  trainBars: number;
  model: CorrelationModel | null;
  mse: { model: number; persistence: number; ewma: number };
  /** 1 − MSE_model / MSE_persistence and 1 − MSE_model / MSE_ewma. */
  skill: { vsPersistence: number; vsEwma: number };
  /** Share of outcomes inside the model's interval, and the nominal coverage. */
  coverage: { observed: number; nominal: number };
  /** Brier scores of P(stressed at the horizon); null when the regime model never had a fit. */
  brier: { model: number; climatology: number; skill: number; scored: number } | null;
  verdict: string;
}

interface Pending {
  due: number;
  model: number;
  persistence: number;
  ewma: number;
  lo: number;
  hi: number;
  pStressed: number | null;
}

/** One Kalman step on the atanh scale (Durbin & Koopman 2012, §2.2): predict, then update with y of variance r. */
function kalmanStep(state: { a: number; p: number }, y: number, r: number, q: number): void {
  const p = state.p + q;
  const k = p / (p + r);
  state.a += k * (y - state.a);
  state.p = (1 - k) * p;
}

export class ForecastEvaluation {
  private readonly n: number;
  private readonly W: number;
  private readonly H: number;
  private readonly trainBars: number;
  private readonly coverage: number;
  private readonly zCrit: number;
  private readonly roll: RollingCorrelation;
  /** The last W returns of each series, oldest first (ring), for the observed part of the future window. */
  private readonly ring: Float64Array[];
  private ringHead = 0;
  private filled = 0;
  /** Training span: the returns, each block's ρ̄ (`z` holds ρ̄ until the fit), regime labels, bars. */
  private readonly train: { returns: number[][]; z: number[]; stressed: number; labelled: number; bars: number };
  /** Returns per Kalman block, and returns since the last block ended. */
  private readonly B: number;
  private sinceBlock = 0;
  private model: CorrelationForecaster | undefined;
  private ewma: CorrelationForecaster | undefined;
  private q = 0;
  /** Elliptical kurtosis of the training returns (src/forecast/basket-forecast.ts ellipticalKappa). */
  private kappa = 0;
  private readonly kalman = { a: 0, p: 1 };
  private climatology = 0;
  private bar = 0;
  private readonly pending: Pending[] = [];
  private readonly acc = { n: 0, model: 0, persistence: 0, ewma: 0, inside: 0, brierN: 0, brierModel: 0, brierClim: 0 };

  constructor(opts: EvaluationOptions) {
    this.n = opts.assets;
    this.W = opts.window;
    this.H = opts.horizon;
    this.trainBars = opts.trainBars ?? Math.max(500, 4 * opts.window);
    this.coverage = opts.coverage ?? 0.9;
    this.zCrit = normalQuantile(0.5 + this.coverage / 2);
    this.roll = new RollingCorrelation(this.n, this.W);
    this.ring = Array.from({ length: this.n }, () => new Float64Array(this.W));
    this.train = { returns: Array.from({ length: this.n }, () => []), z: [], stressed: 0, labelled: 0, bars: 0 };
    this.B = bandBlockLength(this.W);
  }

  /** One bar: its returns, the detector's regime at it (undefined while warming up) and its model state. */
  push(row: ArrayLike<number>, regime: string | undefined, modelState: RegimeModelState | null): void {
    this.roll.push(row);
    for (let i = 0; i < this.n; i++) this.ring[i][this.ringHead] = row[i];
    this.ringHead = (this.ringHead + 1) % this.W;
    this.filled = Math.min(this.W, this.filled + 1);
    const training = this.model === undefined;
    if (training) for (let i = 0; i < this.n; i++) this.train.returns[i].push(row[i]);
    else {
      this.model!.update(Float64Array.from(row));
      this.ewma!.update(Float64Array.from(row));
    }
    if (this.filled < this.W) return;
    const rho = averageCorrelation(this.roll.correlation(), this.n);
    const z = clampedAtanh(rho);
    this.bar++;
    // Score the forecasts made H bars ago.
    while (this.pending.length && this.pending[0].due <= this.bar) {
      const f = this.pending.shift()!;
      if (f.due !== this.bar) continue;
      this.acc.n++;
      this.acc.model += (f.model - z) ** 2;
      this.acc.persistence += (f.persistence - z) ** 2;
      this.acc.ewma += (f.ewma - z) ** 2;
      if (z >= f.lo && z <= f.hi) this.acc.inside++;
      if (f.pStressed !== null && regime !== undefined) {
        const o = regime === 'stressed' ? 1 : 0;
        this.acc.brierN++;
        this.acc.brierModel += (f.pStressed - o) ** 2;
        this.acc.brierClim += (this.climatology - o) ** 2;
      }
    }
    // Every B bars a block of the newest B returns is observed by the Kalman filter (src/forecast/band.ts).
    if (++this.sinceBlock === this.B) {
      this.sinceBlock = 0;
      const rb = this.tailRho(this.B);
      if (Number.isFinite(rb)) {
        // During training the block's ρ̄ is kept and its variance set at the fit, once κ is known.
        if (training) this.train.z.push(rb);
        else kalmanStep(this.kalman, clampedAtanh(rb), fisherZAverageVariance(this.B, this.n, rb, this.kappa), this.q);
      }
    }
    if (training) {
      if (regime !== undefined) {
        this.train.labelled++;
        if (regime === 'stressed') this.train.stressed++;
      }
      if (++this.train.bars >= this.trainBars && this.train.z.length >= 2) this.fit();
      return;
    }
    this.forecast(z, fisherZAverageVariance(this.W, this.n, rho, this.kappa), modelState);
  }

  private fit(): void {
    const returns = this.train.returns.map((x) => Float64Array.from(x));
    this.model = fitCorrelationForecaster(returns);
    this.ewma = forecasterFromModel({ kind: 'ewma', lambda: 0.94, reason: 'the benchmark' }, returns);
    this.kappa = ellipticalKappa(returns, this.B);
    const z = Float64Array.from(this.train.z, clampedAtanh);
    const r = Float64Array.from(this.train.z, (rb) => fisherZAverageVariance(this.B, this.n, rb, this.kappa));
    this.q = fitLocalLevelQ(z, r);
    const kf = localLevelFilter(z, r, this.q);
    this.kalman.a = kf.level[z.length - 1];
    this.kalman.p = kf.variance[z.length - 1];
    this.climatology = this.train.labelled ? this.train.stressed / this.train.labelled : 0;
    this.train.returns = [];
  }

  /** ρ̄ of the newest `count` returns in the ring (NaN when too few). */
  private tailRho(count: number): number {
    if (count < MIN_KNOWN_RETURNS) return NaN;
    const cols = this.ring.map((col) => {
      const out = new Float64Array(count);
      for (let j = 0; j < count; j++) out[j] = col[(this.ringHead - count + j + this.W) % this.W];
      return out;
    });
    const roll = new RollingCorrelation(this.n, count, { minReturns: MIN_KNOWN_RETURNS });
    const row = new Float64Array(this.n);
    for (let j = 0; j < count; j++) {
      for (let i = 0; i < this.n; i++) row[i] = cols[i][j];
      roll.push(row);
    }
    try {
      return averageCorrelation(roll.correlation(), this.n);
    } catch {
      return NaN;
    }
  }

  private forecast(z: number, r: number, modelState: RegimeModelState | null): void {
    const H = this.H;
    const knownRho = this.W - H >= MIN_KNOWN_RETURNS ? this.tailRho(this.W - H) : NaN;
    const known = (k: number) => (k === H ? knownRho : NaN);
    const avg = (R: Float64Array) => averageCorrelation(R, this.n);
    const modelMean = windowPath(this.model!.forecast(H).map(avg), this.W, known)[H - 1];
    const ewmaMean = windowPath(this.ewma!.forecast(H).map(avg), this.W, known)[H - 1];
    const zModel = clampedAtanh(modelMean);
    // The level's variance has grown by q per block since the last block the filter saw.
    const p = this.kalman.p + (this.sinceBlock / this.B) * this.q;
    const sd = Math.sqrt(windowForecastVariance(H, this.W, this.B, p, this.q, r));
    let pStressed: number | null = null;
    if (modelState) {
      const o = regimeOutlook(modelState, H);
      pStressed = o.probabilities[o.states[o.states.length - 1]];
    }
    this.pending.push({
      due: this.bar + H,
      model: zModel,
      persistence: z,
      ewma: clampedAtanh(ewmaMean),
      lo: zModel - this.zCrit * sd,
      hi: zModel + this.zCrit * sd,
      pStressed,
    });
  }

  report(): ForecastSkill {
    const a = this.acc;
    const mse = { model: a.model / a.n, persistence: a.persistence / a.n, ewma: a.ewma / a.n };
    const skill = { vsPersistence: 1 - mse.model / mse.persistence, vsEwma: 1 - mse.model / mse.ewma };
    const brier = a.brierN ? { model: a.brierModel / a.brierN, climatology: a.brierClim / a.brierN, skill: a.brierClim > 0 ? 1 - a.brierModel / a.brierClim : NaN, scored: a.brierN } : null;
    const verdict = !a.n
      ? `no forecast could be scored: the models need ${this.trainBars} bars of training plus ${this.H} to score the first forecast`
      : skill.vsPersistence > 0
        ? `the model beats persistence at ${this.H} bars (skill ${skill.vsPersistence.toFixed(3)})`
        : `the model does not beat persistence at ${this.H} bars (skill ${skill.vsPersistence.toFixed(3)}): use the current ρ̄ as the forecast`;
    return {
      horizonBars: this.H,
      scored: a.n,
      trainBars: this.trainBars,
      model: this.model?.model ?? null,
      mse,
      skill,
      coverage: { observed: a.n ? a.inside / a.n : NaN, nominal: this.coverage },
      brier,
      verdict,
    };
  }
}
