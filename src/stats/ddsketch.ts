import { StatsInputError } from './errors.ts';

/** JSON form of a QuantileSketch. */
export interface QuantileSketchJSON {
  version: 1;
  alpha: number;
  maxBuckets: number;
  count: number;
  zeroCount: number;
  sum: number;
  min: number;
  max: number;
  /** [bucketIndex, weight] pairs, ascending index. */
  positive: [number, number][];
  negative: [number, number][];
}

/** Sparse bucket store: index -> weight, with collapsing of the lowest indices past a size cap. */
class Store {
  readonly bins = new Map<number, number>();

  add(index: number, weight: number): void {
    this.bins.set(index, (this.bins.get(index) ?? 0) + weight);
  }

  sortedIndices(): number[] {
    return [...this.bins.keys()].sort((a, b) => a - b);
  }

  /** Merges the lowest buckets into one so at most `max` remain (accuracy then only holds above them). */
  collapseLowest(max: number): void {
    if (this.bins.size <= max) return;
    const idx = this.sortedIndices();
    const cut = idx.length - max;
    const target = idx[cut] as number;
    let moved = 0;
    for (let i = 0; i < cut; i++) {
      const k = idx[i] as number;
      moved += this.bins.get(k) as number;
      this.bins.delete(k);
    }
    this.add(target, moved);
  }
}

/**
 * DDSketch (Masson, Rim & Lee, VLDB 2019): a mergeable quantile sketch with a relative-error guarantee.
 *
 * Guarantee: for any q, `quantile(q)` is within a factor (1 ± alpha) of the exact lower quantile
 * x_(floor(q·(n-1))) of the inserted values, as long as no bucket collapse happened below that quantile
 * (collapse only starts beyond `maxBuckets` buckets per sign: with alpha = 0.01 and the default 2048
 * buckets that covers values spanning ~1e17 dynamic range, i.e. never for latencies or token counts).
 * Positive and negative values use separate logarithmic stores; exact zeros have their own count.
 * Inserts and merges are order-independent, so sketches from shards merge into exactly the sketch of
 * the union.
 *
 * @example
 * ```ts
 * const s = new QuantileSketch() // alpha = 0.01
 * for (const ms of latencies) s.add(ms)
 * s.quantile(0.99) // within 1% of the exact p99
 * ```
 */
export class QuantileSketch {
  readonly alpha: number;
  readonly maxBuckets: number;
  private readonly gamma: number;
  private readonly logGamma: number;
  private readonly pos = new Store();
  private readonly neg = new Store();
  private zero = 0;
  private total = 0;
  private sumV = 0;
  private minV = Infinity;
  private maxV = -Infinity;

  constructor(opts: { alpha?: number; maxBuckets?: number } = {}) {
    const alpha = opts.alpha ?? 0.01;
    if (!(alpha > 0 && alpha < 1)) throw new StatsInputError('range', 'alpha must be in (0, 1)');
    this.alpha = alpha;
    this.maxBuckets = opts.maxBuckets ?? 2048;
    this.gamma = (1 + alpha) / (1 - alpha);
    this.logGamma = Math.log(this.gamma);
  }

  /** Total inserted weight. */
  get count(): number {
    return this.total;
  }

  /** Weighted sum of inserted values. */
  get sum(): number {
    return this.sumV;
  }

  /** Smallest inserted value (Infinity when empty). */
  get min(): number {
    return this.minV;
  }

  /** Largest inserted value (-Infinity when empty). */
  get max(): number {
    return this.maxV;
  }

  private index(absValue: number): number {
    return Math.ceil(Math.log(absValue) / this.logGamma);
  }

  /** Representative of bucket i: 2γ^i/(γ+1), the point within relative distance α of the whole bucket (γ^(i-1), γ^i]. */
  private value(i: number): number {
    return (2 * Math.exp(i * this.logGamma)) / (this.gamma + 1);
  }

  /**
   * Inserts a value with an optional weight (> 0).
   *
   * @example
   * ```ts
   * s.add(123.4)      // one observation
   * s.add(250, 3)     // three observations of 250 (or a sampling weight)
   * ```
   */
  add(value: number, weight = 1): void {
    if (Number.isNaN(value) || Number.isNaN(weight)) throw new StatsInputError('nan', 'value or weight is NaN');
    if (!Number.isFinite(value)) throw new StatsInputError('range', 'value must be finite');
    if (!(weight > 0) || !Number.isFinite(weight)) throw new StatsInputError('range', 'weight must be finite and > 0');
    if (value > 0) {
      this.pos.add(this.index(value), weight);
      this.pos.collapseLowest(this.maxBuckets);
    } else if (value < 0) {
      this.neg.add(this.index(-value), weight);
      this.neg.collapseLowest(this.maxBuckets);
    } else {
      this.zero += weight;
    }
    this.total += weight;
    this.sumV += value * weight;
    if (value < this.minV) this.minV = value;
    if (value > this.maxV) this.maxV = value;
  }

