import type { GoldenAssertion, GoldenCase } from '../../../src/golden/types.ts';

/** A minimal case for scorer tests: one string input, the given assertions. */
export function mkCase(assert: GoldenAssertion[], extra: Partial<GoldenCase> = {}): GoldenCase {
  return { id: 'c1', input: 'question?', vars: {}, assert, threshold: 1, tags: [], source: { file: 'test.yaml', line: 1 }, ...extra };
}

export const now = () => 1_700_000_000_000;
