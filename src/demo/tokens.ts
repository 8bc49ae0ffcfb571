/**
 * Token counts that behave like a BPE tokenizer's without shipping one: about four characters per
 * token for Latin text, fewer for Cyrillic and Arabic (their words split into more pieces), about
 * one per character for Japanese/Chinese. Close enough that `input_tokens` and the text length in a
 * synthetic record agree the way they do in real captures.
 */

/**
 * Fractional token cost of one UTF-16 code unit.
 *
 * @example
 * tokenWeight('a'.charCodeAt(0)); // 0.25
 */
export function tokenWeight(code: number): number {
  if (code < 0x0400) return 0.25; // ASCII, Latin-1, Latin Extended, IPA, Greek
  if (code < 0x0530) return 0.4; // Cyrillic
  if (code >= 0x0600 && code < 0x0700) return 0.4; // Arabic
  if (code >= 0x3000 && code < 0xa000) return 1; // CJK punctuation, kana, CJK ideographs
  if (code >= 0xff00 && code < 0xfff0) return 1; // full-width forms
  return 0.5;
}

/**
 * Estimated token count of a text (at least 1 for a non-empty text, 0 for an empty one).
 *
 * @example
 * estimateTokens('How do I rotate my API key?'); // 7
 * estimateTokens('請求書'); // 3
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.max(1, Math.round(tokenCost(text)));
}

/**
 * The unrounded token cost of a text, for summing pieces before rounding once.
 *
 * @example
 * tokenCost('abcd'); // 1
 */
export function tokenCost(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += tokenWeight(text.charCodeAt(i));
  return sum;
}
