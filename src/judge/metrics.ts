import type { JudgeEvent } from './client.ts';

/** A prom-client `Counter`, as far as this adapter uses it. */
export interface IncCounter {
  inc(value?: number): void;
  inc(labels: Record<string, string>, value?: number): void;
}

/**
 * The judge counters of the worker's metrics (`EvalwatchMetrics` from `src/http/metrics.ts`
 * has them). Declared structurally so the judge does not import the http layer above it.
 */
export interface JudgeCounters {
  /** `evalwatch_judge_calls_total{outcome}`. */
  readonly judgeCalls: IncCounter;
  /** `evalwatch_judge_tokens_total{direction}`. */
  readonly judgeTokens: IncCounter;
  /** `evalwatch_judge_cost_usd_total`. */
  readonly judgeCostUsd: IncCounter;
}

type Labels = Record<string, string>;

/** Label names a prom-client metric was declared with (`labelNames` is set on every instance). */
function declared(metric: object): ReadonlySet<string> {
  const names = (metric as { labelNames?: readonly string[] }).labelNames;
  return new Set(names ?? []);
}

/**
 * An `onEvent` listener for the judge client and pipeline that counts judge requests, tokens and
 * dollars on the worker's Prometheus counters:
 *
 * - `evalwatch_judge_calls_total{outcome}`: `ok`, `error`, `budget` (refused before the request
 *   by the run budget), `cached` (served from the judgment cache, no request);
 * - `evalwatch_judge_tokens_total{direction}`: `input`, `output`;
 * - `evalwatch_judge_cost_usd_total`: dollars at `judge.pricing`.
 *
 * Labels stay low-cardinality: `provider` and `model` are added when the counter declares them
 * (a configured judge and a handful of target models, never a route or a request id), so the
 * metric definitions in `src/http/metrics.ts` decide the label set. Token and dollar counts are
 * the ones the run budget counted (a failed request counts its prompt tokens), so a dashboard
 * and a report's `budget.spent` agree. Events other than `call` (retries, fallbacks) are ignored
 * here: they are logs, not counters.
 *
 * @example
 * const metrics = createMetrics();
 * const pipeline = createJudgePipeline({ onEvent: judgeMetricsListener(metrics) });
 */
export function judgeMetricsListener(metrics: JudgeCounters): (event: JudgeEvent) => void {
  const callLabels = declared(metrics.judgeCalls);
  const tokenLabels = declared(metrics.judgeTokens);
  const costLabels = declared(metrics.judgeCostUsd);
  const dims = (names: ReadonlySet<string>, provider: string, model: string): Labels => {
    const out: Labels = {};
    if (names.has('provider')) out.provider = provider;
    if (names.has('model')) out.model = model;
    return out;
  };
  return (event) => {
    if (event.type !== 'call') return;
    metrics.judgeCalls.inc({ ...dims(callLabels, event.provider, event.model), outcome: event.outcome });
    if (event.promptTokens > 0) metrics.judgeTokens.inc({ ...dims(tokenLabels, event.provider, event.model), direction: 'input' }, event.promptTokens);
    if (event.completionTokens > 0) metrics.judgeTokens.inc({ ...dims(tokenLabels, event.provider, event.model), direction: 'output' }, event.completionTokens);
    if (event.usd > 0) {
      const labels = dims(costLabels, event.provider, event.model);
      if (Object.keys(labels).length) metrics.judgeCostUsd.inc(labels, event.usd);
      else metrics.judgeCostUsd.inc(event.usd);
    }
  };
}

/**
 * Calls every listener with each event, so metrics and logs can both listen to one client.
 *
 * @example
 * const onEvent = fanOut(judgeMetricsListener(metrics), (e) => logger.debug({ event: e }, 'judge'));
 */
export function fanOut(...listeners: ((event: JudgeEvent) => void)[]): (event: JudgeEvent) => void {
  return (event) => {
    for (const l of listeners) l(event);
  };
}
