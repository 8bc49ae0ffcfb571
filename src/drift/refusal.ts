/**
 * Refusal detection: case-insensitive regular expressions matched against the head of a response.
 */

/**
 * The default refusal patterns. They match the stock phrasings of the major chat models in English
 * and their usual translations; both the ASCII and the typographic apostrophe are accepted. A deployment with its own refusal wording
 * replaces the list with `drift.refusalPatterns`.
 */
export const DEFAULT_REFUSAL_PATTERNS: readonly string[] = [
  "I can(?:no|['’])?t (?:help|assist) with",
  'I cannot (?:help|assist|provide|comply|fulfil)',
  "I can['’]t (?:provide|comply|fulfil)",
  "I(?:['’]m| am) (?:sorry|afraid),? but",
  "I(?:['’]m| am) (?:not able|unable) to (?:help|assist|provide|comply|fulfil|answer)",
  "I won['’]t be able to (?:help|assist)",
  '\\bas an AI\\b',
  'against my (?:guidelines|policies|policy)',
  "I(?:['’]m| am) not (?:allowed|permitted) to",
  // The same stock refusal in the languages production traffic most often carries.
  'Es tut mir leid, aber (?:ich kann|dabei kann ich) (?:nicht|dir nicht)',
  'Lo siento, pero no puedo',
  'D[ée]sol[ée], mais je ne peux pas',
  'Desculpe, mas n[ãa]o posso',
  'Mi dispiace, ma non posso',
  'Извините, но я не могу',
  '申し訳(?:ありません|ございません)が',
  '抱歉，我(?:无法|不能)',
  'عذرًا، لا أستطيع',
];

/**
 * Refusals lead the response; a phrase such as "as an AI" deep inside a long, useful answer is
 * not one. Matching only the head also bounds the cost per record.
 */
export const REFUSAL_HEAD_CHARS = 400;

/** A refusal pattern that is not a valid regular expression. */
export class RefusalPatternError extends Error {
  readonly code = 'DRIFT_REFUSAL_PATTERN';
  constructor(
    readonly index: number,
    readonly pattern: string,
    cause: unknown,
  ) {
    super(`drift.refusalPatterns[${index}]: "${pattern}" is not a valid regular expression (${(cause as Error).message})`);
    this.name = 'RefusalPatternError';
  }
}

/**
 * Compiles refusal patterns into one case-insensitive matcher.
 *
 * @throws {RefusalPatternError} naming the index of the first invalid pattern.
 * @example
 * const isRefusal = refusalMatcher();
 * isRefusal("I'm sorry, but I can't help with that."); // true
 * refusalMatcher(['^nope\\b'])('Nope, not today'); // true
 */
export function refusalMatcher(patterns: readonly string[] = DEFAULT_REFUSAL_PATTERNS): (text: string) => boolean {
  patterns.forEach((p, i) => {
    try {
      new RegExp(p, 'iu');
    } catch (err) {
      throw new RefusalPatternError(i, p, err);
    }
  });
  if (patterns.length === 0) return () => false;
  const re = new RegExp(patterns.map((p) => `(?:${p})`).join('|'), 'iu');
  return (text) => re.test(text.length > REFUSAL_HEAD_CHARS ? text.slice(0, REFUSAL_HEAD_CHARS) : text);
}
