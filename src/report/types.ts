import type { IngestCounts } from '../captures/ingest-stats.ts';

/** Version of the run report JSON. Bumped on any incompatible change, noted in the CHANGELOG. */
export const REPORT_SCHEMA_VERSION = 1;

export type PipelineName = 'drift' | 'judge' | 'golden' | 'slo' | 'nightly';

/**
 * `ok`: measured, whatever it found. `degraded`: measured, but part of the input or work was lost
 * (the report says which). `unmeasurable`: too little data or an unhealthy dependency to say
 * anything. `failed`: the run itself broke.
 */
export type RunStatus = 'ok' | 'degraded' | 'unmeasurable' | 'failed';

export type Severity = 'info' | 'warning' | 'critical';

/** The unit alerts are made of (DESIGN §4). */
export interface Finding {
  /** Stable across runs for the same kind/route/subject, so alerts dedup and resolve. */
  fingerprint: string;
  /** Dotted kind, e.g. `drift.numeric`, `drift.rate`, `drift.sigma`, `judge.unavailable`. */
  kind: string;
  severity: Severity;
  /** `*` for all routes. */
  route: string;
  /** The feature, metric or suite. */
  subject: string;
  /** One sentence a person can act on. */
  summary: string;
  stats: FindingStats;
  baseline: Record<string, unknown>;
  current: Record<string, unknown>;
  /** request_ids from the window that show the change. */
  examples: string[];
  links: { label: string; url: string }[];
  /** Lifecycle across runs: `firing` once hysteresis says so, `pending` before. */
  state?: 'pending' | 'firing' | 'resolved';
}

export interface FindingStats {
  test: string;
  statistic?: number;
  pValue?: number;
  qValue?: number;
  effect?: Record<string, number>;
  n?: number;
  m?: number;
  [key: string]: unknown;
}

/** A test that could not be run, reported instead of a silent "no drift". */
export interface Unmeasured {
  route: string;
  subject: string;
  reason: string;
  detail?: string;
}

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  runId: string;
  pipeline: PipelineName;
  window: { start: string; end: string };
  startedAt: string;
  finishedAt: string;
  status: RunStatus;
  /** Why the status is not `ok`, one line each. */
  statusReasons: string[];
  input: IngestCounts;
  /** Share of listed objects fully read, and work units completed. */
  coverage: { objects: number; objectsRead: number; unitsPlanned: number; unitsDone: number; unitsFailed: number };
  findings: Finding[];
  unmeasured: Unmeasured[];
  /** Pipeline-specific sections (drift tests, judge summaries, …). */
  sections: Record<string, unknown>;
}
