import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createFileSink } from '../../src/alerts/sink.ts';

describe('console sink', () => {
  it('prints what a terminal reader expects: no Slack entities, no repeated headline', async () => {
    const chunks: string[] = [];
    const out = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } });
    const sink = createFileSink({ console: out, now: () => Date.UTC(2026, 10, 23, 14) });
    const text = 'answer: P(window > baseline) = 0.68 & rising';
    await sink.post({
      channel: '#alerts',
      messageId: 'm1',
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*answer: P(window &gt; baseline) = 0.68 &amp; rising*' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'test `ks` · n = 3 &lt; 5' } },
      ],
    });
    const printed = chunks.join('');
    expect(printed).not.toMatch(/&(gt|lt|amp);/);
    expect(printed).toContain('n = 3 < 5');
    expect(printed.split('P(window > baseline)').length - 1).toBe(1);
  });
});
