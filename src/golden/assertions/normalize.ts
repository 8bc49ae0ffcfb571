/**
 * Named normalizers for text comparisons (`normalize: [case, whitespace, punctuation, numbers]`)
 * and the tokenizer of the overlap scores (`f1`, `rouge-l`, `rouge-n`). Both sides of a
 * comparison go through the same steps, always in the same order, whatever order the suite lists
 * them in: numbers → case → punctuation → whitespace (numbers first, so `1,000.50` is read as one
 * number before punctuation would split it).
 */

export const NORMALIZERS = ['case', 'whitespace', 'punctuation', 'numbers'] as const;
export type Normalizer = (typeof NORMALIZERS)[number];

const NUMBER = /[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?/g;
// A `.` or `,` between digits is part of a number (`3.5`, `1,000`), not punctuation.
const PUNCT = /[^\P{P}.,]|(?<!\d)[.,]|[.,](?!\d)/gu;
const SPACE = /\s+/g;

/**
 * Applies the named normalizers.
 *
 * - `case`: lower case (locale-independent).
 * - `whitespace`: trims and collapses every run of whitespace to one space.
 * - `punctuation`: removes Unicode punctuation (`\p{P}`: `.,;:!?'"()-…` and their non-ASCII forms),
 *   except a `.` or `,` between two digits.
 * - `numbers`: writes numbers canonically: thousands separators, a leading `+`, leading zeros and
 *   trailing fractional zeros go (`+1,000.50` → `1000.5`, `007` → `7`, `-0.0` → `0`).
 *
 * @example
 * normalizeText('  The answer is 1,000.50! ', ['case', 'punctuation', 'numbers', 'whitespace']); // 'the answer is 1000.5'
 */
export function normalizeText(text: string, names: readonly string[] | undefined): string {
  if (!names || names.length === 0) return text;
  let s = text;
  if (names.includes('numbers')) s = s.replace(NUMBER, canonicalNumber);
  if (names.includes('case')) s = s.toLowerCase();
  if (names.includes('punctuation')) s = s.replace(PUNCT, '');
  if (names.includes('whitespace')) s = s.replace(SPACE, ' ').trim();
  return s;
}

/**
 * One number literal written canonically, digit by digit (never through a float, so long
 * integers keep every digit).
 *
 * @example
 * canonicalNumber('+0012,345.6700'); // '12345.67'
 */
export function canonicalNumber(literal: string): string {
  let s = literal.replace(/,/g, '');
  let sign = '';
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? '-' : '';
    s = s.slice(1);
  }
  let [int = '', frac = ''] = s.split('.');
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return body === '0' ? '0' : sign + body;
}

// CJK scripts do not put spaces between words: each ideograph or kana is its own token.
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{N}\p{M}])+/gu;

/**
 * The tokens of the overlap scores: lower-cased runs of letters, digits and combining marks
 * (Unicode-aware, so `café` is one token); everything else (spaces, punctuation, symbols)
 * separates tokens; each Han/Hiragana/Katakana character is a token of its own.
 *
 * @example
 * tokenize("The cat's café, 2 times!"); // ['the', 'cat', 's', 'café', '2', 'times']
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}
