import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfig } from '../../src/config/load.ts';
import { burnRules } from '../../src/slo/slo-config.ts';

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw, 'worker.config.ts');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('slos config', () => {
  it('derives the SRE-workbook factors from budget shares: 14.4x, 6x, 1x over 30 days', () => {
    const rules = burnRules({ period: '30d', alerts: undefined });
    expect(rules.map((r) => [r.name, r.severity, r.factor, r.long, r.short])).toEqual([
      ['page-fast', 'critical', 14.4, '1h', '5m'],
      ['page-slow', 'critical', 6, '6h', '30m'],
      ['ticket', 'warning', 1, '3d', '6h'],
    ]);
  });

  it('scales the default factors with the period (factor = share x period / long window)', () => {
    // 2% of a 7-day budget in 1 h: 0.02 x 168 h / 1 h = 3.36; 5% in 6 h: 0.05 x 168 / 6 = 1.4.
    const rules = burnRules({ period: '7d', alerts: undefined });
    expect(rules[0]?.factor).toBeCloseTo(3.36, 12);
    expect(rules[1]?.factor).toBeCloseTo(1.4, 12);
    expect(rules[2]?.factor).toBeCloseTo(0.1 * 168 / 72, 12);
  });

  it('rejects an explicit rule that can never fire, naming the key, the largest factor and a factor that fires at half the events bad', () => {
    const p = problems({
      slos: [{ name: 'relevance', kind: 'judge', rubric: 'relevance', target: 0.8, alerts: [{ severity: 'critical', long: '1h', short: '5m', factor: 14.4 }] }],
    });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^slos\.0\.alerts\.0: burn rule "critical 1h\/5m" \(14\.4× over 1h and 5m\) can never fire for target 0\.8/);
    expect(p[0]).toContain('at most 1 / (1 − 0.8) = 5×');
    expect(p[0]).toContain('Use a factor below 5 (f× fires when f × 20% of events are bad, so 5× only on a total outage), e.g. factor: 2.5 (half the events bad), or budgetShare: 0.0035 over 1h; or raise the target');
  });

  it('rejects the default rules on an 80% SLO and says to set alerts explicitly', () => {
    const p = problems({ slos: [{ name: 'relevance', kind: 'judge', rubric: 'relevance', target: 0.8 }] });
    // 14.4 x 0.2 and 6 x 0.2 exceed 1; the ticket rule (1x) can fire.
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^slos\.0\.alerts: the default burn rule "page-fast" \(14\.4× over 1h and 5m\) can never fire/);
    expect(p[0]).toContain('by setting slos.0.alerts explicitly');
    expect(p[1]).toContain('"page-slow" (6× over 6h and 30m)');
  });

  it('accepts a factor exactly at the limit and rejects windows in the wrong order or beyond the period', () => {
    expect(() => parseConfig({ slos: [{ name: 'q', kind: 'schema_valid', target: 0.8, alerts: [{ severity: 'warning', long: '1h', short: '5m', factor: 5 }] }] }, 'x')).not.toThrow();
    const p = problems({
      slos: [{ name: 'q', kind: 'schema_valid', target: 0.99, period: '1d', alerts: [{ severity: 'warning', long: '5m', short: '1h', factor: 2 }, { severity: 'warning', long: '3d', short: '1h', factor: 1 }] }],
    });
    expect(p[0]).toMatch(/^slos\.0\.alerts\.0: .*short window must be shorter/);
    expect(p[1]).toMatch(/^slos\.0\.alerts\.1: .*longer than the period \(1d\)/);
  });

  it('rejects duplicate names, and a rule with both or neither of factor and budgetShare', () => {
    const p = problems({
      slos: [
        { name: 'a', kind: 'availability', target: 0.99 },
        { name: 'a', kind: 'availability', target: 0.99, alerts: [{ severity: 'warning', long: '1h', short: '5m' }] },
      ],
    });
    expect(p.some((x) => x.startsWith('slos.1.name: duplicate SLO name (also slos.0)'))).toBe(true);
    expect(p.some((x) => x.startsWith('slos.1.alerts.0: give exactly one of "factor" and "budgetShare"'))).toBe(true);
  });
});

describe('pricing config', () => {
  const entry = { inputPerMTok: 1, outputPerMTok: 2 };

  it('rejects unordered effective dates with the key path', () => {
    const p = problems({ pricing: { models: { 'gpt-4o': [{ ...entry, from: '2025-03-01' }, { ...entry, from: '2025-01-01' }] } } });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^pricing\.models\.gpt-4o\.1\.from: effective dates must be strictly increasing: 2025-01-01 is not after entry 0's "from" \(2025-03-01\)/);
  });

  it('rejects equal dates and an "until" that overlaps the next entry', () => {
    const same = problems({ pricing: { models: { m: [{ ...entry, from: '2025-01-01' }, { ...entry, from: '2025-01-01T00:00:00Z' }] } } });
    expect(same[0]).toMatch(/^pricing\.models\.m\.1\.from: effective dates must be strictly increasing/);
    const overlap = problems({ pricing: { models: { m: [{ ...entry, from: '2025-01-01', until: '2025-03-01' }, { ...entry, from: '2025-02-01' }] } } });
    expect(overlap[0]).toMatch(/^pricing\.models\.m\.1\.from: overlaps entry 0, which runs until 2025-03-01/);
    expect(overlap[0]).toContain(`set entry 0's "until" to 2025-02-01 (or leave it out: a price runs until the next one's "from")`);
  });

  it('requires "from" on every entry but the first', () => {
    const p = problems({ pricing: { models: { m: [entry, entry] } } });
    expect(p[0]).toMatch(/^pricing\.models\.m\.1\.from: required/);
  });

  it('has working defaults: no prices, four cost dimensions, no SLOs', () => {
    const c = parseConfig({}, 'x');
    expect(c.pricing.models).toEqual({});
    expect(c.cost.dimensions).toEqual(['route', 'model', 'tenant_id', 'prompt_template_version']);
    expect(c.slos).toEqual([]);
  });
});
