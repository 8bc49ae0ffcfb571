import { StatsInputError } from './errors.ts';
import { Mulberry32 } from './prng.ts';

/** One retained item with its A-ES key (stored as ln(u)/w; larger keys win). */
export interface ReservoirEntry<T> {
  item: T;
  weight: number;
  key: number;
}

/** JSON form of a reservoir (plain data; `item`s must themselves be JSON-serialisable). */
export interface ReservoirJSON<T> {
  version: 1;
  capacity: number;
  rngState: number;
  seen: number;
  totalWeight: number;
  entries: ReservoirEntry<T>[];
}

/**
 * Weighted, seeded, mergeable reservoir sample (Efraimidis–Spirakis A-ES): each item gets key
 * u^(1/w) with u ~ U(0,1) from a seeded PRNG, and the reservoir keeps the `capacity` largest keys. The
 * result is a weighted sample without replacement; with all weights 1 it is a uniform sample.
 * Keys are kept as ln(u)/w (same order, no underflow for tiny weights).
 *
 * Deterministic given seed and insertion order. Merging keeps the top keys of the union, which is
 * exactly the reservoir of the concatenated streams — provided the shards used different seeds
 * (use `hashSeed(\`${feature}:${shard}\`)`), otherwise their key streams are identical and correlated.
 *
 * @example
 * ```ts
 * const r = new Reservoir<string>(100, hashSeed('latency'))
 * for (const c of captures) r.add(c.id, c.sampleWeight)
 * const merged = r.merge(otherShard) // still 100 items
 * const json = JSON.stringify(merged); Reservoir.fromJSON(JSON.parse(json))
 * ```
 */
export class Reservoir<T> {
  readonly capacity: number;
  private readonly rng: Mulberry32;
  // Min-heap on key: the root is the weakest retained entry, the one to evict.
  private heap: ReservoirEntry<T>[] = [];
  private seenCount = 0;
  private weightSum = 0;

  constructor(capacity: number, seed: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new StatsInputError('range', 'capacity must be a positive integer');
    this.capacity = capacity;
    this.rng = new Mulberry32(seed);
  }

  /** Items offered so far (including merged reservoirs' streams). */
  get seen(): number {
    return this.seenCount;
  }

  /** Sum of weights offered so far. */
  get totalWeight(): number {
    return this.weightSum;
  }

  get size(): number {
    return this.heap.length;
  }

  /**
   * Offers an item with weight w > 0 (weight 0 items are counted but can never be sampled).
   *
   * @example
   * ```ts
   * r.add({ id: 'c1' }, 2.5)
   * ```
   */
  add(item: T, weight = 1): void {
    if (Number.isNaN(weight)) throw new StatsInputError('nan', 'weight is NaN');
    if (weight < 0 || !Number.isFinite(weight)) throw new StatsInputError('range', 'weight must be finite and >= 0');
    this.seenCount++;
    this.weightSum += weight;
    // Draw even for weight 0 so the random stream does not depend on weights (stable across reweighting).
    const u = this.rng.nextOpen53();
    if (weight === 0) return;
    // Clamp so absurdly small weights stay JSON-representable (-Infinity would serialise as null).
    this.offer({ item, weight, key: Math.max(Math.log(u) / weight, -Number.MAX_VALUE) });
  }

  private offer(e: ReservoirEntry<T>): void {
    const h = this.heap;
    if (h.length < this.capacity) {
      h.push(e);
      this.siftUp(h.length - 1);
    } else if (e.key > (h[0] as ReservoirEntry<T>).key) {
      h[0] = e;
      this.siftDown(0);
    }
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((h[p] as ReservoirEntry<T>).key <= (h[i] as ReservoirEntry<T>).key) break;
      [h[p], h[i]] = [h[i] as ReservoirEntry<T>, h[p] as ReservoirEntry<T>];
      i = p;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let s = i;
      if (l < h.length && (h[l] as ReservoirEntry<T>).key < (h[s] as ReservoirEntry<T>).key) s = l;
      if (r < h.length && (h[r] as ReservoirEntry<T>).key < (h[s] as ReservoirEntry<T>).key) s = r;
      if (s === i) return;
      [h[s], h[i]] = [h[i] as ReservoirEntry<T>, h[s] as ReservoirEntry<T>];
      i = s;
    }
  }

  /**
   * Retained entries, strongest key first (a deterministic order for reports and tests).
   *
   * @example
   * ```ts
   * r.entries().map((e) => e.item)
   * ```
   */
  entries(): ReservoirEntry<T>[] {
    return [...this.heap].sort((a, b) => b.key - a.key);
  }

  /**
   * Retained items, strongest key first.
   *
   * @example
   * ```ts
   * const sample = r.items()
   * ```
   */
  items(): T[] {
    return this.entries().map((e) => e.item);
  }

  /**
   * New reservoir holding the top-`capacity` keys of both (capacity and PRNG state of `this`).
   *
   * @example
   * ```ts
   * const all = shardA.merge(shardB)
   * ```
   */
  merge(other: Reservoir<T>): Reservoir<T> {
    const out = new Reservoir<T>(this.capacity, this.rng.state);
    out.seenCount = this.seenCount + other.seenCount;
    out.weightSum = this.weightSum + other.weightSum;
    for (const e of [...this.entries(), ...other.entries()]) out.offer({ ...e });
    return out;
  }

  /**
   * Plain-data snapshot; `Reservoir.fromJSON(r.toJSON())` continues identically (same PRNG state).
   *
   * @example
   * ```ts
   * await store.put('reservoir.json', JSON.stringify(r))
   * ```
   */
  toJSON(): ReservoirJSON<T> {
    return {
      version: 1,
      capacity: this.capacity,
      rngState: this.rng.state,
      seen: this.seenCount,
      totalWeight: this.weightSum,
      entries: this.entries(),
    };
  }

  /**
   * Restores a reservoir saved with `toJSON`.
   *
   * @example
   * ```ts
   * const r = Reservoir.fromJSON<string>(JSON.parse(text))
   * ```
   */
  static fromJSON<T>(json: ReservoirJSON<T>): Reservoir<T> {
    if (json.version !== 1) throw new StatsInputError('range', `unsupported reservoir version ${String(json.version)}`);
    const r = new Reservoir<T>(json.capacity, json.rngState);
    r.seenCount = json.seen;
    r.weightSum = json.totalWeight;
    for (const e of json.entries) r.offer({ item: e.item, weight: e.weight, key: e.key });
    return r;
  }
}
