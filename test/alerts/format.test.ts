import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, unescapeMrkdwn } from '../../src/alerts/format.ts';

describe('mrkdwn escaping', () => {
  it('escapes the three control characters and unescapes back to the same text', () => {
    const text = 'p < 0.01 & effect > 2× <@U123> &amp; literal';
    const escaped = escapeMrkdwn(text);
    expect(escaped).toBe('p &lt; 0.01 &amp; effect &gt; 2× &lt;@U123&gt; &amp;amp; literal');
    expect(unescapeMrkdwn(escaped)).toBe(text);
  });
});
