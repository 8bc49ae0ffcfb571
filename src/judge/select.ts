import type { ReadRecord } from '../captures/record.ts';
import { appliesTo } from './rubric.ts';
import type { Rubric } from './rubric-schema.ts';
import { hasField, itemFromRecord, type JudgeItem } from './item.ts';
import { selectionDraw, type StratumRates } from './sampling.ts';

/** A capture a rubric applies to and whose required fields are all present. */
export interface Eligible {
  readonly rubric: Rubric;
  readonly item: JudgeItem;
  /** Characters of judged text, for the token estimate. */
  readonly chars: number;
}

/**
 * The rubrics a capture is eligible for, with the judge's view of it. A rubric whose required
 * field is missing is skipped here (it is counted as not applicable, never scored: DeepEval
 * scores faithfulness 1.0 when there is nothing to check).
 *
 * @example
 * for (const e of eligibleRubrics(record, rubrics)) counts[e.rubric.name][record.route].population++;
 */
export function eligibleRubrics(record: ReadRecord, rubrics: readonly Rubric[]): Eligible[] {
  const out: Eligible[] = [];
  let item: JudgeItem | undefined;
  for (const rubric of rubrics) {
    if (!appliesTo(rubric, record.route)) continue;
    item ??= itemFromRecord(record);
    const it = item;
    if (!rubric.requires.every((f) => hasField(it, f))) continue;
    const chars = (it.prompt?.length ?? 0) + (it.response?.length ?? 0) + (it.context?.reduce((n, c) => n + c.length, 0) ?? 0);
    out.push({ rubric, item: it, chars });
  }
  return out;
}

/**
 * Whether a capture is selected for a rubric, and with which probability (before its own
 * `sample_rate`). Deterministic in (salt, request_id).
 *
 * @example
 * const p = selectionProbability(record, rates.relevance?.[record.route], salt);
 * if (p > 0) judge it with weight record.weight / p
 */
export function selectionProbability(record: ReadRecord, rates: StratumRates | undefined, salt: string): number {
  if (!rates) return 0;
  const p = record.population ? rates.population : rates.flagged;
  if (p <= 0) return 0;
  return selectionDraw(salt, record.request_id) < p ? p : 0;
}
