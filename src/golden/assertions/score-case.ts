import type { AssertionResult, CaseResult, GoldenAssertion, GoldenCase, TargetOutput } from '../types.ts';
import { parseType } from './catalog.ts';
import { similar, type Embedder } from './embeddings.ts';
import { gradeFactuality, gradeRubric, type GoldenJudge } from './judged.ts';
import { containsJson, isJson } from './json.ts';
import { f1, levenshtein, rougeLScorer, rougeNScorer } from './overlap.ts';
import { cost, latency, maxTokens } from './perf.ts';
import { contains, containsAll, containsAny, equals, icontains, icontainsAll, icontainsAny, regex, startsWith } from './text.ts';
import type { ScoreContext, SyncScorer, Verdict } from './types.ts';

/** What the graded scorers need; every field but `now` is optional (missing → `unmeasured`). */
export interface ScoreDeps {
  /** The judge of `llm-rubric` and `factuality`. */
  readonly judge?: GoldenJudge;
  /** The embeddings of `similar`. */
  readonly embeddings?: Embedder;
  /** Clock (ms). */
  readonly now: () => number;
  /** Cancels judge and embedding calls in flight. */
  readonly signal?: AbortSignal;
}

const SYNC: Readonly<Record<string, SyncScorer>> = {
  equals,
  contains,
  icontains,
  'contains-any': containsAny,
  'contains-all': containsAll,
  'icontains-any': icontainsAny,
  'icontains-all': icontainsAll,
  'starts-with': startsWith,
  regex,
  'is-json': isJson,
  'contains-json': containsJson,
  levenshtein,
  f1,
  'rouge-l': rougeLScorer,
  'rouge-n': rougeNScorer,
  latency,
  'max-latency': latency,
  'max-tokens': maxTokens,
  cost,
};

// A weighted mean of scores that pass exactly at the threshold may land a rounding error below it.
const EPS = 1e-9;

/**
 * Scores one case's output: every assertion of `defaultAssert` (the suite's `defaultTest.assert`)
 * then of the case, each to a score in [0, 1] and a pass, `not-` flipping both (score → 1 − score).
 *
 * The case score is Σ wᵢ·scoreᵢ / Σ wᵢ (weight default 1; 1 when nothing is weighed). The case
 * passes, with a `threshold` below 1, when that score reaches it; with the default threshold 1,
 * when every assertion passes (promptfoo's semantics). A weight-0 assertion is reported but can
 * never fail the case.
 *
 * Unmeasured, never pass or fail: a target that returned no output (its error is kept), or any
 * assertion that could not be evaluated (judge or embeddings down, no latency reported).
 *
 * Deterministic scorers run synchronously; judge and embedding calls of one case run concurrently.
 *
 * @example
 * const r = await scoreCase(c, { output: 'Paris', latencyMs: 420 }, { now: Date.now }, suite.defaultAssert);
 * r.status; // 'pass'
 */
export async function scoreCase(c: GoldenCase, out: TargetOutput, deps: ScoreDeps, defaultAssert: readonly GoldenAssertion[] = []): Promise<CaseResult> {
  // What the target reported about the call; kept on the result and read by the perf scorers.
  const measured = {
    ...(out.latencyMs !== undefined ? { latencyMs: out.latencyMs } : {}),
    ...(out.tokens ? { tokens: out.tokens } : {}),
    ...(out.costUsd !== undefined ? { costUsd: out.costUsd } : {}),
  };
  const base = { caseId: c.id, ...(c.expected !== undefined ? { expected: c.expected } : {}), ...measured };
  if (out.error || typeof out.output !== 'string') {
    return { ...base, status: 'unmeasured', assertions: [], error: out.error ?? { kind: 'no_output', message: 'the target returned no output' } };
  }
  const ctx: ScoreContext = {
    caseId: c.id,
    ...(c.route !== undefined ? { route: c.route } : {}),
    output: out.output,
    ...(c.expected !== undefined ? { expected: c.expected } : {}),
    input: c.input,
    vars: c.vars,
    ...measured,
  };
  const all = defaultAssert.length ? [...defaultAssert, ...c.assert] : c.assert;
  const pending: Array<AssertionResult | Promise<AssertionResult>> = all.map((a) => scoreAssertion(a, ctx, deps));
  const assertions = pending.some((p) => p instanceof Promise) ? await Promise.all(pending) : (pending as AssertionResult[]);
  return { ...base, output: out.output, ...combine(assertions, c.threshold) };
}

/** The case status and score from its assertion results (see `scoreCase`). */
export function combine(assertions: readonly AssertionResult[], threshold: number): Pick<CaseResult, 'status' | 'score' | 'assertions'> {
  if (assertions.some((r) => r.unmeasured !== undefined)) return { status: 'unmeasured', assertions: [...assertions] };
  let num = 0;
  let den = 0;
  for (const r of assertions) {
    // Every assertion here was measured (an unmeasured one returned above), so each has a score.
    num += r.weight * (r.score as number);
    den += r.weight;
  }
  const score = den > 0 ? num / den : 1;
  const pass = threshold < 1 ? score >= threshold - EPS : assertions.every((r) => r.pass);
  return { status: pass ? 'pass' : 'fail', score, assertions: [...assertions] };
}

function scoreAssertion(a: GoldenAssertion, ctx: ScoreContext, deps: ScoreDeps): AssertionResult | Promise<AssertionResult> {
  const t = parseType(a.type);
  const weight = a.weight ?? 1;
  if (typeof t === 'string') return { type: a.type, pass: false, weight, reason: t, unmeasured: 'invalid_assertion' };
  const sync = SYNC[t.base];
  if (sync) return finish(a, t.negated, weight, safe(() => sync(a, ctx)));
  let p: Promise<Verdict>;
  switch (t.base) {
    case 'similar':
      p = similar(a, ctx, deps.embeddings, deps.signal);
      break;
    case 'llm-rubric':
      p = gradeRubric(a, ctx, deps.judge && deps.signal && !deps.judge.signal ? { ...deps.judge, signal: deps.signal } : deps.judge);
      break;
    case 'factuality':
      p = gradeFactuality(a, ctx, deps.judge && deps.signal && !deps.judge.signal ? { ...deps.judge, signal: deps.signal } : deps.judge);
      break;
    default:
      return { type: a.type, pass: false, weight, reason: `no scorer for "${t.base}"`, unmeasured: 'invalid_assertion' };
  }
  return p.then(
    (v) => finish(a, t.negated, weight, v),
    (err: unknown) => finish(a, t.negated, weight, { unmeasured: 'scorer_error', reason: (err as Error)?.message ?? String(err) }),
  );
}

/** A scorer that throws (a bad value that slipped past validation) is unmeasured, not a fail. */
function safe(run: () => Verdict): Verdict {
  try {
    return run();
  } catch (err) {
    return { unmeasured: 'scorer_error', reason: (err as Error)?.message ?? String(err) };
  }
}

function finish(a: GoldenAssertion, negated: boolean, weight: number, v: Verdict): AssertionResult {
  if ('unmeasured' in v) return { type: a.type, pass: false, weight, reason: v.reason, unmeasured: v.unmeasured };
  let pass = negated ? !v.pass : v.pass;
  const score = negated ? 1 - v.score : v.score;
  // promptfoo: a weight-0 assertion is a metric only and cannot fail its case.
  if (weight === 0) pass = true;
  const reason = negated ? `not: ${v.reason}` : v.reason;
  return { type: a.type, pass, score, weight, reason, ...(a.metric !== undefined ? { metric: a.metric } : {}) };
}
