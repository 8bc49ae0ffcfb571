import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Job counts per queue and state, read at scrape time. */
export type QueueCountsSource = () => Promise<Record<string, Record<string, number>>>;

/**
 * The worker's Prometheus metrics, on a registry of its own (never prom-client's global one, so
 * two workers in one process, or a test, never collide). Labels are low-cardinality on purpose:
 * queue, state, job name, outcome, pipeline, status, finding kind and severity — never a route,
 * a run id or a job id.
 */
export interface EvalwatchMetrics {
  readonly registry: Registry;
  /** `evalwatch_queue_jobs{queue,state}`: jobs by queue and state, collected on scrape. */
  readonly queueJobs: Gauge<'queue' | 'state'>;
  /** `evalwatch_job_duration_seconds{queue,name,outcome}`: processor wall time. */
  readonly jobDuration: Histogram<'queue' | 'name' | 'outcome'>;
  /** `evalwatch_runs_total{pipeline,status}`: finished runs. */
  readonly runs: Counter<'pipeline' | 'status'>;
  /** `evalwatch_findings_total{kind,severity}`: findings in finished run reports. */
  readonly findings: Counter<'kind' | 'severity'>;
  /** `evalwatch_judge_calls_total{provider,model,outcome}`: judge requests (`ok`, `error`, `cached`, `budget`). */
  readonly judgeCalls: Counter<'provider' | 'model' | 'outcome'>;
  /** `evalwatch_judge_tokens_total{provider,model,direction}`: judge tokens (`input`, `output`). */
  readonly judgeTokens: Counter<'provider' | 'model' | 'direction'>;
  /** `evalwatch_judge_cost_usd_total{provider,model}`: judge spend in US dollars. */
  readonly judgeCostUsd: Counter<'provider' | 'model'>;
  /** Sets where `queueJobs` reads its counts from on each scrape. */
  setQueueCountsSource(source: QueueCountsSource | null): void;
}

/**
 * Creates the metric set on a fresh registry (plus Node's default process metrics).
 *
 * @example
 * const metrics = createMetrics();
 * metrics.judgeCalls.inc({ provider: 'openai', model: 'gpt-4o-2024-08-06', outcome: 'ok' });
 * const text = await metrics.registry.metrics();
 */
export function createMetrics(options: { collectDefault?: boolean } = {}): EvalwatchMetrics {
  const registry = new Registry();
  let source: QueueCountsSource | null = null;
  const queueJobs = new Gauge({
    name: 'evalwatch_queue_jobs',
    help: 'Jobs by queue and state.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!source) return;
      this.reset();
      // A scrape during a Redis outage must still answer: the gauge is simply empty then.
      const counts = await source().catch(() => null);
      if (!counts) return;
      for (const [queue, states] of Object.entries(counts)) {
        for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      }
    },
  });
  const metrics: EvalwatchMetrics = {
    registry,
    queueJobs,
    jobDuration: new Histogram({
      name: 'evalwatch_job_duration_seconds',
      help: 'Wall time of job processors.',
      labelNames: ['queue', 'name', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers: [registry],
    }),
    runs: new Counter({ name: 'evalwatch_runs_total', help: 'Finished runs by pipeline and status.', labelNames: ['pipeline', 'status'] as const, registers: [registry] }),
    findings: new Counter({ name: 'evalwatch_findings_total', help: 'Findings in finished run reports, by kind and severity.', labelNames: ['kind', 'severity'] as const, registers: [registry] }),
    judgeCalls: new Counter({ name: 'evalwatch_judge_calls_total', help: 'Judge requests by provider, model snapshot and outcome (labels come from the config: low cardinality).', labelNames: ['provider', 'model', 'outcome'] as const, registers: [registry] }),
    judgeTokens: new Counter({ name: 'evalwatch_judge_tokens_total', help: 'Judge tokens by provider, model and direction.', labelNames: ['provider', 'model', 'direction'] as const, registers: [registry] }),
    judgeCostUsd: new Counter({ name: 'evalwatch_judge_cost_usd_total', help: 'Judge spend in US dollars by provider and model.', labelNames: ['provider', 'model'] as const, registers: [registry] }),
    setQueueCountsSource(s) {
      source = s;
    },
  };
  if (options.collectDefault ?? true) collectDefaultMetrics({ register: registry, prefix: 'evalwatch_' });
  return metrics;
}
