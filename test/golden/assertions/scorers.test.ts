import { describe, expect, it } from 'vitest';
import { ASSERTIONS, parseType, scoreCase } from '../../../src/golden/assertions/index.ts';
import type { GoldenAssertion, TargetOutput } from '../../../src/golden/types.ts';
import { mkCase, now } from './helpers.ts';

/** Scores one assertion on an output and returns its result. */
async function one(a: GoldenAssertion, out: string | TargetOutput, extra: Parameters<typeof mkCase>[1] = {}) {
  const o = typeof out === 'string' ? { output: out } : out;
  const r = await scoreCase(mkCase([a], extra), o, { now });
  expect(r.assertions).toHaveLength(1);
  return r.assertions[0]!;
}

async function passes(a: GoldenAssertion, out: string | TargetOutput, extra: Parameters<typeof mkCase>[1] = {}): Promise<boolean> {
  const r = await one(a, out, extra);
  expect(r.unmeasured, r.reason).toBeUndefined();
  return r.pass;
}

/** [assertion, output, expected pass] — each row is also checked negated. */
const table: Array<[GoldenAssertion, string, boolean]> = [
  [{ type: 'equals', value: 'Paris' }, 'Paris', true],
  [{ type: 'equals', value: 'Paris' }, 'paris', false],
  [{ type: 'equals', value: { a: 1, b: [1, 2] } }, '{"b":[1,2],"a":1}', true],
  [{ type: 'equals', value: { a: 1 } }, 'not json', false],
  [{ type: 'contains', value: 'cat' }, 'the cat sat', true],
  [{ type: 'contains', value: 'Cat' }, 'the cat sat', false],
  [{ type: 'contains', value: 42 }, 'answer: 42', true],
  [{ type: 'icontains', value: 'CAT' }, 'the cat sat', true],
  [{ type: 'icontains', value: 'dog' }, 'the cat sat', false],
  [{ type: 'contains-any', value: ['dog', 'cat'] }, 'the cat sat', true],
  [{ type: 'contains-any', value: 'dog, "bird, fish"' }, 'a bird, fish', true],
  [{ type: 'contains-any', value: ['dog', 'Cat'] }, 'the cat sat', false],
  [{ type: 'contains-all', value: ['cat', 'sat'] }, 'the cat sat', true],
  [{ type: 'contains-all', value: 'cat, mat' }, 'the cat sat', false],
  [{ type: 'icontains-any', value: ['DOG', 'CAT'] }, 'the cat sat', true],
  [{ type: 'icontains-any', value: 'dog,bird' }, 'the cat sat', false],
  [{ type: 'icontains-all', value: ['THE', 'SAT'] }, 'the cat sat', true],
  [{ type: 'icontains-all', value: ['THE', 'MAT'] }, 'the cat sat', false],
  [{ type: 'starts-with', value: 'The' }, 'The cat', true],
  [{ type: 'starts-with', value: 'cat' }, 'The cat', false],
  [{ type: 'regex', value: '^\\d{3}-\\d{4}$' }, '555-1234', true],
  [{ type: 'regex', value: '^\\d{3}$' }, '5555', false],
  [{ type: 'is-json' }, '{"a": 1}', true],
  [{ type: 'is-json' }, '{a: 1}', false],
  [{ type: 'is-json', value: { type: 'object', required: ['a'] } }, '{"a": 1}', true],
  [{ type: 'is-json', value: 'type: object\nrequired: [b]' }, '{"a": 1}', false],
  [{ type: 'is-json', value: { type: 'string', format: 'email' } }, '"x@example.com"', true],
  [{ type: 'contains-json' }, 'Here: ```json\n{"a": {"b": "}"}}\n```', true],
  [{ type: 'contains-json' }, 'no json [1, 2] here', false],
  [{ type: 'contains-json', value: { required: ['c'] } }, 'x {"a": 1} y {"c": 2}', true],
  [{ type: 'contains-json', value: { required: ['d'] } }, 'x {"a": 1} y {"c": 2}', false],
  [{ type: 'levenshtein', value: 'kitten', threshold: 0.5 }, 'sitting', true], // ratio 0.571
  [{ type: 'levenshtein', value: 'kitten', threshold: 0.6 }, 'sitting', false],
  [{ type: 'levenshtein', value: 'kitten', threshold: 3 }, 'sitting', true], // distance 3 ≤ 3
  [{ type: 'levenshtein', value: 'kitten', threshold: 2 }, 'sitting', false],
  [{ type: 'f1', value: 'a cat sat down' }, 'the cat sat', true], // 0.571 ≥ 0.5
  [{ type: 'f1', value: 'a cat sat down', threshold: 0.6 }, 'the cat sat', false],
  [{ type: 'rouge-l', value: 'police kill the gunman' }, 'police killed the gunman', true], // 0.75
  [{ type: 'rouge-l', value: 'police kill the gunman', threshold: 0.8 }, 'police killed the gunman', false],
  [{ type: 'rouge-n', value: 'the cat sat' }, 'the cat', false], // 0.667 < 0.75
  [{ type: 'rouge-n', value: 'the cat sat' }, 'yes the cat sat', true],
];

