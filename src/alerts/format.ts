import { createHash } from 'node:crypto';

/**
 * A Slack date token: each reader sees the time in their own zone; the fallback (ISO, UTC) is
 * what clients without date support and the console sink show.
 *
 * @example
 * slackDate(Date.parse('2026-11-23T14:00:00Z')); // '<!date^1795446000^{date_short_pretty} {time}|2026-11-23T14:00Z>'
 */
export function slackDate(ms: number, format = '{date_short_pretty} {time}'): string {
  const fallback = `${new Date(ms).toISOString().slice(0, 16)}Z`;
  return `<!date^${Math.floor(ms / 1000)}^${format}|${fallback}>`;
}

/**
 * Replaces Slack date tokens by their fallback text, for the console/file sink.
 *
 * @example
 * plainDates('since <!date^1795446000^{time}|2026-11-23T14:00Z>'); // 'since 2026-11-23T14:00Z'
 */
export function plainDates(text: string): string {
  return text.replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1');
}

/**
 * A short human duration.
 *
 * @example
 * humanDuration(5_400_000); // '1h 30m'
 */
export function humanDuration(ms: number): string {
  const m = Math.round(Math.max(0, ms) / 60_000);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/**
 * Escapes the three characters Slack's mrkdwn treats as control characters.
 *
 * @example
 * escapeMrkdwn('a < b & c'); // 'a &lt; b &amp; c'
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The inverse of {@link escapeMrkdwn}, for places that are not Slack (a terminal).
 *
 * @example
 * unescapeMrkdwn('a &lt; b &amp; c'); // 'a < b & c'
 */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Cuts text to at most `max` characters (code points are never split), marking the cut with `…`.
 *
 * @example
 * truncate('abcdef', 4); // 'abc…'
 */
export function truncate(input: string, max: number): string {
  const text = wellFormed(input);
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  // Never leave half a surrogate pair: Slack rejects invalid UTF-16 as invalid_blocks.
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * A short stable hex hash, for ids and store keys.
 *
 * @example
 * shortHash('drift|chat'); // 'b0c1…' (12 hex chars)
 */
export function shortHash(text: string, length = 12): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * A compact UTC stamp safe in ids: `20261123T140000Z`.
 *
 * @example
 * compactStamp(Date.parse('2026-11-23T14:00:00Z')); // '20261123T140000Z'
 */
export function compactStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Formats a number for a person: few significant digits, thousands separators.
 *
 * @example
 * formatNumber(31204.5); // '31,205'
 * formatNumber(0.01234); // '0.0123'
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && a < 1e-3) return v.toExponential(1);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(3)));
}

/**
 * Replaces lone UTF-16 surrogates (from a producer that cut a string mid-emoji) with U+FFFD:
 * Slack rejects them and `encodeURIComponent` throws on them.
 *
 * @example
 * wellFormed('ok \uD83D'); // 'ok \uFFFD'
 */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
