/**
 * The golden-set contract shared by the suite loader, the scorers, the targets and the runner.
 * Suites are YAML (`golden/*.yaml`); the format accepts the common subset of promptfoo's test
 * cases so teams can bring existing ones (see `src/golden/README.md`).
 */

/** A chat message of an `input`. */
export interface GoldenMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One assertion of a case (promptfoo `assert` entry). `type` may carry a `not-` prefix. */
export interface GoldenAssertion {
  /** e.g. `equals`, `icontains`, `not-regex`, `is-json`, `llm-rubric`. */
  type: string;
  /** The expected value: a string, a list (contains-any/all), a JSON Schema object, a rubric. */
  value?: unknown;
  /** Pass threshold for graded assertions (similarity, rubric score). Type-specific default. */
  threshold?: number;
  /** Weight in the case's weighted score. Default 1. */
  weight?: number;
  /** Named normalizers for `equals`-like comparisons: `case`, `whitespace`, `punctuation`, `numbers`. */
  normalize?: string[];
  /** Optional label shown in summaries. */
  metric?: string;
}

/** A case after loading: template variables already rendered into `input`. */
export interface GoldenCase {
  /** Stable id, unique within the suite. */
  id: string;
  /** A prompt string or chat messages. */
  input: string | GoldenMessage[];
  /** The template variables the input was rendered from, kept for reports and the HTTP target. */
  vars: Record<string, unknown>;
  /** The known-good answer, when there is one. */
  expected?: string;
  assert: GoldenAssertion[];
  /** Case pass threshold on the weighted score in [0, 1]. Default 1 (every assertion passes). */
  threshold: number;
  tags: string[];
  route?: string;
  /** A recorded output: scored without calling a target. */
  output?: string;
  /** Where the case was defined, for `file:line` messages. */
  source: { file: string; line: number };
}

/** A loaded suite. */
export interface GoldenSuite {
  /** Suite name (file stem unless `name:` is set). */
  name: string;
  description?: string;
  /** The suite file, or the folder for a case-per-file suite. */
  file: string;
  cases: GoldenCase[];
  /** Assertions applied to every case (promptfoo `defaultTest.assert`). */
  defaultAssert: GoldenAssertion[];
  /** Target name from the config, when the suite pins one. */
  target?: string;
  /** sha256 of the normalized suite content (cases, assertions, thresholds): changes re-baseline. */
  contentHash: string;
}

/** What a target returned for one case. */
export interface TargetOutput {
  /** The answer text; absent when the call failed. */
  output?: string;
  /** Why there is no output (`timeout`, `server_error`, `rate_limited`, `bad_response`, …). */
  error?: { kind: string; message: string };
  latencyMs?: number;
  tokens?: { input?: number; output?: number };
  costUsd?: number;
}

/** One assertion's outcome. `score` in [0, 1]; `pass` already accounts for `not-`. */
export interface AssertionResult {
  type: string;
  pass: boolean;
  /** In [0, 1]; absent when `unmeasured` (an assertion that could not run has no score, not 0). */
  score?: number;
  weight: number;
  /** One line a developer reads: what was expected and what came back. */
  reason: string;
  /** Set when the assertion could not be evaluated (judge or embeddings down): never a pass or fail. */
  unmeasured?: string;
  /** The assertion's `metric` label, when it has one. */
  metric?: string;
}

/** A case's outcome in one run. */
export interface CaseResult {
  caseId: string;
  /** `unmeasured`: the target or a graded scorer failed; never counted as pass or fail. */
  status: 'pass' | 'fail' | 'unmeasured';
  /** Weighted score in [0, 1]; absent when unmeasured. */
  score?: number;
  assertions: AssertionResult[];
  output?: string;
  expected?: string;
  error?: { kind: string; message: string };
  latencyMs?: number;
  tokens?: { input?: number; output?: number };
  costUsd?: number;
  /** Re-run outcomes of a flipped case (confirm-on-retry), in order. */
  retries?: Array<'pass' | 'fail' | 'unmeasured'>;
}
