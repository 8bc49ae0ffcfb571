/** Languages (and scripts) the synthetic users write in. */
export const LANGUAGES = ['en', 'de', 'es', 'ru', 'ja', 'ar'] as const;

export type Language = (typeof LANGUAGES)[number];

/**
 * Baseline language mix of user messages: mostly English, a small share of German, Spanish,
 * Russian (Cyrillic), Japanese and Arabic so that scripts other than Latin appear in every window.
 *
 * @example
 * BASELINE_LANGUAGE_MIX.en; // 0.94
 */
export const BASELINE_LANGUAGE_MIX: Readonly<Record<Language, number>> = Object.freeze({
  en: 0.94,
  de: 0.015,
  es: 0.02,
  ru: 0.01,
  ja: 0.01,
  ar: 0.005,
});

/**
 * True when `value` names a supported language.
 *
 * @example
 * isLanguage('es'); // true
 */
export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}
