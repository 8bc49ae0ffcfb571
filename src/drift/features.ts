import type { CaptureRecord } from '../captures/record.ts';
import type { EvalwatchConfig } from '../config/schema.ts';
import { refusalMatcher } from './refusal.ts';
import { dominantScript, promptText } from './text.ts';

/**
 * The per-record features drift analysis watches, declared in one table. Aggregation, analysis,
 * summaries and reports are all driven by {@link FEATURES}: adding a row here adds a feature
 * everywhere.
 */

export type FeatureGroup = 'input' | 'output' | 'operational' | 'missing' | 'dimension';

/** What every feature extractor sees: the record plus the values several extractors share. */
export interface FeatureInput {
  readonly record: CaptureRecord;
  /** Prompt text (chat messages joined), `undefined` when the record has no prompt. */
  readonly prompt: string | undefined;
  /** Response text, `undefined` when absent or null. */
  readonly response: string | undefined;
  /** The route is configured as a JSON route (`routes[route].json`). */
  readonly jsonRoute: boolean;
  readonly isRefusal: (text: string) => boolean;
}

interface FeatureBase {
  /** Stable name, used as the finding subject and in stored aggregates. */
  readonly name: string;
  /** Words a person reads in a summary: "output tokens". */
  readonly label: string;
  readonly group: FeatureGroup;
  /**
   * Whether drift tests run on the feature. Dimensions (model, prompt template version) are only
   * reported as "what changed" context next to findings.
   */
  readonly tested: boolean;
}

export interface NumericFeature extends FeatureBase {
  readonly kind: 'numeric';
  /** Heavy right tail: sigma windows and effect sizes work on log(1 + x). */
  readonly skewed: boolean;
  /** Unit for summaries, e.g. `tokens`, `ms`, `USD`. */
  readonly unit: string;
  /** The value, or `undefined` when missing or not applicable (NaN and ±Infinity count as missing). */
  readonly extract: (x: FeatureInput) => number | undefined;
}

export interface FlagFeature extends FeatureBase {
  readonly kind: 'flag';
  /** `undefined` when the flag does not apply to the record (e.g. JSON parse on a text route). */
  readonly extract: (x: FeatureInput) => boolean | undefined;
}

export interface CategoricalFeature extends FeatureBase {
  readonly kind: 'categorical';
  readonly extract: (x: FeatureInput) => string | undefined;
}

export type Feature = NumericFeature | FlagFeature | CategoricalFeature;

const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Status class of `downstream_status`: `2xx`, `4xx`, `5xx`, or `other` (1xx, 3xx, and non-HTTP
 * strings such as `timeout` or `ok`; `ok`/`success` count as `2xx`).
 *
 * @example
 * statusClass('503'); // '5xx'
 * statusClass('ok'); // '2xx'
 */
export function statusClass(status: string): '2xx' | '4xx' | '5xx' | 'other' {
  const s = status.trim().toLowerCase();
  if (/^2\d\d$/.test(s) || s === 'ok' || s === 'success') return '2xx';
  if (/^4\d\d$/.test(s)) return '4xx';
  if (/^5\d\d$/.test(s)) return '5xx';
  return 'other';
}

function outputTokensPerSecond(r: CaptureRecord): number | undefined {
  // A cache hit generates nothing: its "speed" (tokens over a few ms) would own the p95.
  if (r.cached === true) return undefined;
  const tokens = finite(r.output_tokens);
  const total = finite(r.latency_total_ms);
  if (tokens === undefined || total === undefined) return undefined;
  const ttft = finite(r.latency_to_first_token_ms);
  // Generation speed excludes the wait for the first token when it is known.
  const genMs = ttft !== undefined && ttft < total ? total - ttft : total;
  return genMs > 0 ? (tokens * 1000) / genMs : undefined;
}

function parsesAsJson(text: string): boolean {
  // Models often wrap JSON in a fenced block; the route contract is about the payload.
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(text);
  try {
    JSON.parse(fenced ? (fenced[1] as string) : text);
    return true;
  } catch {
    return false;
  }
}

const numeric = (
  name: string,
  label: string,
  group: FeatureGroup,
  unit: string,
  skewed: boolean,
  extract: NumericFeature['extract'],
): NumericFeature => ({ kind: 'numeric', name, label, group, unit, skewed, tested: true, extract });
const flag = (name: string, label: string, group: FeatureGroup, extract: FlagFeature['extract']): FlagFeature => ({
  kind: 'flag',
  name,
  label,
  group,
  tested: true,
  extract,
});
const categorical = (
  name: string,
  label: string,
  group: FeatureGroup,
  tested: boolean,
  extract: CategoricalFeature['extract'],
): CategoricalFeature => ({ kind: 'categorical', name, label, group, tested, extract });

/**
 * Capture fields whose absence is itself watched: a producer that stops sending a field (a
 * "missing-field storm") shows as a jump in `missing.<field>`.
 */
export const MISSING_FIELDS = [
  'prompt',
  'response',
  'input_tokens',
  'output_tokens',
  'latency_total_ms',
  'latency_to_first_token_ms',
  'cost_usd',
  'downstream_status',
  'model',
  'prompt_template_version',
  'cached',
  'schema_validated',
] as const satisfies readonly (keyof CaptureRecord)[];

const missingFlags: FlagFeature[] = MISSING_FIELDS.map((field) =>
  flag(`missing.${field}`, `${field} missing`, 'missing', (x) => {
    const v = (x.record as Record<string, unknown>)[field];
    return v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v));
  }),
);

