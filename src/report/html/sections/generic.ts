import { escapeHtml } from '../escape.ts';

/**
 * A section no renderer knows (a new pipeline, a newer report): its JSON, collapsed and escaped,
 * so nothing in the report is hidden from the page.
 *
 * @example
 * html += genericSection('experimental', report.sections.experimental);
 */
export function genericSection(name: string, value: unknown): string {
  const json = JSON.stringify(value, null, 2) ?? 'null';
  const shown = json.length > 200_000 ? `${json.slice(0, 200_000)}\n… (${json.length - 200_000} more characters in report.json)` : json;
  return `<details><summary>${escapeHtml(name)} (raw)</summary><pre>${escapeHtml(shown)}</pre></details>`;
}
