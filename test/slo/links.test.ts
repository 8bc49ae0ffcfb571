import { describe, expect, it } from 'vitest';
import { fillLinks } from '../../src/slo/links.ts';

describe('fillLinks', () => {
  it('fills route, window and request_ids, URL-encoded', () => {
    const from = Date.UTC(2026, 2, 2, 13);
    const links = fillLinks([{ label: 'logs', url: 'https://logs.example/?r={route}&from={from}&to={to}&ids={request_ids}' }], { route: 'chat v2', from, to: from + 3_600_000, ids: ['a', 'b'] });
    expect(links).toEqual([{ label: 'logs', url: 'https://logs.example/?r=chat%20v2&from=2026-03-02T13%3A00%3A00.000Z&to=2026-03-02T14%3A00%3A00.000Z&ids=a%2Cb' }]);
    expect(fillLinks(undefined, { route: '*', from, to: from, ids: [] })).toEqual([]);
  });
});