/** Every feature, in report order. */
export const FEATURES: readonly Feature[] = [
  numeric('prompt_chars', 'prompt chars', 'input', 'chars', true, (x) => x.prompt?.length),
  numeric('input_tokens', 'input tokens', 'input', 'tokens', true, (x) => finite(x.record.input_tokens)),
  flag('has_context', 'has-context rate', 'input', (x) => Array.isArray(x.record.context) && x.record.context.length > 0),
  categorical('prompt_script', 'prompt script', 'input', true, (x) => (x.prompt === undefined ? undefined : dominantScript(x.prompt))),
  numeric('response_chars', 'response chars', 'output', 'chars', true, (x) => x.response?.length),
  numeric('output_tokens', 'output tokens', 'output', 'tokens', true, (x) => finite(x.record.output_tokens)),
  flag('refusal', 'refusal rate', 'output', (x) => (x.response === undefined ? undefined : x.isRefusal(x.response))),
  flag('empty_response', 'empty-response rate', 'output', (x) => (x.response === undefined ? undefined : x.response.trim() === '')),
  flag('schema_valid', 'schema-valid rate', 'output', (x) =>
    typeof x.record.schema_validated === 'boolean' ? x.record.schema_validated : undefined,
  ),
  flag('json_valid', 'JSON-parse rate', 'output', (x) =>
    x.jsonRoute && x.response !== undefined ? parsesAsJson(x.response) : undefined,
  ),
  categorical('response_script', 'response script', 'output', true, (x) =>
    x.response === undefined || x.response.trim() === '' ? undefined : dominantScript(x.response),
  ),
  numeric('latency_total_ms', 'total latency', 'operational', 'ms', true, (x) => finite(x.record.latency_total_ms)),
  numeric('ttft_ms', 'TTFT', 'operational', 'ms', true, (x) => finite(x.record.latency_to_first_token_ms)),
  numeric('output_tokens_per_s', 'output tokens/s', 'operational', 'tok/s', true, (x) => outputTokensPerSecond(x.record)),
  // Pricing-table costs arrive in a later issue: until then an absent cost_usd is missing, never 0.
  numeric('cost_usd', 'cost per request', 'operational', 'USD', true, (x) => finite(x.record.cost_usd)),
  flag('cached', 'cache-hit rate', 'operational', (x) => x.record.cached),
  flag('server_error', '5xx rate', 'operational', (x) =>
    x.record.downstream_status === undefined ? undefined : statusClass(String(x.record.downstream_status)) === '5xx',
  ),
  categorical('status_class', 'status class', 'operational', true, (x) =>
    x.record.downstream_status === undefined ? undefined : statusClass(String(x.record.downstream_status)),
  ),
  ...missingFlags,
  categorical('model', 'model', 'dimension', false, (x) => x.record.model),
  categorical('prompt_template_version', 'prompt template', 'dimension', false, (x) => x.record.prompt_template_version),
];

export const NUMERIC_FEATURES = FEATURES.filter((f): f is NumericFeature => f.kind === 'numeric');
export const FLAG_FEATURES = FEATURES.filter((f): f is FlagFeature => f.kind === 'flag');
export const CATEGORICAL_FEATURES = FEATURES.filter((f): f is CategoricalFeature => f.kind === 'categorical');

/** The features of one record, positionally aligned with the `*_FEATURES` tables. */
export interface FeatureVector {
  /** NaN where missing or not applicable. */
  readonly numeric: Float64Array;
  /** 1 true, 0 false, -1 missing or not applicable. */
  readonly flags: Int8Array;
  readonly categorical: (string | undefined)[];
}

/** Options of {@link createExtractor}. */
export interface ExtractorOptions {
  /**
   * Case-insensitive refusal patterns. Default: `config.drift.refusalPatterns`, else
   * `DEFAULT_REFUSAL_PATTERNS`.
   */
  readonly refusalPatterns?: readonly string[];
  /** Routes whose responses must parse as JSON. Default: routes with `json: true` in the config. */
  readonly jsonRoutes?: ReadonlySet<string>;
}

/**
 * Builds the per-record feature extractor from the config (refusal patterns, JSON routes).
 *
 * @throws {RefusalPatternError} when a configured refusal pattern does not compile.
 * @example
 * const extract = createExtractor(config);
 * const v = extract(record);
 * v.numeric[NUMERIC_FEATURES.findIndex((f) => f.name === 'output_tokens')]; // 312
 */
export function createExtractor(
  config: Pick<EvalwatchConfig, 'drift' | 'routes'> | undefined,
  options: ExtractorOptions = {},
): (record: CaptureRecord) => FeatureVector {
  const isRefusal = refusalMatcher(options.refusalPatterns ?? config?.drift.refusalPatterns ?? undefined);
  const jsonRoutes =
    options.jsonRoutes ??
    new Set(Object.entries(config?.routes ?? {}).filter(([, r]) => r.json).map(([name]) => name));
  return (record) => {
    const response = typeof record.response === 'string' ? record.response : undefined;
    const x: FeatureInput = { record, prompt: promptText(record), response, jsonRoute: jsonRoutes.has(record.route), isRefusal };
    const num = new Float64Array(NUMERIC_FEATURES.length);
    NUMERIC_FEATURES.forEach((f, i) => {
      const v = f.extract(x);
      num[i] = v === undefined || !Number.isFinite(v) ? NaN : v;
    });
    const flags = new Int8Array(FLAG_FEATURES.length);
    FLAG_FEATURES.forEach((f, i) => {
      const v = f.extract(x);
      flags[i] = v === undefined ? -1 : v ? 1 : 0;
    });
    const cats = CATEGORICAL_FEATURES.map((f) => f.extract(x));
    return { numeric: num, flags, categorical: cats };
  };
}
