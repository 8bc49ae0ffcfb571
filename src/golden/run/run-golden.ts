import type { Logger } from 'pino';
import type { EvalwatchConfig } from '../../config/schema.ts';
import type { ResultsStore } from '../../store/types.ts';
import { createScoreDeps, type ScoreDeps } from '../assertions/index.ts';
import { targetNameFor } from '../config.ts';
import { loadSuites, type LoadResult, type SuiteProblem } from '../suite/index.ts';
import { createTarget, type Target, type TargetOptions } from '../target/index.ts';
import type { GoldenSuite } from '../types.ts';
import { runSuite, type SuiteRun } from './run-suite.ts';

/** A golden run cannot start: unknown target, a suite that needs a target and has none. */
export class GoldenConfigError extends Error {
  readonly code = 'GOLDEN_CONFIG';
  override readonly name = 'GoldenConfigError';
}

/** What a golden run needs from its environment (a `PipelineContext` has all of it). */
export interface GoldenEnv {
  readonly config: EvalwatchConfig;
  readonly store: ResultsStore;
  readonly now: () => number;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** Options of {@link runGolden}. */
export interface RunGoldenOptions {
  readonly runId: string;
  /** Suite names to run. Default: every suite in `config.golden.suitesDir`. */
  readonly suites?: readonly string[];
  /** Run every suite against this target instead of its own. Default: none. */
  readonly target?: string;
  /** Compare with this run instead of the last known-good one. Default: none. */
  readonly baseline?: string;
  /** Environment for API keys and `env:` headers. Default `process.env`. */
  readonly env?: Record<string, string | undefined>;
  /** Scorer dependencies. Default `createScoreDeps(config)`. */
  readonly deps?: ScoreDeps;
  /** Target options (backoff, events). Default: none. */
  readonly targetOptions?: TargetOptions;
  /** Progress of the first pass of each suite. Default: none. */
  readonly onCase?: (suite: string, done: number, total: number) => void;
  /**
   * Suites the caller has loaded already (the CLI loads them to print their problems first), so
   * a 1,000-case suite is not read and checked twice. Default: loaded from `suitesDir`.
   */
  readonly loaded?: LoadResult;
}

/** What {@link runGolden} returns. */
export interface GoldenRunResult {
  readonly runs: SuiteRun[];
  /** Suite load errors (those suites did not run) and warnings. */
  readonly errors: SuiteProblem[];
  readonly warnings: SuiteProblem[];
}

/**
 * Loads the suites and checks their targets (a config error throws before any call is made).
 *
 * @throws {GoldenConfigError} an unknown `--target`, or a suite with unrecorded cases and no target.
 * @example
 * const { suites, targets, errors } = await prepareGolden(env, { runId, suites: ['support'] });
 */
export async function prepareGolden(
  env: GoldenEnv,
  options: Omit<RunGoldenOptions, 'onCase' | 'deps'>,
): Promise<{ suites: GoldenSuite[]; targetOf: Map<string, Target | null>; errors: SuiteProblem[]; warnings: SuiteProblem[] }> {
  const golden = env.config.golden;
  const names = Object.keys(golden.targets);
  if (options.target !== undefined && !names.includes(options.target)) {
    throw new GoldenConfigError(`--target ${options.target}: no such target in config.golden.targets (targets: ${names.join(', ') || 'none'})`);
  }
  const loaded = options.loaded ?? (await loadSuites(golden.suitesDir, { ...(options.suites ? { only: options.suites } : {}), targets: names }));
  const built = new Map<string, Target>();
  const targetOf = new Map<string, Target | null>();
  for (const suite of loaded.suites) {
    const name = options.target ?? targetNameFor(golden, suite.target);
    const needs = suite.cases.filter((c) => c.output === undefined).length;
    if (name === undefined) {
      if (needs) {
        throw new GoldenConfigError(
          `suite ${suite.name} (${suite.file}): ${needs} case${needs > 1 ? 's have' : ' has'} no recorded output and no target applies — set golden.defaultTarget, the suite's target: or --target`,
        );
      }
      targetOf.set(suite.name, null);
      continue;
    }
    const cfg = golden.targets[name];
    if (!cfg) throw new GoldenConfigError(`suite ${suite.name}: unknown target "${name}"`);
    let t = built.get(name);
    if (!t) {
      t = createTarget(name, cfg, { ...(options.env ? { env: options.env } : {}), ...options.targetOptions });
      built.set(name, t);
    }
    targetOf.set(suite.name, t);
  }
  return { suites: loaded.suites, targetOf, errors: loaded.errors, warnings: loaded.warnings };
}

/**
 * Runs golden suites one after another (each suite's cases concurrently, paced by its target)
 * and writes each suite's results and verdict to the store. Suites that fail to load are
 * returned as errors and not run.
 *
 * @example
 * const { runs, errors } = await runGolden(ctx, { runId: 'golden-20261124T101500000Z', suites: ['support'] });
 */
export async function runGolden(env: GoldenEnv, options: RunGoldenOptions): Promise<GoldenRunResult> {
  const { suites, targetOf, errors, warnings } = await prepareGolden(env, options);
  const cfg = env.config;
  const deps =
    options.deps ??
    createScoreDeps(
      { judge: cfg.judge, golden: cfg.golden },
      { ...(options.env ? { env: options.env as NodeJS.ProcessEnv } : {}), now: env.now, ...(env.signal ? { signal: env.signal } : {}) },
    );
  const runs: SuiteRun[] = [];
  for (const suite of suites) {
    const target = targetOf.get(suite.name) ?? null;
    const run = await runSuite(suite, {
      runId: options.runId,
      target,
      deps,
      store: env.store,
      now: env.now,
      confirmRetries: cfg.golden.confirmRetries,
      verdict: cfg.golden.verdict,
      ...(options.baseline !== undefined ? { baselineRunId: options.baseline } : {}),
      models: { judgeModel: cfg.judge.model, embeddingsModel: cfg.golden.embeddings.model },
      ...(target ? { concurrency: Math.max(16, target.concurrency * 2) } : {}),
      ...(env.signal ? { signal: env.signal } : {}),
      ...(options.onCase ? { onCase: (d: number, t: number) => options.onCase?.(suite.name, d, t) } : {}),
    });
    env.logger?.debug({ suite: suite.name, runId: options.runId, verdict: run.record.verdict.verdict, key: run.key }, 'golden suite done');
    runs.push(run);
  }
  return { runs, errors, warnings };
}
