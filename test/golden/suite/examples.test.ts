import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scoreCase } from '../../../src/golden/assertions/index.ts';
import { formatProblem, loadSuites } from '../../../src/golden/suite/index.ts';

const dir = fileURLToPath(new URL('../../../golden', import.meta.url));

describe('the example suites in golden/', () => {
  it('load without errors; the promptfoo file only warns about derived ids and providers', async () => {
    const r = await loadSuites(dir);
    expect(r.errors.map(formatProblem)).toEqual([]);
    expect(r.suites.map((s) => s.name)).toEqual(['promptfoo-faq', 'support']);
    expect(r.warnings.every((w) => w.file.endsWith('promptfoo-faq.yaml'))).toBe(true);
    expect(r.warnings.map((w) => w.message).filter((m) => !m.includes('no id; derived'))).toEqual([
      'providers: ignored: the target comes from config.golden.targets (pin one with "target:")',
    ]);
  });

  it('run offline on their recorded outputs: the wrong-on-purpose cases fail, the rest pass', async () => {
    const r = await loadSuites(dir);
    const failed: string[] = [];
    let passed = 0;
    for (const s of r.suites) {
      for (const c of s.cases) {
        expect(c.output, c.id).toBeDefined();
        const res = await scoreCase(c, { output: c.output! }, { now: () => 0 }, s.defaultAssert);
        expect(res.status, `${c.id}: ${res.assertions.map((a) => a.reason).join(' | ')}`).not.toBe('unmeasured');
        if (res.status === 'fail') failed.push(`${s.name}/${c.id}`);
        else passed++;
      }
    }
    const support = r.suites.find((s) => s.name === 'support')!;
    expect(support.cases).toHaveLength(12);
    expect(new Set(support.cases.map((c) => c.route))).toEqual(new Set(['answer', 'classify_intent', 'extract_entities']));
    expect(failed.filter((f) => f.startsWith('support/')).sort()).toEqual(['support/extract-fenced-json', 'support/intent-complaint', 'support/password-reset']);
    expect(failed.filter((f) => f.startsWith('promptfoo-faq/'))).toHaveLength(1);
    expect(passed).toBe(11);
  });
});
