import { escapeHtml } from './escape.ts';

/**
 * A table from rows of already-escaped cell HTML; headers are escaped here.
 *
 * @example
 * table(['route', 'rate'], [[escapeHtml(route), pct(rate)]]);
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], className = ''): string {
  if (rows.length === 0) return '';
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${className ? ` class="${escapeHtml(className)}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * `<dl>` of label → already-escaped value pairs, skipping empty values.
 *
 * @example
 * facts([['window', escapeHtml(w)]]);
 */
export function facts(pairs: readonly (readonly [string, string])[]): string {
  const items = pairs.filter(([, v]) => v !== '').map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${v}</dd></div>`);
  return items.length ? `<dl class="facts">${items.join('')}</dl>` : '';
}
