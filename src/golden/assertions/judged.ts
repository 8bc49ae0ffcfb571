import type { BudgetMeter } from '../../judge/budget-meter.ts';
import type { JudgeClient } from '../../judge/client.ts';
import { flattenPrompt, type JudgeItem } from '../../judge/item.ts';
import { contentHash } from '../../judge/rubric.ts';
import type { Rubric } from '../../judge/rubric-schema.ts';
import type { GoldenAssertion } from '../types.ts';
import { fmt, quote, references, thresholdOf, type ScoreContext, type Verdict } from './types.ts';

/**
 * The model-graded assertions, `llm-rubric` and `factuality`, through the judge of
 * `src/judge/` (its client, retries, limiter, output-mode fallback and budget). Each assertion
 * becomes a one-dimension rubric: the judge prompt fences the case's input, output and
 * reference as data, so an output that tries to instruct its grader gains nothing. A judge that
 * fails, refuses or is out of budget leaves the assertion `unmeasured`, never passed or failed.
 */

/** The judge an assertion is graded by. */
export interface GoldenJudge {
  readonly client: JudgeClient;
  /** The run's budget; calls beyond it are unmeasured (`budget_exhausted`). Default: none. */
  readonly budget?: BudgetMeter;
  /** Cancels calls in flight. */
  readonly signal?: AbortSignal;
  /** Judge model for these assertions. Default `judge.model`. */
  readonly model?: string;
}

const rubrics = new Map<string, Rubric>();

function cached(key: string, make: () => Omit<Rubric, 'version' | 'file'>): Rubric {
  let r = rubrics.get(key);
  if (!r) {
    const spec = make();
    r = { ...spec, version: contentHash(spec), file: 'golden' };
    rubrics.set(key, r);
  }
  return r;
}

/**
 * The rubric of an `llm-rubric` assertion: one integer dimension `rubric` from 0 (does not meet
 * the rubric at all) to 10 (fully); the assertion's score is that value / 10.
 *
 * @example
 * llmRubric('Answers in one polite sentence').dimensions[0].range; // [0, 10]
 */
export function llmRubric(text: string): Rubric {
  return cached(`rubric\u0000${text}`, () => ({
    name: 'golden-llm-rubric',
    description: 'Whether the output of an AI system meets the rubric of a golden test case.',
    routes: ['*'],
    requires: ['response'],
    dimensions: [
      {
        name: 'rubric',
        type: 'integer',
        range: [0, 10],
        pass: 5,
        description: `How fully the output meets this rubric: "${text.trim()}". 10 = fully, 5 = about half of it, 0 = not at all. Judge only what the rubric asks.`,
      },
    ],
    template: 'Rate the output against the rubric.\n\nInput given to the system:\n{{prompt}}\n\nOutput to rate:\n{{response}}',
    sampling: {},
    canaries: [],
  }));
}

/** The fact categories of `factuality`, best first (the OpenAI-evals Fact grading). */
export const FACT_LABELS = ['same', 'subset', 'superset', 'differs_irrelevant', 'disagrees'] as const;

/**
 * The rubric of a `factuality` assertion: one categorical dimension comparing the output's facts
 * with the reference; every category but `disagrees` passes (promptfoo's default).
 */
export function factualityRubric(): Rubric {
  return cached('factuality', () => ({
    name: 'golden-factuality',
    description: 'Whether the facts of an output agree with a reference answer.',
    routes: ['*'],
    requires: ['response', 'context'],
    dimensions: [
      {
        name: 'factuality',
        type: 'categorical',
        labels: [...FACT_LABELS],
        pass: ['same', 'subset', 'superset', 'differs_irrelevant'],
        abstain: [],
        description:
          'Compare the factual content of the output with the reference answer (the context document), ignoring style, wording and length. "same" = the same facts; "subset" = a subset of the reference facts, consistent with it; "superset" = all reference facts plus more, consistent with it; "differs_irrelevant" = the facts differ but not in a way that matters to the question; "disagrees" = the output contradicts the reference.',
      },
    ],
    template: 'Compare the facts of the output with the reference answer.\n\nQuestion:\n{{prompt}}\n\nReference answer:\n{{context}}\n\nOutput to rate:\n{{response}}',
    sampling: {},
    canaries: [],
  }));
}

function itemOf(ctx: ScoreContext, context?: string): JudgeItem {
  const prompt = typeof ctx.input === 'string' ? ctx.input : flattenPrompt(ctx.input.map((m) => ({ role: m.role, content: m.content })));
  return { id: ctx.caseId, route: ctx.route ?? 'golden', prompt, response: ctx.output, ...(context !== undefined ? { context: [context] } : {}) };
}

async function grade(judge: GoldenJudge, rubric: Rubric, item: JudgeItem) {
  return judge.client.judge(rubric, item, {
    ...(judge.budget ? { budget: judge.budget } : {}),
    ...(judge.signal ? { signal: judge.signal } : {}),
    ...(judge.model ? { model: judge.model } : {}),
  });
}

/**
 * `llm-rubric`: the judge rates the output 0–10 against the rubric (the value); the score is the
 * rating / 10, passing at `threshold` (default 0.5).
 */
export async function gradeRubric(a: GoldenAssertion, ctx: ScoreContext, judge: GoldenJudge | undefined): Promise<Verdict> {
  if (typeof a.value !== 'string' || !a.value.trim()) return { unmeasured: 'no_rubric', reason: 'llm-rubric needs the rubric as its value' };
  if (!judge) return { unmeasured: 'no_judge', reason: 'no judge is configured (config.judge and an API key)' };
  const outcome = await grade(judge, llmRubric(a.value), itemOf(ctx));
  if (outcome.status === 'unmeasured') return { unmeasured: `judge_${outcome.reason}`, reason: `judge: ${outcome.detail}` };
  const s = outcome.scores.rubric!;
  const score = (s.value as number) / 10;
  const t = thresholdOf(a, 0.5);
  const pass = score >= t;
  return { pass, score, reason: `rubric ${fmt(score)} ${pass ? '≥' : '<'} ${t}: ${quote(s.reasoning, 120)}` };
}

/**
 * `factuality`: the judge compares the output's facts with the reference (the value, else the
 * case's `expected`); passes unless the output `disagrees`.
 */
export async function gradeFactuality(a: GoldenAssertion, ctx: ScoreContext, judge: GoldenJudge | undefined): Promise<Verdict> {
  const ref = references(a, ctx)?.[0];
  if (ref === undefined) return { unmeasured: 'no_reference', reason: 'factuality has no value and the case no expected' };
  if (!judge) return { unmeasured: 'no_judge', reason: 'no judge is configured (config.judge and an API key)' };
  const outcome = await grade(judge, factualityRubric(), itemOf(ctx, ref));
  if (outcome.status === 'unmeasured') return { unmeasured: `judge_${outcome.reason}`, reason: `judge: ${outcome.detail}` };
  const s = outcome.scores.factuality!;
  return { pass: s.pass, score: s.pass ? 1 : 0, reason: `facts: ${String(s.value)} vs ${quote(ref, 60)}: ${quote(s.reasoning, 100)}` };
}
