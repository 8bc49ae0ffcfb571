import type { GoldenCase } from '../types.ts';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_][\w.]*)\s*\}\}$/;

/** A placeholder names nothing the case has. */
export class TemplateError extends Error {
  readonly code = 'GOLDEN_TEMPLATE';
  override readonly name = 'TemplateError';
}

function lookup(c: Pick<GoldenCase, 'input' | 'vars' | 'id'>, path: string): unknown {
  if (path === 'input') return c.input;
  if (path === 'id') return c.id;
  const parts = path.startsWith('vars.') ? path.slice(5).split('.') : path.split('.');
  let v: unknown = c.vars;
  for (const p of parts) {
    if (v === null || typeof v !== 'object' || !(p in (v as Record<string, unknown>))) {
      throw new TemplateError(`template placeholder {{${path}}}: case "${c.id}" has no ${path.startsWith('vars.') ? path : `var "${path}"`}`);
    }
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Renders a string template: `{{input}}`, `{{id}}`, `{{vars.x}}` or `{{x}}` (a case var, dotted
 * paths allowed). Non-strings are inserted as JSON (chat messages as a JSON array). `encode`
 * escapes each inserted value (e.g. `encodeURIComponent` for a URL). A missing var throws
 * {@link TemplateError}: an empty value would send a wrong request and score it.
 *
 * @example
 * renderString('Q: {{question}}', { id: 'a', input: '', vars: { question: 'why?' } }); // 'Q: why?'
 */
export function renderString(template: string, c: Pick<GoldenCase, 'input' | 'vars' | 'id'>, encode: (s: string) => string = (s) => s): string {
  return template.replace(PLACEHOLDER, (_, path: string) => encode(asText(lookup(c, path))));
}

/**
 * Renders a JSON body template: every string is rendered by {@link renderString}, except a
 * string that is exactly one placeholder, which is replaced by the raw value (so
 * `"messages": "{{input}}"` sends the chat messages as an array and `"n": "{{count}}"` a number).
 *
 * @example
 * renderBody({ q: '{{input}}', meta: { id: '{{id}}' } }, goldenCase); // { q: 'Hi', meta: { id: 'c1' } }
 */
export function renderBody(template: unknown, c: Pick<GoldenCase, 'input' | 'vars' | 'id'>): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    return whole ? lookup(c, whole[1] as string) : renderString(template, c);
  }
  if (Array.isArray(template)) return template.map((t) => renderBody(t, c));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template as Record<string, unknown>).map(([k, v]) => [k, renderBody(v, c)]));
  }
  return template;
}
