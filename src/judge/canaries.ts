import type { BudgetMeter } from './budget-meter.ts';
import type { JudgeClient } from './client.ts';
import type { JudgeItem } from './item.ts';
import type { Rubric } from './rubric-schema.ts';

/** One canary verdict that did not match its expectation. */
export interface CanaryMiss {
  readonly rubric: string;
  readonly canary: string;
  readonly dimension: string;
  readonly expected: 'pass' | 'fail';
  /** The judge's value, or the unmeasured reason. */
  readonly got: string;
  readonly note?: string;
}

export interface CanaryResult {
  /** Canary checks (canary × dimension). */
  readonly checks: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly misses: CanaryMiss[];
  /** Whether the accuracy reached the configured minimum. */
  readonly healthy: boolean;
}

/**
 * Judges every rubric's canaries (never from the cache: the point is to test the judge as it is
 * today). An unmeasured canary counts as a miss: a judge we cannot check is not a healthy judge.
 *
 * @example
 * const res = await runCanaries(client, rubrics, { minAccuracy: 1 });
 * if (!res.healthy) report 'judge.unhealthy' and skip quality findings
 */
export async function runCanaries(
  client: JudgeClient,
  rubrics: readonly Rubric[],
  options: { minAccuracy: number; budget?: BudgetMeter; signal?: AbortSignal },
): Promise<CanaryResult> {
  const jobs = rubrics.flatMap((r) => r.canaries.map((c) => ({ r, c })));
  const outcomes = await Promise.all(
    jobs.map(({ r, c }) => {
      const item: JudgeItem = {
        id: `canary:${c.id}`,
        route: '__canary__',
        ...(c.prompt !== undefined ? { prompt: c.prompt } : {}),
        response: c.response,
        ...(c.context ? { context: c.context } : {}),
      };
      return client.judge(r, item, { ...(options.budget ? { budget: options.budget } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    }),
  );
  let checks = 0;
  let correct = 0;
  const misses: CanaryMiss[] = [];
  jobs.forEach(({ r, c }, i) => {
    const o = outcomes[i]!;
    for (const d of r.dimensions) {
      if (c.dimensions && !c.dimensions.includes(d.name)) continue;
      checks++;
      const s = o.status === 'scored' ? o.scores[d.name] : undefined;
      const ok = s !== undefined && s.applicable && s.pass === (c.expect === 'pass');
      if (ok) correct++;
      else
        misses.push({
          rubric: r.name,
          canary: c.id,
          dimension: d.name,
          expected: c.expect,
          got: o.status === 'scored' ? String(s?.value) : `unmeasured: ${o.reason}`,
          ...(c.note ? { note: c.note } : {}),
        });
    }
  });
  const accuracy = checks ? correct / checks : 1;
  return { checks, correct, accuracy, misses, healthy: accuracy >= options.minAccuracy };
}
