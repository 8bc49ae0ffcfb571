import type { CaptureRecord } from '../captures/record.ts';

/**
 * Text helpers for the per-record features: prompt text from either a string or a chat messages
 * array, and the dominant writing system of a text.
 */

/** Scripts the language-mix feature distinguishes. `none`: the text has no letters. */
export const scriptLabels = [
  'latin',
  'cyrillic',
  'greek',
  'arabic',
  'hebrew',
  'devanagari',
  'cjk',
  'hangul',
  'kana',
  'other',
  'none',
] as const;
export type ScriptLabel = (typeof scriptLabels)[number];

// One alternation with a capture group per script: a single pass over the text, in C++.
const SCRIPT_RE =
  /(\p{Script=Latin})|(\p{Script=Cyrillic})|(\p{Script=Greek})|(\p{Script=Arabic})|(\p{Script=Hebrew})|(\p{Script=Devanagari})|(\p{Script=Han})|(\p{Script=Hangul})|(\p{Script=Hiragana}|\p{Script=Katakana})|(\p{L})/gu;

// ASCII plus Latin-1 and Latin Extended-A/B letters (German, Spanish, French, Polish…).
const LATIN_ONLY_RE = /^[\x00-\u024f\u2000-\u206f]*$/;

/**
 * Only the head of a text is classified: the dominant script of a prompt is settled within its
 * first few thousand characters, and scanning megabyte prompts would dominate the feature cost.
 */
export const SCRIPT_SAMPLE_CHARS = 2_000;

/**
 * The dominant script of a text (by letter count over its first {@link SCRIPT_SAMPLE_CHARS}
 * characters). Japanese mixes Han and kana: a text with at least 10% kana letters is `kana`,
 * so Japanese and Chinese traffic stay apart.
 *
 * @example
 * dominantScript('Привет, как дела?'); // 'cyrillic'
 * dominantScript('今日はいい天気ですね'); // 'kana'
 * dominantScript('12 + 30 = 42'); // 'none'
 */
export function dominantScript(text: string): ScriptLabel {
  const head = text.length > SCRIPT_SAMPLE_CHARS ? text.slice(0, SCRIPT_SAMPLE_CHARS) : text;
  // Most traffic is Latin-script: answer it without the per-letter Unicode scan.
  if (LATIN_ONLY_RE.test(head)) return /[A-Za-z\u00c0-\u024f]/.test(head) ? 'latin' : 'none';
  const counts = new Array<number>(10).fill(0);
  let letters = 0;
  SCRIPT_RE.lastIndex = 0;
  for (let m = SCRIPT_RE.exec(head); m !== null; m = SCRIPT_RE.exec(head)) {
    for (let g = 1; g <= 10; g++) {
      if (m[g] !== undefined) {
        counts[g - 1] = (counts[g - 1] ?? 0) + 1;
        break;
      }
    }
    letters++;
  }
  if (letters === 0) return 'none';
  if ((counts[8] ?? 0) >= 0.1 * letters) return 'kana';
  let best = 0;
  for (let i = 1; i < 10; i++) if ((counts[i] ?? 0) > (counts[best] ?? 0)) best = i;
  return scriptLabels[best] as ScriptLabel;
}

/**
 * The text of a prompt: the string itself, or the text content of every chat message joined by
 * newlines (multimodal parts contribute their `text` fields only). `undefined` when absent.
 *
 * @example
 * promptText({ prompt: [{ role: 'user', content: 'hi' }] } as CaptureRecord); // 'hi'
 */
export function promptText(record: Pick<CaptureRecord, 'prompt'>): string | undefined {
  const p = record.prompt;
  if (p === undefined) return undefined;
  if (typeof p === 'string') return p;
  const parts: string[] = [];
  for (const msg of p) {
    const c = msg.content;
    if (typeof c === 'string') parts.push(c);
    else if (Array.isArray(c)) {
      for (const part of c) {
        if (part !== null && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
          parts.push((part as { text: string }).text);
        }
      }
    }
  }
  return parts.join('\n');
}
