import { distance } from 'fastest-levenshtein';
import { normalizeText, tokenize } from './normalize.ts';
import { fmt, quote, references, thresholdOf, type SyncScorer, type Verdict } from './types.ts';

/**
 * Graded text-overlap scores against a reference (the value, else the case's `expected`; a list
 * of references scores against the best one): `levenshtein`, token `f1`, `rouge-l`, `rouge-n`.
 * Tokens are those of `tokenize` (lower-cased Unicode letter/digit runs; CJK characters one by
 * one), so punctuation and case never count.
 */

/**
 * Levenshtein similarity ratio: 1 − distance / max(length), 1 for two empty strings.
 *
 * @example
 * levenshteinRatio('kitten', 'sitting'); // 1 - 3/7 ≈ 0.571
 */
export function levenshteinRatio(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  return n === 0 ? 1 : 1 - distance(a, b) / n;
}

/**
 * Token F1 (SQuAD style): harmonic mean of precision and recall of the multiset of shared tokens.
 * 1 when both are empty, 0 when only one is.
 *
 * @example
 * tokenF1('the cat sat', 'a cat sat down'); // p = 2/3, r = 2/4 → 0.571
 */
export function tokenF1(candidate: string, reference: string): number {
  const c = tokenize(candidate);
  const r = tokenize(reference);
  if (c.length === 0 || r.length === 0) return c.length === r.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of r) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of c) {
    const k = counts.get(t);
    if (k) {
      common++;
      counts.set(t, k - 1);
    }
  }
  if (common === 0) return 0;
  const p = common / c.length;
  const rec = common / r.length;
  return (2 * p * rec) / (p + rec);
}

/**
 * ROUGE-L F-measure (β = 1) over tokens: LCS / |candidate| and LCS / |reference|, their harmonic
 * mean. 1 when both are empty, 0 when only one is.
 *
 * @example
 * rougeL('police killed the gunman', 'police kill the gunman'); // LCS 3 of 4 and 4 → 0.75
 */
export function rougeL(candidate: string, reference: string): number {
  const c = tokenize(candidate);
  const r = tokenize(reference);
  if (c.length === 0 || r.length === 0) return c.length === r.length ? 1 : 0;
  const l = lcsLength(c, r);
  if (l === 0) return 0;
  const p = l / c.length;
  const rec = l / r.length;
  return (2 * p * rec) / (p + rec);
}

/** Length of the longest common subsequence, O(|a|·|b|) time and O(|b|) memory. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = ai === b[j - 1] ? diag + 1 : Math.max(up, row[j - 1]!);
      diag = up;
    }
  }
  return row[b.length]!;
}

/**
 * ROUGE-N recall (Lin 2004) with n = 1: the share of the reference's unigrams (clipped counts)
 * that the candidate repeats. 1 when both are empty, 0 when only the reference is.
 *
 * @example
 * rougeN('the cat', 'the cat sat'); // 2/3
 */
export function rougeN(candidate: string, reference: string, n = 1): number {
  const grams = (ts: string[]) => {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= ts.length; i++) {
      const g = ts.slice(i, i + n).join(' ');
      m.set(g, (m.get(g) ?? 0) + 1);
    }
    return m;
  };
  const c = grams(tokenize(candidate));
  const r = grams(tokenize(reference));
  let total = 0;
  let hit = 0;
  for (const [g, k] of r) {
    total += k;
    hit += Math.min(k, c.get(g) ?? 0);
  }
  if (total === 0) return c.size === 0 ? 1 : 0;
  return hit / total;
}

function graded(name: string, fallback: number, measure: (output: string, ref: string) => number): SyncScorer {
  return (a, ctx): Verdict => {
    const refs = references(a, ctx) ?? [];
    let best = -1;
    let bestRef = '';
    for (const ref of refs) {
      const s = measure(ctx.output, ref);
      if (s > best) {
        best = s;
        bestRef = ref;
      }
    }
    if (best < 0) return { unmeasured: 'no_reference', reason: `${name} has no value and the case no expected` };
    const t = thresholdOf(a, fallback);
    const pass = best >= t;
    return { pass, score: best, reason: `${name} ${fmt(best)} ${pass ? '≥' : '<'} ${t} against ${quote(bestRef, 60)}` };
  };
}

/**
 * `levenshtein`: with a `threshold` below 1, passes when the similarity ratio reaches it (default
 * 0.8); with a threshold of 1 or more, promptfoo's reading: passes when the edit distance is at
 * most that many characters. The score is the ratio either way. `normalize` applies.
 */
export const levenshtein: SyncScorer = (a, ctx) => {
  const out = normalizeText(ctx.output, a.normalize);
  const refs = (references(a, ctx) ?? []).map((r) => normalizeText(r, a.normalize));
  if (refs.length === 0) return { unmeasured: 'no_reference', reason: 'levenshtein has no value and the case no expected' };
  const t = a.threshold ?? 0.8;
  let best: { d: number; ratio: number; ref: string } | undefined;
  for (const ref of refs) {
    const d = distance(out, ref);
    const n = Math.max(out.length, ref.length);
    const ratio = n === 0 ? 1 : 1 - d / n;
    if (!best || ratio > best.ratio) best = { d, ratio, ref };
  }
  const b = best!;
  if (t >= 1) {
    const pass = b.d <= t;
    return { pass, score: b.ratio, reason: `edit distance ${b.d} ${pass ? '≤' : '>'} ${t} from ${quote(b.ref, 60)}` };
  }
  const pass = b.ratio >= t;
  return { pass, score: b.ratio, reason: `levenshtein ratio ${fmt(b.ratio)} ${pass ? '≥' : '<'} ${t} against ${quote(b.ref, 60)}` };
};

/** `f1`: token F1 against the reference, passes at `threshold` (default 0.5). */
export const f1 = graded('f1', 0.5, tokenF1);
/** `rouge-l`: ROUGE-L F-measure, passes at `threshold` (default 0.75). */
export const rougeLScorer = graded('rouge-l', 0.75, rougeL);
/** `rouge-n`: ROUGE-1 recall, passes at `threshold` (default 0.75, promptfoo's). */
export const rougeNScorer = graded('rouge-n', 0.75, (o, r) => rougeN(o, r, 1));
