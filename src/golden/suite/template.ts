/**
 * The template subset of golden suites, nunjucks-like so promptfoo prompts keep working:
 * `{{ name }}`, dotted and indexed paths (`{{ user.name }}`, `{{ items[0] }}`), filters
 * `trim`, `lower`, `upper`, `dump` / `json` (JSON text), chained with `|`, and `{# comments #}`.
 * Control tags (`{% if %}`, `{% for %}`) are not supported and say so. A variable that is not
 * defined is an error — promptfoo renders it as an empty string, which silently tests a
 * different prompt.
 */

/** A template that cannot be rendered: an undefined variable, a bad expression or a control tag. */
export class TemplateError extends Error {
  readonly code = 'TEMPLATE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const EXPR = /\{\{-?\s*([\s\S]*?)\s*-?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;
const PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\[(?:"[^"]*"|'[^']*')\])*$/;
const FILTERS = new Set(['trim', 'lower', 'upper', 'dump', 'json']);

/**
 * Whether a string holds template syntax at all (plain text is returned as is, quickly).
 *
 * @example
 * hasTemplate('Hello {{ name }}'); // true
 */
export function hasTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%') || text.includes('{#');
}

/**
 * Renders `{{ … }}` expressions with `vars`. Objects and lists render as JSON (like `dump`),
 * numbers and booleans as text.
 *
 * @throws {TemplateError} for an undefined variable, an unknown filter or a `{% … %}` tag.
 * @example
 * renderTemplate('Capital of {{ country | upper }}?', { country: 'France' }); // 'Capital of FRANCE?'
 */
export function renderTemplate(text: string, vars: Record<string, unknown>): string {
  if (!hasTemplate(text)) return text;
  return text.replace(EXPR, (whole: string, expr: string | undefined) => {
    if (whole.startsWith('{#')) return '';
    if (whole.startsWith('{%')) {
      throw new TemplateError(`template tag ${whole.slice(0, 40)} is not supported (only {{ variables }} with filters trim, lower, upper, dump)`);
    }
    const [head = '', ...filters] = (expr ?? '').split('|').map((s) => s.trim());
    if (!PATH.test(head)) throw new TemplateError(`cannot read {{ ${expr} }}: expected a variable name such as {{ question }} or {{ user.name }}`);
    let value = lookup(vars, head);
    if (value === undefined) {
      const known = Object.keys(vars);
      throw new TemplateError(`undefined variable "${head}" in {{ ${expr} }} (vars: ${known.length ? known.join(', ') : 'none'})`);
    }
    let asJson = false;
    for (const f of filters) {
      if (!FILTERS.has(f)) throw new TemplateError(`unknown filter "${f}" in {{ ${expr} }} (filters: trim, lower, upper, dump)`);
      if (f === 'dump' || f === 'json') {
        value = JSON.stringify(value);
        asJson = true;
      } else {
        const s = toText(value);
        value = f === 'trim' ? s.trim() : f === 'lower' ? s.toLowerCase() : s.toUpperCase();
      }
    }
    return asJson ? String(value) : toText(value);
  });
}

function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function lookup(vars: Record<string, unknown>, path: string): unknown {
  const parts = path.match(/[A-Za-z_$][\w$]*|\[\d+\]|\[(?:"[^"]*"|'[^']*')\]/g) ?? [];
  let v: unknown = vars;
  for (const raw of parts) {
    if (v === null || v === undefined || typeof v !== 'object') return undefined;
    const key = raw.startsWith('[') ? raw.slice(1, -1).replace(/^["']|["']$/g, '') : raw;
    if (!Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
