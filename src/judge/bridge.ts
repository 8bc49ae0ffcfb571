import type { JudgeClient } from './client.ts';
import type { JudgeItem } from './item.ts';
import { numericValue } from './parse.ts';
import type { Rubric } from './rubric-schema.ts';
import { studentTQuantile } from '../stats/index.ts';

/** How two judges agree on one dimension of a frozen sample. */
export interface DimensionAgreement {
  readonly dimension: string;
  /** Items both judges scored. */
  readonly n: number;
  /** Share of items with the same pass/fail verdict. */
  readonly passAgreement: number;
  /** Share of items with exactly the same value. */
  readonly exactAgreement: number;
  /** Mean (new − old) of the numeric value, with a 95% t interval; absent for categorical. */
  readonly offset?: { mean: number; ci: [number, number] };
}

export interface BridgeResult {
  readonly rubric: string;
  readonly oldFingerprint: string;
  readonly newFingerprint: string;
  /** Items in the frozen sample, and those either judge could not score. */
  readonly items: number;
  readonly unmeasured: number;
  readonly dimensions: DimensionAgreement[];
}

/**
 * Re-scores a frozen sample with the old and the new judge and reports their agreement and
 * offset, so a judge change is a measured step, not a silent jump in a trend. Trends restart on
 * the new fingerprint either way; the bridge says how far apart the two series are.
 *
 * @example
 * const b = await bridgeJudges({ rubric, items, oldJudge, newJudge, oldFingerprint, newFingerprint });
 * b.dimensions[0].offset?.mean; // +0.4: the new judge scores 0.4 higher on the same captures
 */
export async function bridgeJudges(o: {
  rubric: Rubric;
  /** The old judge's rubric, when the rubric itself changed. Default `rubric`. */
  oldRubric?: Rubric;
  items: readonly JudgeItem[];
  oldJudge: JudgeClient;
  newJudge: JudgeClient;
  oldFingerprint: string;
  newFingerprint: string;
  oldModel?: string;
  signal?: AbortSignal;
}): Promise<BridgeResult> {
  const oldRubric = o.oldRubric ?? o.rubric;
  const pairs = await Promise.all(
    o.items.map(async (item) => {
      const sig = o.signal ? { signal: o.signal } : {};
      const [a, b] = await Promise.all([
        o.oldJudge.judge(oldRubric, item, { ...sig, ...(o.oldModel ? { model: o.oldModel } : {}) }),
        o.newJudge.judge(o.rubric, item, sig),
      ]);
      return a.status === 'scored' && b.status === 'scored' ? { a: a.scores, b: b.scores } : null;
    }),
  );
  const both = pairs.filter((p): p is NonNullable<typeof p> => p !== null);
  const dimensions: DimensionAgreement[] = [];
  for (const d of o.rubric.dimensions) {
    const oldDim = oldRubric.dimensions.find((x) => x.name === d.name);
    if (!oldDim) continue;
    const rows = both.map((p) => ({ a: p.a[d.name], b: p.b[d.name] })).filter((r) => r.a && r.b) as { a: NonNullable<(typeof both)[0]['a'][string]>; b: NonNullable<(typeof both)[0]['b'][string]> }[];
    const n = rows.length;
    if (!n) {
      dimensions.push({ dimension: d.name, n: 0, passAgreement: NaN, exactAgreement: NaN });
      continue;
    }
    const passAgreement = rows.filter((r) => r.a.pass === r.b.pass).length / n;
    const exactAgreement = rows.filter((r) => r.a.value === r.b.value).length / n;
    const diffs = rows.map((r) => {
      const x = numericValue(oldDim, r.a);
      const y = numericValue(d, r.b);
      return x === undefined || y === undefined ? undefined : y - x;
    });
    let offset: DimensionAgreement['offset'];
    if (diffs.every((x) => x !== undefined) && n >= 2) {
      const xs = diffs as number[];
      const mean = xs.reduce((s, x) => s + x, 0) / n;
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
      const half = (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n);
      offset = { mean, ci: [mean - half, mean + half] };
    }
    dimensions.push({ dimension: d.name, n, passAgreement, exactAgreement, ...(offset ? { offset } : {}) });
  }
  return {
    rubric: o.rubric.name,
    oldFingerprint: o.oldFingerprint,
    newFingerprint: o.newFingerprint,
    items: o.items.length,
    unmeasured: o.items.length - both.length,
    dimensions,
  };
}
