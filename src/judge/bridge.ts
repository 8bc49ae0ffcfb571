import { cohenKappa, spearman } from './agreement.ts';
import type { BudgetMeter } from './budget-meter.ts';
import type { JudgeClient } from './client.ts';
import { weightedMean } from './estimate.ts';
import type { JudgeItem } from './item.ts';
import { numericValue } from './parse.ts';
import type { Rubric } from './rubric-schema.ts';

/** How two judges agree on one dimension of a frozen sample. */
export interface DimensionAgreement {
  readonly dimension: string;
  readonly type: 'boolean' | 'integer' | 'categorical';
  /** Items both judges scored. */
  readonly n: number;
  /** Share of items with the same pass/fail verdict. */
  readonly passAgreement: number;
  /** Share of items with exactly the same value. */
  readonly exactAgreement: number;
  /** Mean (new − old) of the numeric value, with a 95% t interval; absent for categorical. */
  readonly offset?: { mean: number; ci: [number, number] };
  /** Cohen's kappa of the values (boolean and categorical dimensions), when defined. */
  readonly kappa?: number;
  /** Spearman's rank correlation of the scores (integer dimensions), when defined. */
  readonly spearman?: number;
}

export interface BridgeResult {
  readonly rubric: string;
  readonly oldFingerprint: string;
  readonly newFingerprint: string;
  /** Items in the frozen sample, and those either judge could not score. */
  readonly items: number;
  readonly unmeasured: number;
  /** Items both judges scored. */
  readonly pairs: number;
  /**
   * `measured` when at least two items were scored by both judges; otherwise `unmeasured` with
   * a reason: `old_judge_unavailable` (the old judge refuses: 401, 404 model, no quota — its
   * `oldUnavailable` says which), `judge_unavailable` (the new one does), `insufficient_data`.
   */
  readonly status: 'measured' | 'unmeasured';
  readonly reason?: 'old_judge_unavailable' | 'judge_unavailable' | 'insufficient_data';
  readonly detail?: string;
  readonly oldUnavailable?: { reason: string; message: string };
  /** Frozen items (request_ids) on which the judges gave a different value, up to 10. */
  readonly disagreements: string[];
  /** Why items went unscored, by judge and reason (the new judge only sees items the old one scored). */
  readonly unscored: { old: Record<string, number>; new: Record<string, number> };
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
  /** Counts (and caps) the calls of both judges. Default: none. */
  budget?: BudgetMeter;
  signal?: AbortSignal;
}): Promise<BridgeResult> {
  const oldRubric = o.oldRubric ?? o.rubric;
  const unscored = { old: {} as Record<string, number>, new: {} as Record<string, number> };
  const opts = { ...(o.signal ? { signal: o.signal } : {}), ...(o.budget ? { budget: o.budget } : {}) };
  const pairs = await Promise.all(
    o.items.map(async (item) => {
      // Old judge first: when it is gone (404, 401) the new judge is not paid for items that
      // cannot be compared. Items still run concurrently, so both judges grade within minutes.
      const a = await o.oldJudge.judge(oldRubric, item, { ...opts, ...(o.oldModel ? { model: o.oldModel } : {}) });
      if (a.status === 'unmeasured') {
        unscored.old[a.reason] = (unscored.old[a.reason] ?? 0) + 1;
        return null;
      }
      const b = await o.newJudge.judge(o.rubric, item, opts);
      if (b.status === 'unmeasured') {
        unscored.new[b.reason] = (unscored.new[b.reason] ?? 0) + 1;
        return null;
      }
      return { id: item.id, a: a.scores, b: b.scores };
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
      dimensions.push({ dimension: d.name, type: d.type, n: 0, passAgreement: NaN, exactAgreement: NaN });
      continue;
    }
    const passAgreement = rows.filter((r) => r.a.pass === r.b.pass).length / n;
    const exactAgreement = rows.filter((r) => r.a.value === r.b.value).length / n;
    const diffs = rows.map((r) => {
      const x = numericValue(oldDim, r.a);
      const y = numericValue(d, r.b);
      return x === undefined || y === undefined ? undefined : y - x;
    });
    // Unit weights: the t interval on the plain mean (weightedMean is undefined below two pairs).
    const est = diffs.every((x) => x !== undefined) ? weightedMean(diffs.map((value) => ({ weight: 1, value: value! }))) : undefined;
    const offset: DimensionAgreement['offset'] = est ? { mean: est.estimate, ci: est.ci } : undefined;
    // Kappa for labels (chance-corrected: two judges that pass everything agree "perfectly" on
    // raw share), Spearman for ordinal scores (does the new judge rank captures the same way).
    let kappa: number | undefined;
    let rho: number | undefined;
    if (d.type === 'integer' && oldDim.type === 'integer') {
      rho = spearman(
        rows.map((r) => r.a.value as number),
        rows.map((r) => r.b.value as number),
      );
    } else if (d.type !== 'integer' && oldDim.type !== 'integer') {
      kappa = cohenKappa(
        rows.map((r) => r.a.value),
        rows.map((r) => r.b.value),
      );
    }
    dimensions.push({
      dimension: d.name,
      type: d.type,
      n,
      passAgreement,
      exactAgreement,
      ...(offset ? { offset } : {}),
      ...(kappa !== undefined ? { kappa } : {}),
      ...(rho !== undefined ? { spearman: rho } : {}),
    });
  }
  const oldDown = o.oldJudge.unavailable;
  const newDown = o.newJudge.unavailable;
  let verdict: Pick<BridgeResult, 'status' | 'reason' | 'detail'>;
  if (both.length >= 2) verdict = { status: 'measured' };
  else if (oldDown) verdict = { status: 'unmeasured', reason: 'old_judge_unavailable', detail: `the previous judge refused the bridge (${oldDown.reason}): ${oldDown.message}` };
  else if (newDown) verdict = { status: 'unmeasured', reason: 'judge_unavailable', detail: `the new judge refused the bridge (${newDown.reason}): ${newDown.message}` };
  else verdict = { status: 'unmeasured', reason: 'insufficient_data', detail: `${both.length} of ${o.items.length} frozen items scored by both judges, 2 needed` };
  return {
    rubric: o.rubric.name,
    oldFingerprint: o.oldFingerprint,
    newFingerprint: o.newFingerprint,
    items: o.items.length,
    unmeasured: o.items.length - both.length,
    pairs: both.length,
    ...verdict,
    ...(oldDown ? { oldUnavailable: { reason: oldDown.reason, message: oldDown.message } } : {}),
    disagreements: both
      .filter((p) => o.rubric.dimensions.some((d) => p.a[d.name] && p.b[d.name] && p.a[d.name]!.value !== p.b[d.name]!.value))
      .slice(0, 10)
      .map((p) => p.id),
    unscored,
    dimensions,
  };
}