describe('deterministic scorers', () => {
  it.each(table)('%j on %j → %s, and not- flips it', async (a, output, expected) => {
    expect(await passes(a, output)).toBe(expected);
    const neg = await one({ ...a, type: `not-${a.type}` }, output);
    expect(neg.pass).toBe(!expected);
    const pos = await one(a, output);
    expect(neg.score).toBeCloseTo(1 - (pos.score as number), 12);
    expect(neg.reason.startsWith('not: ')).toBe(true);
  });

  it('covers every assertion type of the catalog in this file or the graded tests', () => {
    const here = new Set(table.map(([a]) => a.type));
    const elsewhere = ['latency', 'max-latency', 'max-tokens', 'cost', 'similar', 'llm-rubric', 'factuality'];
    for (const t of Object.keys(ASSERTIONS)) expect(here.has(t) || elsewhere.includes(t), t).toBe(true);
  });

  it('reference types default to the case expected', async () => {
    expect(await passes({ type: 'equals' }, 'Paris', { expected: 'Paris' })).toBe(true);
    expect(await passes({ type: 'f1' }, 'Paris is the capital', { expected: 'the capital is Paris' })).toBe(true);
    expect(await passes({ type: 'levenshtein' }, 'Pariss', { expected: 'Paris' })).toBe(true);
    const r = await one({ type: 'rouge-l' }, 'x');
    expect(r.unmeasured).toBe('no_reference');
  });

  it('a list of references scores against the best one', async () => {
    const r = await one({ type: 'f1', value: ['completely different words', 'the cat sat'] }, 'the cat sat');
    expect(r.score).toBe(1);
    expect(r.pass).toBe(true);
  });

  it('graded scorers report their score, not 0/1', async () => {
    const r = await one({ type: 'levenshtein', value: 'kitten' }, 'sitting');
    expect(r.score).toBeCloseTo(4 / 7, 12);
    expect(r.pass).toBe(false); // default threshold 0.8
    expect(r.reason).toContain('0.57');
  });
});

describe('normalizers', () => {
  it('equals with case, whitespace, punctuation and numbers', async () => {
    const a = (normalize: string[], value: string): GoldenAssertion => ({ type: 'equals', value, normalize });
    expect(await passes(a(['case'], 'PARIS'), 'paris')).toBe(true);
    expect(await passes(a(['whitespace'], 'New  York'), '  New York\n')).toBe(true);
    expect(await passes(a(['whitespace'], 'New York'), 'NewYork')).toBe(false);
    expect(await passes(a(['punctuation'], 'Hello, world!'), 'Hello world')).toBe(true);
    expect(await passes(a(['punctuation'], 'pi is 3.14'), 'pi is 314')).toBe(false); // decimal point kept
    expect(await passes(a(['numbers'], '1000.5'), '1,000.50')).toBe(true);
    expect(await passes(a(['numbers'], '7'), '+007')).toBe(true);
    expect(await passes(a(['numbers'], '12345678901234567890'), '12,345,678,901,234,567,890')).toBe(true); // no float rounding
    expect(await passes(a(['numbers'], '1000'), '1001')).toBe(false);
    expect(await passes(a(['case', 'whitespace', 'punctuation', 'numbers'], 'the total is 1000.5'), '  The total is: 1,000.50!  ')).toBe(true);
  });

  it('apply to contains and starts-with, on both sides', async () => {
    expect(await passes({ type: 'contains', value: 'TOTAL 1000', normalize: ['case', 'numbers', 'punctuation'] }, 'Total: 1,000.')).toBe(true);
    expect(await passes({ type: 'starts-with', value: 'yes', normalize: ['case', 'whitespace'] }, '   YES, we do')).toBe(true);
  });
});

describe('latency, tokens, cost', () => {
  const out = { output: 'x', latencyMs: 1200, tokens: { input: 50, output: 300 }, costUsd: 0.004 };
  it.each([
    [{ type: 'latency', threshold: 1500 }, true],
    [{ type: 'latency', threshold: 1000 }, false],
    [{ type: 'max-latency', threshold: 1200 }, true],
    [{ type: 'max-tokens', threshold: 300 }, true],
    [{ type: 'max-tokens', threshold: 299 }, false],
    [{ type: 'cost', threshold: 0.005 }, true],
    [{ type: 'cost', threshold: 0.001 }, false],
    [{ type: 'not-latency', threshold: 1000 }, true],
  ] as Array<[GoldenAssertion, boolean]>)('%j → %s', async (a, expected) => {
    expect(await passes(a, out)).toBe(expected);
  });

  it('a figure the target did not report is unmeasured, never a pass', async () => {
    for (const type of ['latency', 'max-tokens', 'cost']) {
      const r = await one({ type, threshold: 10 }, 'recorded output, no timing');
      expect(r.unmeasured, type).toBeDefined();
      expect(r.pass).toBe(false);
    }
    const c = await scoreCase(mkCase([{ type: 'latency', threshold: 10 }]), { output: 'x' }, { now });
    expect(c.status).toBe('unmeasured');
    expect(c.score).toBeUndefined();
  });
});

describe('parseType', () => {
  it('splits not- and suggests near misses', () => {
    expect(parseType('not-icontains')).toMatchObject({ base: 'icontains', negated: true });
    expect(parseType('contain')).toBe('unknown assertion "contain" (did you mean "contains"?)');
    expect(parseType('not-contian')).toBe('unknown assertion "not-contian" (did you mean "not-contains"?)');
    expect(parseType('javascript')).toMatch(/not supported/);
    expect(parseType('zzzzzzzz')).toBe('unknown assertion "zzzzzzzz"');
  });
});
