import { corruptRecord, malformedLineOf } from './malformed.ts';
import { TrafficOptionsError, type TrafficOptions } from './options.ts';
import { hashInts, hashString, SeqRng, toUnit } from './random.ts';
import { countTraffic, generateTimedTraffic } from './traffic.ts';

/** Options of `trafficLines`: the traffic, plus a sprinkle of malformed lines. */
export interface TrafficLinesOptions extends TrafficOptions {
  /**
   * Malformed lines mixed into otherwise valid output, replacing the record they stand in for:
   * a number is an exact count over the whole window (it costs one extra, text-free pass to
   * count the records); `{ share }` corrupts each record with that probability, keyed by its
   * `request_id`, so the same record is corrupted whatever the window. Kinds rotate through
   * non-JSON text, truncated JSON, a wrong type (`"input_tokens": "many"`), a missing
   * `request_id` and a timestamp without a zone. Default `{ share: 0.002 }`.
   */
  readonly malformedLines?: number | { readonly share: number };
}

/** One output line. */
export interface TrafficLine {
  /** The JSON line, without the newline. */
  readonly line: string;
  /** Timestamp (epoch ms) of the call: decides the partition the line belongs to. */
  readonly ts: number;
  /** False for a line a reader must reject (malformed or missing a required field). */
  readonly valid: boolean;
}

const REQUIRED = ['request_id', 'timestamp', 'route'] as const;

/** Floyd's algorithm: `k` distinct indices of `[0, n)`, seeded. */
function chooseIndices(n: number, k: number, seed: number): Set<number> {
  const rng = new SeqRng(seed);
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = rng.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return chosen;
}

function sprinkleSeed(options: TrafficOptions): number {
  const s = options.seed ?? 1;
  return hashInts(typeof s === 'string' ? hashString(s) : s >>> 0, 0x5b41);
}

/**
 * The traffic as JSON lines, in timestamp order, with malformed lines mixed in. Records that a
 * `missing_field` injection stripped of a required field count as invalid too.
 *
 * @example
 * for (const { line, valid } of trafficLines({ start, end, malformedLines: 10 })) {
 *   if (!valid) expectedRejects++;
 *   out.write(line + '\n');
 * }
 */
export function* trafficLines(options: TrafficLinesOptions): Generator<TrafficLine> {
  const sprinkle = options.malformedLines ?? { share: 0.002 };
  const seed = sprinkleSeed(options);
  let exact: Set<number> | undefined;
  let share = 0;
  if (typeof sprinkle === 'number') {
    if (!Number.isInteger(sprinkle) || sprinkle < 0) throw new TrafficOptionsError('malformedLines', 'expected a whole number ≥ 0 or { share }');
    const total = sprinkle > 0 ? countTraffic(options) : 0;
    if (sprinkle > total) throw new TrafficOptionsError('malformedLines', `asked for ${sprinkle} malformed lines but the window has only ${total} records`);
    exact = chooseIndices(total, sprinkle, seed);
  } else {
    share = sprinkle.share;
    if (!(share >= 0 && share <= 1)) throw new TrafficOptionsError('malformedLines.share', 'expected a share in [0, 1]');
  }

  let n = 0;
  for (const { ts, item } of generateTimedTraffic(options)) {
    const index = n++;
    const bad = malformedLineOf(item);
    if (bad) {
      yield { line: bad.line, ts, valid: false };
      continue;
    }
    let corrupt = false;
    let key = 0;
    if (exact) {
      corrupt = exact.has(index);
      key = hashInts(seed, index);
    } else if (share > 0) {
      key = hashInts(seed, typeof item.request_id === 'string' ? hashString(item.request_id) : index);
      corrupt = toUnit(key) < share;
    }
    if (corrupt) {
      const c = corruptRecord(item, toUnit(hashInts(key, 1)), toUnit(hashInts(key, 2)), ts);
      yield { line: c.line, ts, valid: false };
      continue;
    }
    let valid = true;
    for (const field of REQUIRED) if (typeof item[field] !== 'string') valid = false;
    yield { line: JSON.stringify(item), ts, valid };
  }
}
