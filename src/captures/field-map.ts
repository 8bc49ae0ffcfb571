/**
 * Renames a producer's field names to the capture contract's (DESIGN §3) before validation.
 *
 * Rules (tested in `test/captures/field-map.test.ts`):
 * - A source name is looked up as a literal flat key first (OpenTelemetry attributes are flat:
 *   `{"gen_ai.usage.input_tokens": 12}`), then, when it contains dots, as a nested path
 *   (`{"gen_ai": {"usage": {"input_tokens": 12}}}`).
 * - Our own name wins: when the record already has the target field (any value but `undefined`),
 *   no mapped value replaces it. A producer that writes both has told us what it meant.
 * - `null` and absent source values count as missing, so the next source for the same target is
 *   tried (exporters write `null` for attributes they did not set).
 * - Several sources may map to one target; the first present wins, user entries before defaults,
 *   each group in the order written (so `gen_ai.response.model`, the model that answered, beats
 *   `gen_ai.request.model`, the model that was asked for).
 * - The source field is copied, not moved: it stays on the record as an unknown field. Deleting
 *   keys would push V8 objects into slow dictionary mode for every later pipeline stage.
 * - A user entry mapped to `""` disables the default entry of the same source name.
 */

/**
 * The OpenTelemetry GenAI and HTTP semantic-convention names we understand without configuration.
 * Sources: https://opentelemetry.io/docs/specs/semconv/gen-ai/ (current and deprecated usage names)
 * and the HTTP / service resource conventions.
 */
export const DEFAULT_FIELD_MAP: Readonly<Record<string, string>> = Object.freeze({
  'gen_ai.usage.input_tokens': 'input_tokens',
  'gen_ai.usage.output_tokens': 'output_tokens',
  // Deprecated names (semconv < 1.27) that older instrumentations still emit.
  'gen_ai.usage.prompt_tokens': 'input_tokens',
  'gen_ai.usage.completion_tokens': 'output_tokens',
  'gen_ai.response.model': 'model',
  'gen_ai.request.model': 'model',
  'gen_ai.response.id': 'request_id',
  'http.response.status_code': 'downstream_status',
  'http.status_code': 'downstream_status',
  'service.name': 'service',
});

/** A compiled field map: mutates and returns the record it is given. */
export type FieldMapper = (record: Record<string, unknown>) => Record<string, unknown>;

interface Source {
  readonly flat: string;
  /** Path segments when the name has dots, else `null`. */
  readonly path: readonly string[] | null;
  /** The name exists on `Object.prototype` (`constructor`, `toString`): look up own keys only. */
  readonly inherited: boolean;
}

interface Target {
  readonly name: string;
  readonly sources: readonly Source[];
}

/**
 * Compiles a field map (user entries merged over `DEFAULT_FIELD_MAP`) into one function, so the
 * per-record cost is a few property lookups and no parsing of names.
 *
 * @param user - `config.captures.fieldMap`: `{ "their.name": "our_name" }`; `""` disables a default.
 * @param defaults - The built-in entries; pass `{}` to use only the user's map. Default `DEFAULT_FIELD_MAP`.
 * @example
 * const map = compileFieldMap({ endpoint: 'route', latency_ms: 'latency_total_ms' });
 * map({ endpoint: '/chat', 'gen_ai.usage.input_tokens': 12 });
 * // { endpoint: '/chat', route: '/chat', 'gen_ai.usage.input_tokens': 12, input_tokens: 12 }
 */
export function compileFieldMap(
  user: Readonly<Record<string, string>> = {},
  defaults: Readonly<Record<string, string>> = DEFAULT_FIELD_MAP,
): FieldMapper {
  const entries: [string, string][] = [];
  for (const [from, to] of Object.entries(user)) entries.push([from, to]);
  for (const [from, to] of Object.entries(defaults)) if (!(from in user)) entries.push([from, to]);

  const byTarget = new Map<string, Source[]>();
  for (const [from, to] of entries) {
    if (to === '' || from === '' || from === to) continue;
    const path = from.includes('.') ? from.split('.') : null;
    if (path?.some((p) => p === '')) {
      throw new FieldMapError(`captures.fieldMap: "${from}" has an empty path segment`);
    }
    let list = byTarget.get(to);
    if (!list) byTarget.set(to, (list = []));
    list.push({ flat: from, path, inherited: from in Object.prototype });
  }
  const targets: Target[] = [...byTarget].map(([name, sources]) => ({ name, sources }));
  if (targets.length === 0) return (record) => record;

  return (record) => {
    for (const t of targets) {
      if (record[t.name] !== undefined) continue;
      for (const s of t.sources) {
        let v = s.inherited && !Object.prototype.hasOwnProperty.call(record, s.flat) ? undefined : record[s.flat];
        if ((v === undefined || v === null) && s.path !== null) v = lookupPath(record, s.path);
        if (v !== undefined && v !== null) {
          record[t.name] = v;
          break;
        }
      }
    }
    return record;
  };
}

function lookupPath(record: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = record;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    // Own properties only: a path such as `constructor.name` must not reach the prototype.
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** A field map entry that cannot be compiled. */
export class FieldMapError extends Error {
  readonly code = 'FIELD_MAP_INVALID';
  override readonly name = 'FieldMapError';
}