  /**
   * Estimated q-quantile (0 <= q <= 1), within relative error alpha; NaN when the sketch is empty.
   *
   * @example
   * ```ts
   * const [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => s.quantile(q))
   * ```
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new StatsInputError('range', 'q must be in [0, 1]');
    if (this.total === 0) return NaN;
    const rank = q * (this.total - 1);
    let cum = 0;
    let est = NaN;
    // Ascending value order: most negative (largest |index|) first, then zeros, then positives.
    const negIdx = this.neg.sortedIndices();
    for (let k = negIdx.length - 1; k >= 0 && Number.isNaN(est); k--) {
      const i = negIdx[k] as number;
      cum += this.neg.bins.get(i) as number;
      if (cum > rank) est = -this.value(i);
    }
    if (Number.isNaN(est)) {
      cum += this.zero;
      if (this.zero > 0 && cum > rank) est = 0;
    }
    if (Number.isNaN(est)) {
      for (const i of this.pos.sortedIndices()) {
        cum += this.pos.bins.get(i) as number;
        if (cum > rank) {
          est = this.value(i);
          break;
        }
      }
    }
    // Rounding in weighted sums can leave rank just past the end: that is the maximum.
    if (Number.isNaN(est)) est = this.maxV;
    // Clamping to the exact extremes never worsens the relative error and makes q=0/q=1 exact.
    return Math.min(Math.max(est, this.minV), this.maxV);
  }

  /**
   * Adds another sketch's contents into this one (same alpha required); returns this.
   *
   * @example
   * ```ts
   * const all = QuantileSketch.fromJSON(a).merge(QuantileSketch.fromJSON(b))
   * ```
   */
  merge(other: QuantileSketch): this {
    if (other.alpha !== this.alpha) throw new StatsInputError('range', `cannot merge sketches with alpha ${this.alpha} and ${other.alpha}`);
    for (const [i, w] of other.pos.bins) this.pos.add(i, w);
    for (const [i, w] of other.neg.bins) this.neg.add(i, w);
    this.pos.collapseLowest(this.maxBuckets);
    this.neg.collapseLowest(this.maxBuckets);
    this.zero += other.zero;
    this.total += other.total;
    this.sumV += other.sumV;
    this.minV = Math.min(this.minV, other.minV);
    this.maxV = Math.max(this.maxV, other.maxV);
    return this;
  }

  /**
   * Plain-data snapshot (JSON-safe: an empty sketch stores min/max as null-free sentinels via count = 0).
   *
   * @example
   * ```ts
   * const text = JSON.stringify(s)
   * ```
   */
  toJSON(): QuantileSketchJSON {
    const dump = (st: Store): [number, number][] => st.sortedIndices().map((i) => [i, st.bins.get(i) as number]);
    const empty = this.total === 0;
    return {
      version: 1,
      alpha: this.alpha,
      maxBuckets: this.maxBuckets,
      count: this.total,
      zeroCount: this.zero,
      sum: this.sumV,
      // ±Infinity is not JSON; an empty sketch is recognised by count = 0.
      min: empty ? 0 : this.minV,
      max: empty ? 0 : this.maxV,
      positive: dump(this.pos),
      negative: dump(this.neg),
    };
  }

  /**
   * Restores a sketch saved with `toJSON`.
   *
   * @example
   * ```ts
   * const s = QuantileSketch.fromJSON(JSON.parse(text))
   * ```
   */
  static fromJSON(json: QuantileSketchJSON): QuantileSketch {
    if (json.version !== 1) throw new StatsInputError('range', `unsupported sketch version ${String(json.version)}`);
    const s = new QuantileSketch({ alpha: json.alpha, maxBuckets: json.maxBuckets });
    for (const [i, w] of json.positive) s.pos.add(i, w);
    for (const [i, w] of json.negative) s.neg.add(i, w);
    s.zero = json.zeroCount;
    s.total = json.count;
    s.sumV = json.sum;
    if (json.count > 0) {
      s.minV = json.min;
      s.maxV = json.max;
    }
    return s;
  }
}
