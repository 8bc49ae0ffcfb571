/**
 * Error classes of the judge. Each carries a stable `code` so callers (the queue processors, the
 * CLI, the report) branch on it rather than on message text.
 */

/** A rubric file that does not parse or validate. `file` and `key` say where. */
export class RubricError extends Error {
  readonly code = 'RUBRIC_INVALID';
  constructor(
    readonly file: string,
    readonly key: string,
    readonly detail: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${key ? `${key}: ` : ''}${detail}`);
    this.name = 'RubricError';
  }
}

/**
 * The judge endpoint refuses this run as a whole (401, 403, unknown model, exhausted quota): no
 * retry can help, so the run stops judging and raises one `judge.unavailable` finding.
 */
export class JudgeUnavailableError extends Error {
  readonly code = 'JUDGE_UNAVAILABLE';
  constructor(
    /** `auth` | `forbidden` | `model_not_found` | `insufficient_quota` | `endpoint_not_found`. */
    readonly reason: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'JudgeUnavailableError';
  }
}

/** The judge configuration cannot work (e.g. no API key for a remote endpoint). */
export class JudgeConfigError extends Error {
  readonly code = 'JUDGE_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'JudgeConfigError';
  }
}
