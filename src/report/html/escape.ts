/**
 * Escaping for the HTML report. Captures are untrusted user text (prompts, responses, routes,
 * model names, request ids): every string that reaches the page goes through one of these.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Escapes text for an HTML element body or a quoted attribute value. Non-strings are stringified;
 * `null`/`undefined` become the empty string. Lone surrogates are replaced (they are not text).
 *
 * @example
 * escapeHtml('<img src=x onerror=alert(1)>'); // '&lt;img src=x onerror=alert(1)&gt;'
 */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : String(value);
  return s.replace(LONE_SURROGATE, '\uFFFD').replace(/[&<>"']/g, (c) => HTML[c] as string);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the JavaScript line
 * separators are written as `\u` escapes, so no value can close the script element
 * (`</script>`) or open a comment (`<!--`), whatever a capture contains.
 *
 * @example
 * scriptJson({ a: '</script><script>alert(1)</script>' }); // '{"a":"\\u003c/script\\u003e…"}'
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * An `href` that is safe to put in the page: `http:`, `https:` and `#fragment` links only (no
 * `javascript:`, `data:` or relative paths from untrusted finding links). `undefined` when not.
 *
 * @example
 * safeHref('https://logs.example.com/?q=a'); // 'https://logs.example.com/?q=a'
 * safeHref('javascript:alert(1)'); // undefined
 */
export function safeHref(url: string): string | undefined {
  const u = url.trim();
  if (u.startsWith('#')) return u;
  try {
    const parsed = new URL(u);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
