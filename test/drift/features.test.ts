import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import {
  CATEGORICAL_FEATURES,
  createExtractor,
  FEATURES,
  FLAG_FEATURES,
  NUMERIC_FEATURES,
  statusClass,
} from '../../src/drift/features.ts';
import { RefusalPatternError, refusalMatcher } from '../../src/drift/refusal.ts';
import { dominantScript, promptText } from '../../src/drift/text.ts';
import { rec } from './helpers.ts';

const num = (v: ReturnType<ReturnType<typeof createExtractor>>, name: string) =>
  v.numeric[NUMERIC_FEATURES.findIndex((f) => f.name === name)];
const flag = (v: ReturnType<ReturnType<typeof createExtractor>>, name: string) =>
  v.flags[FLAG_FEATURES.findIndex((f) => f.name === name)];
const cat = (v: ReturnType<ReturnType<typeof createExtractor>>, name: string) =>
  v.categorical[CATEGORICAL_FEATURES.findIndex((f) => f.name === name)];

describe('feature table', () => {
  it('has unique names and every kind', () => {
    const names = FEATURES.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(NUMERIC_FEATURES.length).toBeGreaterThanOrEqual(8);
    expect(FLAG_FEATURES.some((f) => f.name === 'missing.cost_usd')).toBe(true);
  });
});

describe('refusal patterns', () => {
  const isRefusal = refusalMatcher();
  it.each([
    "I'm sorry, but I can't help with that request.",
    'I’m sorry, but that is not something I can do.',
    'I cannot assist with creating malware.',
    'As an AI language model, I do not have opinions.',
    "I can't help with that.",
    'i am unable to provide legal advice',
    'Es tut mir leid, aber dabei kann ich nicht helfen.',
    'Lo siento, pero no puedo ayudar con eso.',
    'Извините, но я не могу с этим помочь.',
    '申し訳ありませんが、それについてはお手伝いできません。',
    'عذرًا، لا أستطيع المساعدة في ذلك.',
  ])('matches %s', (text) => expect(isRefusal(text)).toBe(true));
  it.each(['Sure! Here is the invoice total: $420.', 'The AI team can help with that tomorrow.'])('does not match %s', (text) =>
    expect(isRefusal(text)).toBe(false),
  );
  it('ignores phrases deep inside a long answer', () => {
    expect(isRefusal(`${'Here is a long helpful answer. '.repeat(30)} As an AI, I note…`)).toBe(false);
  });
  it('custom patterns replace the defaults; an invalid one names its index', () => {
    expect(refusalMatcher(['^nope\\b'])('Nope.')).toBe(true);
    expect(refusalMatcher(['^nope\\b'])("I'm sorry, but no")).toBe(false);
    expect(() => refusalMatcher(['ok', '(unclosed'])).toThrow(RefusalPatternError);
    expect(() => refusalMatcher(['ok', '(unclosed'])).toThrow(/drift\.refusalPatterns\[1\]/);
  });
});

describe('script detection', () => {
  it.each([
    ['How do I pay my invoice?', 'latin'],
    ['Как мне оплатить счёт?', 'cyrillic'],
    ['Πώς πληρώνω;', 'greek'],
    ['كيف أدفع الفاتورة؟', 'arabic'],
    ['איך אני משלם?', 'hebrew'],
    ['मैं भुगतान कैसे करूं?', 'devanagari'],
    ['我如何支付发票？', 'cjk'],
    ['請求書の支払い方法を教えてください', 'kana'],
    ['청구서를 어떻게 결제하나요?', 'hangul'],
    ['12345 + 42 = ?', 'none'],
    ['ሰላም ነው', 'other'],
  ])('%s → %s', (text, script) => expect(dominantScript(text)).toBe(script));

  it('reads chat message arrays, including multimodal text parts', () => {
    expect(
      promptText({
        prompt: [
          { role: 'system', content: 'You are helpful.' },
          { role: 'user', content: [{ type: 'text', text: 'Привет' }, { type: 'image_url', image_url: {} }] },
        ],
      }),
    ).toBe('You are helpful.\nПривет');
  });
});

describe('createExtractor', () => {
  const config = configSchema.parse({ routes: { extract: { json: true } } });
  const extract = createExtractor(config);

  it('extracts numeric, flag and categorical features', () => {
    const v = extract(
      rec({
        prompt: 'Как оплатить?',
        response: "I'm sorry, but I can't help with that.",
        input_tokens: 10,
        output_tokens: 50,
        latency_total_ms: 1500,
        latency_to_first_token_ms: 500,
        cost_usd: 0.001,
        downstream_status: 503,
        context: ['doc'],
      }),
    );
    expect(num(v, 'prompt_chars')).toBe(13);
    expect(num(v, 'output_tokens_per_s')).toBeCloseTo(50, 10);
    expect(num(v, 'cost_usd')).toBe(0.001);
    expect(flag(v, 'refusal')).toBe(1);
    expect(flag(v, 'has_context')).toBe(1);
    expect(flag(v, 'server_error')).toBe(1);
    expect(cat(v, 'prompt_script')).toBe('cyrillic');
    expect(cat(v, 'status_class')).toBe('5xx');
    expect(flag(v, 'json_valid')).toBe(-1); // not a JSON route
  });

  it('marks absent fields missing, never zero', () => {
    const v = extract(rec({}));
    expect(Number.isNaN(num(v, 'cost_usd') as number)).toBe(true);
    expect(Number.isNaN(num(v, 'output_tokens') as number)).toBe(true);
    expect(flag(v, 'missing.cost_usd')).toBe(1);
    expect(flag(v, 'missing.response')).toBe(1);
    expect(flag(v, 'refusal')).toBe(-1);
    expect(flag(v, 'empty_response')).toBe(-1);
    expect(cat(v, 'prompt_script')).toBeUndefined();
    expect(flag(v, 'has_context')).toBe(0);
  });

  it('checks JSON parsing on JSON routes only (fenced blocks accepted)', () => {
    expect(flag(extract(rec({ route: 'extract', response: '{"a":1}' })), 'json_valid')).toBe(1);
    expect(flag(extract(rec({ route: 'extract', response: '```json\n{"a":1}\n```' })), 'json_valid')).toBe(1);
    expect(flag(extract(rec({ route: 'extract', response: '{"a":1' })), 'json_valid')).toBe(0);
    expect(flag(extract(rec({ route: 'answer', response: '{"a":1' })), 'json_valid')).toBe(-1);
  });

  it('status classes and empty responses', () => {
    expect(statusClass('200')).toBe('2xx');
    expect(statusClass('429')).toBe('4xx');
    expect(statusClass('ok')).toBe('2xx');
    expect(statusClass('timeout')).toBe('other');
    expect(flag(extract(rec({ response: '   ' })), 'empty_response')).toBe(1);
    expect(flag(extract(rec({ schema_validated: false })), 'schema_valid')).toBe(0);
    expect(flag(extract(rec({ schema_validated: null })), 'missing.schema_validated')).toBe(1);
  });
});
