import { createHash } from 'node:crypto';
import { priceOf, type BudgetLimit, type Pricing } from './budget-meter.ts';

/**
 * A uniform number in [0, 1) from the salt and a capture's `request_id`: the same capture gets
 * the same draw in every run and every process, so selection is reproducible and a retried unit
 * judges exactly the same captures.
 *
 * @example
 * selectionDraw('evalwatch-judge-v1', 'req-123'); // 0.4137… every time
 */
export function selectionDraw(salt: string, requestId: string): number {
  const h = createHash('sha256').update(salt).update('\0').update(requestId).digest();
  // 52 bits: exact in a double, uniform on [0, 1).
  return (h.readUIntBE(0, 6) * 16 + (h[6]! >> 4)) / 2 ** 52;
}

/** Eligible captures of one rubric on one route, counted in the plan's pass over the window. */
export interface StratumCount {
  /** Population captures (random sample or no reason) with every required field. */
  population: number;
  /** Flagged captures (`explicit_flag`, `anomaly_detected`) with every required field. */
  flagged: number;
  /** Characters of the judged text over those captures, for the token estimate. */
  chars: number;
}

/** Selection rates of one stratum. */
export interface StratumRates {
  /** Probability a population capture is judged (before its own `sample_rate`). */
  population: number;
  /** Probability a flagged capture is judged. */
  flagged: number;
}

export interface SampleSizing {
  /** Judgments per route the sample aims for. */
  readonly targetPerRoute: number;
  /** Smallest per-route sample the budget shrink keeps when it can. */
  readonly minPerRoute: number;
  /** Flagged captures judged per route. */
  readonly flaggedPerRoute: number;
}

export interface PlanEstimate {
  /** Expected judge calls (one per rubric per selected capture; canaries excluded). */
  calls: number;
  promptTokens: number;
  completionTokens: number;
  usd: number;
  /** Expected target-model calls of self-consistency re-runs (included in `calls`). */
  consistencyCalls: number;
}

export interface SamplePlan {
  /** rubric → route → rates. */
  rates: Record<string, Record<string, StratumRates>>;
  estimate: PlanEstimate;
  /** Scale applied to the targets to fit the budget (1 = none). */
  scale: number;
  /** The budget forced a sample below `minPerRoute`. */
  belowMinimum: boolean;
  /** Which budget bound is the tightest for the unshrunk plan: `calls`, `tokens`, `usd` or none. */
  limitedBy: 'calls' | 'tokens' | 'usd' | null;
}

export interface PlanSampleOptions {
  /** rubric → route → counts. */
  readonly counts: Record<string, Record<string, StratumCount>>;
  /** Sizing per rubric (the rubric's overrides over `judge.sampling`). */
  readonly sizing: (rubric: string) => SampleSizing;
  /** Dimensions per rubric, for the completion-token estimate. */
  readonly dimensions: (rubric: string) => number;
  /** The budget left for captures (after canaries), already scaled by `planShare`. */
  readonly budget: BudgetLimit;
  readonly pricing: Pricing;
  /** Characters of a rubric's prompt around the captured text (system + template). */
  readonly overheadChars: (rubric: string) => number;
  /** Self-consistency: share of judged population captures re-run, and re-runs each. */
  readonly consistency?: { fraction: number; k: number; maxTokens: number };
}

/** Completion tokens a judge reply takes per dimension (reasoning + score), for the estimate. */
export const COMPLETION_TOKENS_PER_DIMENSION = 120;

/**
 * Per-route selection rates so that every route gets about the same number of judgments (rare
 * routes are oversampled), shrunk until the expected spend fits the budget: first towards
 * `minPerRoute`, and below it only if the budget cannot cover even that (`belowMinimum`).
 *
 * @example
 * const plan = planSample({ counts, sizing: () => cfg.sampling, dimensions: () => 1, budget, pricing, overheadChars: () => 2000 });
 * plan.rates.relevance.checkout.population; // 0.02 when checkout had 10,000 eligible captures
 */
export function planSample(o: PlanSampleOptions): SamplePlan {
  const strata: { rubric: string; route: string; c: StratumCount; size: SampleSizing; dims: number; overhead: number }[] = [];
  for (const rubric of Object.keys(o.counts).sort()) {
    const routes = o.counts[rubric]!;
    for (const route of Object.keys(routes).sort()) {
      strata.push({ rubric, route, c: routes[route]!, size: o.sizing(rubric), dims: o.dimensions(rubric), overhead: o.overheadChars(rubric) });
    }
  }
  // targets(s): per-stratum population and flagged targets at scale s; s in [0, 1] shrinks from
  // the target towards the minimum, s in [-1, 0) from the minimum towards nothing.
  const targets = (s: number) =>
    strata.map((st) => {
      const { targetPerRoute: t, minPerRoute: m, flaggedPerRoute: f } = st.size;
      const lo = Math.min(m, t);
      const pop = s >= 0 ? lo + (t - lo) * s : lo * (1 + s);
      const flg = s >= 0 ? f * s : 0;
      return { pop: Math.min(st.c.population, pop), flg: Math.min(st.c.flagged, flg) };
    });
  const cost = (s: number): PlanEstimate => {
    const e: PlanEstimate = { calls: 0, promptTokens: 0, completionTokens: 0, usd: 0, consistencyCalls: 0 };
    targets(s).forEach(({ pop, flg }, i) => {
      const st = strata[i]!;
      const n = pop + flg;
      const total = st.c.population + st.c.flagged;
      const avgChars = total > 0 ? st.c.chars / total : 0;
      e.calls += n;
      e.promptTokens += n * Math.ceil((avgChars + st.overhead) / 4);
      e.completionTokens += n * (COMPLETION_TOKENS_PER_DIMENSION * st.dims + 20);
      if (o.consistency && o.consistency.fraction > 0) {
        const re = pop * o.consistency.fraction * o.consistency.k;
        e.consistencyCalls += re;
        e.calls += re;
        e.promptTokens += re * Math.ceil(avgChars / 4);
        e.completionTokens += re * o.consistency.maxTokens * 0.5;
      }
    });
    e.usd = priceOf(e.promptTokens, e.completionTokens, o.pricing);
    return e;
  };
  const fits = (e: PlanEstimate) =>
    e.calls <= o.budget.calls && e.promptTokens + e.completionTokens <= o.budget.tokens && e.usd <= o.budget.usd;

  const full = cost(1);
  let scale = 1;
  if (!fits(full)) {
    let lo = -1;
    let hi = 1;
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2;
      if (fits(cost(mid))) lo = mid;
      else hi = mid;
    }
    scale = lo;
  }
  const final = targets(scale);
  const rates: SamplePlan['rates'] = {};
  strata.forEach((st, i) => {
    const t = final[i]!;
    (rates[st.rubric] ??= {})[st.route] = {
      population: st.c.population > 0 ? Math.min(1, t.pop / st.c.population) : 0,
      flagged: st.c.flagged > 0 ? Math.min(1, t.flg / st.c.flagged) : 0,
    };
  });
  const ratio = (e: PlanEstimate) => ({
    calls: e.calls / o.budget.calls,
    tokens: (e.promptTokens + e.completionTokens) / o.budget.tokens,
    usd: e.usd / o.budget.usd,
  });
  const r = ratio(full);
  const worst = (Object.entries(r) as ['calls' | 'tokens' | 'usd', number][]).sort((a, b) => b[1] - a[1])[0]!;
  return { rates, estimate: cost(scale), scale, belowMinimum: scale < 0, limitedBy: worst[1] > 1 ? worst[0] : null };
}
